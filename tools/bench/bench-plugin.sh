#!/bin/sh
# Benchmark of the Wireshark plugin (not a test): builds a capture of at least 100,000 MS-RAI calls
# (the reference conversation, testdata/captures/rai-reference.rpc, repeated), then times the
# system tshark reading it with the plugin and with `--disable-protocol rai` (the MS-RAI PDUs then
# stay undecoded DCE/RPC stub data), in the same run, and prints both and their ratio.
#   usage: tools/bench/bench-plugin.sh [BUILD_DIR] [REPEAT]   (default: build, 10000 x 10 calls)
# Each variant runs three times, alternating; the figures are the fastest run of each. Run it on
# an otherwise idle machine, on one core: `taskset -c 0 tools/bench/bench-plugin.sh`.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
repeat=${2:-10000}
plugin=$build/plugin/rai.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building the capture: rai-reference.rpc x $repeat ..."
"${PYTHON3:-/usr/bin/python3}" "$top/plugin/tests/rpcasm.py" --repeat "$repeat" \
    "$top/testdata/captures/rai-reference.rpc" -o "$work/bench.pcap"
calls=$("$top/tools/rai-tshark" --plugin "$plugin" -n -Y "rai && dcerpc.pkt_type == 0" \
    -r "$work/bench.pcap" | wc -l)
packets=$(capinfos -c -M "$work/bench.pcap" | sed -n 's/^Number of packets: *//p')
size=$(capinfos -d -M "$work/bench.pcap" | sed -n 's/^Data size: *//p')
echo "capture: $packets packets, $size, $calls MS-RAI calls (requests decoded by the plugin)"

run() { # run LABEL TSHARK-ARGS... -> seconds on stdout
    start=$(date +%s.%N)
    "$top/tools/rai-tshark" --plugin "$plugin" -n "$@" -r "$work/bench.pcap" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
best_on=""
best_off=""
for i in 1 2 3; do
    t=$(run)
    if [ -z "$best_on" ] || less "$t" "$best_on"; then best_on=$t; fi
    t=$(run --disable-protocol rai)
    if [ -z "$best_off" ] || less "$t" "$best_off"; then best_off=$t; fi
done
awk -v on="$best_on" -v off="$best_off" -v calls="$calls" 'BEGIN {
    printf "tshark with the plugin:            %7.2f s\n", on
    printf "tshark --disable-protocol rai:     %7.2f s\n", off
    printf "ratio (plugin / disabled):         %7.2f\n", on / off
    printf "extra time per MS-RAI call:        %7.1f us\n", (on - off) * 1e6 / calls
}'
