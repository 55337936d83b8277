#!/usr/bin/python3
"""The reference captures of testdata/captures (issue 6), as ctest runs them.

  check-captures.py regen  NAME RATOOL            ratool capture remakes NAME.pcapng byte for byte
  check-captures.py golden NAME RAI_TSHARK PLUGIN tshark with the plugin decodes NAME.pcapng with no
                                                  malformed frame, nothing on stderr, and prints
                                                  exactly NAME.V.txt
  check-captures.py sealed NAME RAI_TSHARK PLUGIN a sealed capture: nothing of MS-RAI readable
                                                  without the password (in the bytes or to tshark),
                                                  everything with it
  check-captures.py readme                        README.md gives the command of every capture

The captures and their options are listed in testdata/captures/captures.tsv.
RAI_UPDATE_GOLDEN=1 makes `regen` and `golden` write the files instead (review the diff!).
Exit status: 0 pass, 1 fail, 2 usage.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CAPTURES = os.path.join(TOP, "testdata", "captures")
UPDATE = os.environ.get("RAI_UPDATE_GOLDEN") == "1"


def manifest():
    entries = {}
    with open(os.path.join(CAPTURES, "captures.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                sys.exit("captures.tsv: %r is not three tab-separated fields" % line)
            entries[fields[0]] = (shlex.split(fields[1]), shlex.split(fields[2]))
    return entries


def entry(name):
    entries = manifest()
    if name not in entries:
        sys.exit("no capture %r in captures.tsv" % name)
    return entries[name]


def fail(message):
    print("FAIL: " + message)
    return 1


def regen(name, ratool):
    options, _ = entry(name)
    committed = os.path.join(CAPTURES, name + ".pcapng")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name + ".pcapng")
        run = subprocess.run([ratool, "capture", "-q", "-o", out] + options,
                             capture_output=True, text=True)
        if run.returncode != 0:
            return fail("ratool capture %s: exit %d: %s" % (" ".join(options), run.returncode,
                                                             run.stderr.strip()))
        with open(out, "rb") as f:
            made = f.read()
    if UPDATE:
        with open(committed, "wb") as f:
            f.write(made)
        print("updated %s (%d bytes)" % (committed, len(made)))
        return 0
    with open(committed, "rb") as f:
        want = f.read()
    if made != want:
        at = next((i for i in range(min(len(made), len(want))) if made[i] != want[i]),
                  min(len(made), len(want)))
        return fail("%s: ratool capture made %d bytes that differ from the committed %d from "
                    "offset %d (RAI_UPDATE_GOLDEN=1 rewrites it, if the change is meant)"
                    % (name, len(made), len(want), at))
    print("ok %s: %d bytes, identical" % (name, len(made)))
    return 0


def tshark(rai_tshark, plugin, args):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    return subprocess.run([rai_tshark, "--plugin", plugin, "-n"] + args,
                          capture_output=True, text=True, env=env)


def golden(name, rai_tshark, plugin):
    _, options = entry(name)
    capture = os.path.join(CAPTURES, name + ".pcapng")
    expected = os.path.join(CAPTURES, name + ".V.txt")
    run = tshark(rai_tshark, plugin, ["-V"] + options + ["-r", capture])
    if run.returncode != 0 or run.stderr:
        return fail("%s: tshark exit %d, stderr: %s" % (name, run.returncode, run.stderr.strip()))
    bad = [l for l in run.stdout.splitlines()
           if "Malformed Packet" in l or "Dissector bug" in l or "Exception occurred" in l]
    if bad:
        return fail("%s: %d malformed frame line(s), e.g. %s" % (name, len(bad), bad[0].strip()))
    if UPDATE:
        with open(expected, "w", encoding="utf-8") as f:
            f.write(run.stdout)
        print("updated %s" % expected)
        return 0
    with open(expected, encoding="utf-8") as f:
        want = f.read()
    if run.stdout != want:
        got = run.stdout.splitlines()
        exp = want.splitlines()
        at = next((i for i in range(min(len(got), len(exp))) if got[i] != exp[i]),
                  min(len(got), len(exp)))
        return fail("%s: tshark's output differs from %s at line %d:\n  expected: %s\n  got:      %s"
                    % (name, os.path.basename(expected), at + 1,
                       exp[at] if at < len(exp) else "(end)", got[at] if at < len(got) else "(end)"))
    print("ok %s: %d lines as committed, no malformed frame" % (name, len(want.splitlines())))
    return 0


def count(rai_tshark, plugin, options, capture, display_filter):
    run = tshark(rai_tshark, plugin, options + ["-r", capture, "-Y", display_filter, "-T", "fields",
                                                "-e", "frame.number"])
    if run.returncode != 0:
        sys.exit("tshark failed: " + run.stderr)
    return len(run.stdout.split())


def sealed(name, rai_tshark, plugin):
    _, options = entry(name)
    if not any(o.startswith("ntlmssp.nt_password:") for o in options):
        return fail("%s: captures.tsv gives no password for it" % name)
    capture = os.path.join(CAPTURES, name + ".pcapng")
    with open(capture, "rb") as f:
        data = f.read()
    # What only sealed stubs carry: the session users and the connection strings' tags.
    # (UTF-16LE, as the stubs carry them; long enough not to occur by chance in random bytes.)
    secrets = ["alice", "bob", "<E><A KH=", "UNSOLICITED", "65538,1,"]
    for s in secrets:
        if s.encode("utf-16-le") in data:
            return fail("%s: %r is readable in the capture's bytes" % (name, s))
    failures = 0
    opaque = count(rai_tshark, plugin, [], capture, "rai")
    rpc = count(rai_tshark, plugin, [], capture, "dcerpc.pkt_type == 0 || dcerpc.pkt_type == 2")
    clear = count(rai_tshark, plugin, options, capture, "rai")
    users = count(rai_tshark, plugin, options, capture, "rai.session.user == \"alice\"")
    cs = count(rai_tshark, plugin, options, capture, "rai.cs1 || rai.cs2")
    print("%s: %d requests/responses; MS-RAI PDUs without the password %d, with it %d; frames "
          "listing alice %d, with a connection string %d" % (name, rpc, opaque, clear, users, cs))
    if opaque != 0:
        failures += fail("%s: tshark reads MS-RAI without the password" % name)
    if clear == 0 or users == 0 or cs == 0:
        failures += fail("%s: tshark does not decrypt the MS-RAI calls with the password" % name)
    return 1 if failures else 0


def readme():
    with open(os.path.join(CAPTURES, "README.md"), encoding="utf-8") as f:
        text = f.read()
    failures = 0
    for name, (options, tshark_options) in manifest().items():
        command = "ratool capture -o %s.pcapng %s" % (name, " ".join(options))
        if command not in text:
            failures += fail("README.md does not give the command `%s`" % command)
        for o in tshark_options:
            if o not in text:
                failures += fail("README.md does not give the tshark option %s of %s" % (o, name))
    if not failures:
        print("ok: README.md gives the command of each of the %d captures" % len(manifest()))
    return 1 if failures else 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["regen"] and len(args) == 3:
        return regen(args[1], args[2])
    if args[:1] == ["golden"] and len(args) == 4:
        return golden(args[1], args[2], args[3])
    if args[:1] == ["sealed"] and len(args) == 4:
        return sealed(args[1], args[2], args[3])
    if args == ["readme"]:
        return readme()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
