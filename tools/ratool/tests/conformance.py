#!/usr/bin/python3
"""Keeps docs/conformance.md honest about its tests:
  - every row of every table with a "checked by" column names at least one test there, or says
    why none ("not applicable: ..." / "untested: ..."), and names the code in its "code" column;
  - every test a "checked by" cell names exists: `test-x /path` is a GLib test path that the
    program test-x lists (-l), `cli-x` a golden case (tools/ratool/tests/cases/x.case), any other
    name a test ctest knows;
  - elsewhere in the document, backquoted names of the same forms exist too.

usage: conformance.py CONFORMANCE_MD BUILD_DIR CASES_DIR
"""
import os
import re
import subprocess
import sys

TEST_PREFIXES = ("test-", "cli-", "interop-", "docs-", "fuzz-", "plugin-", "capture-", "serve-",
                 "offer-", "probe-", "analyze-", "tshark-", "rai-ndr-", "idlgen-")


class Resolver:
    def __init__(self, build, cases, top):
        known = subprocess.run(["ctest", "--test-dir", build, "-N"], capture_output=True,
                               text=True).stdout
        self.tests = set(re.findall(r"Test +#\d+: (\S+)", known))
        self.build, self.cases = build, cases
        self.env = dict(os.environ, RAI_TESTDATA=os.path.join(top, "testdata"),
                        RAI_VECTORS=os.path.join(top, "testdata", "vectors"))
        self.programs = {}

    def paths(self, program):
        if program not in self.programs:
            exe = next((os.path.join(root, program) for root, _, files in os.walk(self.build)
                        if program in files), None)
            listing = subprocess.run([exe, "-l"], capture_output=True, text=True,
                                     env=self.env).stdout if exe else ""
            self.programs[program] = set(re.findall(r"^(/\S+)$", listing, re.M))
        return self.programs[program]

    def problem(self, ref):
        """None when ref names an existing test, else what is wrong."""
        m = re.match(r"(test-[a-z0-9-]+) (/\S+)$", ref)
        if m:
            program, path = m.groups()
            if program not in self.tests:
                return f"{ref}: no test program {program}"
            if path not in self.paths(program):
                return f"{ref}: {program} has no test path {path}"
            return None
        if ref.startswith("cli-"):
            if os.path.exists(os.path.join(self.cases, ref[4:] + ".case")) or ref in self.tests:
                return None
            return f"{ref}: no such golden case or test"
        if ref in self.tests:
            return None
        return f"{ref}: no such test"


def looks_like_test(ref):
    return re.match(r"test-[a-z0-9-]+ /\S+$", ref) is not None or (
        ref.startswith(TEST_PREFIXES) and re.match(r"[a-z0-9]+(-[a-z0-9.]+)+$", ref) is not None)


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def main():
    doc, build, cases = sys.argv[1:]
    top = os.path.dirname(os.path.dirname(os.path.abspath(doc)))
    resolve = Resolver(build, cases, top)
    lines = open(doc, encoding="utf-8").read().split("\n")
    problems, refs, rows = [], 0, 0
    in_cells = set()
    i = 0
    while i < len(lines):
        if not (lines[i].startswith("|") and i + 1 < len(lines)
                and re.match(r"^\|[\s:|-]+\|$", lines[i + 1].strip())):
            i += 1
            continue
        header = [h.lower() for h in cells(lines[i])]
        i += 2
        col = header.index("checked by") if "checked by" in header else None
        code = header.index("code") if "code" in header else None
        while i < len(lines) and lines[i].startswith("|"):
            row = cells(lines[i])
            if col is not None:
                rows += 1
                cell = row[col] if col < len(row) else ""
                named = re.findall(r"`([^`]+)`", cell)
                if not named and not re.match(r"(not applicable|untested)\b.*\w", cell, re.I):
                    problems.append(f"line {i + 1}: names no test and says no reason why")
                if code is not None and (code >= len(row) or not row[code]):
                    problems.append(f"line {i + 1}: names no code")
                for ref in named:
                    in_cells.add(ref)
                    p = resolve.problem(ref)
                    if p:
                        problems.append(f"line {i + 1}: {p}")
                    refs += 1
            i += 1
    for ref in sorted(set(re.findall(r"`([^`]+)`", "\n".join(lines))) - in_cells):
        if looks_like_test(ref):
            p = resolve.problem(ref)
            if p:
                problems.append(p)
            refs += 1
    for p in problems:
        print(p)
    print(f"{rows} requirement rows, {refs} test references checked")
    return 1 if problems or rows < 50 or refs < 100 else 0


if __name__ == "__main__":
    sys.exit(main())
