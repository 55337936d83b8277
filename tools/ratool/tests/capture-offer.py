#!/usr/bin/python3
"""A capture of a whole offer, decoded by our Wireshark plugin with no malformed frame.

`ratool offer --trace` (our expert) records every PDU it exchanges with `ratool serve` (our
novice), one line per PDU, per connection. This script turns each connection into a TCP stream
with text2pcap (expert 192.0.2.1:<49152 + connection>, novice 192.0.2.2:135; the timestamps
keep the order of the trace), merges the streams with mergecap, and decodes the capture with
tshark and the freshly built plugin through tools/rai-tshark. Both interfaces (IRASrv and
IPCHService), at packet privacy ("sealed") and at packet integrity ("plain": the stubs are
signed, not encrypted).

Checks, one TAP line each: no malformed frame and nothing on tshark's standard error; the MS-RAI
methods the expert called are all decoded with S_OK; the connection string tshark reads from the
response equals the one `ratool offer` printed; sealed, without the password no MS-RAI stub
shows, with it (`-o ntlmssp.nt_password:...`) everything does; the authentication levels.

usage: capture-offer.py TOP RATOOL PLUGIN [KEEP-DIR]
(KEEP-DIR: also copy the pcaps there, to look at them in Wireshark.)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

DOMAIN = "CONTOSO"
HELPER, HELPER_PW = "expert", "Exp3rt-Pw!"

results = []


def case(name, fn):
    try:
        fn()
        results.append(True)
        print("ok %d - %s" % (len(results), name), flush=True)
    except Exception as e:
        results.append(False)
        print("not ok %d - %s: %s: %s" % (len(results), name, type(e).__name__, e), flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def serve(ratool, top, level):
    proc = subprocess.Popen(
        [ratool, "serve", "--port", "0", "--min-auth-level", level,
         "--helper", "%s\\%s:%s" % (DOMAIN, HELPER, HELPER_PW),
         "--sessions", os.path.join(top, "testdata", "sessions", "example.ini"),
         "--listener-port", "3389", "--seed", "capture-offer-" + level, "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"listening on (\S+) port (\d+)", proc.stdout.readline())
    if not m:
        proc.kill()
        raise RuntimeError("ratool serve did not start")
    return proc, int(m.group(2))


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.stdout.read()
    proc.wait(timeout=30)


def to_pcap(trace, tmp, name, first_connection):
    """One TCP stream per connection of the trace; returns the merged pcap and the number of
    connections. Connections are numbered on from first_connection (distinct client ports)."""
    streams = {}
    with open(trace) as f:
        for n, line in enumerate(f):
            conn, direction, hexdata = line.split()
            data = bytes.fromhex(hexdata)
            # One second per PDU from 00:00:00 keeps the trace order across streams.
            stamp = "%02d:%02d:%02d.000000" % (n // 3600, n // 60 % 60, n % 60)
            dump = ["%s %s" % (direction, stamp)]
            for off in range(0, len(data), 16):
                dump.append("%06x %s" % (off, " ".join("%02x" % b for b in data[off:off + 16])))
            streams.setdefault(int(conn), []).append("\n".join(dump) + "\n")
    pcaps = []
    for conn, pdus in sorted(streams.items()):
        txt = os.path.join(tmp, "%s-%d.txt" % (name, conn))
        pcap = os.path.join(tmp, "%s-%d.pcap" % (name, conn))
        with open(txt, "w") as f:
            f.writelines(pdus)
        # -D: "O" lines are ours (the expert's); "I" lines come from the novice on port 135.
        subprocess.run(["text2pcap", "-q", "-D", "-t", "%H:%M:%S.%f",
                        "-T", "135,%d" % (49152 + first_connection + conn),
                        "-4", "192.0.2.2,192.0.2.1", txt, pcap], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pcaps.append(pcap)
    merged = os.path.join(tmp, name + ".pcap")
    subprocess.run(["mergecap", "-w", merged] + pcaps, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return merged, len(streams)


def tshark(top, plugin, pcap, *args, password=None):
    cmd = [os.path.join(top, "tools", "rai-tshark"), "--plugin", plugin, "-n", "-r", pcap]
    if password is not None:
        cmd += ["-o", "ntlmssp.nt_password:" + password]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and p.stderr.strip() == "",
          "tshark exit %d, stderr: %s" % (p.returncode, p.stderr))
    return p.stdout


def fields(top, plugin, pcap, names, password=None, filt=None):
    args = ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    if filt:
        args += ["-Y", filt]
    for n in names:
        args += ["-e", n]
    out = tshark(top, plugin, pcap, *args, password=password)
    return [dict(zip(names, line.split("|"))) for line in out.splitlines()]


def main():
    top, ratool, plugin = sys.argv[1], sys.argv[2], sys.argv[3]
    keep = sys.argv[4] if len(sys.argv) > 4 else None
    with tempfile.TemporaryDirectory() as tmp:
        for level, sealed in (("privacy", True), ("integrity", False)):
            proc, port = serve(ratool, top, level)
            captures = []
            try:
                for iface, session in (("irasrv", "1"), ("ipchservice", "2")):
                    trace = os.path.join(tmp, "%s-%s.trace" % (iface, level))
                    p = subprocess.run(
                        [ratool, "offer", "127.0.0.1", "--port", str(port), "--user",
                         "%s\\%s" % (DOMAIN, HELPER), "--password", HELPER_PW, "--interface",
                         iface, "--session", session, "--auth-level", level, "--trace", trace,
                         "-q"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                        timeout=60)
                    m = re.search(r"^connection string [12]: (.*)$", p.stdout, re.M)
                    captures.append((iface, trace, p, m.group(1) if m else None))
            finally:
                stop(proc)
            for iface, trace, p, cs in captures:
                what = "%s, %s" % (iface, "sealed" if sealed else "plain")
                state = {}

                def offered():
                    check(p.returncode == 0 and cs, "ratool offer failed: %s%s" % (p.stdout,
                                                                                p.stderr))
                    state["pcap"], state["n"] = to_pcap(trace, tmp, "%s-%s" % (iface, level), 0)
                    if keep:
                        os.makedirs(keep, exist_ok=True)
                        shutil.copy(state["pcap"], keep)

                case("%s: ratool offer succeeds and its trace becomes a capture" % what, offered)
                if "pcap" not in state:
                    continue
                pcap = state["pcap"]
                password = HELPER_PW if sealed else None

                def no_malformed():
                    rows = fields(top, plugin, pcap, ("frame.number", "_ws.malformed"),
                                  password=password)
                    check(len(rows) > 10, "only %d frames" % len(rows))
                    bad = tshark(top, plugin, pcap, "-Y", "_ws.malformed || rai.truncated",
                                 password=password)
                    check(bad.strip() == "", "malformed frames:\n" + bad)
                    if sealed:
                        bad = tshark(top, plugin, pcap, "-Y", "_ws.malformed || rai.truncated")
                        check(bad.strip() == "", "malformed frames without the password:\n" + bad)

                case("%s: no malformed frame, tshark quiet" % what, no_malformed)

                names = ("frame.number", "dcerpc.pkt_type", "dcerpc.auth_level",
                         "rai.interface", "rai.method", "rai.hresult",
                         "rai.irasrv.getnoviceuserinfo.szname",
                         "rai.ipchservice.remoteconnectionparms.pbstrconnectionstring",
                         "rai.irasrv.getsessioninfo.count", "ntlmssp.auth.username")

                def decoded():
                    rows = fields(top, plugin, pcap, names, password=password)
                    calls = {(r["rai.interface"], r["rai.method"], r["dcerpc.pkt_type"],
                              r["rai.hresult"]) for r in rows if r["rai.method"]}
                    if iface == "irasrv":
                        want = [("IRASrv", "GetSessionInfo"), ("IRASrv", "GetNoviceUserInfo")]
                        got_cs = [r["rai.irasrv.getnoviceuserinfo.szname"] for r in rows
                                  if r["rai.irasrv.getnoviceuserinfo.szname"]]
                        # 10 sessions in the file, less the idle and the disconnected one.
                        check(any(r["rai.irasrv.getsessioninfo.count"] == "8" for r in rows),
                              "GetSessionInfo: 8 sessions")
                    else:
                        want = [("IPCHService", "RemoteUserSessionInfo"),
                                ("IPCHService", "RemoteConnectionParms")]
                        got_cs = [r["rai.ipchservice.remoteconnectionparms.pbstrconnectionstring"]
                                  for r in rows if
                                  r["rai.ipchservice.remoteconnectionparms.pbstrconnectionstring"]]
                    for i, m in want:
                        check((i, m, "0", "") in calls, "%s::%s request missing: %r" % (i, m,
                                                                                     calls))
                        check((i, m, "2", "0x00000000") in calls,
                              "%s::%s response with S_OK missing: %r" % (i, m, calls))
                    check(got_cs == [cs], "tshark's connection string %r, ratool's %r" % (got_cs,
                                                                                     cs))
                    check(any(r["ntlmssp.auth.username"] == HELPER for r in rows),
                          "the NTLM AUTHENTICATE of the expert")
                    levels = {r["dcerpc.auth_level"] for r in rows if r["dcerpc.auth_level"]}
                    want_level = "6" if sealed else "5"
                    check(levels and all(set(v.split(",")) == {want_level} for v in levels),
                          "authentication levels %r, want %s" % (levels, want_level))

                case("%s: the MS-RAI calls decoded, S_OK, the connection string as printed"
                     % what, decoded)

                if sealed:
                    def opaque():
                        rows = fields(top, plugin, pcap, names)
                        check(not any(r[n] for r in rows for n in names[5:9]),
                              "without the password an MS-RAI stub shows")

                    case("%s: without the password no MS-RAI stub shows" % what, opaque)

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
