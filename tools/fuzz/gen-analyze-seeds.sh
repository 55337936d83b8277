#!/bin/sh
# Regenerates the seed corpus testdata/fuzz/analyze/ of the `analyze` harness (fuzz-analyze.c):
# small committed captures whole and truncated, and their frames in the harness's raw form
# ('R' + frames, written by tools/bench/capgen frames). Deterministic; provenance in
# testdata/README.md. Regressions found by fuzzing (crash-*, slow-*) are kept, not regenerated.
#   usage: tools/fuzz/gen-analyze-seeds.sh [BUILD_DIR]     (default: build)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
capgen=$build/tools/bench/capgen
out=$top/testdata/fuzz/analyze
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
cd "$top/testdata"

# Whole captures: the hand-assembled pcap reference capture, one pcapng of `ratool capture`, and the
# derived ones of testdata/analyze (cut handshake, late start, missing packets, retransmissions).
cp captures/rai-reference.pcap "$out/rai-reference.pcap"
cp captures/vista-offer.pcapng "$out/vista-offer.pcapng"
for c in cut-handshake starts-late missing-packets retransmissions; do
    cp "analyze/$c.pcapng" "$out/$c.pcapng"
done
# The sealed IRASrv offer (first 42 frames of sealed.pcapng; the harness tries Exp3rt-Pw!).
editcap -r captures/sealed.pcapng "$out/sealed-vista-offer.pcapng" 1-42
# A pcapng cut in the middle of a block.
head -c 6000 captures/vista-offer.pcapng >"$out/vista-offer-truncated.pcapng"
# The raw form.
for c in rai-reference vista-offer cut-handshake starts-late missing-packets retransmissions \
    sealed-vista-offer; do
    f=$(ls "$out/$c".pcap*)
    "$capgen" frames "$f" "$out/$c.frames"
done
editcap -r captures/xp-offer.pcapng "$tmp/xp.pcapng" 1-60
"$capgen" frames "$tmp/xp.pcapng" "$out/xp-offer-start.frames"
