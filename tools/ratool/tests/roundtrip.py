#!/usr/bin/python3
"""make-invite -> decode-invite round trips through the command line, for both types and both
encodings, checked against an independent implementation of the cryptography (Python's hashlib
and pycryptodome, as Debian's python3-impacket pulls it in):

  - decode-invite --json reads back every field make-invite chose (user, PassStub, times,
    listeners, RCTICKET derived from the listeners);
  - the PassStub ciphertext ratool reports equals RC4(MD5(UTF-16LE password)) computed here;
  - type 2: LHTICKET decrypted here with AES-128-CBC under the CryptDeriveKey key is the
    Connection String 2 in Windows' form, UTF-16LE, ending CR LF, PKCS#7-padded;
  - a wrong password is exit status 1 with "wrong password".

usage: roundtrip.py RATOOL TESTDATA
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

from Cryptodome.Cipher import AES, ARC4


def run(ratool, *args, status=0):
    p = subprocess.run([ratool, *args], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C.UTF-8"))
    if p.returncode != status:
        sys.exit(f"ratool {' '.join(args)}: exit {p.returncode}, expected {status}\n{p.stderr}")
    return p


def key_of(password):
    h = hashlib.sha1(password.encode("utf-16-le")).digest()
    block = bytearray(b"\x36" * 64)
    for i in range(20):
        block[i] ^= h[i]
    return hashlib.sha1(bytes(block)).digest()[:16]


def main():
    ratool, testdata = sys.argv[1:]
    cs2_file = os.path.join(testdata, "vectors", "wds-cs2-kh2-ce.xml")
    cs2_text = open(cs2_file, encoding="utf-8").read()
    password = "p\u00e4ss w\u00f6rd \U0001F600"
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        pwfile = os.path.join(tmp, "pw")
        with open(pwfile, "w", encoding="utf-8") as f:
            f.write(password + "\n")
        for invite_type in (1, 2):
            for encoding in ("utf-8", "utf-16"):
                out = os.path.join(tmp, f"t{invite_type}-{encoding}.msrcincident")
                made = json.loads(run(ratool, "make-invite", "--json", "-C", cs2_file,
                                      "-P", pwfile, "-t", str(invite_type), "--encoding",
                                      encoding, "-u", "J\u00fcrgen & Co", "--expires", "90",
                                      "-o", out).stdout)
                raw = open(out, "rb").read()
                if encoding == "utf-16":
                    assert raw[:2] == b"\xff\xfe", "no UTF-16LE BOM"
                    assert raw[2:].decode("utf-16-le").startswith(
                        '<?xml version="1.0" encoding="Unicode" ?>')
                got = json.loads(run(ratool, "decode-invite", "--json", "-P", pwfile,
                                     out).stdout)
                assert got["kind"] == f"type{invite_type}", got["kind"]
                assert got["encoding"] == ("utf-16le-bom" if encoding == "utf-16" else "utf-8")
                assert got["username"] == "J\u00fcrgen & Co"
                assert got["passstub"] == made["passstub"]
                assert got["created"] == made["created"]
                assert got["expires"] == made["expires"]
                assert got["valid_minutes"] == 90
                assert got["warnings"] == [], got["warnings"]
                assert got["rcticket"]["text"] == made["rcticket"]
                assert [a["host"] for a in got["rcticket"]["addresses"]] == [
                    "10.0.0.69", "73.229.87.37"]
                assert got["rcticket"]["ra_session_id"] == "auth"
                stub = made["passstub"].encode("utf-16-le")
                want = ARC4.new(hashlib.md5(password.encode("utf-16-le")).digest()).encrypt(
                    struct.pack("<I", len(stub)) + stub)
                assert got["passstub_encrypted"] == want.hex().upper(), "PassStub ciphertext"
                if invite_type == 2:
                    assert got["password"] == "right"
                    assert got["cross_check"] == "agree"
                    cs2 = got["connection_string_2"]
                    assert [l["name"] for l in cs2["transports"][0]["listeners"]][0] == \
                        "2601:282:4402:23cd:f9f2:77a6:91d0:4338"
                    assert cs2["certificate"]["subject"] == "CN=DESKTOP-NPAC4I7"
                    lhticket = next(a["value"] for a in got["attributes"]
                                    if a["name"] == "LHTICKET")
                    plain = AES.new(key_of(password), AES.MODE_CBC, iv=bytes(16)).decrypt(
                        bytes.fromhex(lhticket))
                    pad = plain[-1]
                    assert 1 <= pad <= 16 and plain[-pad:] == bytes([pad]) * pad
                    text = plain[:-pad].decode("utf-16-le")
                    assert text == cs2_text + "\r\n", "LHTICKET plaintext"
                    wrong = run(ratool, "decode-invite", "-p", "wrong", out, status=1)
                    assert "wrong password" in wrong.stderr
                else:
                    assert got["password"] == "unchecked"
                    assert got["lhticket_bytes"] is None
                checks += 1
    print(f"{checks} round trips checked")


if __name__ == "__main__":
    main()
