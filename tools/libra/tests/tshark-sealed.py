#!/usr/bin/python3
"""tshark decrypts our NTLMv2 PKT_PRIVACY traffic with the password, and decodes ServerAlive2.

capture-sealed (ours) records one sealed session of our client with our server as text2pcap
input; text2pcap makes a pcap of it; tshark, given `-o ntlmssp.nt_password:...`, must decrypt
the stubs (an independent implementation of NTLM sealing agreeing with ours) and show what is
only in them: the string binding of the ServerAlive2 and ResolveOxid2 responses and the OXID of
the ResolveOxid2 request. Without the password the same fields must be absent (so the check
cannot pass on cleartext). Runs as root in CI: tshark needs no plugin here.

usage: tshark-sealed.py CAPTURE-SEALED
"""
import os
import re
import subprocess
import sys
import tempfile


def fields(pcap, home, password, *names):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=|"]
    if password is not None:
        cmd += ["-o", "ntlmssp.nt_password:" + password]
    for n in names:
        cmd += ["-e", n]
    out = subprocess.run(cmd, env=dict(os.environ, HOME=home), capture_output=True, text=True,
                         check=True).stdout
    return [line.split("|") for line in out.splitlines()]


def main():
    capture = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "session.txt")
        pcap = os.path.join(tmp, "session.pcap")
        out = subprocess.run([capture, dump], capture_output=True, text=True, check=True).stdout
        port = int(re.search(r"port (\d+)", out).group(1))
        password = re.search(r"password (\S+)", out).group(1)
        # -D: "O" lines are the client's PDUs; client 192.0.2.1:49999, server 192.0.2.2:135.
        subprocess.run(["text2pcap", "-q", "-D", "-T", "135,49999", "-4", "192.0.2.2,192.0.2.1",
                        dump, pcap], check=True)
        names = ("frame.number", "tcp.srcport", "dcerpc.pkt_type", "oxid.opnum",
                 "dcom.dualstringarray.network_addr", "oxid.oxid", "ntlmssp.auth.username",
                 "dcerpc.auth_level")
        plain = fields(pcap, tmp, None, *names)
        clear = fields(pcap, tmp, password, *names)
        want_addr = "127.0.0.1[%d]" % port

        def check(cond, what):
            nonlocal failures
            print("%s - %s" % ("ok" if cond else "not ok", what))
            failures += 0 if cond else 1

        check(len(clear) == 16, "16 PDUs in the capture (%d)" % len(clear))
        check(any(r[6] == "alice" for r in clear), "tshark sees the NTLMv2 AUTHENTICATE of alice")
        check(all(r[7] in ("", "6") or "," in r[7] for r in clear)
              and sum(r[7] == "6" for r in clear) >= 10, "requests and responses at privacy (6)")
        alive2 = [r for r in clear if r[2] == "2" and r[3] == "5"]
        check(len(alive2) == 1 and alive2[0][4] == want_addr,
              "ServerAlive2 response decrypted and decoded: %r" % alive2)
        resolve = [r for r in clear if r[3] == "4"]
        check(any(r[2] == "0" and r[5] == "0x0123456789abcdef" for r in resolve),
              "ResolveOxid2 request decrypted: the OXID")
        check(any(r[2] == "2" and r[4] == want_addr for r in resolve),
              "ResolveOxid2 response decrypted: the binding")
        check(not any(r[4] or r[5] for r in plain),
              "without the password nothing of the stubs shows")
        # The fragmented echo: tshark reassembles the decrypted fragments of both directions.
        echo = fields(pcap, tmp, password, "frame.number", "dcerpc.fragment.count",
                      "dcerpc.reassembled.length")
        check(sum(1 for r in echo if r[1] == "3" and r[2] == "3008") == 2,
              "the fragmented sealed echo is reassembled both ways (3 fragments, 3000 bytes "
              "and 8 of auth padding)")
    print("1..8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
