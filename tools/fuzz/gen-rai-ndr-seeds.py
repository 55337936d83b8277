#!/usr/bin/python3
"""Writes the seeds of the rai-ndr fuzz corpus: one stub per generated MS-RAI type.

usage: tools/fuzz/gen-rai-ndr-seeds.py BUILD_DIR testdata/fuzz/rai-ndr

Real stubs first: `ratool serve` and `ratool offer --trace` (both from BUILD_DIR) exchange two
offers (IRASrv, IPCHService) at packet integrity, so the stubs travel in clear; each request and
response stub is cut out of its PDU and named after the interface bound on its connection, its
opnum and direction. The types no offer uses are then spliced from those: ORPCTHIS alone (the
[in] of a getter or an unused opnum), ORPCTHAT + HRESULT (the [out] of a setter or an unused
opnum), ORPCTHIS + a getter's value (the setter's [in]), and the IPCHCollection pointer of
RemoteUserSessionInfo for _NewEnum. ORPCTHIS (32 bytes) and ORPCTHAT (8) keep 4-byte alignment,
so the splices are valid NDR.

A seed is the selector byte (the type's index in ra_rai_types[], read from the generated
rai-ndr.c in BUILD_DIR) followed by the stub. The selectors follow the generator's order: rerun
this script when idl/ms-rai.idl changes.
"""
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import uuid

IFACES = {
    "f120a684-b926-447f-9df4-c966cb785648": "IRASrv",
    "833e4200-aff7-4ac3-aac2-9f24c1457bce": "IPCHService",
    "833e4100-aff7-4ac3-aac2-9f24c1457bce": "IPCHCollection",
    "833e41aa-aff7-4ac3-aac2-9f24c1457bce": "ISAFSession",
}


def type_table(build):
    text = open(os.path.join(build, "tools", "libra", "generated", "rai-ndr.c")).read()
    table = text[text.index("const RaRaiTypeInfo ra_rai_types[] = {"):]
    table = table[:table.index("};")]
    return re.findall(r'\{"(\w+)", sizeof', table)


def method_names(build):
    """(interface, opnum) -> method name, from the RA_RAI_OPNUM_ defines."""
    text = open(os.path.join(build, "tools", "libra", "generated", "rai-ndr.h")).read()
    return {(i, int(n)): m for i, m, n in re.findall(r"#define RA_RAI_OPNUM_(\w+?)_(\w+) (\d+)",
                                                      text)}


def stubs_of(trace):
    """(interface, opnum, 'in'|'out', stub) for every request and response of the trace."""
    by_conn = {}
    for line in open(trace):
        conn, direction, hexdata = line.split()
        by_conn.setdefault(conn, []).append((direction, bytes.fromhex(hexdata)))
    found = []
    for pdus in by_conn.values():
        iface, opnums = None, {}
        for _, pdu in pdus:
            ptype, flags = pdu[2], pdu[3]
            frag_len, auth_len, call_id = struct.unpack_from("<HHI", pdu, 8)
            end = frag_len - (auth_len + 8 if auth_len else 0)
            pad = pdu[end + 2] if auth_len else 0
            if ptype == 11:  # bind: the first abstract syntax
                iface = IFACES.get(str(uuid.UUID(bytes_le=pdu[32:48])))
            elif ptype == 0:  # request
                opnum = struct.unpack_from("<H", pdu, 22)[0]
                start = 24 + (16 if flags & 0x80 else 0)
                opnums[call_id] = opnum
                if iface:
                    found.append((iface, opnum, "in", pdu[start:end - pad]))
            elif ptype == 2 and iface and call_id in opnums:  # response
                found.append((iface, opnums[call_id], "out", pdu[24:end - pad]))
    return found


def record(build, tmp):
    ratool = os.path.join(build, "tools", "ratool", "ratool")
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    serve = subprocess.Popen(
        [ratool, "serve", "--port", "0", "--min-auth-level", "integrity",
         "--helper", "CONTOSO\\expert:Exp3rt-Pw!",
         "--sessions", os.path.join(top, "testdata", "sessions", "example.ini"),
         "--listener-port", "3389", "--seed", "rai-ndr-seeds", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = re.search(r"port (\d+)", serve.stdout.readline()).group(1)
    traces = []
    try:
        for iface, session in (("irasrv", "1"), ("ipchservice", "2")):
            trace = os.path.join(tmp, iface + ".trace")
            subprocess.run([ratool, "offer", "127.0.0.1", "--port", port, "--user",
                            "CONTOSO\\expert", "--password", "Exp3rt-Pw!", "--interface", iface,
                            "--session", session, "--auth-level", "integrity", "--trace", trace,
                            "-q"], check=True, stdout=subprocess.DEVNULL)
            traces.append(trace)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait()
    return traces


def main():
    build, out = sys.argv[1], sys.argv[2]
    types = type_table(build)
    names = method_names(build)
    seeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for trace in record(build, tmp):
            for iface, opnum, direction, stub in stubs_of(trace):
                method = names.get((iface, opnum))
                if method:
                    seeds.setdefault("%s_%s_%s" % (iface, method, direction), stub)
    orpcthis = seeds["IRASrv_GetSessionInfo_in"][:32]
    orpcthat = seeds["IRASrv_GetSessionInfo_out"][:8]
    hresult = b"\0\0\0\0"
    for name in types:
        if name in seeds:
            continue
        m = re.match(r"(\w+?)_(get_|put_)?(\w+)_(in|out)$", name)
        iface, accessor, prop, direction = m.groups()
        getter_out = seeds.get("%s_get_%s_out" % (iface, prop))
        if prop == "_NewEnum" and direction == "out":
            seeds[name] = seeds["IPCHService_RemoteUserSessionInfo_out"]
        elif direction == "in" and accessor == "put_" and getter_out:
            seeds[name] = orpcthis + getter_out[8:-4]
        elif direction == "in":
            seeds[name] = orpcthis
        else:
            seeds[name] = orpcthat + hresult
    os.makedirs(out, exist_ok=True)
    for index, name in enumerate(types):
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(bytes([index]) + seeds[name])
    print("%d seeds in %s" % (len(types), out))


if __name__ == "__main__":
    main()
