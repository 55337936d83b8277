#!/usr/bin/python3
"""Writes the spec-*.hex and bad-*.hex PDU vectors of this folder from the layouts of [C706]
12.6 and [MS-RPCE] 2.2.2, field by field, independently of the C code under test.

Run: /usr/bin/python3 testdata/pdu/gen-spec-vectors.py (writes into its own folder).
"""
import os
import struct
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<L", v)
def uid(s): return uuid.UUID(s).bytes_le


NDR20 = (uid("8a885d04-1ceb-11c9-9fe8-08002b104860"), 2, 0)
NDR64 = (uid("71710533-beba-4937-8319-b5dbef9ccc36"), 1, 0)
BTFN3 = (uid("6cb71c2c-9812-4540-0300-000000000000"), 1, 0)
IOXID = (uid("99fcfec4-5260-101b-bbcb-00aa0021347a"), 0, 0)
EPM = (uid("e1af8308-5d1f-11c9-91a4-08002b14a0fa"), 3, 0)


class Pdu:
    def __init__(self):
        self.rows = []

    def add(self, data, label):
        self.rows.append((data, label))

    def bytes(self):
        return b"".join(d for d, _ in self.rows)


def header(p, ptype, flags, call_id, frag, auth_len=0, drep=b"\x10\x00\x00\x00", vers=(5, 0)):
    p.add(bytes([vers[0], vers[1], ptype, flags]),
          "rpc_vers %d, rpc_vers_minor %d, PTYPE %d, pfc_flags 0x%02x" % (vers[0], vers[1], ptype,
                                                                          flags))
    p.add(drep, "packed_drep")
    p.add(u16(frag) + u16(auth_len), "frag_length %d, auth_length %d" % (frag, auth_len))
    p.add(u32(call_id), "call_id %d" % call_id)


def syntax(p, s, label):
    p.add(s[0], label)
    p.add(u16(s[1]) + u16(s[2]), "  version %d.%d" % (s[1], s[2]))


def write(name, comment, p, directives, fix_length=True):
    data = p.bytes()
    rows = p.rows
    if fix_length:  # patch frag_length in the third row
        d, label = rows[2]
        auth_len = struct.unpack("<H", d[2:4])[0]
        rows[2] = (u16(len(data)) + d[2:4], "frag_length %d, auth_length %d" % (len(data),
                                                                               auth_len))
    lines = ["# " + c for c in comment] + ["# %s: %s" % kv for kv in directives]
    off = 0
    for chunk, label in rows:
        for i in range(0, max(len(chunk), 1), 16):
            part = chunk[i:i + 16]
            if not part:
                break
            lines.append("%04x  %-48s | %s" % (off, " ".join("%02x" % x for x in part),
                                              label if i == 0 else label + " (cont.)"))
            off += len(part)
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def bind_multi():
    p = Pdu()
    header(p, 11, 0x07, 2, 0)
    p.add(u16(5840) + u16(5840), "max_xmit_frag 5840, max_recv_frag 5840")
    p.add(u32(0x1234), "assoc_group_id 0x1234")
    p.add(bytes([3, 0, 0, 0]), "n_context_elem 3, reserved, reserved2")
    for ctx, ts, label in ((0, NDR20, "NDR 2.0"), (1, NDR64, "NDR64"),
                           (2, BTFN3, "bind time feature negotiation, bitmask 0x3")):
        p.add(u16(ctx) + bytes([1, 0]), "p_cont_id %d, n_transfer_syn 1, reserved" % ctx)
        syntax(p, IOXID, "abstract_syntax IObjectExporter")
        syntax(p, ts, "transfer_syntax " + label)
    write("spec-bind-three-contexts.hex",
          ["A bind as Windows clients send it: one abstract syntax offered with NDR 2.0, NDR64",
           "and bind time feature negotiation in three contexts; PFC_SUPPORT_HEADER_SIGN set."],
          p, [("expect", "bind call_id=2 flags=0x07 max_xmit=5840 max_recv=5840 "
               "assoc_group=0x1234 contexts=3"), ("roundtrip", "yes")])


