#!/bin/sh
# `tshark -G fields` (with the plugin) lists the rai fields, and docs/fields.md documents exactly
# those, each with an example filter.
#   usage: check-fields-doc.sh TOP PLUGIN
set -eu
top=$1
plugin=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$top/tools/rai-tshark" --plugin "$plugin" -G fields >"$tmp"
if ! grep -q "	rai.session.user	" "$tmp"; then
    echo "tshark -G fields does not list the rai fields: the plugin did not load" >&2
    exit 1
fi
python=${PYTHON3:-/usr/bin/python3}
"$python" "$top/plugin/tests/fields-doc.py" --check "$tmp" "$top/docs/fields.md"
# every example filter compiles (one filter OR-ing them all)
filter=$("$python" "$top/plugin/tests/fields-doc.py" --examples "$top/docs/fields.md")
"$top/tools/rai-tshark" --plugin "$plugin" -Y "$filter" \
    -r "$top/testdata/captures/rai-reference.pcap" >/dev/null
echo "ok: every example filter compiles"
