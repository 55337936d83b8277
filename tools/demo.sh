#!/bin/sh
# The main job (tools/setup.sh demo runs it after the build): run the novice, `ratool serve`, with
# the session table of testdata/sessions/example.ini, and the expert, `ratool offer`, against it
# on loopback; capture the exchange; print the offer decoded by the system tshark with the freshly
# built plugin (the calls are sealed, NTLMv2 packet privacy: tshark decrypts them with the
# password). Standard output is the same on every run (the novice's randomness is seeded); notes
# on how the run went go to standard error.
#
# As root the novice listens on port 135, as on Windows, and dumpcap captures the loopback
# traffic. Without root (or when port 135 is taken) the novice takes a free port, and when dumpcap
# cannot capture, the exchange is rebuilt from what the expert recorded (`ratool offer --trace`)
# with `ratool capture --from-trace`.
#   usage: tools/demo.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
ratool=$build/tools/ratool/ratool
plugin=$build/plugin/rai.so
sessions=$top/testdata/sessions/example.ini
password='Exp3rt-Pw!'
for f in "$ratool" "$plugin"; do
    if [ ! -x "$f" ] && [ ! -f "$f" ]; then
        echo "demo: $f is missing (build first: cmake --build build)" >&2
        exit 2
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rai-demo.XXXXXX")
serve_pid=
dump_pid=
cleanup() {
    [ -n "$dump_pid" ] && kill "$dump_pid" 2>/dev/null || true
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# ---- the novice ----
# start_serve PORT: starts it in the background (serve_pid) and sets `port` to the port it
# listens on, or returns 1. Not run in a subshell, so that cleanup knows the process.
start_serve() {
    "$ratool" serve --bind 127.0.0.1 --port "$1" --helper "CONTOSO\\expert:$password" \
        --sessions "$sessions" --seed demo --listener-port 49685 --computer-name NOVICE \
        >"$tmp/serve.out" 2>"$tmp/serve.err" &
    serve_pid=$!
    i=0
    while [ $i -lt 100 ]; do
        if grep -q "listening on" "$tmp/serve.out" 2>/dev/null; then
            port=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$tmp/serve.out" | head -n 1)
            return 0
        fi
        if ! kill -0 "$serve_pid" 2>/dev/null; then
            wait "$serve_pid" 2>/dev/null || true
            serve_pid=
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
port=
if [ "$(id -u)" -eq 0 ]; then
    start_serve 135 || echo "demo: port 135 is not available ($(cat "$tmp/serve.err")); using a free port" >&2
else
    echo "demo: not root: the novice listens on a free port instead of 135" >&2
fi
if [ -z "$port" ] && ! start_serve 0; then
    echo "demo: ratool serve did not start:" >&2
    cat "$tmp/serve.err" >&2
    exit 1
fi
echo "demo: ratool serve (novice) listening on 127.0.0.1 port $port" >&2

# ---- the capture ----
capture=$tmp/offer.pcapng
if [ "$(id -u)" -eq 0 ] && command -v dumpcap >/dev/null 2>&1; then
    dumpcap -i lo -f "tcp port $port" -w "$capture" >"$tmp/dumpcap.out" 2>"$tmp/dumpcap.err" &
    dump_pid=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q "Capturing on" "$tmp/dumpcap.err" 2>/dev/null; do
        kill -0 "$dump_pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    if ! grep -q "Capturing on" "$tmp/dumpcap.err" 2>/dev/null; then
        echo "demo: dumpcap did not start ($(cat "$tmp/dumpcap.err")); using the expert's trace" >&2
        kill "$dump_pid" 2>/dev/null || true
        dump_pid=
    fi
fi

# ---- the expert ----
"$ratool" offer 127.0.0.1 --port "$port" --user 'CONTOSO\expert' --password "$password" \
    --session 1 --trace "$tmp/offer.trace" >"$tmp/offer.out" 2>"$tmp/offer.err" || {
    echo "demo: ratool offer failed:" >&2
    cat "$tmp/offer.err" >&2
    exit 1
}
tshark="$top/tools/rai-tshark --plugin $plugin -n -o ntlmssp.nt_password:$password"
[ "$port" != 135 ] && tshark="$tshark -d tcp.port==$port,dcerpc"
if [ -n "$dump_pid" ]; then
    # dumpcap reads packets from the kernel and writes its file in batches, and what it has not
    # read yet when it is stopped is lost (a fixed pause lost the whole offer on a loaded machine):
    # wait until the file holds the offer itself, the Connection String 2 response (at most 15 s).
    i=0
    while [ $i -lt 30 ] && [ -z "$($tshark -r "$capture" -Y rai.cs2 -T fields -e frame.number 2>/dev/null)" ]; do
        sleep 0.5
        i=$((i + 1))
    done
    sleep 0.3 # the segments after it (RemRelease, the connections closing)
    kill -INT "$dump_pid"
    wait "$dump_pid" 2>/dev/null || true
    dump_pid=
    echo "demo: captured the exchange on lo with dumpcap" >&2
else
    "$ratool" capture -q -o "$capture" --from-trace "$tmp/offer.trace" --port "$port"
    echo "demo: framed the expert's trace as a capture (ratool capture --from-trace)" >&2
fi
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=

# ---- what it shows ----

echo "== ratool offer (the expert) against ratool serve (the novice) on 127.0.0.1"
grep -v -e '^novice:' -e '^exporter:' "$tmp/offer.out"
echo
echo "== The MS-RAI calls on the wire, sealed, decrypted by tshark with the password"
$tshark -r "$capture" -Y rai -T fields -e rai.interface -e rai.method -e rai.hresult \
    -e _ws.col.Info | sed 's/^\([^\t]*\)\t\([^\t]*\)\t\([^\t]*\)\t.*\(request\|response\)\(.*\)$/\1::\2 \4\5/'
echo
echo "== Sessions returned by IRASrv::GetSessionInfo (rai.session.*)"
$tshark -r "$capture" -Y rai.session.user -T fields -E occurrence=a -E aggregator=' ' \
    -e rai.session.domain -e rai.session.user -e rai.session.id
echo
echo "== The offer: Connection String 2 from IRASrv::GetNoviceUserInfo (rai.cs2.*)"
$tshark -r "$capture" -Y rai.cs2 -T fields -E occurrence=a -E aggregator=' ' \
    -e rai.cs2.a.kh -e rai.cs2.t.sid -e rai.cs2.l.n -e rai.cs2.l.p
