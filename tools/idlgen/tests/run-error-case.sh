#!/bin/sh
# One error case of the generator: run idlgen on CASE.idl (from its folder, so that messages show
# the bare file name) and check that it fails with status 1 and prints exactly the message that
# the case's first line announces ("// expect: <message>").
#   usage: run-error-case.sh IDLGEN CASE.idl
set -eu
idlgen=$1
dir=$(dirname "$2")
name=$(basename "$2")
cd "$dir"
expected=$(sed -n '1s|^// expect: ||p' "$name")
if [ -z "$expected" ]; then
    echo "$name: first line must be '// expect: <message>'" >&2
    exit 1
fi
set +e
got=$("$idlgen" --backend dump -o /dev/null "$name" 2>&1 >/dev/null)
status=$?
set -e
if [ "$status" -ne 1 ]; then
    echo "$name: exit status $status, expected 1" >&2
    exit 1
fi
if [ "$got" != "$expected" ]; then
    printf '%s: wrong message\n  expected: %s\n  got:      %s\n' "$name" "$expected" "$got" >&2
    exit 1
fi
echo "ok $name"
