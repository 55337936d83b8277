#!/usr/bin/python3
"""FreeRDP interoperability: FreeRDP 2.11 (Debian freerdp2-dev, through its public API, see
freerdp-parse.c) reads the invitations `ratool make-invite` writes, finds the same listeners and
computes the same encrypted PassStub as `ratool decode-invite`.

Cases: type 2 files (UTF-8, as Windows 7-11 write them) for two random PassStubs each and
connection strings whose listener names are all longer than 8 characters (FreeRDP 2.11 drops
shorter ones), with and without RCTICKET; and type 1 files, where FreeRDP 2.11 is known to drop
the first address of the RCTICKET list and to keep the ';' before the next one (fixed in FreeRDP
3): for those the test asserts exactly that relation, so a change on either side shows.

usage: interop.py RATOOL FREERDP_PARSE
"""
import json
import os
import subprocess
import sys
import tempfile

CS2_TEMPLATE = ('<E><A KH="YiKwWUY8Ioq5NB3wAQHSbs5kwrM=" ID="{id}"/><C><T ID="1" SID="{sid}">'
                '{listeners}</T></C></E>')
LISTENER_SETS = [
    [("fe80::1032:53d9:5a01:909b%3", 49228), ("192.168.100.200", 49230),
     ("helpdesk-pc.example.org", 3389)],
    [("2001:db8:4402:23cd::3eff", 64204), ("10.200.100.69", 64205)],
    [("novice-workstation-01", 50001)],
]


def run(*args, status=0, **env):
    p = subprocess.run(list(args), capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C.UTF-8", **env))
    if p.returncode != status:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}, expected {status}\n{p.stderr}")
    return p.stdout


def freerdp(helper, path, password):
    found = {"status": None, "passstub": None, "addresses": []}
    # FreeRDP is not built with the sanitizers: its own leaks are not ours to report.
    for line in run(helper, path, password, ASAN_OPTIONS="detect_leaks=0").splitlines():
        key, _, value = line.partition(": ")
        if key == "address":
            host, _, port = value.rpartition(" ")
            found["addresses"].append((host, int(port)))
        elif key in found:
            found[key] = value
    return found


def main():
    ratool, helper = sys.argv[1:]
    password = "Interop 48BJQ853X3B4"
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, listeners in enumerate(LISTENER_SETS):
            assert all(len(h) > 8 for h, _ in listeners)
            cs2 = CS2_TEMPLATE.format(
                id=f"+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6Gcelw{n}",
                sid=str(n),
                listeners="".join(f'<L P="{p}" N="{h}"/>' for h, p in listeners))
            for seed in range(2):
                for extra in ([], ["--no-rcticket"]):
                    path = os.path.join(tmp, f"t2-{n}-{seed}-{len(extra)}.msrcincident")
                    env_seed = f"interop-{n}-{seed}"
                    os.environ["RATOOL_RANDOM_SEED"] = env_seed
                    run(ratool, "make-invite", "-c", cs2, "-p", password, "-u", "tester",
                        *extra, "-o", path)
                    ours = json.loads(run(ratool, "decode-invite", "--json", "-p", password,
                                          path))
                    theirs = freerdp(helper, path, password)
                    assert theirs["status"] == "1", f"FreeRDP rejects {path}: {theirs}"
                    want = [(l["name"], l["port"]) for t in
                            ours["connection_string_2"]["transports"] for l in t["listeners"]]
                    assert want == listeners
                    assert theirs["addresses"] == want, (theirs["addresses"], want)
                    assert theirs["passstub"] == ours["passstub_encrypted"], \
                        (theirs["passstub"], ours["passstub_encrypted"], ours["passstub"])
                    compared += 1
            # type 1 from the same connection string: RCTICKET holds its IPv4/named listeners
            ipv4_or_named = [(h, p) for h, p in listeners if ":" not in h]
            path = os.path.join(tmp, f"t1-{n}.msrcincident")
            os.environ["RATOOL_RANDOM_SEED"] = f"interop-t1-{n}"
            run(ratool, "make-invite", "-t", "1", "-c", cs2, "-p", password, "-u", "tester",
                "-o", path)
            ours = json.loads(run(ratool, "decode-invite", "--json", "-p", password, path))
            got = [(a["host"], a["port"]) for a in ours["rcticket"]["addresses"]]
            assert got == ipv4_or_named, (got, ipv4_or_named)
            theirs = freerdp(helper, path, password)
            assert theirs["status"] == "1", f"FreeRDP rejects {path}: {theirs}"
            assert theirs["passstub"] == ours["passstub_encrypted"]
            # FreeRDP 2.11's address-list bug: the first address lost, ';' kept on the next
            assert theirs["addresses"] == [(";" + h, p) for h, p in got[1:]], theirs["addresses"]
            compared += 1
    print(f"FreeRDP read {compared} ratool invitations like ratool does")


if __name__ == "__main__":
    main()
