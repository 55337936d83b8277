#!/usr/bin/python3
"""End-to-end: `ratool probe` against `ratool serve` configured for each failure of issue 7.

One TAP line per case. Each case starts a novice (`ratool serve --port 0` on loopback) set up
for one failure, runs `ratool probe` in text and in JSON, and checks the step that fails first,
the cause it names (a row of docs/troubleshooting.md), the exit status (10 + the step, as
docs/ratool.1 documents), the verdict line, and that the novice logged no offer and no call of
GetNoviceUserInfo or RemoteConnectionParms (the probe never offers anything):

  healthy novice (both classes)        -> exit 0, every step PASS
  no credentials                        -> exit 0, the steps from auth on SKIP
  nothing listening                     -> tcp, tcp-refused
  XP flavor                             -> exit 0, rasrv WARN xp-novice, pchservice PASS
  Vista flavor                          -> exit 0, pchservice SKIP
  account outside the helpers group     -> helpers, not-helper
  wrong password                        -> auth, auth-wrong-password
  offers disabled by policy             -> policy, offers-disabled
  an advertised binding nothing serves  -> bindings, binding-unreachable
  minimum level above the client's      -> auth, auth-level-too-low
  no session with a user                -> sessions, no-session
  usage errors                          -> exit 2

usage: probe-serve.py RATOOL TESTDATA
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile

DOMAIN = "CONTOSO"
HELPER, HELPER_PW = "expert", "Exp3rt-Pw!"
USER, USER_PW = "mallory", "M4llory-Pw"
STEPS = ["tcp", "epm", "resolver", "auth", "rasrv", "pchservice", "helpers", "bindings",
         "policy", "sessions"]

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


class Server:
    def __init__(self, ratool, testdata, *args, sessions="example.ini"):
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [ratool, "serve", "--port", "0", "-v",
             "--helper", "%s\\%s:%s" % (DOMAIN, HELPER, HELPER_PW),
             "--account", "%s\\%s:%s" % (DOMAIN, USER, USER_PW),
             "--sessions", os.path.join(testdata, "sessions", sessions),  # or absolute
             "--seed", "probe-serve"] + list(args),
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\S+) port (\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("ratool serve did not start: %r" % line)
        self.port = int(m.group(2))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out = self.proc.stdout.read()
        rc = self.proc.wait(timeout=30)
        self.err.seek(0)
        return rc, out, self.err.read()


def probe(ratool, port, *args, user=HELPER, password=HELPER_PW):
    cmd = [ratool, "probe", "127.0.0.1", "--port", str(port), "--timeout", "5"]
    if user is not None:
        cmd += ["--user", "%s\\%s" % (DOMAIN, user), "--password", password]
    cmd += list(args)
    text = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=120)
    js = subprocess.run(cmd + ["--json"], capture_output=True, text=True,
                        stdin=subprocess.DEVNULL, timeout=120)
    return text, js


def statuses(doc):
    return {s["step"]: s["status"] for s in doc["steps"]}


def expect(text, js, step, trouble, status=None, warn=None):
    """Checks one probe run (text and JSON): the first failing step and its cause."""
    code = 0 if step is None else 10 + STEPS.index(step)
    check(text.returncode == code, "text exit %d, expected %d:\n%s%s" %
          (text.returncode, code, text.stdout, text.stderr))
    check(js.returncode == code, "json exit %d, expected %d" % (js.returncode, code))
    doc = json.loads(js.stdout)
    check(doc["exit_status"] == code, "exit_status %r" % doc["exit_status"])
    check([s["step"] for s in doc["steps"]] == STEPS, "steps %r" % doc["steps"])
    verdict = text.stdout.strip().splitlines()[-1]
    check(verdict.startswith("verdict: "), "last line %r" % verdict)
    check(doc["verdict"] == verdict[len("verdict: "):], "verdicts differ: %r / %r" %
          (doc["verdict"], verdict))
    if step is None:
        check(doc["first_failure"] is None, "first_failure %r" % doc["first_failure"])
        check(not verdict.startswith("verdict: FAIL"), verdict)
    else:
        check(doc["first_failure"] == step, "first_failure %r, expected %r:\n%s" %
              (doc["first_failure"], step, text.stdout))
        s = next(s for s in doc["steps"] if s["step"] == step)
        check(s["status"] == "FAIL", "%s is %s" % (step, s["status"]))
        check(s["trouble"] and s["trouble"]["id"] == trouble, "%s cause %r, expected %r:\n%s" %
              (step, s["trouble"], trouble, text.stdout))
        check(s["next"], "%s has no next thing to try" % step)
        check(verdict.startswith("verdict: FAIL at %s " % step), verdict)
        check(re.search(r"^\[FAIL\] %s\s" % step, text.stdout, re.M), text.stdout)
        check("cause (%s," % trouble in text.stdout, text.stdout)
        for earlier in STEPS[:STEPS.index(step)]:
            check(statuses(doc)[earlier] != "FAIL", "%s failed before %s" % (earlier, step))
    if warn is not None:
        wstep, wtrouble = warn
        s = next(s for s in doc["steps"] if s["step"] == wstep)
        check(s["status"] == "WARN" and s["trouble"]["id"] == wtrouble,
              "%s: %r" % (wstep, s))
        check(re.search(r"^\[WARN\] %s\s" % wstep, text.stdout, re.M), text.stdout)
    if status:
        got = statuses(doc)
        for k, v in status.items():
            check(got[k] == v, "%s is %s, expected %s:\n%s" % (k, got[k], v, text.stdout))
    return doc


def never_offered(srv):
    rc, out, err = srv.stop()
    check(rc == 0, "serve exit %d" % rc)
    for what in ("GetNoviceUserInfo", "RemoteConnectionParms", "ratool serve: offer "):
        check(what not in out and what not in err, "the novice saw %r:\n%s%s" % (what, out, err))


def with_server(ratool, testdata, serve_args, probe_args, step, trouble, sessions="example.ini",
                **kw):
    srv = Server(ratool, testdata, *serve_args, sessions=sessions)
    try:
        text, js = probe(ratool, srv.port, *probe_args, **{k: v for k, v in kw.items()
                                                            if k in ("user", "password")})
        doc = expect(text, js, step, trouble,
                     **{k: v for k, v in kw.items() if k in ("status", "warn")})
    finally:
        never_offered(srv)
    return doc


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ratool, testdata = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    empty = os.path.join(tmp, "empty.ini")
    with open(empty, "w") as f:
        f.write("[session 5]\nstate = listen\n")

    all_pass = {s: "PASS" for s in STEPS}
    case("healthy novice: every step passes, exit 0",
         lambda: with_server(ratool, testdata, [], [], None, None, status=all_pass))
    case("no credentials: the steps from auth on are skipped, exit 0",
         lambda: with_server(ratool, testdata, [], [], None, None, user=None,
                             status={"tcp": "PASS", "epm": "PASS", "resolver": "PASS",
                                     "auth": "SKIP", "rasrv": "SKIP", "sessions": "SKIP",
                                     "bindings": "PASS"}))

    def nothing_listening():
        text, js = probe(ratool, free_port())
        expect(text, js, "tcp", "tcp-refused",
               status={s: "SKIP" for s in STEPS[1:]})
    case("nothing listening: tcp, tcp-refused", nothing_listening)

    case("XP flavor: rasrv WARN xp-novice, PCHService passes, exit 0",
         lambda: with_server(ratool, testdata, ["--flavor", "xp"], [], None, None,
                             warn=("rasrv", "xp-novice"),
                             status={"pchservice": "PASS", "helpers": "PASS",
                                     "policy": "PASS", "sessions": "PASS"}))
    case("Vista flavor: pchservice SKIP, policy not visible, exit 0",
         lambda: with_server(ratool, testdata, ["--flavor", "vista"], [], None, None,
                             status={"rasrv": "PASS", "pchservice": "SKIP",
                                     "policy": "SKIP", "sessions": "PASS"}))
    case("account outside the helpers group: helpers, not-helper",
         lambda: with_server(ratool, testdata, [], [], "helpers", "not-helper",
                             user=USER, password=USER_PW,
                             status={"auth": "PASS", "rasrv": "SKIP", "pchservice": "SKIP"}))
    case("wrong password: auth, auth-wrong-password",
         lambda: with_server(ratool, testdata, [], [], "auth", "auth-wrong-password",
                             password="not-the-password",
                             status={"rasrv": "SKIP", "sessions": "SKIP"}))
    case("unknown account: auth, auth-wrong-password",
         lambda: with_server(ratool, testdata, [], [], "auth", "auth-wrong-password",
                             user="nobody", password="x"))
    case("offers disabled by policy: policy, offers-disabled",
         lambda: with_server(ratool, testdata, ["--offers-disabled"], [], "policy",
                             "offers-disabled", status={"rasrv": "PASS", "pchservice": "PASS"}))
    case("an advertised binding nothing listens on: bindings, binding-unreachable",
         lambda: with_server(ratool, testdata, ["--advertise-binding", "127.0.0.1[%d]" %
                                                free_port()], [],
                             "bindings", "binding-unreachable",
                             status={"rasrv": "PASS", "sessions": "PASS"}))
    case("minimum level above the client's: auth, auth-level-too-low",
         lambda: with_server(ratool, testdata, ["--min-auth-level", "privacy"],
                             ["--auth-level", "integrity"], "auth", "auth-level-too-low",
                             status={"rasrv": "PASS", "sessions": "PASS"}))
    case("integrity accepted where the novice allows it: exit 0",
         lambda: with_server(ratool, testdata, ["--min-auth-level", "integrity"],
                             ["--auth-level", "integrity"], None, None, status=all_pass))
    case("no session with a user: sessions, no-session",
         lambda: with_server(ratool, testdata, [], [], "sessions", "no-session",
                             sessions=empty))

    def usage():
        for args in ([], ["a", "b"], ["h", "--port", "0"], ["h", "--auth-level", "none"],
                     ["h", "--password", "x"], ["h", "--user", "D\\"],
                     ["h", "--user", "u", "--password", "x", "--nt-hash", "00"],
                     ["h", "--user", "u", "--nt-hash", "zz"]):
            p = subprocess.run([ratool, "probe"] + args, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=30)
            check(p.returncode == 2, "%r: exit %d" % (args, p.returncode))
            check(p.stdout == "", "%r printed %r" % (args, p.stdout))
    case("usage errors exit 2", usage)

    def nt_hash():
        # The NT hash of Exp3rt-Pw! instead of the password (MD4 of its UTF-16LE).
        srv = Server(ratool, testdata)
        try:
            h = subprocess.run([ratool, "probe", "127.0.0.1", "--port", str(srv.port), "--user",
                                "%s\\%s" % (DOMAIN, HELPER), "--nt-hash",
                                nt_hash_of(HELPER_PW), "--json"],
                               capture_output=True, text=True, stdin=subprocess.DEVNULL,
                               timeout=120)
            check(h.returncode == 0, "exit %d: %s%s" % (h.returncode, h.stdout, h.stderr))
        finally:
            never_offered(srv)
    case("--nt-hash instead of a password", nt_hash)

    print("1..%d" % len(results))
    return 0 if all(results) else 1


def nt_hash_of(password):
    """MD4 (RFC 1320) of the UTF-16LE password, in Python: hashlib may lack MD4."""
    data = bytearray(password.encode("utf-16-le"))
    n = len(data) * 8
    data += b"\x80"
    while len(data) % 64 != 56:
        data += b"\0"
    data += n.to_bytes(8, "little")

    def rol(x, s):
        x &= 0xffffffff
        return ((x << s) | (x >> (32 - s))) & 0xffffffff
    a, b, c, d = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
    for off in range(0, len(data), 64):
        x = [int.from_bytes(data[off + 4 * i:off + 4 * i + 4], "little") for i in range(16)]
        aa, bb, cc, dd = a, b, c, d
        f = lambda x_, y, z: (x_ & y) | (~x_ & z)
        g = lambda x_, y, z: (x_ & y) | (x_ & z) | (y & z)
        h = lambda x_, y, z: x_ ^ y ^ z
        for i in range(16):
            k = [3, 7, 11, 19][i % 4]
            if i % 4 == 0:
                a = rol(a + f(b, c, d) + x[i], k)
            elif i % 4 == 1:
                d = rol(d + f(a, b, c) + x[i], k)
            elif i % 4 == 2:
                c = rol(c + f(d, a, b) + x[i], k)
            else:
                b = rol(b + f(c, d, a) + x[i], k)
        for i in range(16):
            j = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15][i]
            k = [3, 5, 9, 13][i % 4]
            t = 0x5a827999
            if i % 4 == 0:
                a = rol(a + g(b, c, d) + x[j] + t, k)
            elif i % 4 == 1:
                d = rol(d + g(a, b, c) + x[j] + t, k)
            elif i % 4 == 2:
                c = rol(c + g(d, a, b) + x[j] + t, k)
            else:
                b = rol(b + g(c, d, a) + x[j] + t, k)
        for i in range(16):
            j = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15][i]
            k = [3, 9, 11, 15][i % 4]
            t = 0x6ed9eba1
            if i % 4 == 0:
                a = rol(a + h(b, c, d) + x[j] + t, k)
            elif i % 4 == 1:
                d = rol(d + h(a, b, c) + x[j] + t, k)
            elif i % 4 == 2:
                c = rol(c + h(d, a, b) + x[j] + t, k)
            else:
                b = rol(b + h(c, d, a) + x[j] + t, k)
        a, b, c, d = [(v + w) & 0xffffffff for v, w in zip((a, b, c, d), (aa, bb, cc, dd))]
    return b"".join(v.to_bytes(4, "little") for v in (a, b, c, d)).hex()


if __name__ == "__main__":
    sys.exit(main())
