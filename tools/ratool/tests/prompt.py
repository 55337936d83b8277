#!/usr/bin/python3
"""Passwords asked on the terminal: ratool runs on a pseudo-terminal (Python's pty), the test
waits for each question before it answers, and checks that the answer was not echoed.

  - decode-invite asks once and decrypts with the answer; an empty answer skips decryption;
  - make-invite asks twice; the same answers make a file that decrypts with that password,
    different answers are an error (exit status 1).

usage: prompt.py RATOOL TESTDATA
"""
import os
import pty
import select
import sys
import tempfile
import time


def converse(argv, answers, cwd):
    """Runs argv on a pty; answers each question (a line ending ': ') in turn. Returns
    (exit status, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.environ["LC_ALL"] = "C.UTF-8"
        os.execv(argv[0], argv)
    shown, pending = b"", list(answers)
    deadline = time.time() + 20
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            shown += data
        if pending and shown.rstrip(b" ").endswith(b":"):
            time.sleep(0.1)  # let ratool turn echo off (TCSAFLUSH drops earlier typing)
            os.write(fd, pending.pop(0).encode() + b"\r")
            shown += b"\n<answered>\n"
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def check(cond, what, shown):
    if not cond:
        sys.exit(f"FAILED: {what}\n--- the terminal showed:\n{shown}")


def main():
    ratool, testdata = (os.path.abspath(a) for a in sys.argv[1:])
    vectors = os.path.join(testdata, "vectors")
    secret = "48BJQ853X3B4"
    code, shown = converse([ratool, "decode-invite", "freerdp-invite-type2.xml"], [secret],
                           vectors)
    check(code == 0, "decode-invite exit status 0", shown)
    check("Password for freerdp-invite-type2.xml" in shown, "the question", shown)
    check(secret not in shown, "the answer is not echoed", shown)
    check("password: right (LHTICKET decrypted)" in shown, "decrypted with the answer", shown)

    code, shown = converse([ratool, "decode-invite", "freerdp-invite-type2.xml"], [""], vectors)
    check(code == 0 and "password: not given" in shown, "an empty answer skips", shown)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "new.msrcincident")
        argv = [ratool, "make-invite", "-C", os.path.join(vectors, "msrai-spec-cs2.xml"), "-o",
                out]
        code, shown = converse(argv, ["typed twice", "typed twice"], tmp)
        check(code == 0 and os.path.exists(out), "make-invite with two equal answers", shown)
        check("Again" in shown and "typed twice" not in shown, "asked twice, no echo", shown)
        code, shown = converse([ratool, "decode-invite", "-p", "typed twice", out], [], tmp)
        check(code == 0 and "password: right" in shown, "the file takes that password", shown)
        os.unlink(out)
        code, shown = converse(argv, ["one", "two"], tmp)
        check(code == 1 and "do not match" in shown and not os.path.exists(out),
              "different answers are refused", shown)
    print("terminal prompts checked")


if __name__ == "__main__":
    main()