def alter_two_syntaxes():
    p = Pdu()
    header(p, 14, 0x03, 3, 0)
    p.add(u16(4280) + u16(4280), "max_xmit_frag 4280, max_recv_frag 4280")
    p.add(u32(0x1234), "assoc_group_id 0x1234")
    p.add(bytes([1, 0, 0, 0]), "n_context_elem 1, reserved, reserved2")
    p.add(u16(1) + bytes([2, 0]), "p_cont_id 1, n_transfer_syn 2, reserved")
    syntax(p, EPM, "abstract_syntax epmapper")
    syntax(p, NDR64, "transfer_syntax[0] NDR64")
    syntax(p, NDR20, "transfer_syntax[1] NDR 2.0")
    write("spec-alter-context.hex",
          ["An alter_context offering two transfer syntaxes for the endpoint mapper."],
          p, [("expect", "alter_context call_id=3 flags=0x03 max_xmit=4280 max_recv=4280 "
               "assoc_group=0x1234 contexts=1"), ("roundtrip", "yes")])


def bind_ack():
    p = Pdu()
    header(p, 12, 0x07, 2, 0)
    p.add(u16(5840) + u16(5840), "max_xmit_frag 5840, max_recv_frag 5840")
    p.add(u32(0x1234), "assoc_group_id 0x1234")
    p.add(u16(4) + b"135\x00", "sec_addr: length 4, port_spec \"135\\0\"")
    p.add(b"\x00\x00", "pad to 4")
    p.add(bytes([3, 0, 0, 0]), "n_results 3, reserved, reserved2")
    p.add(u16(0) + u16(0), "result acceptance, reason 0")
    syntax(p, NDR20, "  transfer_syntax NDR 2.0")
    p.add(u16(2) + u16(2), "result provider_rejection, reason proposed_transfer_syntaxes_"
          "not_supported")
    p.add(b"\x00" * 20, "  transfer_syntax nil")
    p.add(u16(3) + u16(3), "result negotiate_ack, features 0x3")
    p.add(b"\x00" * 20, "  transfer_syntax nil")
    write("spec-bind-ack.hex",
          ["The bind_ack for spec-bind-three-contexts.hex: NDR 2.0 accepted, NDR64 refused,",
           "bind time features acknowledged."],
          p, [("expect", "bind_ack call_id=2 flags=0x07 max_xmit=5840 max_recv=5840 "
               "assoc_group=0x1234 results=3"), ("roundtrip", "yes")])


def alter_resp():
    p = Pdu()
    header(p, 15, 0x03, 3, 0)
    p.add(u16(4280) + u16(4280), "max_xmit_frag 4280, max_recv_frag 4280")
    p.add(u32(0x1234), "assoc_group_id 0x1234")
    p.add(u16(0), "sec_addr: length 0")
    p.add(b"\x00\x00", "pad to 4")
    p.add(bytes([1, 0, 0, 0]), "n_results 1, reserved, reserved2")
    p.add(u16(0) + u16(0), "result acceptance, reason 0")
    syntax(p, NDR20, "  transfer_syntax NDR 2.0")
    write("spec-alter-context-resp.hex",
          ["An alter_context_resp with an empty secondary address."],
          p, [("expect", "alter_context_resp call_id=3 flags=0x03 max_xmit=4280 max_recv=4280 "
               "assoc_group=0x1234 results=1"), ("roundtrip", "yes")])


def bind_nak():
    p = Pdu()
    header(p, 13, 0x03, 2, 0)
    p.add(u16(4), "provider_reject_reason protocol_version_not_supported")
    p.add(bytes([1, 5, 0]), "n_protocols 1, version 5.0")
    p.add(b"\x00\x00\x00", "pad to 4")
    p.add(uid("90740320-fad0-11d3-82d7-009027b130ab"),
          "Signature: extended error information ([MS-RPCE] 2.2.1.1.2)")
    write("spec-bind-nak.hex", ["A bind_nak with a version list and the [MS-RPCE] signature."],
          p, [("expect", "bind_nak call_id=2 flags=0x03 reason=4"), ("roundtrip", "yes")])


