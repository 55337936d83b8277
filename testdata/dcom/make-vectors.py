#!/usr/bin/python3
"""Writes the annotated DCOM vectors of testdata/dcom/ (provenance: testdata/README.md).

Each vector is written twice, independently:
  1. field by field here, from the structure definitions of [MS-DCOM] 2.2.x / [MS-OAUT] (each
     field a line: offset, bytes, name);
  2. by impacket 0.10's own NDR classes (impacket.dcerpc.v5.dcomrt), the way impacket sends it.
The two must agree byte for byte, except where NDR leaves the value to the sender: referent IDs
of unique pointers (impacket draws random ones; we renumber them 0x00020000, 0x00020004, ... in
marshalling order, as MIDL does), alignment padding (impacket writes 0xaa, and 0xfa between
activation properties; we write zeros), and ObjectBufferLength of type-serialized properties
(impacket leaves the padding out; [MS-RPCE] 2.2.6.2 says it is included) and the private header's
filler (impacket writes 0xcccccccc, [MS-RPCE] 2.2.6.2 says 0). Those fields are marked REF, PAD,
OBL and FILL below and compared only for their presence. Cases impacket cannot build (its
RemQueryInterface response class reads a single REMQIRESULT without the array conformance) are
written from the field list alone and say so.

Run: /usr/bin/python3 testdata/dcom/make-vectors.py [outdir]   (needs python3-impacket)
The committed files are its output; rerunning must not change them.
"""
import os
import struct
import sys

from impacket.dcerpc.v5 import dcomrt
from impacket.dcerpc.v5.dcomrt import (
    ORPCTHIS, ORPCTHAT, PORPC_EXTENT, OBJREF_STANDARD, OBJREF_CUSTOM, ACTIVATION_BLOB, CLSID,
    IID, DWORD, InstantiationInfoData, ActivationContextInfoData, LocationInfoData,
    ScmRequestInfoData, SpecialPropertiesData, SecurityInfoData, InstanceInfoData, PropsOutInfo,
    ScmReplyInfoData, RemoteCreateInstance, RemoteCreateInstanceResponse, RemoteGetClassObject,
    RemQueryInterface, RemAddRef, RemRelease, RemAddRefResponse, RemReleaseResponse,
    REMINTERFACEREF, PMInterfacePointer, CLSID_ERROR_EXTENSION, CLSID_InstantiationInfo,
    CLSID_ActivationContextInfo, CLSID_ServerLocationInfo, CLSID_ScmRequestInfo,
    CLSID_ActivationPropertiesIn, CLSID_ActivationPropertiesOut, CLSID_PropsOutInfo,
    CLSID_ScmReplyInfo, IID_IActivationPropertiesIn, IID_IActivationPropertiesOut)
from impacket.dcerpc.v5.dtypes import NULL, HRESULT
from impacket.uuid import string_to_bin

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

CLSID_RASRV = '3c3a70a7-a468-49b9-8ada-28e11fccad5d'
IID_IRASRV = 'f120a684-b926-447f-9df4-c966cb785648'
IID_IREMUNKNOWN2 = '00000143-0000-0000-c000-000000000046'
CID = '11223344-5566-7788-99aa-bbccddeeff00'
IPID = '0000a001-1234-5678-9abc-def012345678'
IPID_REMUNK = '0000a000-1234-5678-9abc-def012345678'
OXID = 0x1122334455667788
OID = 0x0102030405060708


def guid(text):
    return string_to_bin(text)


class Fields:
    """Bytes built field by field, with a kind per field: '' (exact), REF, PAD, OBL."""

    def __init__(self):
        self.items = []  # (bytes, label, kind)
        self.next_ref = 0x00020000

    def size(self):
        return sum(len(b) for b, _, _ in self.items)

    def raw(self, b, label, kind=''):
        self.items.append((bytes(b), label, kind))

    def u8(self, v, label):
        self.raw(struct.pack('<B', v), label)

    def u16(self, v, label):
        self.align(2)
        self.raw(struct.pack('<H', v), label)

    def u32(self, v, label):
        self.align(4)
        self.raw(struct.pack('<I', v), label)

    def i32(self, v, label):
        self.align(4)
        self.raw(struct.pack('<i', v), label)

    def u64(self, v, label):
        self.align(8)
        self.raw(struct.pack('<Q', v), label)

    def guid(self, text, label):
        self.align(4)
        self.raw(guid(text), label + ' ' + text)

    def ref(self, label, null=False):
        """A unique pointer's referent ID (MIDL numbering), or NULL."""
        self.align(4)
        if null:
            self.raw(b'\0\0\0\0', label + ': NULL')
        else:
            self.raw(struct.pack('<I', self.next_ref), label + ': referent ID', 'REF')
            self.next_ref += 4

    def align(self, n):
        pad = (-self.size()) % n
        if pad:
            self.raw(b'\0' * pad, '(padding to %d)' % n, 'PAD')

    def pad_to(self, n, label):
        pad = (-self.size()) % n
        if pad:
            self.raw(b'\0' * pad, label, 'PAD')

    def data(self):
        return b''.join(b for b, _, _ in self.items)


