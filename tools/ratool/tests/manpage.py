#!/usr/bin/python3
"""Keeps docs/ratool.1 true:
  - groff reads it without a warning;
  - every subcommand `ratool --help` lists has a subsection under COMMANDS;
  - every long option each subcommand's --help and --help-all list is in the page (--help-all
    adds option groups such as serve's novice options);
  - every JSON key the golden --json cases print is in the page (JSON OUTPUT).

usage: manpage.py RATOOL MANPAGE CASES_DIR
"""
import json
import os
import re
import subprocess
import sys


def keys_of(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            keys_of(v, out)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, out)


def main():
    ratool, manpage, cases = sys.argv[1:]
    problems = []
    lint = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", manpage],
                          capture_output=True, text=True)
    if lint.returncode != 0 or lint.stderr:
        problems.append(f"groff: {lint.stderr.strip()}")
    text = subprocess.run(["groff", "-man", "-rHY=0", "-Tascii", "-P-cbou", manpage],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub(r"-\n\s*", "-", text)  # words hyphenated across lines
    flat = " ".join(text.split())
    source = open(manpage, encoding="utf-8").read()

    listing = subprocess.run([ratool, "--help"], capture_output=True, text=True).stdout
    commands = re.findall(r"^  (\S+)\s", listing.split("commands:")[1], re.M)
    if not commands:
        problems.append("ratool --help lists no commands")
    for command in commands:
        if not re.search(r"^\.SS " + re.escape(command.replace("-", "\\-")), source, re.M):
            problems.append(f"no COMMANDS subsection for {command}")
        helptext = "".join(subprocess.run([ratool, command, flag], capture_output=True,
                                          text=True).stdout for flag in ("--help", "--help-all"))
        for option in re.findall(r"(--[a-z][a-z0-9-]*)", helptext):
            if option in ("--help", "--help-all"):
                continue
            if option not in flat:
                problems.append(f"{command}: option {option} is not in the page")

    keys = set()
    for name in sorted(os.listdir(cases)):
        if not name.endswith(".case"):
            continue
        body = open(os.path.join(cases, name), encoding="utf-8").read()
        if "--json" not in body.split("\n--- stdout")[0]:
            continue
        out = ("\n" + body.split("--- stdout\n", 1)[1]).split("\n--- stderr", 1)[0]
        if out.strip():
            keys_of(json.loads(out), keys)
    if len(keys) < 20:
        problems.append(f"only {len(keys)} JSON keys found in the golden cases")
    for key in sorted(keys):
        if not re.search(r"(?<![A-Za-z_])" + re.escape(key) + r"(?![A-Za-z_])", flat):
            problems.append(f"JSON key {key} is not documented")
    for p in problems:
        print(p)
    print(f"{len(commands)} commands, {len(keys)} JSON keys checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
