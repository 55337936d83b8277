#!/usr/bin/python3
"""`ratool capture` on the command line: --list, usage errors (status 2), failures that leave no
file (status 1), standard output, `all`, and --from-trace on a real `ratool serve` + `ratool offer`
exchange over loopback (no root needed: any port).

usage: capture-cli.py RATOOL
"""
import os
import re
import subprocess
import sys
import tempfile
import time

RATOOL = sys.argv[1]
failures = 0


def check(what, ok, detail=""):
    global failures
    print("%s %s%s" % ("ok" if ok else "FAIL", what, (": " + detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def run(*args, **kw):
    return subprocess.run([RATOOL, "capture"] + list(args), capture_output=True, **kw)


SCENARIOS = ["vista-offer", "xp-offer", "fallback", "invoke", "errors", "large", "ipv6-offer",
             "all", "sealed"]

with tempfile.TemporaryDirectory() as tmp:
    r = run("--list", text=True)
    listed = [line.split()[0] for line in r.stdout.splitlines()]
    check("--list names every scenario", r.returncode == 0 and listed == SCENARIOS, r.stdout)

    for args, why in [(["-s", "vista-offer"], "no -o"),
                      (["-o", tmp + "/x.pcapng", "-s", "nope"], "unknown scenario"),
                      (["-o", tmp + "/x.pcapng", "--password", ""], "empty password"),
                      (["-o", tmp + "/x.pcapng", "--password", "é"], "non-ASCII password"),
                      (["-o", tmp + "/x.pcapng", "--from-trace", "t", "-s", "errors"],
                       "--from-trace with a scenario"),
                      (["-o", tmp + "/x.pcapng", "--novice-address", "1.2.3.4"],
                       "an address without --from-trace"),
                      (["-o", tmp + "/x.pcapng", "extra"], "an extra argument")]:
        r = run(*args, text=True)
        check("usage error (%s): status 2 and a message" % why,
              r.returncode == 2 and r.stderr.startswith("ratool: "), r.stderr)
    check("no file after usage errors", not os.path.exists(tmp + "/x.pcapng"))

    r = run("-q", "-o", "/nonexistent/dir/x.pcapng", "-s", "vista-offer", text=True)
    check("an unwritable path: status 1", r.returncode == 1 and "cannot create" in r.stderr,
          r.stderr)
    bad = os.path.join(tmp, "bad.trace")
    with open(bad, "w") as f:
        f.write("0 O 0500\n0 X zz\n")
    r = run("-q", "-o", tmp + "/bad.pcapng", "--from-trace", bad, text=True)
    check("a malformed trace: status 1, line named, no file left",
          r.returncode == 1 and "line 2" in r.stderr and not any(
              n.startswith("bad.pcapng") for n in os.listdir(tmp)), r.stderr)

    r = run("-q", "-o", tmp + "/none.pcapng", "--from-trace", tmp + "/no-such.trace", text=True)
    check("a trace that cannot be read: status 1, the reason given, no file left",
          r.returncode == 1 and "cannot read the trace" in r.stderr and
          "No such file or directory" in r.stderr and not any(
              n.startswith("none.pcapng") for n in os.listdir(tmp)), r.stderr)

    r = run("-q", "-o", "-", "-s", "vista-offer")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "testdata", "captures",
                           "vista-offer.pcapng"), "rb") as f:
        check("-o - writes the same bytes to standard output", r.stdout == f.read())

    def summary(*args):
        r = run(*args, text=True)
        m = re.search(r"wrote .*: (\d+) frames, (\d+) connections, (\d+) PDUs, (\d+) "
                      r"offer\(s\), (\d+) refused", r.stderr)
        return r, (tuple(map(int, m.groups())) if m else None)

    r, every = summary("-o", tmp + "/all.pcapng")
    check("all scenarios: status 0 and a summary", r.returncode == 0 and every is not None,
          r.stderr)
    # `all` plays each scenario once: its totals are the sums of theirs (frames aside: the
    # acknowledgements of FINs between acts add none, the pauses none).
    parts = [summary("-o", tmp + "/one.pcapng", "-s", s)[1] for s in SCENARIOS[:-2]]
    check("each scenario alone: a summary", all(parts), str(parts))
    if every and all(parts):
        sums = tuple(sum(p[i] for p in parts) for i in range(5))
        check("all = the sum of the scenarios (connections, PDUs, offers, refusals)",
              every[1:] == sums[1:], "%s vs %s" % (every, sums))
        # offers: vista, xp, fallback, invoke (2), errors (the first of the pending pair), large,
        # ipv6; refused: the pending one, policy twice (once per interface).
        check("all scenarios: 8 offers, 3 refused", every[3:] == (8, 3), str(every))
    check("the progress names each of the 8 acts", r.stderr.count(" act ") == 8, r.stderr)

    # A real exchange: ratool serve and ratool offer --trace on loopback, then --from-trace.
    serve = subprocess.Popen([RATOOL, "serve", "--port", "0", "--helper",
                              "CONTOSO\\expert:Exp3rt-Pw!", "--sessions",
                              os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                           "testdata", "sessions", "example.ini"), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = serve.stdout.readline()
        port = re.search(r"port (\d+)", line).group(1)
        trace = os.path.join(tmp, "offer.trace")
        r = subprocess.run([RATOOL, "offer", "127.0.0.1", "--port", port, "--user",
                            "CONTOSO\\expert", "--password", "Exp3rt-Pw!", "--session", "1",
                            "--trace", trace, "-q"], capture_output=True, text=True, timeout=60)
        check("ratool offer against ratool serve", r.returncode == 0, r.stderr)
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    lines = open(trace).read().split("\n")
    pdus = sum(1 for line in lines if line)
    conns = len({line.split()[0] for line in lines if line})
    r = run("-o", tmp + "/trace.pcapng", "--from-trace", trace, "--port", port, text=True)
    m = re.search(r"(\d+) frames, (\d+) connections, (\d+) PDUs", r.stderr)
    check("--from-trace frames every PDU and connection of the trace",
          r.returncode == 0 and m is not None and int(m.group(3)) == pdus and
          int(m.group(2)) == conns and conns >= 2, r.stderr)

sys.exit(1 if failures else 0)
