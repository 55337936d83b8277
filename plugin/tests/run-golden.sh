#!/bin/sh
# One golden case of the dissector: assemble testdata/plugin/cases/<case>.rpc into a capture
# (rpcasm.py), decode it with the freshly built plugin (tools/rai-tshark), and compare exactly:
#   <case>.V.txt       tshark -V, details of the MS-RAI protocols only (-O)
#   <case>.fields.txt  tshark -Y rai -T fields: frame, interface, method, HRESULT and the fields
#                      the case lists on its `fields` lines
# tshark must print nothing on standard error.
#
#   usage: run-golden.sh TOP PLUGIN CASE EXPECTED_DIR
# RAI_UPDATE_GOLDEN=1 writes the outputs as the new expectations instead (review the diff!).
set -eu
top=$1
plugin=$2
case_file=$3
expected=$4
name=$(basename "$case_file" .rpc)
python=${PYTHON3:-/usr/bin/python3}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" "$top/plugin/tests/rpcasm.py" "$case_file" -o "$tmp/case.pcap"

protos=rai,rai.irasrv,rai.ipchservice,rai.ipchcollection,rai.isafsession
"$top/tools/rai-tshark" --plugin "$plugin" -n -V -O "$protos" -r "$tmp/case.pcap" \
    >"$tmp/V.txt" 2>"$tmp/stderr"

set -- -e frame.number -e rai.interface -e rai.method -e rai.hresult
for field in $(sed -n 's/^fields[[:space:]]*//p' "$case_file" | sed 's/#.*//'); do
    set -- "$@" -e "$field"
done
"$top/tools/rai-tshark" --plugin "$plugin" -n -Y rai -T fields -E header=y -E occurrence=a \
    -E aggregator=, "$@" -r "$tmp/case.pcap" >"$tmp/fields.txt" 2>>"$tmp/stderr"

if [ -s "$tmp/stderr" ]; then
    echo "$name: tshark wrote to standard error:" >&2
    cat "$tmp/stderr" >&2
    exit 1
fi
if [ "${RAI_UPDATE_GOLDEN:-0}" = 1 ]; then
    mkdir -p "$expected"
    cp "$tmp/V.txt" "$expected/$name.V.txt"
    cp "$tmp/fields.txt" "$expected/$name.fields.txt"
    echo "updated $expected/$name.V.txt and $name.fields.txt"
    exit 0
fi
status=0
for kind in V fields; do
    if [ ! -f "$expected/$name.$kind.txt" ]; then
        echo "$name: no expectation $expected/$name.$kind.txt (RAI_UPDATE_GOLDEN=1 writes it)" >&2
        status=1
    elif ! diff -u "$expected/$name.$kind.txt" "$tmp/$kind.txt"; then
        echo "$name: the $kind output differs from $expected/$name.$kind.txt" >&2
        status=1
    fi
done
[ "$status" = 0 ] && echo "ok $name"
exit "$status"
