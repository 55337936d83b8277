/*
 * Fuzz harness: our RPC client against a hostile server. Input: byte 0 chooses the client's
 * script (even: unauthenticated, odd: NTLMv2 PKT_PRIVACY), the rest is everything the "server"
 * sends, fed through a socketpair that is then shut: bind_acks, challenges, responses, faults,
 * fragments, in any shape. `ratool offer` talks to servers it does not trust.
 */
#include "rpc-client-script.h"

#include "ra/crypto.h"

#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A g_return_if_fail() tripped by input is a bug: make it a crash the fuzzer reports. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    /* What fits in the socket buffer, so that writing it all never blocks. */
    if (size < 1 || size > 65536)
        return 0;
    ra_random_set_seed("fuzz-rpc-client");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 0;
    size_t off = 1;
    while (off < size) {
        ssize_t n = write(sv[1], data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(sv[1], SHUT_WR);
    GSocket *socket = g_socket_new_from_fd(sv[0], NULL);
    if (socket == NULL) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    g_socket_set_timeout(socket, 5);
    RaRpcClient *c = ra_rpc_client_new_from_socket(socket);
    fuzz_client_script(c, data[0] & 1);
    ra_rpc_client_free(c);
    close(sv[1]);
    return 0;
}
