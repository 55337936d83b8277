#!/usr/bin/python3
"""Writes the hand-made seeds of the epm-tower, dsa and rpc-stubs fuzz corpora.

usage: tools/fuzz/gen-seeds.py testdata/fuzz
Each seed is built here field by field (independent of the C code). The rpc-assoc corpus is
recorded by gen-rpc-assoc-corpus instead (it needs NTLM).
"""
import os
import struct
import sys
import uuid


def le_uuid(text):
    return uuid.UUID(text).bytes_le


OXID = "99fcfec4-5260-101b-bbcb-00aa0021347a"
NDR = "8a885d04-1ceb-11c9-9fe8-08002b104860"
EPM = "e1af8308-5d1f-11c9-91a4-08002b14a0fa"


def floor_uuid(u, major, minor):
    return struct.pack("<HB", 19, 0x0d) + le_uuid(u) + struct.pack("<HHH", major, 2, minor)


def floor(prot, rhs):
    return struct.pack("<HB", 1, prot) + struct.pack("<H", len(rhs)) + rhs


def tower(floors):
    return struct.pack("<H", len(floors)) + b"".join(floors)


def tcp_tower(u, major, minor, port, ip):
    return tower([floor_uuid(u, major, minor), floor_uuid(NDR, 2, 0), floor(0x0b, b"\0\0"),
                  floor(0x07, struct.pack(">H", port)), floor(0x09, bytes(ip))])


def dsa(strings, secs):
    units = []
    for tid, addr in strings:
        units += [tid] + list(struct.unpack("<%dH" % len(addr), addr.encode("utf-16-le"))) + [0]
    if not strings:
        units.append(0)
    units.append(0)
    off = len(units)
    for svc, name in secs:
        units += [svc, 0xffff] + list(struct.unpack("<%dH" % len(name), name.encode("utf-16-le"))) + [0]
    if not secs:
        units.append(0)
    units.append(0)
    return struct.pack("<HH", len(units), off) + struct.pack("<%dH" % len(units), *units)


def write(root, corpus, name, data):
    d = os.path.join(root, corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    root = sys.argv[1]
    t = tcp_tower(OXID, 0, 0, 135, [127, 0, 0, 1])
    write(root, "epm-tower", "tcp-oxid-135", t)
    write(root, "epm-tower", "tcp-epm-49152", tcp_tower(EPM, 3, 0, 49152, [192, 0, 2, 7]))
    write(root, "epm-tower", "np-netbios", tower([
        floor_uuid(OXID, 0, 0), floor_uuid(NDR, 2, 0), floor(0x0b, b"\0\0"),
        floor(0x0f, b"\\pipe\\epmapper\0"), floor(0x11, b"NOVICE\0")]))
    write(root, "epm-tower", "six-floors", tower([
        floor_uuid(OXID, 0, 0), floor_uuid(NDR, 2, 0), floor(0x0b, b"\0\0"),
        floor(0x1f, b"\x02\x5d"), floor(0x09, b"\x0a\0\0\x01"), floor(0x55, b"xyz")]))
    write(root, "epm-tower", "truncated", t[:40])

    write(root, "dsa", "one-binding-ntlm", dsa([(7, "127.0.0.1[135]")], [(10, "")]))
    write(root, "dsa", "empty", dsa([], []))
    write(root, "dsa", "several", dsa([(7, "NOVICE"), (7, "192.0.2.7[49152]"), (7, "fe80::1%3")],
                                      [(10, ""), (16, "host/novice.contoso.com"), (9, "é")]))

    # rpc-stubs: byte 0 = 2 * opnum (endpoint mapper) or 2 * opnum + 1 (IObjectExporter).
    handle = b"\0" * 20
    map_req = (struct.pack("<I", 0x20000) + b"\0" * 16 + struct.pack("<III", 0x20004, len(t), len(t))
               + t + b"\0" * ((4 - len(t) % 4) % 4) + handle + struct.pack("<I", 4))
    write(root, "rpc-stubs", "epm-ept-map", bytes([2 * 3]) + map_req)
    lookup = struct.pack("<III", 0, 0, 0) + struct.pack("<I", 1) + handle + struct.pack("<I", 500)
    write(root, "rpc-stubs", "epm-ept-lookup", bytes([2 * 2]) + lookup)
    write(root, "rpc-stubs", "epm-handle-free", bytes([2 * 4]) + handle)
    resolve = struct.pack("<QH", 0x0123456789abcdef, 2) + b"\0\0" + struct.pack("<IHH", 2, 7, 8)
    write(root, "rpc-stubs", "oxid-resolve-oxid2", bytes([2 * 4 + 1]) + resolve)
    write(root, "rpc-stubs", "oxid-resolve-oxid", bytes([2 * 0 + 1]) + resolve)
    write(root, "rpc-stubs", "oxid-simple-ping", bytes([2 * 1 + 1]) + struct.pack("<Q", 42))
    ping = (struct.pack("<QHHH", 0, 1, 2, 1) + b"\0\0" + struct.pack("<II", 0x20000, 2)
            + struct.pack("<QQ", 1, 2) + struct.pack("<II", 0x20004, 1) + struct.pack("<Q", 3))
    write(root, "rpc-stubs", "oxid-complex-ping", bytes([2 * 2 + 1]) + ping)
    write(root, "rpc-stubs", "oxid-server-alive2", bytes([2 * 5 + 1]))


if __name__ == "__main__":
    main()
