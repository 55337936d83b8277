#!/bin/sh
# Set up a Debian 12 machine for this project, build it, and run the main job or every test.
#
#   tools/setup.sh demo   install what is missing, build, run the main job (the default)
#   tools/setup.sh test   install what is missing, build, run every test (what CI runs)
#   tools/setup.sh deps   only install what is missing
#
# Environment: BUILD_DIR (default build), SAN_BUILD_DIR (default build-san), JOBS (default: nproc),
# RAI_SKIP_SAN=1 skips the sanitizer build of `test`.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
mode=${1:-demo}
build=${BUILD_DIR:-build}
san_build=${SAN_BUILD_DIR:-build-san}
jobs=${JOBS:-$(nproc)}

# Everything the build, the tests and the main job use, as Debian 12 packages.
packages="build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
  libglib2.0-dev libxml2-dev libssl-dev libwireshark-dev libwiretap-dev tshark wireshark-common
  python3 python3-impacket freerdp2-dev util-linux groff-base"

install_missing() {
    missing=""
    for p in $packages; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "setup: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "setup: these Debian packages are missing and I am not root:$missing" >&2
        exit 1
    fi
    $sudo apt-get update -qq
    # tshark asks whether non-root users may capture; the default (no) is right here.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

build_main() {
    cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build "$build" -j "$jobs"
}

build_san() {
    # clang with ASan+UBSan on the library, the tools and the libFuzzer harnesses. The plugin's own
    # sanitizer variant is built and used by the main build (see plugin/CMakeLists.txt).
    CC=clang cmake -S "$top" -B "$san_build" -DCMAKE_BUILD_TYPE=Debug \
        -DRAI_SANITIZE=ON -DRAI_FUZZ=ON -DRAI_BUILD_PLUGIN=OFF
    cmake --build "$san_build" -j "$jobs"
}

case "$mode" in
deps)
    install_missing
    ;;
demo)
    install_missing
    build_main
    exec "$top/tools/demo.sh" "$build"
    ;;
test)
    install_missing
    build_main
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    if [ "${RAI_SKIP_SAN:-0}" != 1 ]; then
        build_san
        ctest --test-dir "$san_build" --output-on-failure -j "$jobs" -LE no-san
    fi
    ;;
*)
    echo "usage: tools/setup.sh [demo|test|deps]" >&2
    exit 2
    ;;
esac
