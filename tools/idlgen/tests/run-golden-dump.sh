#!/bin/sh
# Golden test of the generator's front end: the AST dump of the MS-RAI IDL (with its errata
# prelude) must equal golden/ms-rai.dump byte for byte.
#   usage: run-golden-dump.sh IDLGEN IDL_DIR GOLDEN_FILE
# After an intended change, regenerate with RAI_UPDATE_GOLDEN=1 (see docs/architecture.md).
set -eu
idlgen=$1
idl=$2
golden=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Run from the IDL folder: the dump shows base names only, but keep the command stable anyway.
(cd "$idl" && "$idlgen" --prelude ms-rai-errata.idl --backend dump -o "$out" ms-rai.idl)
if [ "${RAI_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$out" "$golden"
    echo "updated $golden"
    exit 0
fi
if ! diff -u "$golden" "$out"; then
    echo "the AST dump differs from $golden (RAI_UPDATE_GOLDEN=1 regenerates it)" >&2
    exit 1
fi
echo "ok: AST dump matches $golden"
