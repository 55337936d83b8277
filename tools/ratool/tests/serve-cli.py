#!/usr/bin/python3
"""`ratool serve` as a command: usage errors, configuration files, the privileged-port message,
several listening addresses, SIGINT. Each case prints one TAP line.

usage: serve-cli.py RATOOL
"""
import os
import re
import signal
import subprocess
import sys
import tempfile

from impacket.dcerpc.v5 import dcomrt, transport
from impacket.dcerpc.v5.rpcrt import RPC_C_AUTHN_LEVEL_PKT_PRIVACY

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


def run(ratool, *args, timeout=20):
    return subprocess.run([ratool, "serve"] + list(args), capture_output=True, text=True,
                          timeout=timeout)


def expect_exit(ratool, status, pattern, *args):
    p = run(ratool, *args)
    check(p.returncode == status, "exit %d, wanted %d; stderr: %s" % (p.returncode, status,
                                                                      p.stderr))
    check(re.search(pattern, p.stderr), "stderr %r lacks %r" % (p.stderr, pattern))
    check(p.stderr.startswith("ratool: "), "message not in the ratool: form: %r" % p.stderr)


def start(ratool, *args):
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([ratool, "serve", "--port", "0"] + list(args),
                            stdout=subprocess.PIPE, stderr=log, text=True)
    lines = [proc.stdout.readline()]
    return proc, log, lines


def stop(proc, log, sig=signal.SIGINT):
    proc.send_signal(sig)
    rc = proc.wait(timeout=30)
    log.seek(0)
    return rc, log.read()


def alive2(host, port, user, password, domain):
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:%s[%d]" % (host, port))
    t.set_connect_timeout(10)
    t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_level(RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    try:
        return dcomrt.IObjectExporter(dce).ServerAlive2()
    finally:
        dce.disconnect()


def config_file(tmp, text):
    path = os.path.join(tmp, "serve.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_config(ratool, tmp):
    # NT hash of "Password" ([MS-NLMP] 4.2.2.1.2) for carol, a helper; bob by password.
    path = config_file(tmp, """
[serve]
min-auth-level = privacy
computer-name = NOVICE

[account carol]
user = FABRIKAM\\carol
nt-hash = a4f49c406510bdcab6824ee7c30fd852
helper = true

[account bob]
user = bob
password = b0b:with:colons
""")
    proc, log, lines = start(ratool, "--config", path)
    m = re.search(r"listening on (\S+) port (\d+)", lines[0])
    check(m, "no listening line: %r" % lines)
    port = int(m.group(2))
    try:
        alive2("127.0.0.1", port, "carol", "Password", "FABRIKAM")
        alive2("127.0.0.1", port, "bob", "b0b:with:colons", "ANYDOMAIN")
    finally:
        rc, text = stop(proc, log)
    check(rc == 0, "exit %d after SIGINT: %s" % (rc, text))
    check("authenticated FABRIKAM\\carol [helper]" in text, text)
    check("authenticated ANYDOMAIN\\bob (" in text, text)
    check("2 account(s), minimum level privacy" in text, text)
    check("b0b:with:colons" not in text, "a password is in the log")


def test_two_addresses(ratool):
    proc, log, lines = start(ratool, "--bind", "127.0.0.1", "--bind", "127.0.0.2",
                             "--account", "D\\u:pw")
    lines.append(proc.stdout.readline())
    try:
        ports = [re.search(r"listening on (\S+) port (\d+)", l).groups() for l in lines]
        check([p[0] for p in ports] == ["127.0.0.1", "127.0.0.2"], "addresses %r" % ports)
        check(ports[0][1] == ports[1][1], "--port 0: both addresses share the port: %r" % ports)
        port = int(ports[0][1])
        # The string binding names the address each client used.
        for host in ("127.0.0.1", "127.0.0.2"):
            b = alive2(host, port, "u", "pw", "D")
            addrs = [x["aNetworkAddr"].rstrip("\x00") for x in b]
            check("%s[%d]" % (host, port) in addrs, "%s: %r" % (host, addrs))
    finally:
        rc, text = stop(proc, log, signal.SIGTERM)
    check(rc == 0, "exit %d: %s" % (rc, text))


def test_privileged_port(ratool, tmp):
    if os.geteuid() == 0:
        # As root port 135 would open: drop to nobody, as a normal user would run it, from a
        # copy of ratool that nobody may execute (the build tree may be private).
        import shutil
        copy = os.path.join(tmp, "ratool")
        shutil.copy(ratool, copy)
        os.chmod(copy, 0o755)
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy, "serve",
               "--port", "135", "--account", "D\\u:pw"]
    else:
        cmd = [ratool, "serve", "--port", "135", "--account", "D\\u:pw"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    check(p.returncode == 1, "exit %d: %s" % (p.returncode, p.stderr))
    check("port 135" in p.stderr and "need root" in p.stderr and "--port" in p.stderr,
          "no clear message: %r" % p.stderr)


def main():
    ratool = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        case("unknown option: usage error (2)", lambda: expect_exit(ratool, 2, "Unknown option",
                                                                      "--bogus"))
        case("bad level: usage error (2)", lambda: expect_exit(
            ratool, 2, "use integrity or privacy", "--min-auth-level", "connect"))
        case("bad port: usage error (2)", lambda: expect_exit(
            ratool, 2, "not between 0 and 65535", "--port", "70000"))
        case("account without password: usage error (2)", lambda: expect_exit(
            ratool, 2, "has no password", "--account", "CONTOSO\\alice"))
        case("bad NT hash: usage error (2)", lambda: expect_exit(
            ratool, 2, "32 hexadecimal digits", "--account-hash", "CONTOSO\\alice:1234"))
        case("helper without an account: usage error (2)", lambda: expect_exit(
            ratool, 2, "helper 'CONTOSO\\\\bob' has no password", "--helper", "CONTOSO\\bob"))
        case("stray argument: usage error (2)", lambda: expect_exit(
            ratool, 2, "unexpected argument", "extra"))
        case("missing config: bad data (1)", lambda: expect_exit(
            ratool, 1, "configuration", "--config", os.path.join(tmp, "nope.conf")))
        bad = config_file(tmp, "[serve]\nport = 1\n[acount x]\nuser = u\n")
        case("config with an unknown group: bad data (1)", lambda: expect_exit(
            ratool, 1, r"unknown group \[acount x\]", "--config", bad))
        bad2 = os.path.join(tmp, "bad2.conf")
        with open(bad2, "w") as f:
            f.write("[account a]\nuser = u\npassword = p\nnt-hash = 00\n")
        case("account with password and hash: bad data (1)", lambda: expect_exit(
            ratool, 1, "exactly one of password and nt-hash", "--config", bad2))
        case("configuration file: NT-hash helper, password with colons, SIGINT",
             lambda: test_config(ratool, tmp))
        case("two addresses on one port; bindings name the address used",
             lambda: test_two_addresses(ratool))
        case("port 135 without privileges: a clear message", lambda: test_privileged_port(ratool, tmp))
        case("--help", lambda: check(run(ratool, "--help").returncode == 0, "--help failed"))
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
