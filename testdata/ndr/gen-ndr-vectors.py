#!/usr/bin/python3
"""Writes the NDR primitive and string vectors of this folder from [C706] 14.2-14.3 (and
[MS-RPCE] 2.2.4), field by field, independently of the C code under test.
Each file names the type (`# type:`), the expected print (`# print:`) or the error class, and
whether pushing the pulled value gives the same bytes (`# roundtrip:`).

Run: /usr/bin/python3 testdata/ndr/gen-ndr-vectors.py
"""
import os
import struct
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


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


def wstring(s, max_count=None, offset=0, actual=None, term=True):
    data = w(s) + (b"\x00\x00" if term else b"")
    n = len(data) // 2
    return [(u32(max_count if max_count is not None else n), "max_count"),
            (u32(offset), "offset"),
            (u32(actual if actual is not None else n), "actual_count"),
            (data, "UTF-16LE units%s" % (" with terminator" if term else ""))]


def main():
    write("wstring.hex", ["A conformant varying [string] wchar_t array (an LPWSTR's referent)."],
          wstring("Hello"), [("type", "wstring"), ("print", 'r: "Hello"'), ("roundtrip", "yes")])
    write("wstring-empty.hex", ["An empty string: one unit, the terminator."], wstring(""),
          [("type", "wstring"), ("print", 'r: ""'), ("roundtrip", "yes")])
    write("lpwstr.hex", ["A top-level LPWSTR: referent ID, then the string at once."],
          [(u32(0x00020000), "referent ID")] + wstring("Zo\u00eb \U0001D11E"),
          [("type", "lpwstr"), ("print", 'r: "Zo\u00eb \U0001D11E"'), ("roundtrip", "yes")])
    write("lpwstr-null.hex", ["A NULL LPWSTR."], [(u32(0), "NULL referent ID")],
          [("type", "lpwstr"), ("print", "r: NULL"), ("roundtrip", "yes")])
    write("lpwstr-escapes.hex", ["Control characters and quotes print escaped."],
          [(u32(0x00020000), "referent ID")] + wstring('a"b\\c\n\x01'),
          [("type", "lpwstr"), ("print", 'r: "a\\"b\\\\c\\n\\x01"'), ("roundtrip", "yes")])
    write("cstring.hex", ["A [string] char array (protocol sequences, annotations)."],
          [(u32(13), "max_count"), (u32(0), "offset"), (u32(13), "actual_count"),
           (b"ncacn_ip_tcp\x00", "characters with terminator")],
          [("type", "cstring"), ("print", 'r: "ncacn_ip_tcp"'), ("roundtrip", "yes")])
    u = uuid.UUID("4d9f4ab8-7d1c-11cf-861e-0020af6e7c57")
    write("uuid.hex", ["A UUID: little-endian time fields, then 8 bytes as they are."],
          [(u.bytes_le[0:4], "time_low"), (u.bytes_le[4:6], "time_mid"),
           (u.bytes_le[6:8], "time_hi_and_version"), (u.bytes_le[8:16], "clock_seq and node")],
          [("type", "uuid"), ("print", "r: 4d9f4ab8-7d1c-11cf-861e-0020af6e7c57"),
           ("roundtrip", "yes")])
    write("syntax-id.hex", ["A p_syntax_id_t: UUID and a u32 version, major in the low half."],
          [(uuid.UUID("000001a0-0000-0000-c000-000000000046").bytes_le, "IRemoteSCMActivator"),
           (struct.pack("<HH", 0, 0), "version 0.0")],
          [("type", "syntax_id"), ("print", "r: 000001a0-0000-0000-c000-000000000046 v0.0"),
           ("roundtrip", "yes")])
    write("hyper.hex", ["A hyper (64-bit, 8-aligned)."], [(struct.pack("<Q", 0x0102030405060708), "value")],
          [("type", "hyper"), ("print", "r: 72623859790382856 (0x102030405060708)"),
           ("roundtrip", "yes")])
    write("enum16-as-32.hex",
          ["SessionStateEnum sent as 32 bits by the typelib marshaller: read as a 16-bit enum,",
           "the high half falls into padding (finish accepts trailing zero bytes)."],
          [(struct.pack("<H", 3), "enum value 3"), (b"\x00\x00", "high half (zero)")],
          [("type", "enum16"), ("print", "r: 3 (0x3)"), ("roundtrip", "no (we send 16 bits)")])
    write("bad-wstring-offset.hex", ["A string with a non-zero offset."],
          wstring("ab", offset=1, max_count=4), [("type", "wstring"), ("error", "MALFORMED")])
    write("bad-wstring-unterminated.hex", ["A string without its terminator."],
          wstring("ab", term=False), [("type", "wstring"), ("error", "MALFORMED")])
    write("bad-wstring-actual-over-max.hex", ["actual_count larger than max_count."],
          wstring("abc", max_count=2), [("type", "wstring"), ("error", "MALFORMED")])
    write("bad-wstring-huge.hex", ["max_count 0x40000000 with 6 bytes of data."],
          [(u32(0x40000000), "max_count"), (u32(0), "offset"), (u32(0x40000000), "actual_count"),
           (w("ab\x00"), "3 units")], [("type", "wstring"), ("error", "MALFORMED")])
    write("bad-wstring-surrogate.hex", ["A lone high surrogate."],
          [(u32(2), "max_count"), (u32(0), "offset"), (u32(2), "actual_count"),
           (b"\x00\xd8\x00\x00", "U+D800 alone, terminator")],
          [("type", "wstring"), ("error", "MALFORMED")])
    write("bad-wstring-embedded-nul.hex", ["A NUL before the terminator."], wstring("a\x00b"),
          [("type", "wstring"), ("error", "UNSUPPORTED")])
    write("bad-cstring-not-utf8.hex", ["An 8-bit string that is not UTF-8."],
          [(u32(3), "max_count"), (u32(0), "offset"), (u32(3), "actual_count"),
           (b"\xff\xfe\x00", "bytes")], [("type", "cstring"), ("error", "MALFORMED")])
    write("bad-lpwstr-truncated.hex", ["An LPWSTR whose string is cut off."],
          [(u32(0x00020000), "referent ID"), (u32(5), "max_count"), (u32(0), "offset")],
          [("type", "lpwstr"), ("error", "MALFORMED")])
    write("bad-hyper-short.hex", ["Four bytes where a hyper needs eight."], [(u32(1), "half")],
          [("type", "hyper"), ("error", "MALFORMED")])


if __name__ == "__main__":
    main()
