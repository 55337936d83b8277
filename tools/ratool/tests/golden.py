#!/usr/bin/python3
"""Runs one ratool golden case: tools/ratool/tests/cases/NAME.case.

A case file is a header of "key: value" lines, then the expected output sections:

    # comment lines describe what the case checks
    args: decode-invite -P vectors/x.password vectors/x.xml   (shell-like quoting)
    env: RATOOL_NOW=1700000000                                  (optional, repeatable)
    stdin: cli/input.txt                                        (optional: a file to feed)
    stdin-size: 1048577                                         (optional: that many '<' bytes)
    status: 0
    --- stdout
    exact expected standard output
    --- stderr                                                  (optional; exact when present)
    exact expected standard error

ratool runs in a fresh temporary directory holding links `vectors` and `cli` to testdata/vectors
and testdata/cli, with LC_ALL=C.UTF-8, so paths and messages do not depend on the checkout.
With --update the case's expected sections are rewritten from what ratool printed (review the
diff before committing it).
"""
import os
import shlex
import subprocess
import sys
import tempfile


def parse(path):
    header, sections, current = {}, {}, None
    env, args, status = {}, None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("--- "):
            current = line[4:].strip()
            sections[current] = []
            continue
        if current is not None:
            sections[current].append(line)
            continue
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.partition(": ")
        if key == "env":
            k, _, v = value.partition("=")
            env[k] = v
        else:
            header[key] = value
    expected = {k: "\n".join(v) for k, v in sections.items()}
    # the file ends with a newline after the last section: that one is not part of the output
    for k in expected:
        if expected[k].endswith("\n"):
            expected[k] = expected[k][:-1]
    return header, env, expected, lines


def main():
    update = "--update" in sys.argv
    argv = [a for a in sys.argv[1:] if a != "--update"]
    ratool, case, testdata = (os.path.abspath(a) for a in argv)
    header, env, expected, lines = parse(case)
    if "args" not in header or "status" not in header or "stdout" not in expected:
        sys.exit(f"{case}: needs args:, status: and a --- stdout section")
    with tempfile.TemporaryDirectory(prefix="ratool-golden-") as tmp:
        for name in ("vectors", "cli"):
            os.symlink(os.path.join(testdata, name), os.path.join(tmp, name))
        stdin = b""
        if "stdin" in header:
            with open(os.path.join(tmp, header["stdin"]), "rb") as f:
                stdin = f.read()
        if "stdin-size" in header:
            stdin = b"<" * int(header["stdin-size"])
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("RATOOL_")}
        run_env.update({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        run_env.update(env)
        proc = subprocess.run([ratool] + shlex.split(header["args"]), cwd=tmp, input=stdin,
                              capture_output=True, env=run_env, timeout=60)
    out = proc.stdout.decode("utf-8", "backslashreplace")
    err = proc.stderr.decode("utf-8", "backslashreplace")
    if update:
        head = []
        for line in lines:
            if line.startswith("--- "):
                break
            if line.startswith("status: "):
                line = f"status: {proc.returncode}"
            head.append(line)
        text = "\n".join(head).rstrip("\n") + "\n--- stdout\n" + out
        if "stderr" in expected or err:
            text += ("" if text.endswith("\n") else "\n") + "--- stderr\n" + err
        if not text.endswith("\n"):
            text += "\n"
        with open(case, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"updated {case}")
        return 0
    failed = False
    if proc.returncode != int(header["status"]):
        print(f"exit status {proc.returncode}, expected {header['status']}")
        failed = True
    for name, got in (("stdout", out), ("stderr", err)):
        if name not in expected:
            continue
        want = expected[name]
        if got.endswith("\n") and not want.endswith("\n"):
            want += "\n"
        if got != want:
            import difflib
            print(f"{name} differs:")
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True), "expected", "ratool"))
            failed = True
    if failed:
        print(f"--- stderr was:\n{err}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
