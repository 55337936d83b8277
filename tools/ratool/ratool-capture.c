/*
 * ratool capture: reference captures of [MS-RAI]. Runs our novice and our expert in one process
 * (ra/rig.h), records every byte each side sends, frames it as Ethernet/IP/TCP (ra/capture.h) and
 * writes pcapng through libwiretap (capture-pcapng.c), with a comment on each packet that starts
 * a protocol step.
 *
 *   ratool capture -o FILE.pcapng [--scenario NAME ...] [--seal [--password PASS]] [--seed TEXT]
 *   ratool capture -o FILE.pcapng --from-trace TRACE [--port N] [--expert-address A]
 *                  [--novice-address A]
 *   ratool capture --list
 *
 * The same options always give the same bytes: fixed addresses, ports and timestamps, and the
 * random generator seeded per act.
 *
 * Exit status: 0 written; 1 the capture could not be made (a scenario went wrong, I/O); 2 usage.
 */
#include "ratool.h"

#include "capture-pcapng.h"
#include "capture-scenarios.h"

#include "ra/capture.h"
#include "ra/error.h"

#include <stdio.h>
#include <string.h>

#define META_ALL    "all"
#define META_SEALED "sealed"

static void list_scenarios(void)
{
    guint n;
    const CaptureScenario *s = capture_scenarios(&n);
    for (guint i = 0; i < n; i++)
        printf("%-12s %s\n", s[i].name, s[i].summary);
    printf("%-12s %s\n", META_ALL, "every scenario above, one after another");
    printf("%-12s %s\n", META_SEALED,
           "every scenario above at packet privacy (as --seal --scenario all)");
}

/* Which scenarios the names select (run in the order of --list); *seal set by `sealed`.
 * NULL after reporting an unknown name. */
static gboolean *resolve(gchar **names, gboolean *seal)
{
    guint n;
    const CaptureScenario *all = capture_scenarios(&n);
    gboolean *chosen = g_new0(gboolean, n);
    static const char *const every[] = {META_ALL, NULL};
    const char *const *list = names ? (const char *const *)names : every;
    for (gsize i = 0; list[i] != NULL; i++) {
        const char *name = list[i];
        gboolean meta = strcmp(name, META_ALL) == 0 || strcmp(name, META_SEALED) == 0;
        if (strcmp(name, META_SEALED) == 0)
            *seal = TRUE;
        if (!meta && capture_scenario_find(name) == NULL) {
            ratool_fail("capture: no scenario '%s' (see --list)", name);
            g_free(chosen);
            return NULL;
        }
        for (guint k = 0; k < n; k++)
            chosen[k] = chosen[k] || meta || strcmp(all[k].name, name) == 0;
    }
    return chosen;
}

/*
 * --from-trace: the PDUs `ratool offer --trace` wrote ("<connection> <O|I> <hex>" a line, O for
 * what the expert sent), framed as TCP between expert and novice: each connection opened at its
 * first PDU, from port 49750 + its number to `port` (`ratool serve` serves activation and objects
 * on one port), all closed at the end, newest first.
 */
static gboolean play_trace(RaCapture *capture, const char *path, const char *expert,
                           const char *novice, guint16 port, guint64 *pdus, GError **error)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *local = NULL;
    if (!g_file_get_contents(path, &text, &len, &local)) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot read the trace: %s", local->message);
        g_error_free(local);
        return FALSE;
    }
    gchar **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
    gboolean ok = TRUE;
    for (guint i = 0; ok && lines[i] != NULL; i++) {
        gchar *line = g_strstrip(lines[i]);
        if (*line == '\0')
            continue;
        gchar **f = g_strsplit(line, " ", 3);
        guint64 conn = 0;
        gsize n = 0;
        guchar *pdu = NULL;
        gboolean sent = f[0] && f[1] && strcmp(f[1], "O") == 0;
        ok = g_strv_length(f) == 3 && g_ascii_string_to_unsigned(f[0], 10, 0, 255, &conn, NULL) &&
             (sent || strcmp(f[1], "I") == 0) && strlen(f[2]) % 2 == 0 && strlen(f[2]) > 0;
        if (ok) {
            n = strlen(f[2]) / 2;
            pdu = g_malloc(n);
            for (gsize k = 0; ok && k < n; k++) {
                int hi = g_ascii_xdigit_value(f[2][2 * k]),
                    lo = g_ascii_xdigit_value(f[2][2 * k + 1]);
                ok = hi >= 0 && lo >= 0;
                pdu[k] = (guchar)(hi << 4 | lo);
            }
        }
        if (!ok)
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "%s line %u: not \"<connection> <O|I> <hex>\"", path, i + 1);
        while (ok && conn >= ids->len) {
            guint id;
            gchar *note = g_strdup_printf("connection %u of `ratool offer --trace`", ids->len);
            ok = ra_capture_connect(capture, expert, (guint16)(49750 + ids->len), novice, port,
                                    note, &id, error);
            g_free(note);
            g_array_append_val(ids, id);
        }
        if (ok) {
            ok = ra_capture_send(capture, g_array_index(ids, guint, conn), sent, pdu, n, NULL,
                                 error);
            (*pdus)++;
        }
        g_free(pdu);
        g_strfreev(f);
    }
    for (guint i = ids->len; ok && i-- > 0;) {
        ok = ra_capture_close(capture, g_array_index(ids, guint, i), TRUE, NULL, error) &&
             ra_capture_close(capture, g_array_index(ids, guint, i), FALSE, NULL, error);
    }
    g_array_unref(ids);
    g_strfreev(lines);
    return ok;
}

