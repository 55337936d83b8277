#!/bin/sh
# `cmake --install BUILD --component plugin` installs rai.so into the plugin folder; here into a
# DESTDIR so that the test does not touch the real one.
#   usage: check-install.sh BUILD PLUGIN_INSTALL_DIR
set -eu
build=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR=$tmp cmake --install "$build" --component plugin >/dev/null
if [ ! -f "$tmp$dir/rai.so" ]; then
    echo "rai.so was not installed into $dir" >&2
    find "$tmp" -type f >&2
    exit 1
fi
cmp "$build/plugin/rai.so" "$tmp$dir/rai.so"
echo "ok: installed into $dir"
