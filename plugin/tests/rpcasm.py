#!/usr/bin/python3
"""rpcasm: assemble an annotated MS-RAI test case into a DCE/RPC-over-TCP capture.

A case file holds the stub data of each call as annotated fields; rpcasm adds everything around
it (bind/bind_ack or alter_context, request/response/fault headers, fragmentation) as [C706] 12.6
and [MS-RPCE] 2.2.2 define it, writes a text2pcap hex dump, and runs text2pcap to frame each PDU
in its own TCP segment (client 10.0.0.1:49700, server 10.0.0.2:49155).

Case syntax (one directive or field per line; '#' outside quotes starts a comment; strings are
in double or single quotes, shell style):
  title TEXT                      what the case shows (kept in the dump only)
  fields NAME...                  extra fields for the `tshark -T fields` golden (run-golden.sh)
  context N IFACE                 present interface IFACE (a name below or a UUID) as context N;
                                  the first one is a bind, later ones alter_context
  request OPNUM [ctx=N] [ipid=GUID] [call=N] [frag=BYTES] [noobject]
  response [call=N] [frag=BYTES]  (call defaults to the last request's)
  fault STATUS [call=N]           a fault PDU with that status
Stub fields, after request/response:
  hex bytes (e.g. `55 73 65 72` or `55736572`), written as they are
  u8|u16|u32|u64|i32 VALUE        little-endian integers (decimal or 0x hex), aligned to their
                                  size first as NDR does (write hex bytes for unaligned data)
  align N                         zero bytes up to a multiple of N from the stub start (NDR)
  clsize ... clsize-end           a wireVARIANT's clSize ([MS-OAUT] 2.2.29.2): align 8 and a u32
                                  that clsize-end sets to the bytes written since, in 8-byte
                                  units rounded up (write `u32 N` instead for a deliberately wrong one)
  guid XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX   a GUID in its little-endian wire form
  utf16 "TEXT" / utf16z "TEXT"    UTF-16LE, without / with a terminating NUL
  blob-file PATH / wstring-file PATH   the same with the text of a file (relative to the case;
                                  one trailing line break dropped)
  blob "TEXT"                     FLAGGED_WORD_BLOB ([MS-OAUT] 2.2.23.1): align 4, conformance,
                                  cBytes, clSize, UTF-16LE (the body of a BSTR)
  wstring "TEXT"                  conformant varying string ([C706] 14.3.4): align 4, max count,
                                  offset 0, actual count (NUL included), UTF-16LE + NUL
  interface-pointer iid=IFACE|GUID [ipid=GUID] [oxid=N] [oid=N] [tcp=ADDR[PORT],...]
                    [authn=N,...]  MInterfacePointer with an OBJREF_STANDARD ([MS-DCOM] 2.2.14,
                                  2.2.18.4): align 4, conformance, ulCntData, 'MEOW', flags 1, IID,
                                  STDOBJREF, DUALSTRINGARRAY (ncacn_ip_tcp bindings, security
                                  bindings with empty principal names)
  orpcthis / orpcthat             ORPCTHIS ([MS-DCOM] 2.2.13.1, version 5.7, no extensions) /
                                  ORPCTHAT (flags 0, no extensions)

Usage: rpcasm.py CASE -o OUT.pcap [--repeat N] [--text2pcap PATH] [--hexdump-only]
"""
import argparse
import os
import re
import shlex
import struct
import subprocess
import sys
import uuid as uuidlib

INTERFACES = {
    "IRASrv": "F120A684-B926-447F-9DF4-C966CB785648",
    "IPCHService": "833E4200-AFF7-4AC3-AAC2-9F24C1457BCE",
    "IPCHCollection": "833E4100-AFF7-4AC3-AAC2-9F24C1457BCE",
    "ISAFSession": "833E41AA-AFF7-4AC3-AAC2-9F24C1457BCE",
    "IRemUnknown2": "00000143-0000-0000-C000-000000000046",
    "IUnknown": "00000000-0000-0000-C000-000000000046",
    "IDispatch": "00020400-0000-0000-C000-000000000046",
    "IEnumVARIANT": "00020404-0000-0000-C000-000000000046",
}
NDR = "8A885D04-1CEB-11C9-9FE8-08002B104860"
CAUSALITY = "5A6F1B2C-3D4E-4F50-8192-A3B4C5D6E7F8"
DEFAULT_IPID = "0000A401-0B14-0000-2F9C-6E5E1C7A52B0"


