/*
 * Writes, as text2pcap input (-D: "O" for what the client sent, "I" for what it received), the
 * PDUs of one NTLMv2 PKT_PRIVACY session of our client with our server: bind to
 * IObjectExporter with the NTLM handshake, ServerAlive2, ResolveOxid2, then an alter_context with
 * a fresh handshake to the test interface and a fragmented echo. Used by tshark-sealed.py, which
 * checks that tshark decrypts it with the password, i.e. that our sealing is the standard one.
 *
 * usage: capture-sealed OUTPUT.txt   (prints the server's port and the password on stdout)
 */
#include "rpc-test-server.h"

#include "ra/ndr.h"
#include "ra/rpc-client.h"

#include <stdio.h>
#include <stdlib.h>

/* One packet: the direction, then 16 bytes a line after a hex offset. */
static void write_packet(FILE *f, gboolean sent, const guint8 *pdu, gsize len)
{
    fprintf(f, "%s\n", sent ? "O" : "I");
    for (gsize i = 0; i < len; i += 16) {
        fprintf(f, "%06zx", i);
        for (gsize k = i; k < len && k < i + 16; k++)
            fprintf(f, " %02x", pdu[k]);
        fprintf(f, "\n");
    }
}

static void trace(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    write_packet(data, sent, pdu, len);
}

static void die(const char *what, GError *error)
{
    fprintf(stderr, "capture-sealed: %s: %s\n", what, error ? error->message : "failed");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: capture-sealed OUTPUT.txt\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    if (c == NULL)
        die("connect", error);
    ra_rpc_client_set_trace(c, trace, f);
    /* Small fragments, so that the echo below is fragmented both ways. */
    ra_rpc_client_set_max_frag(c, RA_PDU_MIN_MAX_FRAG, RA_PDU_MIN_MAX_FRAG);
    RaRpcAuth auth = {
        RA_AUTH_LEVEL_PKT_PRIVACY, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, "EXPERT"};
    guint16 ctx;
    if (!ra_rpc_client_bind(c, &ra_oxid_syntax, &auth, &ctx, &error))
        die("bind", error);
    GBytes *r = ra_rpc_client_call(c, ctx, 5, NULL, NULL, 0, &error); /* ServerAlive2 */
    if (r == NULL)
        die("ServerAlive2", error);
    g_bytes_unref(r);
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, TEST_OXID);
    ra_ndr_push_u16(p, 1);
    ra_ndr_push_array_size(p, 1);
    ra_ndr_push_u16(p, 7);
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    r = ra_rpc_client_call(c, ctx, 4, NULL, g_bytes_get_data(req, NULL), g_bytes_get_size(req),
                           &error); /* ResolveOxid2 */
    if (r == NULL)
        die("ResolveOxid2", error);
    g_bytes_unref(r);
    g_bytes_unref(req);
    guint16 ctx2;
    if (!ra_rpc_client_bind(c, &test_iface_syntax, &auth, &ctx2, &error))
        die("alter_context", error);
    guint8 *stub = g_malloc(3000);
    for (int i = 0; i < 3000; i++)
        stub[i] = (guint8)('A' + i % 26);
    r = ra_rpc_client_call(c, ctx2, 0, NULL, stub, 3000, &error);
    if (r == NULL)
        die("echo", error);
    g_bytes_unref(r);
    g_free(stub);
    ra_rpc_client_free(c);
    printf("port %u\npassword %s\n", ts->port, TEST_PASSWORD);
    test_server_stop(ts);
    fclose(f);
    return 0;
}
