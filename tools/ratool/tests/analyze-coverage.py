#!/usr/bin/python3
"""Every committed capture has its `ratool analyze` golden cases.

For each capture of testdata/captures (the reference captures) and testdata/analyze (the ones
derived from them for analyze), tools/ratool/tests/cases must hold golden cases running
`ratool analyze` on it as text and as JSON, each without a password and with one (the cases
themselves are run by ctest as cli-analyze-*). A capture committed without them fails here.

usage: analyze-coverage.py TESTDATA CASES_DIR
"""
import os
import shlex
import sys


def main():
    testdata, cases = sys.argv[1:]
    captures = []
    for folder in ("captures", "analyze"):
        for name in sorted(os.listdir(os.path.join(testdata, folder))):
            if name.endswith((".pcap", ".pcapng")):
                captures.append(f"{folder}/{name}")
    seen = {c: set() for c in captures}
    for name in sorted(os.listdir(cases)):
        if not name.endswith(".case"):
            continue
        with open(os.path.join(cases, name), encoding="utf-8") as f:
            args = next((l[6:] for l in f if l.startswith("args: ")), "")
        argv = shlex.split(args)
        if not argv or argv[0] != "analyze":
            continue
        kind = ("json" if "--json" in argv else "text",
                "password" if ("--password" in argv or "--nt-hash" in argv) else "none")
        for c in captures:
            if c in argv:
                seen[c].add(kind)
    want = {(k, p) for k in ("text", "json") for p in ("none", "password")}
    problems = [f"{c}: no golden case for {sorted(want - got)}" for c, got in seen.items()
                if not want <= got]
    for p in problems:
        print(p)
    print(f"{len(captures)} captures checked")
    return 1 if problems or not captures else 0


if __name__ == "__main__":
    sys.exit(main())
