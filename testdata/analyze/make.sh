#!/bin/sh
# Regenerates the captures of testdata/analyze/ (provenance: testdata/README.md, "analyze/").
# Every file is reproducible: `ratool capture` writes the same bytes for the same options, and
# the derivations below are deterministic.
#   usage: testdata/analyze/make.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
ratool=$build/tools/ratool/ratool
capgen=$build/tools/bench/capgen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"

# The reference conversations: every scenario of `ratool capture`, signed (PKT_INTEGRITY) and
# sealed (PKT_PRIVACY); the accounts' password is ratool capture's default, Exp3rt-Pw!.
"$ratool" capture -q -o all.pcapng --scenario all
"$ratool" capture -q -o sealed.pcapng --scenario sealed

# Cut in the middle of a handshake: the sealed IRASrv offer up to the novice's CHALLENGE on the
# object exporter's connection (frame 14), without the expert's AUTHENTICATE.
editcap -r sealed.pcapng cut-handshake.pcapng 1-14
# A capture that starts late: the sealed IRASrv offer from its GetSessionInfo (frame 16) on, both
# connections already open and their handshakes missing.
editcap -r sealed.pcapng starts-late.pcapng 16-34
# Missing packets: the sealed IRASrv offer without the activation's answer (frame 9) and the
# GetNoviceUserInfo request (frame 25).
"$capgen" edit sealed.pcapng "$tmp/missing.pcapng" --drop 9 --drop 25
editcap -r "$tmp/missing.pcapng" missing-packets.pcapng 1-32
# Retransmissions and reordering: GetSessionInfo and the connection string sent twice, the
# RemRelease answer before its request's acknowledgement.
"$capgen" edit sealed.pcapng "$tmp/retrans.pcapng" --dup 16 --dup 26 --swap 21
editcap -r "$tmp/retrans.pcapng" retransmissions.pcapng 1-36
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
