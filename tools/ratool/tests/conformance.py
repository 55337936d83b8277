#!/usr/bin/python3
"""Every test docs/conformance.md names exists: `test-x /path` is a GLib test path that the
program test-x lists (-l), `cli-x` a golden case, and other names tests ctest knows.

usage: conformance.py CONFORMANCE_MD BUILD_DIR CASES_DIR
"""
import os
import re
import subprocess
import sys


def main():
    doc, build, cases = sys.argv[1:]
    text = open(doc, encoding="utf-8").read()
    known = subprocess.run(["ctest", "--test-dir", build, "-N"], capture_output=True,
                           text=True).stdout
    tests = set(re.findall(r"Test +#\d+: (\S+)", known))
    programs = {}
    problems, checked = [], 0
    for ref in re.findall(r"`([^`]+)`", text):
        m = re.match(r"(test-[a-z0-9-]+) (/\S+)$", ref)
        if m:
            program, path = m.groups()
            if program not in programs:
                exe = next((os.path.join(root, program) for root, _, files in os.walk(build)
                            if program in files), None)
                programs[program] = set(subprocess.run([exe, "-l"], capture_output=True,
                                                       text=True).stdout.split()) if exe else set()
            if path not in programs[program]:
                problems.append(f"{ref}: no such test path")
            checked += 1
        elif re.match(r"(cli|interop|docs|fuzz)-[a-z0-9-]+$", ref) or re.match(r"test-[a-z]+$", ref):
            if ref.startswith("cli-") and not os.path.exists(os.path.join(cases, ref[4:] + ".case")) \
                    and ref not in tests:
                problems.append(f"{ref}: no such golden case or test")
            elif not ref.startswith("cli-") and ref not in tests:
                problems.append(f"{ref}: no such test")
            checked += 1
    for p in problems:
        print(p)
    print(f"{checked} test references checked")
    return 1 if problems or checked < 20 else 0


if __name__ == "__main__":
    sys.exit(main())
