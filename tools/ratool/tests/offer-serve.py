#!/usr/bin/python3
"""End-to-end: `ratool offer` (our expert) against `ratool serve` (our novice) on loopback.

Checks, one TAP line each: both interfaces (IRASrv gives a Connection String 2 for the session
asked, IPCHService a Connection String 1), the fallback of --interface auto from IRASrv to
IPCHService against an XP novice (and the reason printed), no fallback against a Vista novice,
the refusals (a second offer for a pending session, offers disabled by policy, an account
outside the helpers group, a wrong password, a session that does not exist, several sessions
without --session and no terminal), usage errors (exit 2), and that `ratool serve` logged each
offer and refusal, `--json`, and `--invite-out` (type 2 and type 1 invitations read back by
`ratool decode-invite` and by FreeRDP 2.11).

With FREERDP_PARSE (tests/interop/freerdp-parse, built with RAI_WITH_FREERDP), FreeRDP 2.11's
public API must read the invitations of --invite-out to the same listeners.

usage: offer-serve.py RATOOL TESTDATA [FREERDP_PARSE]
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

DOMAIN = "CONTOSO"
HELPER, HELPER_PW = "expert", "Exp3rt-Pw!"
USER, USER_PW = "mallory", "M4llory-Pw"
INVITE_PW = "Inv1te-Pw 48BJQ"
freerdp_parse = None

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
    def __init__(self, ratool, testdata, *args):
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [ratool, "serve", "--port", "0",
             "--helper", "%s\\%s:%s" % (DOMAIN, HELPER, HELPER_PW),
             "--account", "%s\\%s:%s" % (DOMAIN, USER, USER_PW),
             "--sessions", os.path.join(testdata, "sessions", "example.ini"),
             "--listener-port", "3389", "--seed", "offer-serve"] + list(args),
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


def offer(ratool, srv, *args, user=HELPER, password=HELPER_PW):
    cmd = [ratool, "offer", "127.0.0.1", "--port", str(srv.port),
           "--user", "%s\\%s" % (DOMAIN, user), "--password", password] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(rc, out, err, want_rc, *fragments):
    check(rc == want_rc, "exit %d, expected %d\n%s%s" % (rc, want_rc, out, err))
    for f in fragments:
        check(f in out + err, "%r missing from:\n%s%s" % (f, out, err))


def freerdp(helper, path):
    """What FreeRDP 2.11's public API reads from an invitation (tests/interop/freerdp-parse)."""
    found = {"status": None, "passstub": None, "addresses": []}
    p = subprocess.run([helper, path, INVITE_PW], capture_output=True, text=True,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    for line in p.stdout.splitlines():
        key, _, value = line.partition(": ")
        if key == "address":
            host, _, port = value.rpartition(" ")
            found["addresses"].append((host, int(port)))
        elif key in found:
            found[key] = value
    return found


def main():
    global freerdp_parse
    ratool, testdata = sys.argv[1], sys.argv[2]
    freerdp_parse = sys.argv[3] if len(sys.argv) > 3 else None

    srv = Server(ratool, testdata)
    try:
        def irasrv():
            rc, out, err = offer(ratool, srv, "--interface", "irasrv", "--session", "1")
            expect(rc, out, err, 0, "interface: IRASrv\n", "session[0]: 1 CONTOSO\\alice (chosen)",
                   "session[2]: 5 \\ (no domain or user: ignored)", "cs2.L[0]: P=3389 N=127.0.0.1",
                   "cs2.T[0]: ID=1 SID=")
            check(re.search(r"^connection string 2: <E><A KH=\"[A-Za-z0-9+/=]{28}\" "
                            r"ID=\"[A-Za-z0-9+/=]{64}\"/><C><T ID=\"1\" SID=\"\d+\"><L "
                            r"P=\"3389\" N=\"127.0.0.1\"/></T></C></E>$", out, re.M), out)
            check("fallback" not in out + err, "no fallback expected")

        def ipchservice():
            rc, out, err = offer(ratool, srv, "--interface", "ipchservice", "--session", "2")
            expect(rc, out, err, 0, "interface: IPCHService\n",
                   "session[1]: 2 CONTOSO\\bob connected (chosen)",
                   "session[4]: 5 \\ listen (no domain or user: ignored)",
                   "cs1.machineAddressList: 127.0.0.1:3389", "cs1.address[0]: 127.0.0.1 port 3389")
            check(re.search(r"^connection string 1: 65538,1,127\.0\.0\.1:3389,\*,"
                            r"[A-Za-z0-9+/=]{44},\*,\*,[A-Za-z0-9+/=]{28}$", out, re.M), out)

        def pending():
            rc, out, err = offer(ratool, srv, "--interface", "irasrv", "--session", "1")
            expect(rc, out, err, 1, "ERROR_CANNOT_MAKE")
            rc, out, err = offer(ratool, srv, "--interface", "ipchservice", "--session", "2")
            expect(rc, out, err, 1, "ERROR_CANNOT_MAKE")

        def auto_no_fallback():
            rc, out, err = offer(ratool, srv, "--session", "6")
            expect(rc, out, err, 0, "interface: IRASrv\n", "(chosen)")
            check("fallback" not in out + err, "a Vista novice needs no fallback")

        def several():
            rc, out, err = offer(ratool, srv, "--interface", "irasrv")
            expect(rc, out, err, 1, "choose one with --session")

        def no_session():
            rc, out, err = offer(ratool, srv, "--interface", "irasrv", "--session", "3")
            expect(rc, out, err, 1, "no session 3 with a user")
            rc, out, err = offer(ratool, srv, "--interface", "irasrv", "--session", "99")
            expect(rc, out, err, 1, "no session 99")

        def not_helper():
            rc, out, err = offer(ratool, srv, "--session", "1", user=USER, password=USER_PW)
            expect(rc, out, err, 1, "E_ACCESSDENIED")

        def wrong_password():
            rc, out, err = offer(ratool, srv, "--session", "1", password="wrong")
            expect(rc, out, err, 1, "the novice refused the authentication",
                   "nca_s_fault_access_denied")

        def usage():
            for args in (["--interface", "nope"], ["--port", "0"], ["--session", "-5"],
                         ["--invite-out", "x"], ["--invite-password", "x"],
                         ["--invite-out", "x", "--invite-password", "x",
                          "--invite-password-file", "y"], ["a", "b"]):
                # No terminal to ask the invitation's password on.
                p = subprocess.run([ratool, "offer", "127.0.0.1", "--user", "D\\u",
                                    "--password", "p"] + args, capture_output=True, text=True,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
                check(p.returncode == 2, "%r: exit %d %s" % (args, p.returncode, p.stderr))
            p = subprocess.run([ratool, "offer", "127.0.0.1"], capture_output=True, text=True)
            check(p.returncode == 2 and "--user and --password" in p.stderr, p.stderr)

        case("offer --interface irasrv: Connection String 2 for the session asked", irasrv)
        case("offer --interface ipchservice: Connection String 1 for the session asked",
             ipchservice)
        case("a second offer for a pending session: ERROR_CANNOT_MAKE, exit 1", pending)
        case("offer --interface auto on a novice with IRASrv: no fallback", auto_no_fallback)
        case("several sessions, no --session, no terminal: exit 1", several)
        case("a session without a user, or unknown: exit 1", no_session)
        case("an account outside the helpers group: E_ACCESSDENIED, exit 1", not_helper)
        case("a wrong password: exit 1", wrong_password)
        case("usage errors: exit 2", usage)
    finally:
        rc, out, err = srv.stop()
    case("serve logged the offers and refusals with peer and identity",
         lambda: check(re.search(r"offer 1 to CONTOSO\\expert \(127\.0\.0\.1:\d+\) by "
                                 r"IRASrv::GetNoviceUserInfo for session 1", out)
                       and re.search(r"refused IRASrv::GetNoviceUserInfo to CONTOSO\\expert "
                                     r"\(127\.0\.0\.1:\d+\): 0x80070052", out)
                       and "CONTOSO\\mallory is not in the helpers group" in err, out + err))
    case("serve exits 0", lambda: check(rc == 0, err))

    # An XP novice: auto falls back to IPCHService and says why.
    srv = Server(ratool, testdata, "--flavor", "xp")
    try:
        def fallback():
            rc, out, err = offer(ratool, srv, "--session", "1")
            expect(rc, out, err, 0, "interface: IPCHService\n",
                   "fallback: IRASrv failed: RemoteCreateInstance returned 0x80040154 "
                   "(REGDB_E_CLASSNOTREG)",
                   "falling back to IPCHService")

        def forced():
            rc, out, err = offer(ratool, srv, "--interface", "irasrv", "--session", "1")
            expect(rc, out, err, 1, "REGDB_E_CLASSNOTREG")

        case("XP novice: auto falls back from IRASrv to IPCHService and says why", fallback)
        case("XP novice: --interface irasrv fails with REGDB_E_CLASSNOTREG", forced)
    finally:
        srv.stop()

    # --json and --invite-out, with two listener addresses; FreeRDP 2.11 reads the invitations.
    srv = Server(ratool, testdata, "--offer-lifetime", "0", "--listener-address", "127.0.0.1",
                 "--listener-address", "novice-workstation.example.org")
    tmp = tempfile.mkdtemp()
    listeners = [("127.0.0.1", 3389), ("novice-workstation.example.org", 3389)]
    try:
        def as_json():
            rc, out, err = offer(ratool, srv, "--interface", "ipchservice", "--session", "2",
                                 "--json")
            expect(rc, out, err, 0)
            j = json.loads(out)
            check(j["interface"] == "IPCHService" and j["version"] == 1 and
                  j["invitation"] is None and j["parse_error"] is None, out)
            check([s["id"] for s in j["sessions"] if s["chosen"]] == [2], out)
            check([s["id"] for s in j["sessions"] if not s["usable"]] == [5], out)
            check(j["connection_string"]["form"] == 1 and
                  [(a["host"], a["port"]) for a in j["connection_string"]["addresses"]] ==
                  listeners, out)
            check(re.match(r"^0x[0-9a-f]{16}$", j["exporter"]["oxid"]), out)

        def invite(iface, session, kind):
            path = os.path.join(tmp, "%s.msrcincident" % iface)
            rc, out, err = offer(ratool, srv, "--interface", iface, "--session", session,
                                 "--invite-out", path, "--invite-password", INVITE_PW, "--json")
            expect(rc, out, err, 0)
            j = json.loads(out)
            check(j["invitation"]["file"] == path and j["invitation"]["type"] == kind, out)
            p = subprocess.run([ratool, "decode-invite", "--json", "-p", INVITE_PW, path],
                               capture_output=True, text=True)
            check(p.returncode == 0, p.stderr)
            d = json.loads(p.stdout)
            if kind == 2:
                check(d["password"] == "right" and d["connection_string_2"]["text"].rstrip(
                    "\r\n") == j["text"], (d, j["text"]))
                check(d["cross_check"] == "agree", d)
            else:
                check(d["rcticket"]["text"] == j["text"], (d["rcticket"], j["text"]))
            check(d["username"] == j["invitation"]["username"], d)
            return path, d

        def invite_type2():
            path, d = invite("irasrv", "1", 2)
            check(d["username"] == "alice", d)
            if freerdp_parse:
                f = freerdp(freerdp_parse, path)
                check(f["status"] == "1" and f["addresses"] == listeners and
                      f["passstub"] == d["passstub_encrypted"], f)

        def invite_type1():
            path, d = invite("ipchservice", "2", 1)
            check(d["username"] == "bob", d)
            if freerdp_parse:
                # FreeRDP 2.11 drops the first address of a type-1 list and keeps the ';'
                # before the next (testdata/vectors/README.md); the rest must be ours.
                f = freerdp(freerdp_parse, path)
                check(f["status"] == "1" and f["passstub"] == d["passstub_encrypted"] and
                      f["addresses"] == [(";" + h, p) for h, p in listeners[1:]], f)

        case("offer --json: the exchange and the parsed connection string as JSON", as_json)
        case("offer --invite-out (IRASrv): a type-2 invitation%s with the same listeners"
             % (" FreeRDP 2.11 reads" if freerdp_parse else ""), invite_type2)
        case("offer --invite-out (IPCHService): a type-1 invitation%s"
             % (" FreeRDP 2.11 reads (with its known first-address bug)" if freerdp_parse
                else ""), invite_type1)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    # --offer-lifetime 0: an offer blocks no later one for its session.
    srv = Server(ratool, testdata, "--offer-lifetime", "0")
    try:
        def lifetime_zero():
            for iface in ("irasrv", "irasrv", "ipchservice", "ipchservice"):
                rc, out, err = offer(ratool, srv, "--interface", iface, "--session", "1")
                expect(rc, out, err, 0, "connection string")

        case("--offer-lifetime 0: offers for a session never pending", lifetime_zero)
    finally:
        srv.stop()

    # Offers disabled by policy.
    srv = Server(ratool, testdata, "--offers-disabled")
    try:
        def disabled():
            rc, out, err = offer(ratool, srv, "--session", "1")
            expect(rc, out, err, 1, "ERROR_ACCESS_DISABLED_BY_POLICY")
            rc, out, err = offer(ratool, srv, "--interface", "ipchservice", "--session", "1")
            expect(rc, out, err, 1, "ERROR_ACCESS_DISABLED_BY_POLICY")

        case("offers disabled by policy: ERROR_ACCESS_DISABLED_BY_POLICY, exit 1", disabled)
    finally:
        srv.stop()

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
