/*
 * Fuzz harness: the request stubs of the endpoint mapper and the OXID resolver, handed to their
 * dispatch functions as the RPC server would (after the runtime's checks). Input: byte 0 selects
 * the operation (even: epm opnum byte/2 % 7, odd: IObjectExporter opnum byte/2 % 6), the rest is
 * the stub, copied to an 8-aligned buffer as the runtime provides it.
 */
#include "ra/epm.h"
#include "ra/oxid.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static RaEpm *epm;
static RaOxidResolver *resolver;

static void init(void)
{
    if (epm != NULL)
        return;
    epm = ra_epm_new();
    for (guint i = 0; i < 5; i++) {
        RaSyntaxId id = ra_oxid_syntax;
        id.uuid.time_low += i;
        ra_epm_add_endpoint(epm, &id, NULL, (guint16)(135 + i), "fuzz");
    }
    resolver = ra_oxid_resolver_new(NULL);
    RaUuid ipid = {0x11111111, 0x2222, 0x3333, {0x44, 0x44}, {5, 5, 5, 5, 5, 5}};
    ra_oxid_add(resolver, 0x0123456789abcdefULL, &ipid, 6, 0);
    for (guint64 oid = 1; oid <= 4; oid++)
        ra_oxid_add_oid(resolver, 0x0123456789abcdefULL, oid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A g_return_if_fail() tripped by input is a bug: make it a crash the fuzzer reports. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    if (size < 1)
        return 0;
    init();
    RaRpcCall call = {0};
    call.opnum = data[0] / 2;
    guint8 *stub = g_malloc(size); /* malloc alignment >= 8 */
    memcpy(stub, data + 1, size - 1);
    call.stub = stub;
    call.stub_len = size - 1;
    call.arena = ra_arena_new();
    call.local_address = "127.0.0.1";
    call.local_port = 135;
    if (data[0] % 2 == 0) {
        call.opnum %= 7;
        ra_epm_dispatch(&call, epm);
    } else {
        call.opnum %= 6;
        ra_oxid_dispatch(&call, resolver);
    }
    if (call.response != NULL)
        g_bytes_unref(call.response);
    ra_arena_free(call.arena);
    g_free(stub);
    return 0;
}
