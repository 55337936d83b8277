#!/bin/sh
# The fuzz loop of the plugin: random byte mutations (editcap -E) of the golden captures, run
# through the system tshark with the ASan+UBSan build of the plugin (LD_PRELOAD of the ASan
# runtime), for a bounded time. Fails on any sanitizer report, any "Dissector bug" and any crash
# of tshark; the failing batch is kept (its path is printed) to be turned into a golden case.
#   usage: fuzz-loop.sh TOP ASAN_PLUGIN LIBASAN SECONDS
# Mutations start after the Ethernet/IPv4/TCP headers (54 bytes) or after the DCE/RPC headers too
# (78 bytes), so that most mutated PDUs still reach the MS-RAI dissector. TCP reassembly and
# sequence analysis are off: every segment is dissected on its own, whatever its sequence number.
set -eu
top=$1
plugin=$2
libasan=$3
budget=$4
python=${PYTHON3:-/usr/bin/python3}

work=$(mktemp -d)
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

n=0
for case in "$top"/testdata/plugin/cases/*.rpc; do
    n=$((n + 1))
    "$python" "$top/plugin/tests/rpcasm.py" "$case" -o "$work/seed-$n.pcap"
done
cp "$top/testdata/captures/rai-reference.pcap" "$work/seed-0.pcap"

start=$(date +%s)
round=0
runs=0
malformed=0
while [ $(( $(date +%s) - start )) -lt "$budget" ]; do
    round=$((round + 1))
    rm -f "$work"/mut-*.pcap
    i=0
    for seed in "$work"/seed-*.pcap; do
        i=$((i + 1))
        for copy in 1 2 3; do
            offset=54
            [ $(( (round + copy) % 2 )) = 0 ] && offset=78
            editcap -E 0.02 -o "$offset" --seed $((round * 1000 + i * 10 + copy)) \
                "$seed" "$work/mut-$i-$copy.pcap" 2>/dev/null
        done
    done
    mergecap -a -F pcap -w "$work/batch.pcap" "$work"/mut-*.pcap
    set +e
    RAI_LIBASAN=$libasan "$top/tools/rai-tshark" --asan --plugin "$plugin" -n -V \
        -o tcp.desegment_tcp_streams:FALSE -o tcp.analyze_sequence_numbers:FALSE \
        -r "$work/batch.pcap" >"$work/out.txt" 2>"$work/err.txt"
    status=$?
    set -e
    runs=$((runs + 1))
    if ! grep -q "^MS-RAI " "$work/out.txt"; then
        keep=1
        echo "fuzz-loop: no MS-RAI PDU decoded: the ASan plugin did not load" >&2
        head -20 "$work/err.txt" >&2
        exit 1
    fi
    m=$(grep -c "Malformed Packet" "$work/out.txt" || true)
    malformed=$((malformed + m))
    if [ "$status" -ne 0 ] || grep -q "AddressSanitizer\|runtime error:\|LeakSanitizer" \
        "$work/err.txt" || grep -q "Dissector bug" "$work/out.txt" "$work/err.txt"; then
        keep=1
        echo "fuzz-loop: failure in round $round (tshark exit status $status)" >&2
        grep -h -m 20 "AddressSanitizer\|runtime error:\|Dissector bug\|ERROR" \
            "$work/err.txt" "$work/out.txt" >&2 || true
        echo "fuzz-loop: the batch is $work/batch.pcap" >&2
        exit 1
    fi
done
packets=$(( $(tshark -r "$work/batch.pcap" 2>/dev/null | wc -l) * runs ))
echo "ok: $runs tshark runs, about $packets mutated packets, $malformed malformed (exceptions" \
    "caught by Wireshark), no sanitizer report, no dissector bug"
