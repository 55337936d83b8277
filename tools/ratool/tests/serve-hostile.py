#!/usr/bin/python3
"""Fault injection against the real `ratool serve` novice (in the sanitizer build: ASan+UBSan).

What test-fault-injection does to the RPC runtime and test-rai-server's hostile case do to the
DCOM layer in-process, here against the binary, through a third-party client (impacket's
DCE/RPC transport, NTLMv2 at PKT_PRIVACY, any port: no root needed):
  - hostile byte streams on raw sockets: garbage, a truncated header, a lying frag_length, a bind
    announcing more presentation contexts than it carries, a request before any bind;
  - mutated activation requests: impacket's RemoteCreateInstance (testdata/dcom) with bytes
    flipped, 32-bit fields set to absurd values, truncated or extended, seeded so that every
    run sends the same (RAI_HOSTILE_SEED, RAI_HOSTILE_ROUNDS change them);
  - mutated MS-RAI calls on live objects (IRASrv, IPCHService) from the rai-ndr seeds, on every
    opnum 0-25, and calls with bogus IPIDs.
Each answer must be a response or a fault (never a hang: impacket's socket has a timeout); after
all of it a complete `ratool offer` must still succeed, `ratool serve` must exit 0 on SIGTERM and
its standard error must hold no sanitizer report.

usage: serve-hostile.py RATOOL TESTDATA
"""
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.rpcrt import DCERPCException, RPC_C_AUTHN_LEVEL_PKT_PRIVACY
from impacket.uuid import string_to_bin, uuidtup_to_bin

DOMAIN = "CONTOSO"
HELPER, HELPER_PW = "expert", "Exp3rt-Pw!"
IID_SCM = "000001A0-0000-0000-C000-000000000046"
IID_IRASRV = "F120A684-B926-447F-9DF4-C966CB785648"
IID_IPCHSERVICE = "833E4200-AFF7-4AC3-AAC2-9F24C1457BCE"
CLSID_RASRV = "3C3A70A7-A468-49B9-8ADA-28E11FCCAD5D"
CLSID_PCHSERVICE = "833E4010-AFF7-4AC3-AAC2-9F24C1457BCE"

results = []


