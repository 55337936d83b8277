#!/bin/sh
# The main job: run with the build directory as its argument (tools/setup.sh demo does).
set -eu
echo "demo: not yet defined" >&2
exit 1