class CaseError(Exception):
    pass


def guid_bytes(text):
    try:
        return uuidlib.UUID(text).bytes_le
    except ValueError:
        raise CaseError("bad GUID %r" % text)


def number(text):
    try:
        return int(text, 0)
    except ValueError:
        raise CaseError("bad number %r" % text)


class Stub:
    def __init__(self, base_dir="."):
        self.data = bytearray()
        self.base_dir = base_dir
        self.clsize_at = []  # open `clsize` placeholders (offsets), innermost last

    def align(self, n):
        while len(self.data) % n:
            self.data.append(0)

    def add_interface_pointer(self, words):
        """MInterfacePointer ([MS-DCOM] 2.2.14): conformance, ulCntData, OBJREF bytes."""
        o = options(words, {"iid", "ipid", "oxid", "oid", "tcp", "authn"})
        bindings = [(0x07, a) for a in o.get("tcp", "10.0.0.2[49155]").split(",") if a]
        authn = [number(a) for a in o.get("authn", "10,9").split(",") if a]
        objref = objref_standard(INTERFACES.get(o["iid"], o["iid"]), o.get("ipid", DEFAULT_IPID),
                                 number(o.get("oxid", "0x8877665544332211")),
                                 number(o.get("oid", "0x1122334455667788")), bindings, authn)
        self.align(4)
        self.data += struct.pack("<II", len(objref), len(objref)) + objref

    def add_field(self, words, line):
        op = words[0]
        if op in ("u8", "u16", "u32", "u64", "i32"):
            fmt = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i32": "<i"}[op]
            self.align(struct.calcsize(fmt))  # NDR aligns integers to their size
            self.data += struct.pack(fmt, number(words[1]))
        elif op == "align":
            self.align(number(words[1]))
        elif op == "clsize":
            self.align(8)
            self.clsize_at.append(len(self.data))
            self.data += struct.pack("<I", 0)
        elif op == "clsize-end":
            if not self.clsize_at:
                raise CaseError("clsize-end without clsize")
            start = self.clsize_at.pop()
            struct.pack_into("<I", self.data, start, (len(self.data) - start + 7) // 8)
        elif op == "guid":
            self.data += guid_bytes(words[1])
        elif op in ("utf16", "utf16z"):
            self.data += words[1].encode("utf-16-le")
            if op == "utf16z":
                self.data += b"\0\0"
        elif op in ("blob-file", "wstring-file"):
            path = os.path.join(self.base_dir, words[1])
            with open(path, encoding="utf-8") as f:
                text = f.read().rstrip("\r\n")
            self.add_field([op[:-5], text], line)
        elif op == "blob":
            text = words[1].encode("utf-16-le")
            self.align(4)
            n = len(text) // 2
            self.data += struct.pack("<III", n, len(text), n) + text
        elif op == "wstring":
            text = words[1].encode("utf-16-le") + b"\0\0"
            self.align(4)
            n = len(text) // 2
            self.data += struct.pack("<III", n, 0, n) + text
        elif op == "interface-pointer":
            self.add_interface_pointer(words[1:])
        elif op == "orpcthis":
            # COMVERSION 5.7, flags, reserved, causality ID, no extensions (NULL pointer)
            self.data += struct.pack("<HHII", 5, 7, 0, 0) + guid_bytes(CAUSALITY)
            self.data += struct.pack("<I", 0)
        elif op == "orpcthat":
            self.data += struct.pack("<II", 0, 0)
        else:
            for word in words:
                if not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", word):
                    raise CaseError("line %d: not a field or hex bytes: %r" % (line, word))
                self.data += bytes.fromhex(word)


def objref_standard(iid, ipid, oxid, oid, bindings, authn):
    """OBJREF_STANDARD ([MS-DCOM] 2.2.18.4): 'MEOW', flags, IID, STDOBJREF, DUALSTRINGARRAY."""
    out = struct.pack("<II", 0x574F454D, 1) + guid_bytes(iid)
    out += struct.pack("<IIQQ", 0, 5, oxid, oid) + guid_bytes(ipid)
    entries = []
    for tower, addr in bindings:
        entries.append(struct.pack("<H", tower) + (addr + "\0").encode("utf-16-le"))
    strings = b"".join(entries) + b"\0\0"
    security = b"".join(struct.pack("<HH", a, 0xFFFF) + b"\0\0" for a in authn) + b"\0\0"
    out += struct.pack("<HH", (len(strings) + len(security)) // 2, len(strings) // 2)
    return out + strings + security


def options(words, allowed):
    opts = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
        else:
            k, v = w, "1"
        if k not in allowed:
            raise CaseError("unknown option %r" % k)
        opts[k] = v
    return opts


def strip_comment(raw):
    """The line without its comment: a '#' outside quotes starts one."""
    out, quote = [], None
    for ch in raw:
        if quote is None and ch in "\"'":
            quote = ch
        elif ch == quote:
            quote = None
        if ch == "#" and quote is None:
            break
        out.append(ch)
    return "".join(out).strip()


def parse_case(text, base_dir="."):
    """Returns the list of events: ('context', n, uuid), ('request', opts, stub), ..."""
    events = []
    current = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        first = raw.split(None, 1)[0] if raw.strip() else ""
        if first in ("title", "fields"):
            continue  # free text / read by run-golden.sh
        line = strip_comment(raw)
        if not line:
            continue
        try:
            words = shlex.split(line)
        except ValueError as e:
            raise CaseError("line %d: %s" % (lineno, e))
        op = words[0]
        if op == "context":
            name = words[2]
            events.append(("context", number(words[1]), INTERFACES.get(name, name)))
            current = None
        elif op == "request":
            opts = options(words[2:], {"ctx", "ipid", "call", "frag", "noobject"})
            opts["opnum"] = number(words[1])
            current = Stub(base_dir)
            events.append(("request", opts, current))
        elif op == "response":
            opts = options(words[1:], {"call", "frag"})
            current = Stub(base_dir)
            events.append(("response", opts, current))
        elif op == "fault":
            opts = options(words[2:], {"call"})
            opts["status"] = number(words[1])
            events.append(("fault", opts, None))
            current = None
        else:
            if current is None:
                raise CaseError("line %d: stub data outside a request or response" % lineno)
            try:
                current.add_field(words, lineno)
            except CaseError as e:
                raise CaseError("line %d: %s" % (lineno, e))
    for event in events:
        if event[2] is not None and not isinstance(event[2], str) and event[2].clsize_at:
            raise CaseError("a clsize without its clsize-end in a %s" % event[0])
    return events


def header(ptype, flags, call_id, body_len):
    # [C706] 12.6.3.1: version 5.0, ptype, flags, drep (little-endian, ASCII, IEEE), frag_len,
    # auth_len, call_id
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\x00\x00\x00", 16 + body_len, 0,
                       call_id)


def bind_pdu(ptype, call_id, ctx, iface):
    body = struct.pack("<HHI", 5840, 5840, 0 if ptype == 11 else 0x1F2E)
    body += struct.pack("<BBH", 1, 0, 0)  # one context, reserved
    body += struct.pack("<HBB", ctx, 1, 0)
    body += guid_bytes(iface) + struct.pack("<HH", 0, 0)  # DCOM interfaces are version 0.0
    body += guid_bytes(NDR) + struct.pack("<I", 2)
    return header(ptype, 0x03, call_id, len(body)) + body


def bind_ack_pdu(ptype, call_id):
    body = struct.pack("<HHI", 5840, 5840, 0x1F2E)
    port = b"49155\0" if ptype == 12 else b""
    body += struct.pack("<H", len(port)) + port
    while (16 + len(body)) % 4:
        body += b"\0"
    body += struct.pack("<BBH", 1, 0, 0)
    body += struct.pack("<HH", 0, 0) + guid_bytes(NDR) + struct.pack("<I", 2)
    return header(ptype, 0x03, call_id, len(body)) + body


def fragments(stub, frag):
    if not frag or len(stub) <= frag:
        return [(0x03, stub)]
    parts = [stub[i:i + frag] for i in range(0, len(stub), frag)]
    flags = [0x01] + [0x00] * (len(parts) - 2) + [0x02]
    return list(zip(flags, parts))


def assemble(events, repeat=1):
    """Returns [(direction, pdu bytes)]; 'I' is client to server."""
    packets = []
    contexts_seen = 0
    call_id = 0
    last_call = 0
    body = [e for e in events if e[0] != "context"]
    for kind, a, b in (e for e in events if e[0] == "context"):
        call_id += 1
        ptype = 11 if contexts_seen == 0 else 14
        packets.append(("I", bind_pdu(ptype, call_id, a, b)))
        packets.append(("O", bind_ack_pdu(12 if ptype == 11 else 15, call_id)))
        contexts_seen += 1
    if contexts_seen == 0:
        raise CaseError("no context (interface) given")
    for _ in range(repeat):
        for kind, opts, stub in body:
            if kind == "request":
                call_id = number(opts["call"]) if "call" in opts else call_id + 1
                last_call = call_id
                stub_bytes = bytes(stub.data)
                ctx = number(opts.get("ctx", "0"))
                obj = b"" if "noobject" in opts else guid_bytes(opts.get("ipid", DEFAULT_IPID))
                for flags, part in fragments(stub_bytes, number(opts.get("frag", "0"))):
                    pre = struct.pack("<IHH", len(stub_bytes), ctx, opts["opnum"])
                    pdu_body = pre + obj + part
                    packets.append(("I", header(0, flags | (0x80 if obj else 0), call_id,
                                                len(pdu_body)) + pdu_body))
            elif kind == "response":
                cid = number(opts["call"]) if "call" in opts else last_call
                stub_bytes = bytes(stub.data)
                for flags, part in fragments(stub_bytes, number(opts.get("frag", "0"))):
                    pdu_body = struct.pack("<IHBB", len(stub_bytes), 0, 0, 0) + part
                    packets.append(("O", header(2, flags, cid, len(pdu_body)) + pdu_body))
            elif kind == "fault":
                cid = number(opts["call"]) if "call" in opts else last_call
                pdu_body = struct.pack("<IHBBII", 0, 0, 0, 0, opts["status"], 0)
                packets.append(("O", header(3, 0x03, cid, len(pdu_body)) + pdu_body))
    return packets


def hexdump(packets):
    out = []
    for i, (direction, data) in enumerate(packets):
        # fixed timestamps (one millisecond apart) keep the capture reproducible
        secs, ms = divmod(i, 1000)
        out.append("%s 2024-05-01T%02d:%02d:%02d.%03d000Z"
                   % (direction, 10 + secs // 3600, secs // 60 % 60, secs % 60, ms))
        for off in range(0, len(data), 16):
            chunk = data[off:off + 16]
            out.append("%06x %s" % (off, " ".join("%02x" % b for b in chunk)))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--repeat", type=int, default=1, help="repeat the calls N times")
    ap.add_argument("--text2pcap", default="text2pcap")
    ap.add_argument("--hexdump-only", action="store_true",
                    help="write the text2pcap input instead of a capture")
    args = ap.parse_args()
    try:
        with open(args.case, encoding="utf-8") as f:
            events = parse_case(f.read(), os.path.dirname(os.path.abspath(args.case)))
        packets = assemble(events, args.repeat)
    except (CaseError, OSError) as e:
        print("rpcasm: %s: %s" % (args.case, e), file=sys.stderr)
        return 1
    dump = hexdump(packets)
    if args.hexdump_only:
        with open(args.output, "w") as f:
            f.write(dump)
        return 0
    proc = subprocess.run([args.text2pcap, "-q", "-D", "-t", "ISO", "-F", "pcap",
                           "-T", "49700,49155", "-4", "10.0.0.1,10.0.0.2", "-", args.output],
                          input=dump.encode(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        print("rpcasm: text2pcap failed: %s" % proc.stderr.decode(errors="replace"),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
