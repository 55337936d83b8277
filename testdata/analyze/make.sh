#!/bin/sh
# Regenerates the captures of testdata/analyze/ (provenance: testdata/README.md, "analyze/").
# Every file is reproducible: `ratool capture` writes the same bytes for the same options, and
# the derivations below (editcap, mergecap, tools/bench/capgen) are deterministic.
#   usage: testdata/analyze/make.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
ratool=$build/tools/ratool/ratool
capgen=$build/tools/bench/capgen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"

# Derived from the committed reference capture ../captures/sealed.pcapng (`ratool capture`;
# password Exp3rt-Pw!), whose first 42 frames are the IRASrv offer of the vista-offer scenario.
sealed=../captures/sealed.pcapng
# Cut in the middle of a handshake: the offer up to the novice's CHALLENGE on the object
# exporter's connection (frame 14), without the expert's AUTHENTICATE.
editcap -r "$sealed" cut-handshake.pcapng 1-14
# A capture that starts late: the offer from its GetSessionInfo (frame 16) on: the activation
# and IRASrv connections already open, their binds and handshakes missing.
editcap -r "$sealed" starts-late.pcapng 16-42
# Missing packets: the offer without the activation's answer (frame 9) and the GetNoviceUserInfo
# request (frame 30).
"$capgen" edit "$sealed" "$tmp/missing.pcapng" --drop 9 --drop 30
editcap -r "$tmp/missing.pcapng" missing-packets.pcapng 1-40
# Retransmissions and reordering: GetSessionInfo (16) and the connection string (31) sent twice,
# the second RemRelease answered before its request in the capture (32 and 33 swapped).
"$capgen" edit "$sealed" "$tmp/retrans.pcapng" --dup 16 --dup 31 --swap 32
editcap -r "$tmp/retrans.pcapng" retransmissions.pcapng 1-44
# Two experts with different passwords at once: expert A (192.0.2.20, password Alpha-Pw1!)
# offers through IRASrv while expert B (192.0.2.21, password Bravo-Pw2!) offers through
# IPCHService, their packets interleaved.
"$ratool" capture -q -o "$tmp/a.pcapng" --scenario vista-offer --seal --password 'Alpha-Pw1!' \
    --seed expert-a
"$ratool" capture -q -o "$tmp/b.pcapng" --scenario xp-offer --seal --password 'Bravo-Pw2!' \
    --seed expert-b
"$capgen" rewrite "$tmp/b.pcapng" "$tmp/b2.pcapng" --map-ip 192.0.2.20=192.0.2.21 \
    --time-shift 0.000025
(cd "$tmp" && mergecap -w merged.pcapng a.pcapng b2.pcapng)
cp "$tmp/merged.pcapng" two-experts.pcapng
