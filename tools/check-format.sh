#!/bin/sh
# The format-check test: every hand-written C source and header that git tracks under tools/ and
# plugin/ is clean for clang-format 14 with the top-level .clang-format (`--dry-run --Werror`).
# Generated code lives only in the build tree and is not checked; testdata/ holds no C.
#
#   tools/check-format.sh CLANG_FORMAT SOURCE_DIR
#
# Exit 0: every file is clean. 1: the files that are not (with clang-format's diagnostics), or no
# file to check. 77 (ctest: skipped): no clang-format 14, or SOURCE_DIR is not a git checkout.
# Fix the files with `clang-format -i FILE...` (tools/setup.sh installs clang-format).
set -eu

if [ $# -ne 2 ]; then
    echo "usage: check-format.sh CLANG_FORMAT SOURCE_DIR" >&2
    exit 2
fi
clang_format=$1
top=$2

if ! command -v "$clang_format" >/dev/null 2>&1; then
    echo "format-check: skipped: clang-format not found ($clang_format); tools/setup.sh deps installs it"
    exit 77
fi
version=$("$clang_format" --version)
case "$version" in
*" version 14."*) ;;
*)
    echo "format-check: skipped: needs clang-format 14 (its output differs between versions), found: $version"
    exit 77
    ;;
esac
if ! git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "format-check: skipped: $top is not a git checkout (the files checked are those git tracks)"
    exit 77
fi

cd "$top"
list=$(mktemp)
out=$(mktemp)
trap 'rm -f "$list" "$out"' EXIT
git ls-files -z -- 'tools/*.c' 'tools/*.h' 'plugin/*.c' 'plugin/*.h' >"$list"
count=$(tr -cd '\0' <"$list" | wc -c)
if [ "$count" -eq 0 ]; then
    echo "format-check: no C file found under tools/ or plugin/ in $top" >&2
    exit 1
fi

if xargs -0 "$clang_format" --dry-run --Werror --style="file:$top/.clang-format" <"$list" \
    >"$out" 2>&1; then
    echo "format-check: $count files clean"
    exit 0
fi
cat "$out"
echo
echo "format-check: not clang-format clean (run clang-format -i on them):"
sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*clang-format-violations.*/  \1/p' "$out" | sort -u
exit 1