def check(fields, theirs, name):
    """Compares our field list with impacket's bytes (REF/PAD/OBL fields by size only)."""
    ours = fields.data()
    if len(ours) != len(theirs):
        raise SystemExit('%s: %d bytes here, %d from impacket' % (name, len(ours), len(theirs)))
    off = 0
    for b, label, kind in fields.items:
        t = theirs[off:off + len(b)]
        if kind == 'REF':
            if t == b'\0\0\0\0':
                raise SystemExit('%s: %s is NULL in impacket' % (name, label))
        elif kind in ('PAD', 'OBL', 'FILL'):
            pass
        elif t != b:
            raise SystemExit('%s: field %s at 0x%x: %s here, %s from impacket'
                             % (name, label, off, b.hex(), t.hex()))
        off += len(b)


def write(name, fields, comment, directives=()):
    lines = ['# ' + c for c in comment]
    lines += ['# %s: %s' % kv for kv in directives]
    off = 0
    for b, label, kind in fields.items:
        for i in range(0, max(len(b), 1), 16):
            chunk = b[i:i + 16]
            if not chunk:
                break
            text = ' '.join('%02x' % x for x in chunk)
            lab = label if i == 0 else '  (continued)'
            lines.append('%04x  %-47s | %s' % (off + i, text, lab))
        off += len(b)
    with open(os.path.join(OUT, name + '.hex'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def ndr(obj):
    return obj.getData() + obj.getDataReferents()


# ---- building blocks, field by field ----

def f_orpcthis(f, flags, ext=False):
    f.u16(5, 'ORPCTHIS.version.MajorVersion')
    f.u16(7, 'ORPCTHIS.version.MinorVersion')
    f.u32(flags, 'ORPCTHIS.flags')
    f.u32(0, 'ORPCTHIS.reserved1')
    f.guid(CID, 'ORPCTHIS.cid')
    f.ref('ORPCTHIS.extensions', null=not ext)
    if ext:
        f_extent_array(f)


def f_extent_array(f):
    f.u32(1, 'ORPC_EXTENT_ARRAY.size')
    f.u32(0, 'ORPC_EXTENT_ARRAY.reserved')
    f.ref('ORPC_EXTENT_ARRAY.extent')
    f.u32(2, '  conformance: (size + 1) & ~1 = 2 extent pointers')
    f.ref('  extent[0]')
    f.ref('  extent[1]', null=True)
    f.u32(8, '  extent[0] conformance: (size + 7) & ~7')
    f.guid('0000031c-0000-0000-c000-000000000046', '  extent[0].id CLSID_ERROR_EXTENSION')
    f.u32(5, '  extent[0].size')
    f.raw(b'hello\0\0\0', '  extent[0].data (5 bytes + 3 of array padding)')


def f_orpcthat(f):
    f.u32(0, 'ORPCTHAT.flags')
    f.ref('ORPCTHAT.extensions', null=True)


def dsa_units(strings, security):
    """The packed DUALSTRINGARRAY entries ([MS-DCOM] 2.2.19.1)."""
    u = []
    for tower, addr in strings:
        u.append(tower)
        u += [ord(c) for c in addr] + [0]
    if not strings:
        u.append(0)
    u.append(0)
    sec = len(u)
    for svc, princ in security:
        u += [svc, 0xffff] + [ord(c) for c in princ] + [0]
    if not security:
        u.append(0)
    u.append(0)
    return u, sec


def f_dsa_packed(f, strings, security, prefix):
    u, sec = dsa_units(strings, security)
    f.u16(len(u), prefix + '.wNumEntries')
    f.u16(sec, prefix + '.wSecurityOffset')
    pos = 0
    for tower, addr in strings:
        f.raw(struct.pack('<H', tower), prefix + ' StringBinding wTowerId 0x%04x' % tower)
        f.raw((addr + '\0').encode('utf-16-le'), prefix + '   aNetworkAddr "%s"' % addr)
    if not strings:
        f.raw(b'\0\0', prefix + ' (no string bindings)')
    f.raw(b'\0\0', prefix + ' end of string bindings')
    for svc, princ in security:
        f.raw(struct.pack('<HH', svc, 0xffff), prefix + ' SecurityBinding wAuthnSvc %d, Reserved 0xffff' % svc)
        f.raw((princ + '\0').encode('utf-16-le'), prefix + '   aPrincName "%s"' % princ)
    if not security:
        f.raw(b'\0\0', prefix + ' (no security bindings)')
    f.raw(b'\0\0', prefix + ' end of security bindings')
    return u, sec


STRINGS = [(7, '127.0.0.1[49152]')]
SECURITY = [(10, '')]


def objref_standard_bytes():
    f = Fields()
    f.u32(0x574f454d, 'signature MEOW')
    f.u32(1, 'flags OBJREF_STANDARD')
    f.guid(IID_IRASRV, 'iid IRASrv')
    f.u32(0, 'std.flags')
    f.u32(5, 'std.cPublicRefs')
    f.u64(OXID, 'std.oxid')
    f.u64(OID, 'std.oid')
    f.guid(IPID, 'std.ipid')
    f_dsa_packed(f, STRINGS, SECURITY, 'saResAddr')
    return f


def impacket_objref_standard():
    o = OBJREF_STANDARD()
    o['iid'] = guid(IID_IRASRV)
    o['std']['flags'] = 0
    o['std']['cPublicRefs'] = 5
    o['std']['oxid'] = OXID
    o['std']['oid'] = OID
    o['std']['ipid'] = guid(IPID)
    u, sec = dsa_units(STRINGS, SECURITY)
    o['saResAddr'] = struct.pack('<HH', len(u), sec) + b''.join(struct.pack('<H', x) for x in u)
    return o.getData()


# ---- the type-serialized activation properties ----

def f_ts1(f, label, body_fields):
    """A Type Serialization 1 stream: headers, then the body's fields, padded to 8."""
    body_len = body_fields.size()
    padded = (body_len + 7) & ~7
    f.raw(bytes([1, 0x10, 8, 0]), label + ' common header: version 1, little-endian, length 8')
    f.raw(b'\xcc' * 4, label + ' common header filler 0xcccccccc')
    f.raw(struct.pack('<I', padded), label + ' private header ObjectBufferLength %d' % padded, 'OBL')
    f.raw(b'\0' * 4, label + ' private header filler (impacket: 0xcccccccc)', 'FILL')
    for b, lab, kind in body_fields.items:
        f.raw(b, '  ' + lab, kind)
    if padded > body_len:
        f.raw(b'\0' * (padded - body_len), label + ' padding to 8', 'PAD')


class Body(Fields):
    """An NDR body: alignment relative to its own start, referents numbered from 0x00020000."""


def body_instantiation(iid, this_size):
    b = Body()
    b.guid(CLSID_RASRV, 'InstantiationInfoData.classId RASrv')
    b.u32(0, 'classCtx')
    b.u32(0, 'actvflags')
    b.i32(0, 'fIsSurrogate')
    b.u32(1, 'cIID')
    b.u32(0, 'instFlag')
    b.ref('pIID')
    b.u32(this_size, 'thisSize (this property\'s serialized size)')
    b.u16(5, 'clientCOMVersion.MajorVersion')
    b.u16(7, 'clientCOMVersion.MinorVersion')
    b.u32(1, 'pIID conformance')
    b.guid(iid, 'pIID[0]')
    return b


def body_context():
    b = Body()
    b.i32(0, 'ActivationContextInfoData.clientOK')
    b.i32(0, 'bReserved1')
    b.u32(0, 'dwReserved1')
    b.u32(0, 'dwReserved2')
    b.ref('pIFDClientCtx', null=True)
    b.ref('pIFDPrototypeCtx', null=True)
    return b


def body_location():
    b = Body()
    b.ref('LocationInfoData.machineName', null=True)
    b.u32(0, 'processId')
    b.u32(0, 'apartmentId')
    b.u32(0, 'contextId')
    return b


def body_scm_request():
    b = Body()
    b.ref('ScmRequestInfoData.pdwReserved', null=True)
    b.ref('remoteRequest')
    b.u32(0, 'remoteRequest.ClientImpLevel')
    b.u16(1, 'remoteRequest.cRequestedProtseqs')
    b.ref('remoteRequest.pRequestedProtseqs')
    b.u32(1, 'pRequestedProtseqs conformance')
    b.u16(7, 'pRequestedProtseqs[0] ncacn_ip_tcp')
    return b


def body_custom_header(sizes, clsids, total, header_size, dest_ctx=2):
    b = Body()
    b.u32(total, 'CustomHeader.totalSize')
    b.u32(header_size, 'headerSize')
    b.u32(0, 'dwReserved')
    b.u32(dest_ctx, 'destCtx')
    b.u32(len(clsids), 'cIfs')
    b.guid('00000000-0000-0000-0000-000000000000', 'classInfoClsid GUID_NULL')
    b.ref('pclsid')
    b.ref('pSizes')
    b.ref('pdwReserved', null=True)
    b.u32(len(clsids), 'pclsid conformance')
    for i, (c, name) in enumerate(clsids):
        b.guid(c, 'pclsid[%d] %s' % (i, name))
    b.u32(len(sizes), 'pSizes conformance')
    for i, s in enumerate(sizes):
        b.u32(s, 'pSizes[%d]' % i)
    return b


def ts1_size(body):
    return 16 + ((body.size() + 7) & ~7)


def activation_blob(props, dest_ctx=2):
    """props: [(label, clsid, name, Body)]. Returns the Fields of the whole blob."""
    sizes = [ts1_size(p[3]) for p in props]
    clsids = [(p[1], p[2]) for p in props]
    hdr = body_custom_header(sizes, clsids, 0, 0, dest_ctx)
    header_size = ts1_size(hdr)
    total = header_size + sum(sizes)
    hdr = body_custom_header(sizes, clsids, total, header_size, dest_ctx)
    f = Fields()
    f.u32(total, 'ActivationPropertiesBlob.dwSize')
    f.u32(0, 'dwReserved')
    f_ts1(f, 'CustomHeader', hdr)
    for label, _, _, body in props:
        f_ts1(f, label, body)
    return f


def objref_custom(f, iid, clsid, blob_fields, iid_name, clsid_name):
    blob = blob_fields.data()
    f.u32(0x574f454d, 'OBJREF.signature MEOW')
    f.u32(4, 'OBJREF.flags OBJREF_CUSTOM')
    f.guid(iid, 'OBJREF.iid ' + iid_name)
    f.guid(clsid, 'OBJREF_CUSTOM.clsid ' + clsid_name)
    f.u32(0, 'OBJREF_CUSTOM.cbExtension')
    f.u32(len(blob) + 8, 'OBJREF_CUSTOM.reserved (pObjectData size + 8)')
    for b, lab, kind in blob_fields.items:
        f.raw(b, '  ' + lab, kind)


def in_props():
    inst = body_instantiation(IID_IRASRV, 0)
    inst = body_instantiation(IID_IRASRV, ts1_size(inst))
    return [('InstantiationInfoData', '000001ab-0000-0000-c000-000000000046',
             'CLSID_InstantiationInfo', inst),
            ('ActivationContextInfoData', '000001a5-0000-0000-c000-000000000046',
             'CLSID_ActivationContextInfo', body_context()),
            ('LocationInfoData', '000001a4-0000-0000-c000-000000000046',
             'CLSID_ServerLocationInfo', body_location()),
            ('ScmRequestInfoData', '000001aa-0000-0000-c000-000000000046',
             'CLSID_ScmRequestInfo', body_scm_request())]


def mip(f, objref_fields, label):
    n = objref_fields.size()
    f.ref(label)
    f.u32(n, label + ' MInterfacePointer: abData conformance (first in a conformant struct)')
    f.u32(n, label + ' MInterfacePointer.ulCntData')
    for b, lab, kind in objref_fields.items:
        f.raw(b, '  ' + lab, kind)


def remote_create_instance_in():
    blob = activation_blob(in_props())
    o = Fields()
    objref_custom(o, '000001a2-0000-0000-c000-000000000046',
                  '00000338-0000-0000-c000-000000000046', blob, 'IActivationPropertiesIn',
                  'CLSID_ActivationPropertiesIn')
    f = Fields()
    f_orpcthis(f, 1)
    f.ref('pUnkOuter', null=True)
    mip(f, o, 'pActProperties')
    f.pad_to(4, '(stub end)')
    return f


def impacket_activation_in(cls):
    """impacket's IRemoteSCMActivator request, as RemoteCreateInstance() builds it."""
    ORPCthis = ORPCTHIS()
    ORPCthis['cid'] = guid(CID)
    ORPCthis['extensions'] = NULL
    ORPCthis['flags'] = 1
    request = cls()
    request['ORPCthis'] = ORPCthis
    if cls is RemoteCreateInstance:
        request['pUnkOuter'] = NULL
    blob = ACTIVATION_BLOB()
    blob['CustomHeader']['destCtx'] = 2
    blob['CustomHeader']['pdwReserved'] = NULL
    for c in (CLSID_InstantiationInfo, CLSID_ActivationContextInfo, CLSID_ServerLocationInfo,
              CLSID_ScmRequestInfo):
        x = CLSID()
        x['Data'] = c
        blob['CustomHeader']['pclsid'].append(x)
    props = b''
    inst = InstantiationInfoData()
    inst['classId'] = guid(CLSID_RASRV)
    inst['cIID'] = 1
    i = IID()
    i['Data'] = guid(IID_IRASRV)
    inst['pIID'].append(i)
    d = DWORD()
    m = ndr(inst)
    pad = (8 - (len(m) % 8)) % 8
    d['Data'] = len(m) + pad
    blob['CustomHeader']['pSizes'].append(d)
    inst['thisSize'] = d['Data']
    props += ndr(inst) + b'\xfa' * pad
    ctx = ActivationContextInfoData()
    ctx['pIFDClientCtx'] = NULL
    ctx['pIFDPrototypeCtx'] = NULL
    d = DWORD()
    m = ndr(ctx)
    pad = (8 - (len(m) % 8)) % 8
    d['Data'] = len(m) + pad
    blob['CustomHeader']['pSizes'].append(d)
    props += m + b'\xfa' * pad
    loc = LocationInfoData()
    loc['machineName'] = NULL
    d = DWORD()
    d['Data'] = len(loc.getData())
    blob['CustomHeader']['pSizes'].append(d)
    props += ndr(loc)
    scm = ScmRequestInfoData()
    scm['pdwReserved'] = NULL
    scm['remoteRequest']['cRequestedProtseqs'] = 1
    scm['remoteRequest']['pRequestedProtseqs'].append(7)
    d = DWORD()
    m = ndr(scm)
    pad = (8 - (len(m) % 8)) % 8
    d['Data'] = len(m) + pad
    blob['CustomHeader']['pSizes'].append(d)
    props += m + b'\xfa' * pad
    blob['Property'] = props
    o = OBJREF_CUSTOM()
    o['iid'] = IID_IActivationPropertiesIn[:-4]
    o['clsid'] = CLSID_ActivationPropertiesIn
    o['pObjectData'] = blob.getData()
    o['ObjectReferenceSize'] = len(o['pObjectData']) + 8
    request['pActProperties']['ulCntData'] = len(o.getData())
    request['pActProperties']['abData'] = list(o.getData())
    return request.getData()


def out_props():
    # PropsOutInfo: one interface (IRASrv), S_OK, the OBJREF_STANDARD of objref_standard_bytes().
    std = objref_standard_bytes()
    p = Body()
    p.u32(1, 'PropsOutInfo.cIfs')
    p.ref('piid')
    p.ref('phresults')
    p.ref('ppIntfData')
    p.u32(1, 'piid conformance')
    p.guid(IID_IRASRV, 'piid[0]')
    p.u32(1, 'phresults conformance')
    p.u32(0, 'phresults[0] S_OK')
    p.u32(1, 'ppIntfData conformance')
    p.ref('ppIntfData[0]')
    p.u32(std.size(), 'ppIntfData[0] abData conformance')
    p.u32(std.size(), 'ppIntfData[0] MInterfacePointer.ulCntData')
    for b, lab, kind in std.items:
        p.raw(b, '  ' + lab, kind)
    r = Body()
    r.ref('ScmReplyInfoData.pdwReserved', null=True)
    r.ref('remoteReply')
    r.u64(OXID, 'remoteReply.Oxid')
    r.ref('remoteReply.pdsaOxidBindings')
    r.guid(IPID_REMUNK, 'remoteReply.ipidRemUnknown')
    r.u32(6, 'remoteReply.authnHint RPC_C_AUTHN_LEVEL_PKT_PRIVACY')
    r.u16(5, 'remoteReply.serverVersion.MajorVersion')
    r.u16(7, 'remoteReply.serverVersion.MinorVersion')
    u, sec = dsa_units(STRINGS, SECURITY)
    r.u32(len(u), 'pdsaOxidBindings conformance')
    f_dsa_packed(r, STRINGS, SECURITY, 'pdsaOxidBindings')
    return [('PropsOutInfo', '00000339-0000-0000-c000-000000000046', 'CLSID_PropsOutInfo', p),
            ('ScmReplyInfoData', '000001b6-0000-0000-c000-000000000046', 'CLSID_ScmReplyInfo',
             r)]


def remote_activation_out():
    blob = activation_blob(out_props(), dest_ctx=2)
    o = Fields()
    objref_custom(o, '000001a3-0000-0000-c000-000000000046',
                  '00000339-0000-0000-c000-000000000046', blob, 'IActivationPropertiesOut',
                  'CLSID_ActivationPropertiesOut')
    f = Fields()
    f_orpcthat(f)
    mip(f, o, 'ppActProperties')
    f.pad_to(4, '(padding)')
    f.u32(0, 'HRESULT S_OK')
    return f


def impacket_activation_out():
    """The same response through impacket's classes (which it uses to parse one)."""
    blob = ACTIVATION_BLOB()
    blob['CustomHeader']['destCtx'] = 2
    blob['CustomHeader']['pdwReserved'] = NULL
    for c in (CLSID_PropsOutInfo, CLSID_ScmReplyInfo):
        x = CLSID()
        x['Data'] = c
        blob['CustomHeader']['pclsid'].append(x)
    po = PropsOutInfo()
    po['cIfs'] = 1
    i = IID()
    i['Data'] = guid(IID_IRASRV)
    po['piid'].append(i)
    h = HRESULT()
    h['Data'] = 0
    po['phresults'].append(h)
    mp = PMInterfacePointer()
    std = impacket_objref_standard()
    mp['ulCntData'] = len(std)
    mp['abData'] = list(std)
    po['ppIntfData'].append(mp)
    sr = ScmReplyInfoData()
    sr['pdwReserved'] = 0
    sr['remoteReply']['Oxid'] = OXID
    sr['remoteReply']['ipidRemUnknown'] = guid(IPID_REMUNK)
    sr['remoteReply']['authnHint'] = 6
    u, sec = dsa_units(STRINGS, SECURITY)
    sr['remoteReply']['pdsaOxidBindings']['wNumEntries'] = len(u)
    sr['remoteReply']['pdsaOxidBindings']['wSecurityOffset'] = sec
    for x in u:
        sr['remoteReply']['pdsaOxidBindings']['aStringArray'].append(x)
    props = b''
    for p in (po, sr):
        m = ndr(p)
        pad = (8 - (len(m) % 8)) % 8
        d = DWORD()
        d['Data'] = len(m) + pad
        blob['CustomHeader']['pSizes'].append(d)
        props += m + b'\xfa' * pad
    blob['Property'] = props
    o = OBJREF_CUSTOM()
    o['iid'] = IID_IActivationPropertiesOut[:-4]
    o['clsid'] = CLSID_ActivationPropertiesOut
    o['pObjectData'] = blob.getData()
    o['ObjectReferenceSize'] = len(o['pObjectData']) + 8
    resp = RemoteCreateInstanceResponse()
    resp['ORPCthat']['flags'] = 0
    resp['ORPCthat']['extensions'] = NULL
    resp['ppActProperties']['ulCntData'] = len(o.getData())
    resp['ppActProperties']['abData'] = list(o.getData())
    resp['ErrorCode'] = 0
    return resp.getData()


def body_special(session):
    b = Body()
    b.u32(session, 'SpecialPropertiesData.dwSessionId')
    b.i32(1, 'fRemoteThisSessionId')
    b.i32(0, 'fClientImpersonating')
    b.i32(0, 'fPartitionIDPresent')
    b.u32(2, 'dwDefaultAuthnLvl')
    b.guid('00000000-0000-0000-0000-000000000000', 'guidPartition')
    b.u32(0, 'dwPRTFlags')
    b.u32(0x14, 'dwOrigClsctx CLSCTX_LOCAL_SERVER|CLSCTX_REMOTE_SERVER')
    b.u32(0, 'dwFlags')
    b.u32(0, 'Reserved1')
    b.u64(0, 'Reserved2')
    for i in range(5):
        b.u32(0, 'Reserved3[%d]' % i)
    return b


def impacket_special(session):
    s = SpecialPropertiesData()
    s['dwSessionId'] = session
    s['fRemoteThisSessionId'] = 1
    s['dwDefaultAuthnLvl'] = 2
    s['guidPartition'] = b'\0' * 16
    s['dwOrigClsctx'] = 0x14
    s['Reserved'] = b'\0' * 32
    return ndr(s)


def body_security(name):
    b = Body()
    b.u32(0, 'SecurityInfoData.dwAuthnFlags')
    b.ref('pServerInfo')
    b.ref('pdwReserved', null=True)
    b.u32(0, 'pServerInfo.dwReserved1')
    b.ref('pServerInfo.pwszName')
    b.ref('pServerInfo.pdwReserved', null=True)
    b.u32(0, 'pServerInfo.dwReserved2')
    n = len(name) + 1
    b.u32(n, 'pwszName max count')
    b.u32(0, 'pwszName offset')
    b.u32(n, 'pwszName actual count')
    b.raw((name + '\0').encode('utf-16-le'), 'pwszName "%s"' % name)
    return b


def impacket_security(name):
    s = SecurityInfoData()
    s['dwAuthnFlags'] = 0
    s['pServerInfo']['dwReserved1'] = 0
    s['pServerInfo']['pwszName'] = name + '\0'
    s['pServerInfo']['pdwReserved'] = NULL
    s['pServerInfo']['dwReserved2'] = 0
    s['pdwReserved'] = NULL
    return ndr(s)


def body_instance(name):
    b = Body()
    b.ref('InstanceInfoData.fileName')
    b.u32(2, 'mode STGM_READWRITE')
    b.ref('ifdROT', null=True)
    b.ref('ifdStg', null=True)
    n = len(name) + 1
    b.u32(n, 'fileName max count')
    b.u32(0, 'fileName offset')
    b.u32(n, 'fileName actual count')
    b.raw((name + '\0').encode('utf-16-le'), 'fileName "%s"' % name)
    return b


def impacket_instance(name):
    s = InstanceInfoData()
    s['fileName'] = name + '\0'
    s['mode'] = 2
    s['ifdROT'] = NULL
    s['ifdStg'] = NULL
    return ndr(s)


def check_body(body, theirs, name):
    """impacket's TypeSerialization1 output = common + private header + unpadded body. impacket's
    SpecialPropertiesData has one DWORD too many at the end (88 bytes, [MS-DCOM] 2.2.22.2.2 makes
    84): extra bytes must be zero and within the padding to 8."""
    theirs = theirs[16:]
    extra = theirs[body.size():]
    if len(extra) >= 8 or extra.strip(b'\0'):
        raise SystemExit('%s: impacket has %d more bytes: %s' % (name, len(extra), extra.hex()))
    check(body, theirs[:body.size()], name)


def actprop_in_session():
    inst = body_instantiation('00000000-0000-0000-c000-000000000046', 0)
    inst = body_instantiation('00000000-0000-0000-c000-000000000046', ts1_size(inst))
    props = [('SpecialPropertiesData', '000001b9-0000-0000-c000-000000000046',
              'CLSID_SpecialSystemProperties', body_special(2)),
             ('InstantiationInfoData', '000001ab-0000-0000-c000-000000000046',
              'CLSID_InstantiationInfo', inst),
             ('LocationInfoData', '000001a4-0000-0000-c000-000000000046',
              'CLSID_ServerLocationInfo', body_location()),
             ('SecurityInfoData', '000001a6-0000-0000-c000-000000000046', 'CLSID_SecurityInfo',
              body_security('NOVICE')),
             ('ScmRequestInfoData', '000001aa-0000-0000-c000-000000000046',
              'CLSID_ScmRequestInfo', body_scm_request()),
             ('InstanceInfoData', '000001ad-0000-0000-c000-000000000046', 'CLSID_InstanceInfo',
              body_instance('C:\\novice.txt'))]
    check_body(props[0][3], impacket_special(2), 'SpecialPropertiesData')
    check_body(props[3][3], impacket_security('NOVICE'), 'SecurityInfoData')
    check_body(props[5][3], impacket_instance('C:\\novice.txt'), 'InstanceInfoData')
    return activation_blob(props, dest_ctx=2)


def main():
    # ORPCTHIS without and with extensions ([MS-DCOM] 2.2.13).
    f = Fields()
    f_orpcthis(f, 1)
    o = ORPCTHIS()
    o['cid'] = guid(CID)
    o['flags'] = 1
    o['extensions'] = NULL
    check(f, ndr(o), 'orpcthis')
    write('orpcthis', f, ['ORPCTHIS as impacket sends it in an activation request ([MS-DCOM] 2.2.13.3).'],
          [('type', 'orpcthis')])

    f = Fields()
    f_orpcthis(f, 0, ext=True)
    o = ORPCTHIS()
    o['cid'] = guid(CID)
    o['extensions']['size'] = 1
    o['extensions']['reserved'] = 0
    e = PORPC_EXTENT()
    e['id'] = CLSID_ERROR_EXTENSION
    e['size'] = 5
    e['data'] = list(b'hello\0\0\0')
    o['extensions']['extent'].append(e)
    o['extensions']['extent'].append(NULL)
    check(f, ndr(o), 'orpcthis-extent')
    write('orpcthis-extent', f,
          ['ORPCTHIS with an ORPC_EXTENT_ARRAY of one 5-byte extent ([MS-DCOM] 2.2.13.1-2):',
           'the array of extent pointers is rounded up to 2, the data to 8 bytes.'],
          [('type', 'orpcthis')])

    f = Fields()
    f_orpcthat(f)
    o = ORPCTHAT()
    o['flags'] = 0
    o['extensions'] = NULL
    check(f, ndr(o), 'orpcthat')
    write('orpcthat', f, ['ORPCTHAT without extensions ([MS-DCOM] 2.2.13.4).'],
          [('type', 'orpcthat')])

    # OBJREF_STANDARD ([MS-DCOM] 2.2.18.1, 2.2.18.2, 2.2.18.4, 2.2.19).
    f = objref_standard_bytes()
    check(f, impacket_objref_standard(), 'objref-standard')
    write('objref-standard', f,
          ['OBJREF_STANDARD for IRASrv with one string binding (ncacn_ip_tcp 127.0.0.1[49152])',
           'and one security binding (NTLM, no principal), through impacket\'s OBJREF_STANDARD.'],
          [('type', 'objref')])

    # RemoteCreateInstance request ([MS-DCOM] 3.1.2.5.2.3.3) exactly as impacket's
    # IRemoteSCMActivator.RemoteCreateInstance(CLSID_RASrv, IID_IRASrv) sends it.
    f = remote_create_instance_in()
    check(f, impacket_activation_in(RemoteCreateInstance), 'remotecreateinstance-in')
    write('remotecreateinstance-in', f,
          ['RemoteCreateInstance request stub (opnum 4) as impacket\'s CoCreateInstanceEx sends it',
           'for CLSID RASrv / IID IRASrv: ActivationPropertiesIn with InstantiationInfoData,',
           'ActivationContextInfoData, LocationInfoData and ScmRequestInfoData ([MS-DCOM] 2.2.22).'],
          [('type', 'remotecreateinstance_in')])

    # The response a novice sends ([MS-DCOM] 3.1.2.5.2.3.3): PropsOutInfo before ScmReplyInfo.
    f = remote_activation_out()
    check(f, impacket_activation_out(), 'remoteactivation-out')
    write('remoteactivation-out', f,
          ['RemoteCreateInstance response: ActivationPropertiesOut with PropsOutInfo (one',
           'OBJREF_STANDARD for IRASrv) and ScmReplyInfoData (OXID, bindings, IPID of',
           'IRemUnknown, authnHint 6), built with impacket\'s classes.'],
          [('type', 'remoteactivation_out')])

    # IRemUnknown ([MS-DCOM] 3.1.1.5.6).
    f = Fields()
    f_orpcthis(f, 0)
    f.guid(IPID, 'ripid')
    f.u32(5, 'cRefs')
    f.u16(1, 'cIids')
    f.u32(1, 'iids conformance')
    f.guid(IID_IRASRV, 'iids[0] IRASrv')
    q = RemQueryInterface()
    q['ORPCthis']['cid'] = guid(CID)
    q['ORPCthis']['flags'] = 0
    q['ORPCthis']['extensions'] = NULL
    q['ripid'] = guid(IPID)
    q['cRefs'] = 5
    q['cIids'] = 1
    i = IID()
    i['Data'] = guid(IID_IRASRV)
    q['iids'].append(i)
    check(f, q.getData(), 'remqueryinterface-in')
    write('remqueryinterface-in', f, ['IRemUnknown::RemQueryInterface request (opnum 3).'],
          [('type', 'remqueryinterface_in')])

    f = Fields()
    f_orpcthat(f)
    f.ref('ppQIResults')
    f.u32(1, 'ppQIResults conformance')
    f.align(8)
    f.u32(0, 'REMQIRESULT[0].hResult S_OK')
    f.u32(0, 'REMQIRESULT[0].std.flags')
    f.u32(5, 'REMQIRESULT[0].std.cPublicRefs')
    f.u64(OXID, 'REMQIRESULT[0].std.oxid')
    f.u64(OID, 'REMQIRESULT[0].std.oid')
    f.guid(IPID, 'REMQIRESULT[0].std.ipid')
    f.u32(0, 'HRESULT S_OK')
    write('remqueryinterface-out', f,
          ['IRemUnknown::RemQueryInterface response: [out, size_is(,cIids)] REMQIRESULT**',
           'is a unique pointer to a conformant array of REMQIRESULT (8-aligned).',
           'Written from [MS-DCOM] 3.1.1.5.6.1.1 alone: impacket\'s response class lacks the',
           'conformance.'],
          [('type', 'remqueryinterface_out'), ('count', '1')])

    for name, cls, refs in (('remaddref-in', RemAddRef, 2), ('remrelease-in', RemRelease, 1)):
        f = Fields()
        f_orpcthis(f, 0)
        f.u16(1, 'cInterfaceRefs')
        f.u32(1, 'InterfaceRefs conformance')
        f.guid(IPID, 'InterfaceRefs[0].ipid')
        f.u32(refs, 'InterfaceRefs[0].cPublicRefs')
        f.u32(0, 'InterfaceRefs[0].cPrivateRefs')
        q = cls()
        q['ORPCthis']['cid'] = guid(CID)
        q['ORPCthis']['flags'] = 0
        q['ORPCthis']['extensions'] = NULL
        q['cInterfaceRefs'] = 1
        e = REMINTERFACEREF()
        e['ipid'] = guid(IPID)
        e['cPublicRefs'] = refs
        e['cPrivateRefs'] = 0
        q['InterfaceRefs'].append(e)
        check(f, q.getData(), name)
        write(name, f, ['IRemUnknown::%s request.' % cls.__name__],
              [('type', 'remaddref_in')])

    f = Fields()
    f_orpcthat(f)
    f.u32(1, 'pResults conformance')
    f.u32(0, 'pResults[0] S_OK')
    f.u32(0, 'HRESULT S_OK')
    r = RemAddRefResponse()
    r['ORPCthat']['flags'] = 0
    r['ORPCthat']['extensions'] = NULL
    d = DWORD()
    d['Data'] = 0
    r['pResults'].append(d)
    r['ErrorCode'] = 0
    check(f, r.getData(), 'remaddref-out')
    write('remaddref-out', f, ['IRemUnknown::RemAddRef response.'],
          [('type', 'remaddref_out'), ('count', '1')])

    f = Fields()
    f_orpcthat(f)
    f.u32(0x80004002, 'HRESULT E_NOINTERFACE')
    r = RemReleaseResponse()
    r['ORPCthat']['flags'] = 0
    r['ORPCthat']['extensions'] = NULL
    r['ErrorCode'] = 0x80004002
    check(f, r.getData(), 'remrelease-out')
    write('remrelease-out', f, ['IRemUnknown::RemRelease response with a failure HRESULT.'],
          [('type', 'remrelease_out')])

    # IRemUnknown2::RemQueryInterface2 ([MS-DCOM] 3.1.1.5.7.1): impacket has no class for it.
    f = Fields()
    f_orpcthis(f, 0)
    f.guid(IPID, 'ripid')
    f.u16(2, 'cIids')
    f.u32(2, 'iids conformance')
    f.guid(IID_IRASRV, 'iids[0] IRASrv')
    f.guid('00020400-0000-0000-c000-000000000046', 'iids[1] IDispatch')
    write('remqueryinterface2-in', f,
          ['IRemUnknown2::RemQueryInterface2 request (opnum 6), from [MS-DCOM] 3.1.1.5.7.1.'],
          [('type', 'remqueryinterface2_in')])

    std = objref_standard_bytes()
    f = Fields()
    f_orpcthat(f)
    f.u32(2, 'phr conformance')
    f.u32(0, 'phr[0] S_OK')
    f.u32(0x80004002, 'phr[1] E_NOINTERFACE')
    f.u32(2, 'ppMIF conformance')
    f.ref('ppMIF[0]')
    f.ref('ppMIF[1]', null=True)
    f.u32(std.size(), 'ppMIF[0] abData conformance')
    f.u32(std.size(), 'ppMIF[0] MInterfacePointer.ulCntData')
    for b, lab, kind in std.items:
        f.raw(b, '  ' + lab, kind)
    f.pad_to(4, '(padding)')
    f.u32(0x00000001, 'HRESULT S_FALSE (some interfaces failed)')
    write('remqueryinterface2-out', f,
          ['IRemUnknown2::RemQueryInterface2 response: one interface found, one not.',
           'From [MS-DCOM] 3.1.1.5.7.1 (impacket has no class for it).'],
          [('type', 'remqueryinterface2_out'), ('count', '2')])


    f = actprop_in_session()
    write('actprop-in-session', f,
          ['An ActivationPropertiesIn blob as a Windows expert builds one to choose a session:',
           'SpecialPropertiesData with dwSessionId 2 ([MS-DCOM] 2.2.22.2.2) first, then',
           'InstantiationInfoData (IID_IUnknown), LocationInfoData, SecurityInfoData with a',
           'COSERVERINFO, ScmRequestInfoData and InstanceInfoData. The Special, Security and',
           'Instance bodies are checked against impacket\'s classes.'],
          [('type', 'actprop_in')])


if __name__ == '__main__':
    main()
