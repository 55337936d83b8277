#!/usr/bin/python3
"""Known-answer test of the generated MS-RAI NDR code against independently annotated stubs.

Two sources of stubs, neither produced by the code under test's push:
  - the dissector's golden cases (testdata/plugin/cases/*.rpc, issue 2): each stub written
    field by field with its wire form named (Windows, impacket and Wine SAFEARRAY forms,
    non-ASCII and NULL strings, VARIANTs, OBJREFs, and deliberately broken ones); rpcasm.py
    (plugin/tests) assembles them, imported here as a module;
  - the fuzz seeds testdata/fuzz/rai-ndr/seed-* (stubs our server and client exchanged,
    recorded by tools/fuzz/gen-rai-ndr-seeds.py).
rai-ndr-pull pulls each with the generated code and prints the values; the output must equal
testdata/rai-ndr/cases.txt exactly: which stubs pull, the values pulled, which pushes reproduce
the input ("same") and which are rewritten (an impacket-form SAFEARRAY becomes the Windows
form, other referent IDs, a NULL BSTR sent as a zero pointer becomes Windows' 0xFFFFFFFF
blob). Every seed must pull, and push back to itself unless the generator spliced it (a
setter's [in] made from the getter's [out] keeps the getter's trailing padding); rai-ndr-pull
itself fails when a pulled value does not push or a rewritten one does not round-trip.

usage: rai-ndr-cases.py RAI-NDR-PULL TOP [--update]
"""
import difflib
import glob
import os
import subprocess
import sys

NAMES = {
    "F120A684-B926-447F-9DF4-C966CB785648": "IRASrv",
    "833E4200-AFF7-4AC3-AAC2-9F24C1457BCE": "IPCHService",
    "833E4100-AFF7-4AC3-AAC2-9F24C1457BCE": "IPCHCollection",
    "833E41AA-AFF7-4AC3-AAC2-9F24C1457BCE": "ISAFSession",
}


def case_stubs(top):
    """Input lines of rai-ndr-pull for every MS-RAI request and response stub of the cases."""
    sys.path.insert(0, os.path.join(top, "plugin", "tests"))
    import rpcasm
    lines = []
    for path in sorted(glob.glob(os.path.join(top, "testdata", "plugin", "cases", "*.rpc"))):
        name = os.path.basename(path)[:-4]
        with open(path, encoding="utf-8") as f:
            events = rpcasm.parse_case(f.read(), os.path.dirname(path))
        contexts = {n: NAMES.get(u.upper()) for kind, n, u in events if kind == "context"}
        # Call ids as rpcasm.assemble() numbers them: the binds first.
        call_id, last, calls, n = len(contexts), 0, {}, 0
        for kind, opts, stub in events:
            if kind == "request":
                call_id = rpcasm.number(opts["call"]) if "call" in opts else call_id + 1
                last = call_id
                iface = contexts.get(rpcasm.number(opts.get("ctx", "0")))
                calls[call_id] = (iface, opts["opnum"])
                direction = "in"
            elif kind == "response":
                cid = rpcasm.number(opts["call"]) if "call" in opts else last
                iface, _ = calls.get(cid, (None, None))
                direction = "out"
            else:
                continue
            n += 1
            if iface:
                lines.append("%s#%d %s %d %s %s" % (name, n, iface, calls[last if kind ==
                             "request" else cid][1], direction, bytes(stub.data).hex()))
    return lines


def seed_stubs(top):
    """Input lines for the fuzz seeds (the method by name: the seeds name their type)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(top, "testdata", "fuzz", "rai-ndr", "seed-*"))):
        name = os.path.basename(path)[len("seed-"):]
        iface, rest = name.split("_", 1)
        method, direction = rest.rsplit("_", 1)
        with open(path, "rb") as f:
            data = f.read()[1:]
        lines.append("seed %s %s %s %s" % (iface, method, direction, data.hex()))
    return lines


def main():
    pull, top = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    expected_path = os.path.join(top, "testdata", "rai-ndr", "cases.txt")
    inputs = case_stubs(top) + seed_stubs(top)
    p = subprocess.run([pull], input="\n".join(inputs) + "\n", capture_output=True, text=True)
    out = p.stdout
    failures = 0 if p.returncode == 0 else 1
    if p.returncode != 0:
        print("# rai-ndr-pull exit %d: %s" % (p.returncode, p.stderr))
    if update:
        os.makedirs(os.path.dirname(expected_path), exist_ok=True)
        with open(expected_path, "w") as f:
            f.write(out)
        print("# wrote %s" % expected_path)
    expected = open(expected_path).read() if os.path.exists(expected_path) else ""
    diff = list(difflib.unified_diff(expected.splitlines(), out.splitlines(), "expected",
                                     "actual", lineterm=""))
    print("%s 1 - the plugin's cases pull as testdata/rai-ndr/cases.txt says"
          % ("ok" if not diff and not failures else "not ok"))
    for d in diff[:200]:
        print("# " + d)
    failures += 1 if diff else 0
    seeds = [line for line in out.splitlines() if line.startswith("seed ")]
    spliced = ("ISAFSession_put_DomainName_in", "ISAFSession_put_SessionState_in",
               "ISAFSession_put_UserName_in")
    bad = [line for line in seeds if ": ok, push same" not in line and
           not (line.split()[1].rstrip(":") in spliced and ": ok, push rewritten" in line)]
    print("%s 2 - all %d seeds pull (and push back to themselves unless spliced)"
          % ("ok" if seeds and not bad else "not ok", len(seeds)))
    for line in bad:
        print("# " + line)
    failures += 1 if bad or not seeds else 0
    print("1..2")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