def request_plain():
    p = Pdu()
    header(p, 0, 0x03, 4, 0)
    p.add(u32(0), "alloc_hint 0")
    p.add(u16(0) + u16(5), "p_cont_id 0, opnum 5 (ServerAlive2)")
    write("spec-request.hex", ["A request without stub or verifier (ServerAlive2)."],
          p, [("expect", "request call_id=4 flags=0x03 ctx=0 opnum=5 alloc_hint=0 stub=0"),
              ("roundtrip", "yes")])


def response():
    p = Pdu()
    header(p, 2, 0x03, 4, 0)
    p.add(u32(12), "alloc_hint 12")
    p.add(u16(0) + bytes([0, 0]), "p_cont_id 0, cancel_count 0, reserved")
    p.add(u16(5) + u16(7) + u32(0) + u32(0), "stub: 12 bytes")
    write("spec-response.hex", ["A response with a 12-byte stub."],
          p, [("expect", "response call_id=4 flags=0x03 ctx=0 alloc_hint=12 stub=12"),
              ("roundtrip", "yes")])


def request_first_frag():
    p = Pdu()
    header(p, 0, 0x01, 9, 0)
    p.add(u32(100), "alloc_hint 100 (the whole stub)")
    p.add(u16(1) + u16(4), "p_cont_id 1, opnum 4")
    p.add(bytes(range(8)), "stub: first 8 bytes")
    write("spec-request-first-fragment.hex", ["The first fragment (PFC_FIRST_FRAG only) of a call."],
          p, [("expect", "request call_id=9 flags=0x01 ctx=1 opnum=4 alloc_hint=100 stub=8"),
              ("roundtrip", "yes")])


def fault(short):
    p = Pdu()
    header(p, 3, 0x23 if not short else 0x03, 4, 0)
    p.add(u32(32 if not short else 0), "alloc_hint")
    p.add(u16(0) + bytes([0, 0]), "p_cont_id 0, cancel_count 0, reserved (flags)")
    p.add(u32(0x1c010002), "status nca_s_op_rng_error")
    if not short:
        p.add(u32(0), "reserved2")
    name = "spec-fault-short.hex" if short else "spec-fault.hex"
    comment = (["A fault that ends after status (some stacks omit reserved2)."] if short else
               ["A fault for an unknown opnum, PFC_DID_NOT_EXECUTE set."])
    flags = 0x03 if short else 0x23
    write(name, comment, p,
          [("expect", "fault call_id=4 flags=0x%02x ctx=0 status=0x1c010002 (nca_s_op_rng_error)"
            % flags), ("roundtrip", "no (we always write reserved2)" if short else "yes")])


def empty(ptype, name, pname):
    p = Pdu()
    header(p, ptype, 0x03, 0 if ptype == 17 else 7, 0)
    write(name, ["A %s PDU (header only)." % pname], p,
          [("expect", "%s call_id=%d flags=0x03" % (pname, 0 if ptype == 17 else 7)),
           ("roundtrip", "yes")])


def bad(name, comment, p, error, fix_length=True):
    write(name, comment, p, [("error", error)], fix_length)


