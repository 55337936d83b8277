/*
 * The RPC server the fuzz-rpc-assoc harness feeds, and its corpus generator records sessions
 * against: accounts, endpoint mapper, OXID resolver (one OXID, OIDs 1-4) and an echo interface,
 * with a seeded random generator and a fixed NTLM time, so that an authenticated session
 * recorded once replays identically (same CHALLENGE, so the AUTHENTICATE and the sealed requests
 * still verify).
 */
#ifndef RPC_ASSOC_FIXTURE_H
#define RPC_ASSOC_FIXTURE_H

#include "ra/rpc-server.h"

#define FUZZ_SEED     "fuzz-rpc-assoc"
#define FUZZ_FILETIME G_GUINT64_CONSTANT(0x01d9e3a1b2c3d4e5)
#define FUZZ_DOMAIN   "CONTOSO"
#define FUZZ_USER     "alice"
#define FUZZ_PASSWORD "S3cret-Pw!x"
#define FUZZ_OXID     G_GUINT64_CONSTANT(0x0123456789abcdef)

extern const RaSyntaxId fuzz_echo_syntax; /* opnum 0 echoes (anonymous), opnum 1 faults */

/* The server (created once per process). */
RaRpcServer *fuzz_rpc_server(void);

/*
 * Starts a session: reseeds the random generator (as every fuzz input does) and returns a new
 * association from 192.0.2.1:50000 to 192.0.2.2:135.
 */
RaRpcAssoc *fuzz_rpc_session(void);

#endif
