#!/bin/sh
# Benchmark of `ratool analyze` (not a test): builds a large capture with `capgen repeat` from the
# sealed reference capture (testdata/captures/sealed.pcapng: every scenario of `ratool capture`,
# sealed, password Exp3rt-Pw!), then times, in the same run and on the same file:
#   - `ratool analyze --password ... --json` (stories to /dev/null), and
#   - the system tshark with our plugin (tools/rai-tshark), given the password, extracting the
#     same facts with `-T fields`: per frame the time, addresses and ports, the DCE/RPC packet
#     type, call id and opnum, the NTLM user and domain, the MS-RAI interface, method and
#     HRESULT, the sessions listed and the connection strings handed out, the faults;
# and prints the throughput of each in MB/s (of the capture file) and calls/s (the DCE/RPC calls
# `ratool analyze` counted) and their ratio. Each runs three times, alternating; the figures are
# the fastest run of each.
#   usage: tools/bench/bench-analyze.sh [BUILD_DIR] [MIB_OF_PACKETS]   (default: build, 64)
# tshark must decode as much as analyze for the comparison to hold: the script prints how many
# frames carry an MS-RAI method per copy next to the same count on the single sealed capture.
# Run it on an otherwise idle machine, on one core: `taskset -c 0 tools/bench/bench-analyze.sh`.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
mib=${2:-64}
ratool=$build/tools/ratool/ratool
capgen=$build/tools/bench/capgen
plugin=$build/plugin/rai.so
password='Exp3rt-Pw!'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building the capture: sealed.pcapng repeated up to $mib MiB of packets ..."
# Each copy's expert gets an address of its own: distinct conversations, which tshark needs to
# follow each copy's NTLM handshakes (it keeps DCE/RPC and NTLM state per conversation).
"$capgen" repeat "$top/testdata/captures/sealed.pcapng" "$work/bench.pcapng" \
    --bytes $((mib * 1048576)) --vary-ip 192.0.2.20 --vary-ip 2001:db8::20 | tee "$work/capgen.txt"
bytes=$(stat -c %s "$work/bench.pcapng")

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

run_analyze() {
    start=$(now)
    "$ratool" analyze "$work/bench.pcapng" --password "$password" --quiet --json \
        >"$work/analyze.json"
    elapsed "$start" "$(now)"
}
run_tshark() {
    start=$(now)
    "$top/tools/rai-tshark" --plugin "$plugin" -n -o "ntlmssp.nt_password:$password" \
        -r "$work/bench.pcapng" -T fields -E separator='|' \
        -e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport \
        -e tcp.analysis.retransmission -e dcerpc.pkt_type -e dcerpc.cn_call_id -e dcerpc.opnum \
        -e dcerpc.cn_status -e ntlmssp.auth.username -e ntlmssp.auth.domain \
        -e rai.interface -e rai.method -e rai.hresult \
        -e rai.session.domain -e rai.session.user -e rai.session.id \
        -e rai.irasrv.getnoviceuserinfo.szname \
        -e rai.ipchservice.remoteconnectionparms.pbstrconnectionstring \
        >"$work/tshark.txt"
    elapsed "$start" "$(now)"
}

best_a=""
best_t=""
for i in 1 2 3; do
    t=$(run_analyze)
    if [ -z "$best_a" ] || less "$t" "$best_a"; then best_a=$t; fi
    t=$(run_tshark)
    if [ -z "$best_t" ] || less "$t" "$best_t"; then best_t=$t; fi
done

calls=$(sed -n 's/^    "calls": \([0-9]*\),$/\1/p' "$work/analyze.json" | tail -1)
offers=$(sed -n 's/^    "offers": \([0-9]*\),$/\1/p' "$work/analyze.json" | tail -1)
rows=$(wc -l <"$work/tshark.txt")
methods=$(cut -d'|' -f15 "$work/tshark.txt" | grep -c . || true)
copies=$(sed -n 's/^\([0-9]*\) copies.*/\1/p' "$work/capgen.txt")
single=$("$top/tools/rai-tshark" --plugin "$plugin" -n -o "ntlmssp.nt_password:$password" \
    -r "$top/testdata/captures/sealed.pcapng" -T fields -e rai.method | grep -c . || true)
echo "capture: $bytes bytes, $copies copies; analyze: $calls DCE/RPC calls, $offers offer" \
    "stories; tshark: $rows rows, $methods with an MS-RAI method ($single per copy in" \
    "sealed.pcapng: $((single * copies)) expected)"
awk -v a="$best_a" -v t="$best_t" -v bytes="$bytes" -v calls="$calls" 'BEGIN {
    mb = bytes / 1e6
    printf "ratool analyze --json:             %7.2f s  %8.1f MB/s  %9.0f calls/s\n", a, mb / a, calls / a
    printf "tshark -T fields with the plugin:  %7.2f s  %8.1f MB/s  %9.0f calls/s\n", t, mb / t, calls / t
    printf "ratio (tshark time / analyze time): %5.1f\n", t / a
}'