def negatives():
    p = Pdu()
    header(p, 0, 0x03, 1, 0)
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    rows = p.rows
    p.rows[2] = (u16(200) + u16(0), "frag_length 200 (a lie: the PDU has 24 bytes)")
    bad("bad-frag-length.hex", ["frag_length larger than the PDU."], p, "MALFORMED", False)

    p = Pdu()
    header(p, 0, 0x03, 1, 0, auth_len=64)
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    bad("bad-auth-length.hex", ["auth_length 64 does not fit in a 24-byte PDU."], p, "MALFORMED")

    p = Pdu()
    header(p, 0, 0x03, 1, 0, drep=b"\x00\x00\x00\x00")
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    bad("bad-big-endian.hex", ["drep 0x00: big-endian integers (refused, not misread)."], p,
        "UNSUPPORTED")

    p = Pdu()
    header(p, 0, 0x03, 1, 0, drep=b"\x10\x01\x00\x00")
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    bad("bad-vax-float.hex", ["drep[1] 1: VAX floating point (refused)."], p, "UNSUPPORTED")

    p = Pdu()
    header(p, 0, 0x03, 1, 0, vers=(4, 0))
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    bad("bad-version.hex", ["RPC version 4.0 (connectionless)."], p, "UNSUPPORTED")

    p = Pdu()
    header(p, 1, 0x03, 1, 0)
    bad("bad-ptype.hex", ["PTYPE 1 (ping) is connectionless only."], p, "MALFORMED")

    p = Pdu()
    header(p, 0, 0x03, 1, 0, auth_len=16)
    p.add(u32(0) + u16(0) + u16(0), "alloc_hint, p_cont_id, opnum")
    p.add(b"\x00" * 4, "stub: 4 bytes")
    p.add(bytes([10, 6, 9, 0]) + u32(1), "sec_trailer: auth_pad_length 9 > the 4 stub bytes")
    p.add(b"\x00" * 16, "auth_value")
    bad("bad-auth-pad.hex", ["auth_pad_length larger than the stub."], p, "MALFORMED")

    p = Pdu()
    header(p, 11, 0x03, 1, 0)
    p.add(u16(5840) + u16(5840) + u32(0), "max frags, assoc_group_id")
    p.add(bytes([255, 0, 0, 0]), "n_context_elem 255 (none follow)")
    bad("bad-bind-context-count.hex", ["A bind announcing 255 contexts and carrying none."], p,
        "MALFORMED")

    p = Pdu()
    header(p, 11, 0x03, 1, 0)
    p.add(u16(5840) + u16(5840) + u32(0), "max frags, assoc_group_id")
    p.add(bytes([1, 0, 0, 0]), "n_context_elem 1")
    p.add(u16(0) + bytes([200, 0]), "p_cont_id 0, n_transfer_syn 200 (one follows)")
    syntax(p, IOXID, "abstract_syntax")
    syntax(p, NDR20, "transfer_syntax")
    bad("bad-bind-syntax-count.hex", ["A context announcing 200 transfer syntaxes."], p,
        "MALFORMED")

    p = Pdu()
    header(p, 16, 0x03, 1, 0)
    p.add(b"\x00" * 4, "pad")
    bad("bad-auth3-no-verifier.hex", ["An auth3 without sec_trailer."], p, "MALFORMED")

    p = Pdu()
    header(p, 12, 0x03, 1, 0)
    p.add(u16(5840) + u16(5840) + u32(0), "max frags, assoc_group_id")
    p.add(u16(40) + b"135\x00", "sec_addr: length 40 (only 4 follow)")
    bad("bad-bind-ack-secaddr.hex", ["A secondary address running past the PDU."], p,
        "MALFORMED")

    p = Pdu()
    p.add(b"\x05\x00\x00\x03\x10\x00", "a header cut after 6 bytes")
    bad("bad-truncated-header.hex", ["Six bytes of a header."], p, "MALFORMED", False)


def main():
    bind_multi()
    alter_two_syntaxes()
    bind_ack()
    alter_resp()
    bind_nak()
    request_plain()
    request_first_frag()
    response()
    fault(False)
    fault(True)
    empty(17, "spec-shutdown.hex", "shutdown")
    empty(18, "spec-co-cancel.hex", "co_cancel")
    empty(19, "spec-orphaned.hex", "orphaned")
    negatives()


if __name__ == "__main__":
    main()
