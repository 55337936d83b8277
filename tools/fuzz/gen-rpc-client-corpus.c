/*
 * Records the seeds of the fuzz-rpc-client corpus: what a real server (ours, the test server)
 * sends while the client runs fuzz_client_script(), as the harness's input (byte 0: the script
 * variant, then the server's PDUs).
 *
 *   gen-rpc-client-corpus DIR
 */
#include "rpc-client-script.h"
#include "rpc-test-server.h"

#include <stdio.h>
#include <stdlib.h>

static void on_trace(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    if (!sent)
        g_byte_array_append(data, pdu, (guint)len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen-rpc-client-corpus DIR\n");
        return 2;
    }
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    const char *names[] = {"server-unauthenticated", "server-privacy"};
    for (int variant = 0; variant < 2; variant++) {
        GByteArray *stream = g_byte_array_new();
        guint8 v = (guint8)variant;
        g_byte_array_append(stream, &v, 1);
        GError *error = NULL;
        RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
        if (c == NULL) {
            fprintf(stderr, "gen-rpc-client-corpus: %s\n", error->message);
            return 1;
        }
        ra_rpc_client_set_trace(c, on_trace, stream);
        fuzz_client_script(c, variant == 1);
        ra_rpc_client_free(c);
        gchar *path = g_strdup_printf("%s/%s", argv[1], names[variant]);
        if (!g_file_set_contents(path, (const gchar *)stream->data, stream->len, &error)) {
            fprintf(stderr, "gen-rpc-client-corpus: %s\n", error->message);
            return 1;
        }
        printf("wrote %s (%u bytes)\n", path, stream->len);
        g_free(path);
        g_byte_array_unref(stream);
    }
    test_server_stop(ts);
    return 0;
}
