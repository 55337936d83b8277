#!/usr/bin/python3
"""fields-doc: keep docs/fields.md and the plugin's registered fields in step.

  fields-doc.py --check  FIELDS.TSV DOC   fail unless DOC documents exactly the rai* fields,
                                          protocols and expert items of FIELDS.TSV, each with an
                                          example filter
  fields-doc.py --write  FIELDS.TSV DOC   (re)write DOC from FIELDS.TSV, keeping the descriptions
                                          and examples already in DOC and proposing the others
  fields-doc.py --examples DOC            print one display filter OR-ing every example of DOC
                                          (tshark compiles it: an invalid example fails)

FIELDS.TSV is the output of `tshark -G fields` with the plugin loaded (tools/rai-tshark).
A table row of DOC looks like: | `rai.session.user` | string | description | `example` |
"""
import re
import sys

ROW = re.compile(r"^\|\s*`(?P<name>rai[a-z0-9_.]*)`\s*\|\s*(?P<type>[^|]*)\|\s*(?P<desc>[^|]*)\|"
                 r"\s*(?P<example>[^|]*)\|\s*$")

# Examples that mean something; the others are derived from the field's type.
EXAMPLES = {
    "rai": "rai",
    "rai.interface": 'rai.interface == "IRASrv"',
    "rai.method": 'rai.method == "GetSessionInfo"',
    "rai.hresult": "rai.hresult != 0",
    "rai.session.domain": 'rai.session.domain == "CONTOSO"',
    "rai.session.user": 'rai.session.user contains "admin"',
    "rai.session.id": "rai.session.id == 1",
    "rai.cs1.protocol_version": 'rai.cs1.protocol_version != "65538"',
    "rai.cs1.address.host": 'rai.cs1.address.host == "192.168.1.65"',
    "rai.cs1.address.port": "rai.cs1.address.port == 3389",
    "rai.cs2.l.n": 'rai.cs2.l.n == "10.0.1.174"',
    "rai.cs2.l.p": "rai.cs2.l.p > 49151",
    "rai.cs2.t.sid": 'rai.cs2.t.sid == "0"',
    "rai.cs2.a.kh2": 'rai.cs2.a.kh2 contains "sha256:"',
    "rai.helpblob.domain": 'rai.helpblob.domain == "TESTDOMAIN"',
    "rai.helpblob.user": 'rai.helpblob.user == "Admin"',
    "rai.safearray.form": "rai.safearray.form == 3",
    "rai.objref.iid": "rai.objref.iid == 833e41aa-aff7-4ac3-aac2-9f24c1457bce",
    "rai.dispatch.member": 'rai.dispatch.member == "get_DomainName"',
    "rai.dispatch.dispid": "rai.dispatch.dispid == 0x08020d12",
    "rai.irasrv.opnum": "rai.irasrv.opnum == 8",
    "rai.ipchservice.opnum": "rai.ipchservice.opnum == 19",
    "rai.ipchcollection.opnum": "rai.ipchcollection.opnum == 8",
    "rai.isafsession.opnum": "rai.isafsession.opnum == 11",
}

TYPES = {
    "FT_STRING": "string", "FT_UINT8": "unsigned, 8 bits", "FT_UINT16": "unsigned, 16 bits",
    "FT_UINT32": "unsigned, 32 bits", "FT_UINT64": "unsigned, 64 bits",
    "FT_INT16": "signed, 16 bits", "FT_INT32": "signed, 32 bits", "FT_BOOLEAN": "boolean",
    "FT_GUID": "GUID", "FT_NONE": "label", "FT_BYTES": "bytes", "FT_FRAMENUM": "frame number",
    "FT_PROTOCOL": "protocol",
}


def registered(tsv):
    """{name: (kind, type, description)} of the rai* protocols, fields and expert items."""
    out = {}
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "P" and len(cols) >= 3 and re.match(r"^rai(\.|$)", cols[2]):
                out[cols[2]] = ("protocol", "protocol", cols[1])
            elif cols[0] == "F" and len(cols) >= 5 and re.match(r"^rai(\.|$)", cols[2]):
                blurb = cols[7] if len(cols) > 7 and cols[7] else cols[1]
                out[cols[2]] = ("field", TYPES.get(cols[3], cols[3]), blurb)
    return out


def documented(doc):
    rows = {}
    with open(doc, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line.rstrip("\n"))
            if m:
                rows[m.group("name")] = (m.group("type").strip(), m.group("desc").strip(),
                                         m.group("example").strip())
    return rows


def example_for(name, kind, ftype):
    if name in EXAMPLES:
        return EXAMPLES[name]
    if kind == "protocol" or ftype in ("label", "boolean", "bytes", "GUID", "frame number"):
        return name
    if ftype == "string":
        return '%s contains "a"' % name
    return "%s == 1" % name


def check(tsv, doc):
    reg = registered(tsv)
    rows = documented(doc)
    errors = []
    for name in sorted(set(reg) - set(rows)):
        errors.append("not documented in %s: %s" % (doc, name))
    for name in sorted(set(rows) - set(reg)):
        errors.append("documented but not registered by the plugin: %s" % name)
    for name, (_, _, example) in sorted(rows.items()):
        if not re.match(r"^`[^`]+`$", example):
            errors.append("%s has no example filter" % name)
        elif name not in example:
            errors.append("the example of %s does not use it: %s" % (name, example))
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print("docs/fields.md is out of step (plugin/tests/fields-doc.py --write regenerates it)",
              file=sys.stderr)
        return 1
    print("ok: %d rai fields, protocols and expert items documented" % len(reg))
    return 0


def write(tsv, doc):
    reg = registered(tsv)
    try:
        rows = documented(doc)
        with open(doc, encoding="utf-8") as f:
            head = f.read().split("\n| Field |")[0].rstrip("\n") + "\n"
    except FileNotFoundError:
        rows, head = {}, "# MS-RAI dissector fields\n"
    lines = [head, "| Field | Type | Description | Example filter |", "| --- | --- | --- | --- |"]
    for name in sorted(reg, key=lambda n: (n.split(".")[:-1], n)):
        kind, ftype, desc = reg[name]
        if name in rows:
            _, desc, example = rows[name]
        else:
            example = "`%s`" % example_for(name, kind, ftype)
            desc = desc.replace("|", "\\|")
        lines.append("| `%s` | %s | %s | %s |" % (name, ftype, desc, example))
    with open(doc, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def examples(doc):
    rows = documented(doc)
    print(" || ".join("(%s)" % ex.strip("`") for _, _, ex in rows.values()))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--examples":
        return examples(sys.argv[2])
    if len(sys.argv) != 4 or sys.argv[1] not in ("--check", "--write"):
        print(__doc__, file=sys.stderr)
        return 2
    return check(sys.argv[2], sys.argv[3]) if sys.argv[1] == "--check" else write(sys.argv[2],
                                                                                  sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
