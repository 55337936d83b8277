#!/usr/bin/python3
"""Writes the OLE Automation NDR vectors of this folder ([MS-OAUT] 2.2.23 BSTR, 2.2.29 VARIANT,
2.2.30 SAFEARRAY; [MS-DCOM] 2.2.14 MInterfacePointer).

- win-*.hex: the Windows user-marshal forms, written field by field from the specification and
  the layouts Wine's oleaut32 tests pin (which pass on Windows);
- wine-*.hex: Wine's 8-byte alignment after the 'User' prefix;
- impacket-*.hex: bytes produced by impacket 0.10's oaut classes (referent IDs made
  reproducible by seeding Python's random module);
- bad-*.hex: malformed inputs with the error class they must get.
Each file names the type (`# type:`), the expected print (`# print:` lines) or error, and
whether pushing the pulled value gives the same bytes (`# roundtrip:`).

Run: /usr/bin/python3 testdata/oaut/gen-oaut-vectors.py
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
USER = struct.pack("<L", 0x72657355)


def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<L", v)
def w(s): return s.encode("utf-16le")


def write(name, comment, rows, directives):
    lines = ["# " + c for c in comment]
    for k, v in directives:
        for line in (v if isinstance(v, list) else [v]):
            lines.append("# %s: %s" % (k, line))
    off = 0
    for chunk, label in rows:
        for i in range(0, len(chunk), 16):
            part = chunk[i:i + 16]
            lines.append("%04x  %-48s | %s" % (off, " ".join("%02x" % x for x in part),
                                              label if i == 0 else label + " (cont.)"))
            off += len(part)
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def blob(s, label="", byte_len=None, units=None):
    data = w(s)
    n = units if units is not None else len(data) // 2
    bl = byte_len if byte_len is not None else len(data)
    return [(u32(n), "FLAGGED_WORD_BLOB conformance %d%s" % (n, label)),
            (u32(bl), "  fFlags: byte length %d" % bl),
            (u32(n), "  clSize %d" % n)] + ([(data, "  asData \"%s\"" % s.replace("\x00", "\\0"))]
                                          if data else [])


def bstr_vectors():
    write("win-bstr.hex", ["A top-level BSTR in the Windows form: 'User' marker, FLAGGED_WORD_BLOB."],
          [(USER, "user-marshal marker 'User'")] + blob("Alice"),
          [("type", "bstr"), ("print", 'r: "Alice"'), ("roundtrip", "yes")])
    write("win-bstr-null.hex", ["A NULL BSTR as Windows sends it: fFlags 0xFFFFFFFF."],
          [(USER, "user-marshal marker 'User'"), (u32(0), "conformance 0"),
           (u32(0xffffffff), "fFlags 0xffffffff: NULL BSTR"), (u32(0), "clSize 0")],
          [("type", "bstr"), ("print", "r: NULL"), ("roundtrip", "yes")])
    write("win-bstr-empty.hex", ["An empty (not NULL) BSTR."],
          [(USER, "user-marshal marker 'User'"), (u32(0), "conformance 0"),
           (u32(0), "fFlags: byte length 0"), (u32(0), "clSize 0")],
          [("type", "bstr"), ("print", 'r: ""'), ("roundtrip", "yes")])
    write("win-bstr-unicode.hex", ["A BSTR with non-ASCII text and a surrogate pair (U+1D11E)."],
          [(USER, "user-marshal marker 'User'")] + blob("Zo\u00eb \U0001D11E"),
          [("type", "bstr"), ("print", 'r: "Zo\u00eb \U0001D11E"'), ("roundtrip", "yes")])
    write("win-bstr-odd-length.hex",
          ["A BSTR of 3 bytes (SysAllocStringByteLen): the odd last byte is dropped."],
          [(USER, "user-marshal marker 'User'"), (u32(2), "conformance 2"),
           (u32(3), "fFlags: byte length 3"), (u32(2), "clSize 2"),
           (b"a\x00d\x00", "asData: 'a', then one byte 'd' and a pad byte")],
          [("type", "bstr"), ("print", 'r: "a"'), ("roundtrip", "no (the odd byte is gone)")])
    write("win-bstr-trailing-nul.hex", ["A BSTR whose text ends with a NUL some clients count."],
          [(USER, "user-marshal marker 'User'")] + blob("abc\x00"),
          [("type", "bstr"), ("print", 'r: "abc"'), ("roundtrip", "no (the NUL is dropped)")])
    write("bad-bstr-surrogate.hex", ["A lone low surrogate: invalid UTF-16."],
          [(USER, "marker")] + [(u32(1), "conformance 1"), (u32(2), "fFlags 2"),
                                (u32(1), "clSize 1"), (b"\x00\xdc", "U+DC00 alone")],
          [("type", "bstr"), ("error", "MALFORMED")])
    write("bad-bstr-byte-length.hex", ["fFlags claims 100 bytes for 2 characters."],
          [(USER, "marker")] + [(u32(2), "conformance 2"), (u32(100), "fFlags 100"),
                                (u32(2), "clSize 2"), (w("ab"), "asData")],
          [("type", "bstr"), ("error", "MALFORMED")])
    write("bad-bstr-huge.hex", ["A conformance of 0x7fffffff characters and 4 bytes of data."],
          [(USER, "marker")] + [(u32(0x7fffffff), "conformance 0x7fffffff"),
                                (u32(0xfffffffe), "fFlags"), (u32(0x7fffffff), "clSize"),
                                (w("ab"), "asData (2 of 2147483647 characters)")],
          [("type", "bstr"), ("error", "MALFORMED")])
    write("bad-bstr-clsize.hex", ["clSize differs from the conformance."],
          [(USER, "marker")] + [(u32(3), "conformance 3"), (u32(4), "fFlags 4"),
                                (u32(2), "clSize 2"), (w("abc"), "asData")],
          [("type", "bstr"), ("error", "MALFORMED")])
    write("bad-bstr-embedded-nul.hex", ["A NUL inside the text (C strings cannot carry it)."],
          [(USER, "marker")] + blob("a\x00b"),
          [("type", "bstr"), ("error", "UNSUPPORTED")])


def safearray_header(n, label_extra=""):
    return [(u32(1), "_wireSAFEARRAY conformance (cDims) 1"),
            (u16(1) + u16(0x0180), "cDims 1, fFeatures FADF_BSTR|FADF_HAVEVARTYPE"),
            (u32(4), "cbElements 4"),
            (u32(0x00080000), "cLocks 0, VARTYPE VT_BSTR in the high word"),
            (u32(8), "SAFEARRAYUNION discriminant SF_BSTR"),
            (u32(n), "SAFEARR_BSTR.Size %d" % n),
            (u32(0x00020000), "aBstr: [ref] referent ID"),
            (u32(n) + u32(0), "rgsabound[0]: cElements %d, lLbound 0" % n),
            (u32(n), "BSTR array conformance %d" % n)]


ITEMS = ["DOMAIN\\alice:1", "RA\\bob:2"]
SA_PRINT = ["r: SAFEARRAY BSTR", "    lLbound: 0", "    elements: ARRAY[2]",
            '        [0]: "DOMAIN\\\\alice:1"', '        [1]: "RA\\\\bob:2"']


def safearray_vectors():
    body = safearray_header(2)
    body += [(USER, "element 0: marker 'User'"), (USER, "element 1: marker 'User'")]
    body += blob(ITEMS[0], " (element 0)")
    body += [(b"\x00\x00", "pad to 4")] if len(w(ITEMS[0])) % 4 else []
    body += blob(ITEMS[1], " (element 1)")
    write("win-safearray-bstr.hex",
          ["SAFEARRAY(BSTR) * in the Windows user-marshal form: 'User', a non-NULL pointer (1 on",
           "XP and later), the _wireSAFEARRAY, the BSTR markers, the blobs."],
          [(USER, "user-marshal marker 'User'"), (u32(1), "non-NULL pointer")] + body,
          [("type", "safearray_bstr"), ("print", SA_PRINT), ("quirks", "safearray-windows"),
           ("roundtrip", "yes")])
    write("wine-safearray-bstr.hex",
          ["The same with Wine's alignment to 8 after the 'User' prefix."],
          [(USER, "user-marshal marker 'User'"), (u32(0), "zero padding to 8 (Wine)"),
           (u32(1), "non-NULL pointer")] + body,
          [("type", "safearray_bstr"), ("print", SA_PRINT), ("quirks", "safearray-aligned8"),
           ("roundtrip", "no (we send the Windows form)")])
    write("win-safearray-null.hex", ["A NULL SAFEARRAY in the Windows form: 'User', then 0."],
          [(USER, "user-marshal marker 'User'"), (u32(0), "NULL pointer")],
          [("type", "safearray_bstr"), ("print", "r: NULL"), ("roundtrip", "yes")])
    write("win-safearray-empty.hex", ["A SAFEARRAY of no elements."],
          [(USER, "marker 'User'"), (u32(1), "non-NULL pointer")] + safearray_header(0),
          [("type", "safearray_bstr"),
           ("print", ["r: SAFEARRAY BSTR", "    lLbound: 0", "    elements: ARRAY[0]"]),
           ("roundtrip", "yes")])
    two_dims = [(USER, "marker"), (u32(1), "pointer"), (u32(2), "conformance 2"),
                (u16(2) + u16(0x0180), "cDims 2"), (u32(4), "cbElements"), (u32(0x80000), "cLocks"),
                (u32(8), "SF_BSTR"), (u32(0), "Size 0"), (u32(0x20000), "aBstr"),
                (u32(0) + u32(0) + u32(0) + u32(0), "two bounds"), (u32(0), "conformance 0")]
    write("bad-safearray-two-dims.hex", ["A two-dimensional SAFEARRAY (not supported)."],
          two_dims, [("type", "safearray_bstr"), ("error", "UNSUPPORTED")])
    mismatch = [(USER, "marker"), (u32(1), "pointer")] + safearray_header(2)[:-1] + \
        [(u32(3), "BSTR array conformance 3 (Size says 2)")] + [(USER, "m")] * 3
    write("bad-safearray-count.hex", ["The BSTR array count differs from Size."], mismatch,
          [("type", "safearray_bstr"), ("error", "MALFORMED")])
    i4 = [(USER, "marker"), (u32(1), "pointer"), (u32(1), "conformance 1"),
          (u16(1) + u16(0x0080), "cDims 1, FADF_HAVEVARTYPE (no FADF_BSTR)"), (u32(4), "cbElements 4"),
          (u32(0x30000), "cLocks, VT_I4"), (u32(3), "SF_I4"), (u32(1), "Size 1"),
          (u32(0x20000), "pointer"), (u32(1) + u32(0), "bound"), (u32(1), "conformance"),
          (u32(7), "one LONG")]
    write("bad-safearray-i4.hex", ["A SAFEARRAY of LONG where one of BSTR is expected."], i4,
          [("type", "safearray_bstr"), ("error", "MALFORMED")])
    huge = [(USER, "marker"), (u32(1), "pointer")] + safearray_header(0x10000000)[:-1] + \
        [(u32(0x10000000), "conformance 0x10000000 (4 bytes follow)"), (USER, "one marker")]
    write("bad-safearray-huge.hex", ["268435456 elements announced, one present."], huge,
          [("type", "safearray_bstr"), ("error", "TOO_LARGE")])


def mip(data):
    return [(u32(len(data)), "MInterfacePointer conformance %d" % len(data)),
            (u32(len(data)), "  ulCntData %d" % len(data)), (data, "  abData (OBJREF, opaque here)")]


OBJREF = b"MEOW" + u32(1) + bytes.fromhex("0004020000000000c000000000000046")  # IDispatch IID


def variant_vectors():
    write("win-variant-i4.hex", ["A VARIANT VT_I4 (Wine's layout: 24 bytes, clSize 3)."],
          [(USER, "user-marshal marker 'User'"), (u32(0), "pad to 8"),
           (u32(3), "clSize 3 (24 bytes)"), (u32(0), "rpcReserved"),
           (u16(3) + u16(0), "vt VT_I4, wReserved1"), (u16(0) + u16(0), "wReserved2, wReserved3"),
           (u32(3), "union discriminant 3"), (u32(0x12345678), "lVal")],
          [("type", "variant"), ("print", ["r: VARIANT VT_I4", "    lVal: 305419896"]),
           ("roundtrip", "yes")])
    write("win-variant-empty.hex", ["A VARIANT VT_EMPTY (20 bytes, clSize 3)."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32(3), "clSize 3"),
           (u32(0), "rpcReserved"), (u16(0) * 4, "vt VT_EMPTY, reserved"),
           (u32(0), "discriminant 0")],
          [("type", "variant"), ("print", "r: VARIANT VT_EMPTY"), ("roundtrip", "yes")])
    b = blob("Novice")
    size = 20 + 4 + 12 + 12
    write("win-variant-bstr.hex", ["A VARIANT VT_BSTR: the arm is a BSTR (marker + blob)."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32((size + 7) // 8), "clSize 6"),
           (u32(0), "rpcReserved"), (u16(8) + u16(0), "vt VT_BSTR"), (u16(0) * 2, "reserved"),
           (u32(8), "discriminant 8"), (USER, "bstrVal: marker 'User'")] + b,
          [("type", "variant"), ("print", ["r: VARIANT VT_BSTR", '    bstrVal: "Novice"']),
           ("roundtrip", "yes")])
    m = mip(OBJREF)
    size = 20 + 4 + 8 + len(OBJREF)
    write("win-variant-dispatch.hex",
          ["A VARIANT VT_DISPATCH: a unique pointer to an MInterfacePointer (as IPCHCollection::Item",
           "returns an ISAFSession)."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32((size + 7) // 8), "clSize"),
           (u32(0), "rpcReserved"), (u16(9) + u16(0), "vt VT_DISPATCH"), (u16(0) * 2, "reserved"),
           (u32(9), "discriminant 9"), (u32(0x00020000), "pdispVal: referent ID")] + m,
          [("type", "variant"),
           ("print", ["r: VARIANT VT_DISPATCH", "    pdispVal: struct MInterfacePointer",
                      "        ulCntData: 24 (0x18)", "        abData: 24 bytes",
                      "            0000  4d 45 4f 57 01 00 00 00 00 04 02 00 00 00 00 00",
                      "            0010  c0 00 00 00 00 00 00 46"]),
           ("roundtrip", "yes")])
    size = 20 + 4 + 4 + 4
    write("win-variant-byref-i4.hex", ["VT_BYREF|VT_I4: a pointer, then the LONG (Wine: ID 4)."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32((size + 7) // 8), "clSize"),
           (u32(0), "rpcReserved"), (u16(0x4003) + u16(0), "vt VT_BYREF|VT_I4"),
           (u16(0) * 2, "reserved"), (u32(0x4003), "discriminant 0x4003"),
           (u32(4), "plVal: pointer (Wine writes 4)"), (u32(0xfffffffe), "*plVal = -2")],
          [("type", "variant"), ("print", ["r: VARIANT VT_BYREF|VT_I4", "    lVal: -2"]),
           ("roundtrip", "no (we number pointers 0x00020000)")])
    inner = [(USER, "  inner wireVARIANT marker 'User'"), (u32(0), "  pad to 8"), (u32(3), "  clSize 3"),
             (u32(0), "  rpcReserved"), (u16(19) + u16(0), "  vt VT_UI4"), (u16(0) * 2, "  reserved"),
             (u32(19), "  discriminant 19"), (u32(7), "  ulVal 7")]
    write("win-variant-byref-variant.hex",
          ["VT_BYREF|VT_VARIANT: a pointer to a wireVARIANT, itself a marker and a body."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32(7), "clSize 7"),
           (u32(0), "rpcReserved"), (u16(0x400c) + u16(0), "vt VT_BYREF|VT_VARIANT"),
           (u16(0) * 2, "reserved"), (u32(0x400c), "discriminant"),
           (u32(0x00020000), "pvarVal: pointer")] + inner,
          [("type", "variant"),
           ("print", ["r: VARIANT VT_BYREF|VT_VARIANT", "    pvarVal: VARIANT VT_UI4",
                      "        ulVal: 7 (0x7)"]), ("roundtrip", "yes")])
    sa = [(u32(0x00020000), "parray: wirePSAFEARRAY referent ID"), (u32(1), "non-NULL pointer")]
    sa += safearray_header(1)[:-3] + [(u32(0x00020004), "aBstr: [ref] referent ID"),
                                      (u32(1) + u32(0), "rgsabound[0]: 1 element, lLbound 0"),
                                      (u32(1), "BSTR array conformance 1"),
                                      (USER, "element 0 marker")] + blob("x")
    write("win-variant-array-bstr.hex",
          ["VT_ARRAY|VT_BSTR: the discriminant keeps only the modifier bits (0x2000)."],
          [(USER, "marker 'User'"), (u32(0), "pad to 8"), (u32(10), "clSize 10"),
           (u32(0), "rpcReserved"), (u16(0x2008) + u16(0), "vt VT_ARRAY|VT_BSTR"),
           (u16(0) * 2, "reserved"), (u32(0x2000), "discriminant 0x2000")] + sa,
          [("type", "variant"),
           ("print", ["r: VARIANT VT_ARRAY|VT_BSTR", "    parray: SAFEARRAY BSTR",
                      "        lLbound: 0", "        elements: ARRAY[1]", '            [0]: "x"']),
           ("roundtrip", "no (our referent IDs differ)")])
    write("bad-variant-discriminant.hex", ["The discriminant disagrees with vt."],
          [(USER, "marker"), (u32(0), "pad"), (u32(3), "clSize"), (u32(0), "rpcReserved"),
           (u16(3) + u16(0), "vt VT_I4"), (u16(0) * 2, "reserved"), (u32(8), "discriminant 8"),
           (u32(1), "lVal")], [("type", "variant"), ("error", "MALFORMED")])
    write("bad-variant-decimal.hex", ["VT_DECIMAL is not supported here."],
          [(USER, "marker"), (u32(0), "pad"), (u32(5), "clSize"), (u32(0), "rpcReserved"),
           (u16(14) + u16(0), "vt VT_DECIMAL"), (u16(0) * 2, "reserved"), (u32(14), "discriminant"),
           (b"\x00" * 20, "pad and DECIMAL")], [("type", "variant"), ("error", "UNSUPPORTED")])
    nest = []
    for i in range(70):
        nest += [(USER, "marker (level %d)" % i)]
        if len(b"".join(c for c, _ in nest)) % 8:
            nest += [(u32(0), "pad to 8")]
        nest += [(u32(7), "clSize"), (u32(0), "rpcReserved"), (u16(0x400c) + u16(0), "vt VT_BYREF|VT_VARIANT"),
                 (u16(0) * 2, "reserved"), (u32(0x400c), "discriminant"), (u32(0x20000), "pointer")]
    write("bad-variant-deep.hex", ["70 VARIANTs nested by VT_BYREF|VT_VARIANT (the limit is 64)."],
          nest, [("type", "variant"), ("error", "TOO_LARGE")])
    write("bad-variant-null-byref.hex", ["VT_BYREF|VT_I4 with a NULL pointer."],
          [(USER, "marker"), (u32(0), "pad"), (u32(3), "clSize"), (u32(0), "rpcReserved"),
           (u16(0x4003) + u16(0), "vt"), (u16(0) * 2, "reserved"), (u32(0x4003), "discriminant"),
           (u32(0), "NULL pointer")], [("type", "variant"), ("error", "MALFORMED")])


def iface_vectors():
    write("win-interface-ptr.hex", ["An [out] interface pointer: referent ID, MInterfacePointer."],
          [(u32(0x00020000), "referent ID")] + mip(OBJREF),
          [("type", "interface_ptr"),
           ("print", ["r: struct MInterfacePointer", "    ulCntData: 24 (0x18)",
                      "    abData: 24 bytes",
                      "        0000  4d 45 4f 57 01 00 00 00 00 04 02 00 00 00 00 00",
                      "        0010  c0 00 00 00 00 00 00 46"]), ("roundtrip", "yes")])
    write("win-interface-ptr-null.hex", ["A NULL interface pointer."],
          [(u32(0), "NULL referent ID")],
          [("type", "interface_ptr"), ("print", "r: NULL"), ("roundtrip", "yes")])
    write("bad-minterface-counts.hex", ["ulCntData differs from the conformance."],
          [(u32(8), "conformance 8"), (u32(6), "ulCntData 6"), (b"MEOW\x01\x00\x00\x00", "data")],
          [("type", "minterface_pointer"), ("error", "MALFORMED")])
    write("bad-minterface-huge.hex", ["An OBJREF of 1 MiB announced, 4 bytes present."],
          [(u32(0x100000), "conformance"), (u32(0x100000), "ulCntData"), (b"MEOW", "data")],
          [("type", "minterface_pointer"), ("error", "MALFORMED")])


def impacket_vectors():
    from impacket.dcerpc.v5.dcom import oaut
    from impacket.dcerpc.v5.ndr import NDRCALL

    random.seed(4)

    class SaCall(NDRCALL):
        structure = (("psa", oaut.PSAFEARRAY),)

    c = SaCall()
    sa = c["psa"]
    sa["cDims"] = 1
    sa["fFeatures"] = 0x0180
    sa["cbElements"] = 4
    sa["cLocks"] = 0x00080000
    sa["uArrayStructs"]["tag"] = oaut.SF_TYPE.SF_BSTR
    u = sa["uArrayStructs"]["BstrStr"]
    u["Size"] = 2
    for s in ITEMS:
        b = oaut.BSTR()
        b["asData"] = s
        u["aBstr"].append(b)
    bound = oaut.SAFEARRAYBOUND()
    bound["cElements"] = 2
    bound["lLbound"] = 0
    sa["rgsabound"].append(bound)
    d = c.getData()
    rows = [(d[0:4], "referent ID (impacket: one pointer, no 'User')")]
    hdr = safearray_header(2)
    off = 4
    for chunk, label in hdr:
        rows.append((d[off:off + len(chunk)], label))
        off += len(chunk)
    rows.append((d[off:off + 8], "element referent IDs"))
    off += 8
    rows.append((d[off:], "the two FLAGGED_WORD_BLOBs"))
    write("impacket-safearray-bstr.hex",
          ["SAFEARRAY(BSTR) * as impacket 0.10's oaut.PSAFEARRAY marshals it (the short form)."],
          rows, [("type", "safearray_bstr"), ("print", SA_PRINT), ("quirks", "safearray-short"),
                 ("roundtrip", "no (we send the Windows form)")])

    class VCall(NDRCALL):
        structure = (("v", oaut.VARIANT),)

    c = VCall()
    v = c["v"]
    v["clSize"] = 5
    v["rpcReserved"] = 0
    v["vt"] = oaut.VARENUM.VT_BSTR
    v["_varUnion"]["tag"] = oaut.VARENUM.VT_BSTR
    b = oaut.BSTR()
    b["asData"] = "Zo\u00eb"
    v["_varUnion"]["bstrVal"] = b
    d = c.getData()
    write("impacket-variant-bstr.hex",
          ["A VARIANT VT_BSTR as impacket 0.10's oaut.VARIANT marshals it (plain referent IDs,",
           "0xab padding, clSize 5)."],
          [(d[0:4], "referent ID"), (d[4:8], "padding to 8 (impacket writes 0xab)"),
           (d[8:12], "clSize"), (d[12:16], "rpcReserved"), (d[16:24], "vt VT_BSTR, reserved"),
           (d[24:28], "discriminant 8"), (d[28:32], "bstrVal: referent ID"),
           (d[32:44], "FLAGGED_WORD_BLOB header"), (d[44:], 'asData "Zo\u00eb"')],
          [("type", "variant"), ("print", ["r: VARIANT VT_BSTR", '    bstrVal: "Zo\u00eb"']),
           ("quirks", "bstr-plain-pointer"), ("roundtrip", "no (we send 'User' and zero padding)")])


def main():
    bstr_vectors()
    safearray_vectors()
    variant_vectors()
    iface_vectors()
    impacket_vectors()


if __name__ == "__main__":
    main()