def case(name, fn):
    try:
        fn()
        results.append(True)
        print("ok %d - %s" % (len(results), name), flush=True)
    except Exception as e:
        results.append(False)
        print("not ok %d - %s: %s: %s" % (len(results), name, type(e).__name__, e), flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def vector(testdata, name):
    """The bytes of an annotated vector (OFFSET  HEX ... | field)."""
    data = bytearray()
    for line in open(os.path.join(testdata, "dcom", name)):
        if line.startswith("#") or "|" not in line:
            continue
        data += bytes.fromhex("".join(line.split("|")[0].split()[1:]))
    return bytes(data)


def dce_for(port, iid):
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:127.0.0.1[%d]" % port)
    t.set_credentials(HELPER, HELPER_PW, DOMAIN)
    t.set_connect_timeout(10)
    d = t.get_dce_rpc()
    d.set_auth_level(RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    d.connect()
    d.get_rpc_transport().get_socket().settimeout(10)
    d.bind(uuidtup_to_bin((iid, "0.0")))
    return d


class Caller:
    """Calls opnums with raw stubs on one interface, reconnecting when the server closes."""

    def __init__(self, port, iid):
        self.port, self.iid, self.dce = port, iid, None
        self.responses = self.faults = self.closed = 0

    def call(self, opnum, stub, uuid=None):
        if os.environ.get("RAI_HOSTILE_VERBOSE"):
            print("# %s opnum %d %s" % (self.iid, opnum, stub.hex()), flush=True)
        if self.dce is None:
            self.dce = dce_for(self.port, self.iid)
        try:
            self.dce.call(opnum, stub, uuid)
            answer = self.dce.recv()
            self.responses += 1
            return answer
        except DCERPCException:
            self.faults += 1
        except (OSError, socket.timeout) as e:
            if isinstance(e, socket.timeout):
                raise AssertionError("no answer to opnum %d within 10 s" % opnum)
            self.closed += 1
            self.dce = None
        return None


def mutate(rng, data):
    data = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # flip a few bytes
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    elif kind == 1:  # an absurd 32-bit value at an aligned offset
        off = rng.randrange(0, len(data) - 4) & ~3
        data[off:off + 4] = struct.pack("<I", rng.choice(
            [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xfffffff0, 0, 1, 1000]))
    elif kind == 2:  # truncated
        data = data[:rng.randrange(len(data))]
    elif kind == 3:  # extended with junk
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:  # a block duplicated
        a = rng.randrange(len(data))
        data[a:a] = data[a:a + rng.randint(1, 32)]
    return bytes(data)


def objref_ipid(answer):
    """The IPID of the first OBJREF_STANDARD ('MEOW', flags 1) in an activation response."""
    m = answer.find(b"MEOW\x01\x00\x00\x00")
    check(m >= 0, "no OBJREF in the activation response")
    return answer[m + 48:m + 64]


def main():
    ratool, testdata = sys.argv[1], sys.argv[2]
    seed = int(os.environ.get("RAI_HOSTILE_SEED", "5"))
    rounds = int(os.environ.get("RAI_HOSTILE_ROUNDS", "300"))
    rng = random.Random(seed)
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [ratool, "serve", "--port", "0", "--helper", "%s\\%s:%s" % (DOMAIN, HELPER, HELPER_PW),
         "--sessions", os.path.join(testdata, "sessions", "example.ini"), "--offer-lifetime",
         "0", "--listener-port", "3389", "--seed", "hostile"],
        stdout=subprocess.PIPE, stderr=err, text=True)
    m = re.search(r"port (\d+)", proc.stdout.readline())
    if not m:
        proc.kill()
        print("Bail out! ratool serve did not start")
        return 1
    port = int(m.group(1))
    # Read its standard output all along: one line per offer would fill the pipe and block it.
    drained = []
    drain = threading.Thread(target=lambda: drained.extend(proc.stdout), daemon=True)
    drain.start()
    print("# seed %d, %d rounds, port %d" % (seed, rounds, port))
    good = vector(testdata, "remotecreateinstance-in.hex")
    try:
        def raw_streams():
            pdus = [
                os.urandom(200),
                b"\x05\x00\x0b\x03\x10\x00\x00\x00\x48",  # a truncated header
                b"\x05\x00\x0b\x03\x10\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00" + b"A" * 64,
                # a bind announcing 255 contexts and carrying none
                b"\x05\x00\x0b\x03\x10\x00\x00\x00\x1c\x00\x00\x00\x01\x00\x00\x00"
                b"\xb8\x10\xb8\x10\x00\x00\x00\x00\xff\x00\x00\x00",
                # a request before any bind
                b"\x05\x00\x00\x03\x10\x00\x00\x00\x18\x00\x00\x00\x01\x00\x00\x00"
                b"\x00\x00\x00\x00\x00\x00\x04\x00",
            ]
            for pdu in pdus:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(pdu)
                try:
                    s.recv(4096)  # a fault, a bind_nak or the close
                except socket.timeout:
                    pass  # an incomplete PDU: the server waits for the rest
                s.close()
            d = dce_for(port, IID_SCM)  # still serving
            d.call(4, good)
            check(d.recv()[-4:] == b"\0\0\0\0", "the good activation after the raw streams")

        def activations():
            c = Caller(port, IID_SCM)
            for _ in range(rounds):
                c.call(4, mutate(rng, good))
            # RemoteGetClassObject (opnum 3) with the same mutations, and unknown opnums.
            for _ in range(rounds // 10):
                c.call(3, mutate(rng, good))
            for opnum in (0, 1, 2, 5, 6, 200):
                c.call(opnum, good)
            print("# activations: %d responses, %d faults, %d closed connections"
                  % (c.responses, c.faults, c.closed))
            check(c.faults > 0 and c.responses > 0, "both answers and faults expected")

        def objects():
            seeds = os.path.join(testdata, "fuzz", "rai-ndr")
            opnums = {"GetNoviceUserInfo": 7, "GetSessionInfo": 8, "RemoteConnectionParms": 19,
                      "RemoteUserSessionInfo": 20}
            stubs = {}  # interface -> [(opnum, stub)]
            for name in sorted(os.listdir(seeds)):
                m = re.match(r"seed-(IRASrv|IPCHService)_(\w+)_in$", name)
                if m:
                    n = re.match(r"Opnum(\d+)NotUsedByProtocol", m.group(2))
                    with open(os.path.join(seeds, name), "rb") as f:
                        stubs.setdefault(m.group(1), []).append(
                            (int(n.group(1)) if n else opnums[m.group(2)], f.read()[1:]))
            total = [0, 0, 0]
            for clsid, iid, iface in ((CLSID_RASRV, IID_IRASRV, "IRASrv"),
                                      (CLSID_PCHSERVICE, IID_IPCHSERVICE, "IPCHService")):
                act = good.replace(string_to_bin(CLSID_RASRV), string_to_bin(clsid)).replace(
                    string_to_bin(IID_IRASRV), string_to_bin(iid))
                a = Caller(port, IID_SCM)
                answer = a.call(4, act)
                check(answer is not None and answer[-4:] == b"\0\0\0\0",
                      "activation of %s" % iface)
                ipid = objref_ipid(answer)
                c = Caller(port, iid)
                for _ in range(rounds):
                    opnum, stub = rng.choice(stubs[iface])
                    if rng.randrange(4) == 0:
                        opnum = rng.randrange(26)  # any opnum, IUnknown's and IDispatch's too
                    c.call(opnum, mutate(rng, stub), ipid)
                for _ in range(rounds // 10):  # bogus IPIDs
                    opnum, stub = rng.choice(stubs[iface])
                    c.call(opnum, stub, os.urandom(16))
                total = [total[0] + c.responses, total[1] + c.faults, total[2] + c.closed]
            print("# object calls: %d responses, %d faults, %d closed connections" % tuple(total))
            check(total[1] > 0 and total[0] > 0, "both answers and faults expected")

        def still_offers():
            for iface in ("irasrv", "ipchservice"):
                p = subprocess.run(
                    [ratool, "offer", "127.0.0.1", "--port", str(port), "--user",
                     "%s\\%s" % (DOMAIN, HELPER), "--password", HELPER_PW, "--interface", iface,
                     "--session", "2", "-q"], capture_output=True, text=True, timeout=60)
                check(p.returncode == 0 and "connection string" in p.stdout,
                      "%s: %s%s" % (iface, p.stdout, p.stderr))

        case("hostile byte streams on raw sockets: refused, the server goes on", raw_streams)
        case("mutated activation requests: responses or faults", activations)
        case("mutated MS-RAI calls on live objects, bogus IPIDs: responses or faults", objects)
        case("a complete offer still succeeds on both interfaces", still_offers)
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        drain.join(timeout=10)
    err.seek(0)
    log = err.read()
    case("ratool serve exits 0 on SIGTERM", lambda: check(rc == 0, "exit %d" % rc))
    case("no sanitizer report from ratool serve",
         lambda: check("Sanitizer" not in log and "runtime error" not in log,
                       log[-3000:]))
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
