#!/usr/bin/python3
"""End-to-end: impacket (a third-party DCE/RPC client) against `ratool serve` on loopback.

Uses impacket's public API only (DCERPCTransportFactory, the DCERPC_v5 object, epm.hept_map,
dcomrt.IObjectExporter). Each case prints one TAP line. Checks:
  - ServerAlive2 and ept_map succeed unauthenticated and at PKT_PRIVACY with NTLMv2, and the
    bindings name the literal address and port the client used;
  - an authenticated, non-anonymous call (ResolveOxid2) runs and returns OR_INVALID_OXID for an
    unknown OXID;
  - alter_context with a fresh NTLM handshake, and a second bind on one connection, work;
  - a wrong password is refused (rpc_s_access_denied);
  - a tampered sealed PDU is rejected (fault) and the association closed;
  - calls below the minimum authentication level are refused (access denied), at CONNECT and at
    PKT_INTEGRITY with --min-auth-level privacy, while integrity passes with
    --min-auth-level integrity;
  - the server logs identities and refusals but never a password, and exits 0 on SIGTERM
    (under the sanitizer build that includes LeakSanitizer's verdict).

usage: impacket-serve.py RATOOL
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile

from impacket.dcerpc.v5 import dcomrt, epm, transport
from impacket.dcerpc.v5.rpcrt import (DCERPCException, RPC_C_AUTHN_LEVEL_CONNECT,
                                      RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
                                      RPC_C_AUTHN_LEVEL_PKT_PRIVACY)

DOMAIN, USER, PASSWORD = "CONTOSO", "alice", "S3cret-Pw!x"
WRONG = "not-the-password"
OR_INVALID_OXID = 0x776

results = []


def case(name, fn):
    try:
        fn()
        results.append(True)
        print("ok %d - %s" % (len(results), name), flush=True)
    except Exception as e:  # a failed check or an unexpected exception
        results.append(False)
        print("not ok %d - %s: %s: %s" % (len(results), name, type(e).__name__, e), flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Server:
    def __init__(self, ratool, *args):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [ratool, "serve", "--port", "0", "--verbose",
             "--account", "%s\\%s:%s" % (DOMAIN, USER, PASSWORD)] + list(args),
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\S+) port (\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("ratool serve did not start: %r" % line)
        self.host, self.port = m.group(1), int(m.group(2))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.log.seek(0)
        return rc, self.log.read()


def dce_for(srv, level=None, password=PASSWORD):
    """An unconnected DCERPC_v5 to the server, with NTLM credentials when level is given."""
    rpctransport = transport.DCERPCTransportFactory("ncacn_ip_tcp:%s[%d]" % (srv.host, srv.port))
    rpctransport.set_connect_timeout(10)
    if level is not None:
        rpctransport.set_credentials(USER, password, DOMAIN)
    dce = rpctransport.get_dce_rpc()
    if level is not None:
        dce.set_auth_level(level)
    return dce


def server_alive2(srv, level=None, password=PASSWORD):
    dce = dce_for(srv, level, password)
    try:
        bindings = dcomrt.IObjectExporter(dce).ServerAlive2()
    finally:
        dce.disconnect()
    addrs = [b["aNetworkAddr"].rstrip("\x00") for b in bindings]
    want = "%s[%d]" % (srv.host, srv.port)
    check(want in addrs, "ServerAlive2 bindings %r lack %s" % (addrs, want))
    check(all(b["wTowerId"] == 7 for b in bindings), "tower ids %r" % bindings)


def ept_map(srv, level=None):
    dce = dce_for(srv, level)
    dce.connect()
    try:
        result = epm.hept_map(srv.host, dcomrt.IID_IObjectExporter, protocol="ncacn_ip_tcp",
                              dce=dce)
    finally:
        dce.disconnect()
    want = "ncacn_ip_tcp:%s[%d]" % (srv.host, srv.port)
    check(result == want, "hept_map gave %r, wanted %r" % (result, want))


def expect_refusal(fn, what):
    """fn must raise a DCERPCException mentioning `what`."""
    try:
        fn()
    except DCERPCException as e:
        check(what in str(e), "refused with %r, not %s" % (str(e), what))
        return
    raise AssertionError("not refused (expected %s)" % what)


def resolve_oxid2(srv, level):
    dce = dce_for(srv, level)
    try:
        dcomrt.IObjectExporter(dce).ResolveOxid2(0x1122334455667788, [7])
    except DCERPCException as e:
        if e.get_error_code() != OR_INVALID_OXID:
            raise  # a refusal: the callers that expect one look at it
        return
    finally:
        dce.disconnect()
    raise AssertionError("ResolveOxid2 of an unknown OXID succeeded")


def alter_context(srv):
    dce = dce_for(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    dce.connect()
    try:
        dce.bind(epm.MSRPC_UUID_PORTMAP)
        # impacket runs a fresh NTLM handshake (new auth_context_id) on ALTER_CONTEXT.
        dce2 = dce.alter_ctx(dcomrt.IID_IObjectExporter)
        resp = dce2.request(dcomrt.ServerAlive2())
        check(resp["ErrorCode"] == 0, "ServerAlive2 over the altered context failed")
        # The first context still works with its own keys.
        result = epm.hept_map(srv.host, dcomrt.IID_IObjectExporter, protocol="ncacn_ip_tcp",
                              dce=dce)
        check(result.endswith("[%d]" % srv.port), "hept_map after alter_ctx gave %r" % result)
    finally:
        dce.disconnect()


def second_bind(srv):
    dce = dce_for(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    dce.connect()
    try:
        dce.bind(epm.MSRPC_UUID_PORTMAP)
        dce.bind(dcomrt.IID_IObjectExporter)  # a BIND again on the same connection
        resp = dce.request(dcomrt.ServerAlive2())
        check(resp["ErrorCode"] == 0, "ServerAlive2 after a second bind failed")
    finally:
        dce.disconnect()


def tampered(srv):
    dce = dce_for(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    rpctransport = dce.get_rpc_transport()
    real_send = rpctransport.send

    def send(data, *args, **kwargs):
        # Flip one bit of the sealed stub of every request PDU (ptype 0): the signature
        # covers the plaintext, so the server's check must fail.
        if data[2] == 0 and len(data) > 40:
            data = data[:24] + bytes([data[24] ^ 0x01]) + data[25:]
        return real_send(data, *args, **kwargs)

    rpctransport.send = send
    dce.connect()
    try:
        dce.bind(dcomrt.IID_IObjectExporter)
        try:
            dce.request(dcomrt.ServerAlive2())
            raise AssertionError("the tampered request was answered")
        except DCERPCException as e:
            check("00000721" in str(e) or "sec_pkg" in str(e),
                  "tampered request refused with %r, not a security fault" % str(e))
        sock = rpctransport.get_socket()
        sock.settimeout(5)
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
        check(closed, "the association stayed open after a bad signature")
    finally:
        dce.disconnect()


def main():
    ratool = sys.argv[1]
    srv = Server(ratool)
    try:
        case("ServerAlive2 unauthenticated", lambda: server_alive2(srv))
        case("ept_map unauthenticated", lambda: ept_map(srv))
        case("ServerAlive2 at PKT_PRIVACY (NTLMv2)",
             lambda: server_alive2(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY))
        case("ept_map at PKT_PRIVACY (NTLMv2)", lambda: ept_map(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY))
        case("ResolveOxid2 at PKT_PRIVACY runs: unknown OXID -> OR_INVALID_OXID",
             lambda: resolve_oxid2(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY))
        case("alter_context with a fresh NTLM handshake", lambda: alter_context(srv))
        case("second bind on one connection", lambda: second_bind(srv))
        case("wrong password refused",
             lambda: expect_refusal(
                 lambda: server_alive2(srv, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, WRONG),
                 "rpc_s_access_denied"))
        case("tampered sealed PDU rejected, association closed", lambda: tampered(srv))
        case("PKT_INTEGRITY below the minimum (privacy) refused",
             lambda: expect_refusal(lambda: resolve_oxid2(srv, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY),
                                    "rpc_s_access_denied"))
        case("CONNECT below the minimum (privacy) refused",
             lambda: expect_refusal(lambda: resolve_oxid2(srv, RPC_C_AUTHN_LEVEL_CONNECT),
                                    "rpc_s_access_denied"))
        case("anonymous ServerAlive2 still served after all that", lambda: server_alive2(srv))
    finally:
        rc, log = srv.stop()
    case("server exits 0 on SIGTERM", lambda: check(rc == 0, "exit status %d:\n%s" % (rc, log)))
    case("log names the identity and the refusals",
         lambda: check("authenticated %s\\%s" % (DOMAIN, USER) in log
                       and "authentication failed for %s\\%s" % (DOMAIN, USER) in log
                       and "access denied" in log, log))
    case("log never shows a password",
         lambda: check(PASSWORD not in log and WRONG not in log, "a password is in the log"))

    # With --min-auth-level integrity, the same integrity call is let through.
    srv = Server(ratool, "--min-auth-level", "integrity")
    try:
        case("PKT_INTEGRITY accepted with --min-auth-level integrity",
             lambda: resolve_oxid2(srv, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY))
        case("CONNECT still refused with --min-auth-level integrity",
             lambda: expect_refusal(lambda: resolve_oxid2(srv, RPC_C_AUTHN_LEVEL_CONNECT),
                                    "rpc_s_access_denied"))
    finally:
        rc, log = srv.stop()
    case("second server exits 0", lambda: check(rc == 0, "exit status %d:\n%s" % (rc, log)))

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
