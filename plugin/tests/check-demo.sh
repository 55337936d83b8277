#!/bin/sh
# The main job (tools/demo.sh) prints exactly the committed expectation.
#   usage: check-demo.sh TOP BUILD EXPECTED     (RAI_UPDATE_GOLDEN=1 rewrites EXPECTED)
set -eu
top=$1
build=$2
expected=$3
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$top/tools/demo.sh" "$build" >"$tmp"
if [ "${RAI_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp" "$expected"
    echo "updated $expected"
    exit 0
fi
diff -u "$expected" "$tmp"
echo "ok: demo output"
