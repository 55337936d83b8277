#!/usr/bin/python3
"""`ratool analyze` never loads the whole capture: its peak memory stays flat as captures grow.

Makes two captures with `capgen repeat` from the sealed reference capture (testdata/captures/
sealed.pcapng: every scenario of issue 6, sealed, password Exp3rt-Pw!) - a small one and one
SCALE times larger - runs `ratool analyze --password` on each, in text and in JSON, and compares
the peak resident set sizes (os.wait4's ru_maxrss of each run): the large run may not use more
than SLACK KiB above the small one, and no run more than LIMIT KiB. The story counts must grow
with the captures (so that the large run did analyze everything).

Bounds on memory, not timed assertions. The captures are not committed (made in a temporary
directory and deleted). Default sizes keep the test to seconds: 8 MiB and 96 MiB of packets.
The 1 GiB check of issue 7:

    RAI_ANALYZE_MEMORY_BYTES=1073741824 ctest -R analyze-memory --verbose

(or run this script with the same variable); the figures are printed either way.

usage: analyze-memory.py RATOOL CAPGEN TESTDATA
"""
import os
import re
import subprocess
import sys
import tempfile

SMALL = 8 << 20
SLACK_KIB = 8 << 10   # the large run's peak may exceed the small run's by this much
LIMIT_KIB = 64 << 10  # and no run may exceed this


def make(capgen, src, out, size):
    p = subprocess.run([capgen, "repeat", src, out, "--bytes", str(size)], capture_output=True,
                       text=True, check=True)
    return p.stdout.strip()


def analyze(ratool, path, *args):
    """Runs ratool analyze; returns (exit status, peak RSS in KiB, stories)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([ratool, "analyze", path, "--password", "Exp3rt-Pw!", "--quiet"]
                                + list(args), stdout=out, stderr=subprocess.PIPE)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        # The summary comes last: count the stories from it, reading only the tail.
        out.seek(max(0, os.fstat(out.fileno()).st_size - 4096))
        tail = out.read().decode("utf-8", "replace")
    m = re.search(r'(\d+) offer stories', tail) or re.search(r'"offers": (\d+)', tail)
    if proc.returncode != 0 or m is None:
        raise RuntimeError("analyze %s %s: exit %d, %s\n%s" % (path, args, proc.returncode,
                                                                err.decode(), tail[-600:]))
    return usage.ru_maxrss, int(m.group(1))


def main():
    ratool, capgen, testdata = sys.argv[1:4]
    large = int(os.environ.get("RAI_ANALYZE_MEMORY_BYTES", str(96 << 20)))
    src = os.path.join(testdata, "captures", "sealed.pcapng")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        small_path = os.path.join(tmp, "small.pcapng")
        large_path = os.path.join(tmp, "large.pcapng")
        print("small: %s" % make(capgen, src, small_path, SMALL))
        print("large: %s" % make(capgen, src, large_path, large))
        print("files: %d and %d bytes" % (os.path.getsize(small_path),
                                          os.path.getsize(large_path)))
        n = 0
        for mode in ([], ["--json"]):
            name = "json" if mode else "text"
            rss_small, stories_small = analyze(ratool, small_path, *mode)
            rss_large, stories_large = analyze(ratool, large_path, *mode)
            print("%s: small %d KiB peak (%d stories), large %d KiB peak (%d stories)" %
                  (name, rss_small, stories_small, rss_large, stories_large))
            checks = [
                (stories_large > stories_small * (large // SMALL) // 2,
                 "%s: the large capture gave %d stories, the small %d" %
                 (name, stories_large, stories_small)),
                (rss_large <= rss_small + SLACK_KIB,
                 "%s: peak %d KiB on the small capture, %d KiB on the large (slack %d)" %
                 (name, rss_small, rss_large, SLACK_KIB)),
                (rss_large <= LIMIT_KIB, "%s: peak %d KiB (limit %d)" % (name, rss_large, LIMIT_KIB)),
            ]
            for good, what in checks:
                n += 1
                print("%s %d - %s" % ("ok" if good else "not ok", n, what))
                ok = ok and good
    print("1..%d" % n)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
