#!/bin/sh
# testdata/captures/rai-reference.pcap must be exactly what rpcasm.py assembles from
# rai-reference.rpc: the committed capture and its annotated source cannot drift apart.
#   usage: check-reference.sh TOP
set -eu
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${PYTHON3:-/usr/bin/python3}" "$top/plugin/tests/rpcasm.py" \
    "$top/testdata/captures/rai-reference.rpc" -o "$tmp/ref.pcap"
if ! cmp "$top/testdata/captures/rai-reference.pcap" "$tmp/ref.pcap"; then
    echo "rai-reference.pcap differs from what rai-reference.rpc assembles to" >&2
    exit 1
fi
echo "ok: rai-reference.pcap is reproducible"
