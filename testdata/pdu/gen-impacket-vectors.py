#!/usr/bin/python3
"""Regenerates the impacket-*.hex PDU vectors in this folder with impacket's own classes.

These vectors are a second, independent encoder's output: impacket 0.10 (Debian
python3-impacket) builds the PDUs exactly as its DCERPC_v5 transport does (bind with an NTLM
NEGOTIATE, auth3, and requests sealed at PKT_PRIVACY, the signature over the whole PDU). The NTLM
session is the [MS-NLMP] 4.2.4 example (flags 0xe2888235, ExportedSessionKey 55..55), so that a
server context built from testdata/ntlmssp/ms-nlmp-4.2.4-authenticate.hex has the same keys.

Run: /usr/bin/python3 testdata/pdu/gen-impacket-vectors.py (writes into its own folder).
"""
import os
import struct

from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.dcerpc.v5 import rpcrt
from impacket.uuid import uuidtup_to_bin

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = 0xE2888235
SESSION_KEY = b"\x55" * 16
IOBJECT_EXPORTER = ("99FCFEC4-5260-101B-BBCB-00AA0021347A", "0.0")
NDR20 = ("8a885d04-1ceb-11c9-9fe8-08002b104860", "2.0")
AUTH_CTX_ID = 79231  # impacket: self._ctx + 79231


def annotate_header(b, rows):
    rows.append((b[0:4], "rpc_vers 5, rpc_vers_minor 0, PTYPE %d, pfc_flags 0x%02x" % (b[2], b[3])))
    rows.append((b[4:8], "packed_drep: little-endian, ASCII, IEEE"))
    fl, al, cid = struct.unpack("<HHL", b[8:16])
    rows.append((b[8:12], "frag_length %d, auth_length %d" % (fl, al)))
    rows.append((b[12:16], "call_id %d" % cid))


def annotate_trailer(b, off, rows):
    t = b[off:off + 8]
    rows.append((t[0:4], "sec_trailer: auth_type %d, auth_level %d, auth_pad_length %d, reserved"
                 % (t[0], t[1], t[2])))
    rows.append((t[4:8], "auth_context_id %d" % struct.unpack("<L", t[4:8])[0]))


