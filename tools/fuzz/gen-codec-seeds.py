#!/usr/bin/python3
"""Writes the seeds of the codec fuzz corpora (pdu, ndr, ntlm-messages, ntlm-handshake) from the
annotated test vectors in testdata/{pdu,ndr,oaut,ntlmssp}, so that fuzzing starts from every
wire form the tests know (spec layouts, impacket's and Wine's encodings, malformed cases).

usage: tools/fuzz/gen-codec-seeds.py testdata
Seed names are seed-<vector name>; regressions found by fuzzing are kept beside them as
crash-<what>, never regenerated.
"""
import os
import sys

# The order of ra_ndr_types() then ra_oaut_types() (fuzz-ndr picks data[0] % count).
NDR_TYPES = ["u8", "u16", "u32", "hyper", "double", "enum16", "uuid", "syntax_id", "wstring",
             "cstring", "lpwstr", "bstr", "safearray_bstr", "variant", "interface_ptr",
             "minterface_pointer"]


def load(path):
    data = bytearray()
    directives = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                if ":" in line:
                    k, v = line[1:].split(":", 1)
                    directives.setdefault(k.strip(), v.strip())
                continue
            hexpart = line.split("|", 1)[0].split()[1:]
            data += bytes(int(h, 16) for h in hexpart)
    return bytes(data), directives


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "testdata"
    fuzz = os.path.join(top, "fuzz")
    for name in sorted(os.listdir(os.path.join(top, "pdu"))):
        if name.endswith(".hex"):
            data, _ = load(os.path.join(top, "pdu", name))
            write(os.path.join(fuzz, "pdu"), "seed-" + name[:-4], data)
    for sub in ("ndr", "oaut"):
        for name in sorted(os.listdir(os.path.join(top, sub))):
            if name.endswith(".hex"):
                data, d = load(os.path.join(top, sub, name))
                idx = NDR_TYPES.index(d["type"])
                write(os.path.join(fuzz, "ndr"), "seed-%s-%s" % (sub, name[:-4]),
                      bytes([idx]) + data)
    neg = (b"NTLMSSP\x00" + (1).to_bytes(4, "little") + (0xe2888235).to_bytes(4, "little") +
           bytes(16) + bytes.fromhex("0601b01d0000000f"))
    write(os.path.join(fuzz, "ntlm-messages"), "seed-negotiate", bytes([0]) + neg)
    chal, _ = load(os.path.join(top, "ntlmssp", "ms-nlmp-4.2.4-challenge.hex"))
    auth, _ = load(os.path.join(top, "ntlmssp", "ms-nlmp-4.2.4-authenticate.hex"))
    write(os.path.join(fuzz, "ntlm-messages"), "seed-challenge-ms-nlmp-4.2.4", bytes([1]) + chal)
    write(os.path.join(fuzz, "ntlm-messages"), "seed-authenticate-ms-nlmp-4.2.4",
          bytes([2]) + auth)
    write(os.path.join(fuzz, "ntlm-messages"), "seed-target-info-ms-nlmp-4.2.4",
          bytes([3]) + chal[0x44:])
    # Server side: the AUTHENTICATE, the separator, then the [MS-NLMP] 4.2.4.4 sealed message
    # cut to the harness's 4-byte pieces is not meaningful; one piece of zeros keeps the path.
    write(os.path.join(fuzz, "ntlm-handshake"), "seed-server-ms-nlmp-4.2.4",
          bytes([0]) + auth + b"\xff\xff\xff\xff" + bytes(24))
    write(os.path.join(fuzz, "ntlm-handshake"), "seed-client-ms-nlmp-4.2.4", bytes([1]) + chal)


if __name__ == "__main__":
    main()
