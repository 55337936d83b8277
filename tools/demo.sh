#!/bin/sh
# The main job, until `ratool serve` and `ratool offer` exist: decode the shipped reference capture
# (testdata/captures/rai-reference.pcap) with the freshly built Wireshark plugin, through the
# system tshark, and print the decoded MS-RAI calls and what they carry.
#   usage: tools/demo.sh [BUILD_DIR]        (tools/setup.sh demo runs it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
plugin=$build/plugin/rai.so
capture=$top/testdata/captures/rai-reference.pcap
tshark="$top/tools/rai-tshark --plugin $plugin -n"

echo "== MS-RAI calls in $(basename "$capture") (tshark with build/plugin/rai.so, filter: rai)"
$tshark -Y rai -r "$capture"
echo
echo "== Sessions returned by IRASrv::GetSessionInfo (rai.session.*)"
$tshark -Y rai.session.user -T fields -E occurrence=a -E aggregator=' ' \
    -e frame.number -e rai.session.domain -e rai.session.user -e rai.session.id -r "$capture"
echo
echo "== Connection String 2 (IRASrv::GetNoviceUserInfo): listeners N:P"
$tshark -Y rai.cs2 -T fields -E occurrence=a -E aggregator=' ' \
    -e frame.number -e rai.cs2.l.n -e rai.cs2.l.p -r "$capture"
echo
echo "== Connection String 1 (IPCHService::RemoteConnectionParms): version, addresses"
$tshark -Y rai.cs1 -T fields -E occurrence=a -E aggregator=' ' \
    -e frame.number -e rai.cs1.protocol_version -e rai.cs1.address -r "$capture"
echo
echo "== The decoded GetSessionInfo response (tshark -V, MS-RAI part)"
$tshark -Y "frame.number == 10" -V -O rai,rai.irasrv -r "$capture" | sed -n '/^MS-RAI/,$p'