def write(name, comment, rows, directives):
    lines = ["# " + c for c in comment]
    lines += ["# %s: %s" % kv for kv in directives]
    off = 0
    for chunk, label in rows:
        for i in range(0, len(chunk), 16):
            part = chunk[i:i + 16]
            lines.append("%04x  %-48s | %s" % (off, " ".join("%02x" % x for x in part),
                                              label if i == 0 else label + " (cont.)"))
            off += len(part)
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def bind_vector():
    bind = rpcrt.MSRPCBind()
    item = rpcrt.CtxItem()
    item["AbstractSyntax"] = uuidtup_to_bin(IOBJECT_EXPORTER)
    item["TransferSyntax"] = uuidtup_to_bin(NDR20)
    item["ContextID"] = 0
    item["TransItems"] = 1
    bind.addCtxItem(item)
    packet = rpcrt.MSRPCHeader()
    packet["type"] = rpcrt.MSRPC_BIND
    packet["pduData"] = bind.getData()
    packet["call_id"] = 1
    auth = ntlm.getNTLMSSPType1("", "", signingRequired=True, use_ntlmv2=True)
    sec = rpcrt.SEC_TRAILER()
    sec["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
    sec["auth_level"] = rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY
    sec["auth_ctx_id"] = AUTH_CTX_ID
    pad = (4 - (len(packet.get_packet()) % 4)) % 4
    if pad:
        packet["pduData"] += b"\xFF" * pad
        sec["auth_pad_len"] = pad
    packet["sec_trailer"] = sec
    packet["auth_data"] = auth
    b = packet.get_packet()
    rows = []
    annotate_header(b, rows)
    rows.append((b[16:20], "max_xmit_frag %d, max_recv_frag %d" % struct.unpack("<HH", b[16:20])))
    rows.append((b[20:24], "assoc_group_id 0"))
    rows.append((b[24:28], "n_context_elem 1, reserved, reserved2"))
    rows.append((b[28:32], "p_cont_id 0, n_transfer_syn 1, reserved"))
    rows.append((b[32:48], "abstract_syntax: IObjectExporter 99fcfec4-5260-101b-bbcb-00aa0021347a"))
    rows.append((b[48:52], "  if_version 0.0"))
    rows.append((b[52:68], "transfer_syntax: NDR 8a885d04-1ceb-11c9-9fe8-08002b104860"))
    rows.append((b[68:72], "  version 2.0"))
    off = 72
    if pad:
        rows.append((b[off:off + pad], "auth padding"))
        off += pad
    annotate_trailer(b, off, rows)
    rows.append((b[off + 8:], "auth_value: NTLMSSP NEGOTIATE (flags 0x%08x)"
                 % struct.unpack("<L", b[off + 20:off + 24])[0]))
    write("impacket-bind-ntlm.hex",
          ["A bind for IObjectExporter with an NTLM NEGOTIATE at PKT_PRIVACY, built by impacket",
           "0.10's rpcrt classes (gen-impacket-vectors.py)."],
          rows, [("expect", "bind call_id=1 flags=0x03 max_xmit=4280 max_recv=4280 assoc_group=0x0 "
                  "contexts=1 auth=type 10 level 6 ctx 79231 len %d" % len(auth.getData())),
                 ("roundtrip", "yes")])


def auth3_vector():
    with open(os.path.join(HERE, "..", "ntlmssp", "ms-nlmp-4.2.4-authenticate.hex")) as f:
        auth = b"".join(bytes.fromhex(l[6:].split("|")[0].replace(" ", ""))
                        for l in f if l.strip() and not l.startswith("#"))
    auth3 = rpcrt.MSRPCHeader()
    auth3["type"] = rpcrt.MSRPC_AUTH3
    auth3["pduData"] = b"    "
    sec = rpcrt.SEC_TRAILER()
    sec["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
    sec["auth_level"] = rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY
    sec["auth_ctx_id"] = AUTH_CTX_ID
    auth3["sec_trailer"] = sec
    auth3["auth_data"] = auth
    auth3["call_id"] = 1
    b = auth3.get_packet()
    rows = []
    annotate_header(b, rows)
    rows.append((b[16:20], "pad (impacket sends four spaces; any value)"))
    annotate_trailer(b, 20, rows)
    rows.append((b[28:], "auth_value: the [MS-NLMP] 4.2.4.3 AUTHENTICATE"))
    write("impacket-auth3.hex",
          ["An auth3 as impacket 0.10 sends it, carrying the [MS-NLMP] 4.2.4.3 AUTHENTICATE",
           "(gen-impacket-vectors.py)."],
          rows, [("expect", "auth3 call_id=1 flags=0x03 auth=type 10 level 6 ctx 79231 len 232"),
                 ("roundtrip", "no (impacket's pad is four spaces, ours four zeros)")])


class Session:
    def __init__(self):
        self.sign = ntlm.SIGNKEY(FLAGS, SESSION_KEY)
        self.seal = ntlm.SEALKEY(FLAGS, SESSION_KEY)
        self.handle = ARC4.new(self.seal).encrypt
        self.seq = 0


def sealed_request(session, call_id, opnum, stub, name, comment, obj=None, level=None):
    level = level or rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY
    # The steps of impacket's DCERPC_v5._transport_send at PKT_PRIVACY with NTLM.
    req = rpcrt.MSRPCRequestHeader()
    req["op_num"] = opnum
    req["pduData"] = stub
    req["call_id"] = call_id
    req["ctx_id"] = 0
    req["alloc_hint"] = len(stub)
    if obj is not None:
        req["flags"] |= rpcrt.PFC_OBJECT_UUID
        req["uuid"] = obj
    sec = rpcrt.SEC_TRAILER()
    sec["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
    sec["auth_level"] = level
    sec["auth_pad_len"] = 0
    sec["auth_ctx_id"] = AUTH_CTX_ID
    pad = (4 - (len(req.get_packet()) % 4)) % 4
    if pad:
        req["pduData"] += b"\xBB" * pad
        sec["auth_pad_len"] = pad
    req["sec_trailer"] = sec.getData()
    req["auth_data"] = b" " * 16
    plain = req["pduData"]
    if level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
        sealed, signature = ntlm.SEAL(FLAGS, session.sign, session.seal, req.get_packet()[:-16],
                                      plain, session.seq, session.handle)
        req["pduData"] = sealed
    else:
        signature = ntlm.SIGN(FLAGS, session.sign, req.get_packet()[:-16], session.seq,
                              session.handle)
    req["sec_trailer"] = sec.getData()
    req["auth_data"] = signature
    session.seq += 1
    b = req.get_packet()
    rows = []
    sealed_note = " (sealed)" if level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY else ""
    annotate_header(b, rows)
    rows.append((b[16:20], "alloc_hint %d" % len(stub)))
    rows.append((b[20:24], "p_cont_id 0, opnum %d" % opnum))
    off = 24
    if obj is not None:
        rows.append((b[24:40], "object UUID (PFC_OBJECT_UUID)"))
        off = 40
    if stub:
        rows.append((b[off:off + len(stub)], "stub data" + sealed_note))
    if pad:
        rows.append((b[off + len(stub):off + len(stub) + pad], "auth padding" + sealed_note))
    toff = off + len(stub) + pad
    annotate_trailer(b, toff, rows)
    rows.append((b[toff + 8:toff + 12], "signature: version 1"))
    rows.append((b[toff + 12:toff + 20], "signature: checksum (RC4)"))
    rows.append((b[toff + 20:], "signature: SeqNum %d" % (session.seq - 1)))
    obj_desc = ""
    if obj is not None:
        obj_desc = " object=" + str(__import__("uuid").UUID(bytes_le=obj))
    write(name, comment, rows,
          [("expect", "request call_id=%d flags=0x%02x ctx=0 opnum=%d alloc_hint=%d stub=%d%s "
            "auth=type 10 level %d ctx 79231 len 16"
            % (call_id, b[3], opnum, len(stub), len(stub), obj_desc, level)),
           ("roundtrip", "no (impacket pads with 0xbb to 4 bytes, we pad with zeros to 16)"),
           ("plaintext-stub", stub.hex() if stub else "(empty)")])


def main():
    bind_vector()
    auth3_vector()
    s = Session()
    sealed_request(s, 2, 5, b"", "impacket-request-sealed-0.hex",
                   ["ServerAlive2 (opnum 5, no [in] data) sealed by impacket 0.10 at PKT_PRIVACY,",
                    "NTLM SeqNum 0 of the [MS-NLMP] 4.2.4 session (gen-impacket-vectors.py)."])
    obj = bytes.fromhex("00112233445566778899aabbccddeeff")
    sealed_request(s, 3, 7, b"Remote Assistance", "impacket-request-sealed-1.hex",
                   ["A request with an object UUID and a 17-byte stub, sealed by impacket 0.10,",
                    "SeqNum 1 of the same session (gen-impacket-vectors.py)."], obj)
    sealed_request(s, 4, 6, b"\x01\x02\x03\x04\x05", "impacket-request-signed-2.hex",
                   ["A request signed (PKT_INTEGRITY) by impacket 0.10, SeqNum 2 of the same",
                    "session: the checksum goes through the same RC4 state (KEY_EXCH)",
                    "(gen-impacket-vectors.py)."], None, rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)


if __name__ == "__main__":
    main()