int ratool_capture(int argc, char **argv)
{
    gchar *output = NULL, *password = NULL, *seed = NULL;
    gchar **names = NULL;
    gboolean seal = FALSE, list = FALSE, quiet = FALSE;
    gchar *trace = NULL, *expert_address = NULL, *novice_address = NULL;
    gint port = 135;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the capture to FILE (pcapng)",
         "FILE"},
        {"scenario", 's', 0, G_OPTION_ARG_STRING_ARRAY, &names,
         "A scenario to play (repeatable; default all; see --list)", "NAME"},
        {"seal", 0, 0, G_OPTION_ARG_NONE, &seal,
         "Seal every call (NTLMv2 packet privacy) instead of only signing it", NULL},
        {"password", 'p', 0, G_OPTION_ARG_STRING, &password,
         "The accounts' password (default " CAPTURE_DEFAULT_PASSWORD
         "): tshark decrypts with -o ntlmssp.nt_password:PASS",
         "PASS"},
        {"seed", 0, 0, G_OPTION_ARG_STRING, &seed,
         "Seed of keys, nonces, identifiers and challenges (default \"" CAPTURE_DEFAULT_SEED "\")",
         "TEXT"},
        {"list", 'l', 0, G_OPTION_ARG_NONE, &list, "List the scenarios", NULL},
        {"from-trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
         "Instead of scenarios, frame the PDUs `ratool offer --trace` wrote to FILE", "FILE"},
        {"expert-address", 0, 0, G_OPTION_ARG_STRING, &expert_address,
         "With --from-trace: the expert's address (default 127.0.0.1)", "ADDR"},
        {"novice-address", 0, 0, G_OPTION_ARG_STRING, &novice_address,
         "With --from-trace: the novice's address (default 127.0.0.1)", "ADDR"},
        {"port", 0, 0, G_OPTION_ARG_INT, &port,
         "With --from-trace: the novice's port (default 135)", "PORT"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on stderr", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("- write reference captures of MS-RAI");
    g_option_context_set_summary(
        context, "Runs the novice of `ratool serve` and the expert of `ratool offer` in one\n"
                 "process, records every byte, and writes pcapng (Ethernet, IPv4/IPv6, TCP) with\n"
                 "a comment on each packet that starts a protocol step. The same options give\n"
                 "the same bytes.");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean parsed = ratool_parse_options(context, &argc, &argv);
    g_option_context_free(context);
    int status = RATOOL_EXIT_USAGE;
    gboolean *chosen = NULL;
    guint n_scenarios;
    const CaptureScenario *scenarios = capture_scenarios(&n_scenarios);
    RatoolPcapng *writer = NULL;
    RaCapture *capture = NULL;
    GError *error = NULL;
    if (!parsed)
        goto out;
    if (argc > 1) {
        ratool_fail("capture: unexpected argument '%s' (try --help)", argv[1]);
        goto out;
    }
    if (list) {
        list_scenarios();
        status = RATOOL_EXIT_OK;
        goto out;
    }
    if (output == NULL) {
        ratool_fail("capture: -o FILE is required (try --help)");
        goto out;
    }
    if (password != NULL &&
        (*password == '\0' || strlen(password) > 128 || !g_str_is_ascii(password))) {
        /* tshark's ntlmssp.nt_password takes one ASCII password of at most 128 characters. */
        ratool_fail("capture: --password must be 1 to 128 ASCII characters");
        goto out;
    }
    if (trace != NULL && (names != NULL || seal || port < 1 || port > 65535)) {
        ratool_fail("capture: --from-trace takes no --scenario or --seal, and a port 1-65535");
        goto out;
    }
    if (trace == NULL && (expert_address || novice_address)) {
        ratool_fail("capture: --expert-address and --novice-address go with --from-trace");
        goto out;
    }
    chosen = resolve(names, &seal);
    if (chosen == NULL)
        goto out;

    status = RATOOL_EXIT_DATA;
    GString *comment = g_string_new("MS-RAI reference capture (ratool capture): ");
    gboolean first = TRUE;
    if (trace != NULL)
        g_string_append(comment, "the PDUs of `ratool offer --trace`, framed as TCP");
    for (guint i = 0; trace == NULL && i < n_scenarios; i++) {
        if (chosen[i]) {
            g_string_append_printf(comment, "%s%s", first ? "" : ", ", scenarios[i].name);
            first = FALSE;
        }
    }
    if (trace != NULL)
        g_string_append(comment, " (as `ratool offer` protected them: packet privacy by "
                                 "default)");
    else if (seal)
        g_string_append_printf(comment,
                               ". NTLMv2 at packet privacy (sealed): decrypt with tshark -o "
                               "ntlmssp.nt_password:%s",
                               password ? "PASSWORD (the one given to ratool capture)"
                                        : CAPTURE_DEFAULT_PASSWORD);
    else
        g_string_append(comment, ". NTLMv2 at packet integrity (signed, readable)");
    if (trace == NULL)
        g_string_append(comment, ". Addresses and names are from documentation ranges.");
    writer = ratool_pcapng_open(output, comment->str, "ms-rai-lab", &error);
    g_string_free(comment, TRUE);
    if (writer == NULL) {
        ratool_error("capture", error);
        goto out;
    }
    RaCaptureConfig cc;
    ra_capture_config_init(&cc);
    cc.seed = seed ? seed : CAPTURE_DEFAULT_SEED;
    capture = ra_capture_new(&cc, ratool_pcapng_write, writer);
    CaptureRun run;
    capture_run_init(&run, capture);
    run.sealed = seal;
    if (password)
        run.password = password;
    if (seed)
        run.seed = seed;
    run.progress = quiet ? NULL : stderr;
    gboolean ok = TRUE;
    if (trace != NULL)
        ok = play_trace(capture, trace, expert_address ? expert_address : "127.0.0.1",
                        novice_address ? novice_address : "127.0.0.1", (guint16)port, &run.pdus,
                        &error);
    for (guint i = 0; trace == NULL && ok && i < n_scenarios; i++) {
        if (chosen[i])
            ok = scenarios[i].run(&run, scenarios[i].name, &error);
    }
    ok = ok && ra_capture_finish(capture, &error);
    RaCaptureStats st;
    ra_capture_get_stats(capture, &st);
    if (!ok) {
        ratool_error("capture", error);
        ratool_pcapng_abort(writer);
        writer = NULL;
        goto out;
    }
    ok = ratool_pcapng_close(writer, &error);
    writer = NULL;
    if (!ok) {
        ratool_error("capture", error);
        goto out;
    }
    if (!quiet)
        fprintf(stderr,
                "ratool capture: wrote %s: %" G_GUINT64_FORMAT
                " frames, %u connections, %" G_GUINT64_FORMAT " PDUs, %" G_GUINT64_FORMAT
                " offer(s), %" G_GUINT64_FORMAT " refused%s\n",
                output, st.frames, st.connections, run.pdus, run.offers, run.refusals,
                seal ? ", sealed" : "");
    status = RATOOL_EXIT_OK;
out:
    g_clear_error(&error);
    ratool_pcapng_abort(writer);
    ra_capture_free(capture);
    g_free(chosen);
    if (password)
        memset(password, 0, strlen(password));
    g_free(output);
    g_free(password);
    g_free(seed);
    g_free(trace);
    g_free(expert_address);
    g_free(novice_address);
    g_strfreev(names);
    return status;
}
