/*
 * ratool analyze FILE [--password PASS ...] [--nt-hash HEX ...] [--json] [--quiet]: what happened
 * to each offer of Remote Assistance in a capture (pcap or pcapng), told as one story per offer
 * (ra/analyze.h does the work; this file reads the capture, prints, and reports progress).
 *
 * Stories are printed as soon as they are over, so that memory stays flat on any capture size;
 * the JSON output is one document whose "offers" array is written as it goes.
 *
 * Exit status: 0 when the capture was read to its end (whatever the offers' outcomes), 1 when it
 * cannot be read (or only up to a damaged record: what could be read is printed first), 2 for
 * bad usage.
 */
#include "cliutil.h"
#include "json.h"
#include "ratool.h"

#include "ra/actprop.h"
#include "ra/analyze.h"
#include "ra/capfile.h"
#include "ra/ntlmssp.h"
#include "rai-ndr.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Captures at least this large get a progress line when standard error is a terminal. */
#define PROGRESS_MIN_BYTES (16 * 1024 * 1024)

typedef struct {
    gboolean json;
    GString *out; /* what is printed next */
    guint stories;
    gint64 start_ns; /* of the first story, for relative times */
    RaObsSecret *secrets;
    gchar **labels; /* owned; secrets[i].label points into it */
    guint n_secrets;
} Printer;

/* ---- times ---- */

/* "2023-11-14 22:13:20.000150 UTC" or, for JSON, "2023-11-14T22:13:20.000150Z". */
static gchar *time_text(gint64 ns, gboolean iso)
{
    gint64 sec = ns / G_GINT64_CONSTANT(1000000000);
    gint64 us = (ns % G_GINT64_CONSTANT(1000000000)) / 1000;
    if (us < 0) {
        sec--;
        us += 1000000;
    }
    GDateTime *t = g_date_time_new_from_unix_utc(sec);
    if (t == NULL)
        return g_strdup("?");
    gchar *base = g_date_time_format(t, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S");
    g_date_time_unref(t);
    gchar *text = g_strdup_printf(
        iso ? "%s.%06" G_GINT64_FORMAT "Z" : "%s.%06" G_GINT64_FORMAT " UTC", base, us);
    g_free(base);
    return text;
}

/* "1.234 ms" */
static gchar *ms_text(gint64 ns)
{
    return g_strdup_printf("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT " ms", ns / 1000000,
                           (ns / 1000) % 1000);
}

static gchar *endpoint(const RaIpAddress *a, guint16 port)
{
    char buf[64];
    ra_ip_address_format(a, buf, sizeof buf);
    return a->family == 6 ? g_strdup_printf("[%s]:%u", buf, port)
                          : g_strdup_printf("%s:%u", buf, port);
}

static const char *key_name(RaObsKeyState k)
{
    switch (k) {
    case RA_OBS_KEY_NONE:
        return "no secret given";
    case RA_OBS_KEY_MATCHED:
        return "matched";
    case RA_OBS_KEY_NO_MATCH:
        return "no secret matches";
    case RA_OBS_KEY_INCOMPLETE:
        return "handshake incomplete";
    case RA_OBS_KEY_UNSUPPORTED:
        return "not decodable";
    }
    return "?";
}

static const char *step_kind(RaStepKind k)
{
    return k == RA_STEP_CONNECT ? "connect" : k == RA_STEP_BIND ? "bind" : "call";
}

static const char *level_text(guint8 level)
{
    static const char *const names[] = {"none",   "none",      "connect", "call",
                                        "packet", "integrity", "privacy"};
    return level < G_N_ELEMENTS(names) ? names[level] : "?";
}

/* ---- text ---- */

static void line(GString *out, int indent, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void line(GString *out, int indent, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *text = g_strdup_vprintf(format, ap);
    va_end(ap);
    gchar *safe = ratool_text_value(text);
    g_string_append_printf(out, "%*s%s\n", indent, "", safe);
    g_free(safe);
    g_free(text);
}

static void text_findings(GString *out, const RaStory *s, gboolean errors)
{
    guint n = 0;
    for (guint i = 0; i < s->findings->len; i++) {
        const RaFinding *f = g_ptr_array_index(s->findings, i);
        if (f->error != errors)
            continue;
        if (n++ == 0)
            line(out, 2, "%s:", errors ? "errors" : "warnings");
        const RaTrouble *t = ra_trouble(f->trouble);
        line(out, 4, "%s: %s", t->key, t->name);
        line(out, 6, "seen:  %s", f->evidence);
        line(out, 6, "cause: %s", t->cause);
        line(out, 6, "do:    %s", t->remedy);
    }
    if (n == 0)
        line(out, 2, "%s: none", errors ? "errors" : "warnings");
}

static void text_story(Printer *pr, const RaStory *s)
{
    GString *out = pr->out;
    char ebuf[64], nbuf[64];
    ra_ip_address_format(&s->expert, ebuf, sizeof ebuf);
    ra_ip_address_format(&s->novice, nbuf, sizeof nbuf);
    line(out, 0, "offer %u: %s -> %s: %s", s->number, s->identity ? s->identity : ebuf, nbuf,
         ra_outcome_name(s->outcome));
    if (s->identity != NULL) {
        const char *v = s->key == RA_OBS_KEY_MATCHED ? "verified with " : "";
        line(out, 2, "expert:      %s at %s, workstation %s (NTLM: %s%s)", s->identity, ebuf,
             s->workstation && *s->workstation ? s->workstation : "(none)", v,
             s->key == RA_OBS_KEY_MATCHED ? s->secret : key_name(s->key));
    } else {
        line(out, 2, "expert:      %s (no NTLM logon in the capture)", ebuf);
    }
    line(out, 2, "novice:      %s", nbuf);
    line(out, 2, "interface:   %s", s->interface ? s->interface : "(none)");
    if (s->fallback)
        line(out, 2, "fallback:    from IRASrv to IPCHService: %s", s->fallback);
    line(out, 2, "result:      %s", s->summary);
    gchar *t0 = time_text(s->start.time_ns, FALSE);
    gchar *d = ms_text(s->end.time_ns - s->start.time_ns);
    line(out, 2, "time:        %s (frame %" G_GUINT64_FORMAT "), %s to frame %" G_GUINT64_FORMAT,
         t0, s->start.frame, d, s->end.frame);
    g_free(t0);
    g_free(d);

    line(out, 2, "connections:");
    for (guint i = 0; i < s->connections->len; i++) {
        const RaStoryConn *c = g_ptr_array_index(s->connections, i);
        gchar *a = endpoint(&c->client, c->client_port);
        gchar *b = endpoint(&c->server, c->server_port);
        GString *extra = g_string_new(NULL);
        if (c->identity)
            g_string_append_printf(extra, ", %s at %s", c->identity, level_text(c->auth_level));
        if (c->midstream)
            g_string_append(extra, ", open before the capture");
        if (c->reset)
            g_string_append(extra, ", reset");
        if (c->retransmissions)
            g_string_append_printf(extra, ", %" G_GUINT64_FORMAT " retransmitted",
                                   c->retransmissions);
        if (c->gaps)
            g_string_append_printf(extra, ", %" G_GUINT64_FORMAT " bytes missing", c->gap_bytes);
        line(out, 4, "%u  %s -> %s (%s)%s", c->number, a, b, c->role, extra->str);
        g_string_free(extra, TRUE);
        g_free(a);
        g_free(b);
    }

    line(out, 2, "steps:");
    /* Housekeeping (RemRelease, pings) summarised: counts by what it was, in order of first. */
    GHashTable *chores = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *chore_order = g_ptr_array_new();
    for (guint i = 0; i < s->steps->len; i++) {
        const RaStep *st = g_ptr_array_index(s->steps, i);
        if (st->housekeeping && !st->failed) {
            gpointer k = NULL, n = NULL;
            if (g_hash_table_lookup_extended(chores, st->what, &k, &n)) {
                g_hash_table_insert(chores, g_strdup(st->what),
                                    GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
            } else {
                gchar *key = g_strdup(st->what);
                g_ptr_array_add(chore_order, key);
                g_hash_table_insert(chores, key, GUINT_TO_POINTER(1));
            }
            continue;
        }
        gchar *off = ms_text(st->start.time_ns - s->start.time_ns);
        gchar *lat = st->answered ? ms_text(st->latency_ns) : g_strdup("-");
        line(out, 4, "+%-11s [%u] frame %-6" G_GUINT64_FORMAT " %s: %s (%s)%s", off, st->connection,
             st->start.frame, st->what, st->result, lat, st->failed ? "  FAILED" : "");
        g_free(off);
        g_free(lat);
    }
    if (chore_order->len > 0) {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < chore_order->len; i++) {
            const char *k = g_ptr_array_index(chore_order, i);
            g_string_append_printf(list, "%s%u x %s", i ? ", " : "",
                                   GPOINTER_TO_UINT(g_hash_table_lookup(chores, k)), k);
        }
        line(out, 4, "and housekeeping, all answered: %s", list->str);
        g_string_free(list, TRUE);
    }
    if (s->steps_dropped)
        line(out, 4, "and %u more steps, not listed", s->steps_dropped);
    g_ptr_array_unref(chore_order);
    g_hash_table_destroy(chores);

    if (s->activations->len > 0) {
        line(out, 2, "activations:");
        for (guint i = 0; i < s->activations->len; i++) {
            const RaStoryActivation *a = g_ptr_array_index(s->activations, i);
            gchar *sess = !a->has_session ? g_strdup("")
                          : a->session == RA_ACTPROP_ANY_SESSION
                              ? g_strdup(" in any session")
                              : g_strdup_printf(" in session %u", a->session);
            GString *r = g_string_new(NULL);
            if (!a->answered) {
                g_string_append(r, a->unread ? a->unread : "no answer read");
            } else {
                const char *hn = ra_hresult_name(a->hresult);
                if (hn)
                    g_string_append(r, hn);
                else
                    g_string_append_printf(r, "0x%08x", a->hresult);
                if (a->oxid)
                    g_string_append_printf(r, ", OXID 0x%016" G_GINT64_MODIFIER "x", a->oxid);
                for (guint k = 0; k < a->bindings->len; k++)
                    g_string_append_printf(r, "%s%s", k ? ", " : ", bindings ",
                                           (const char *)g_ptr_array_index(a->bindings, k));
            }
            line(out, 4, "frame %" G_GUINT64_FORMAT ": %s%s: %s", a->at.frame,
                 a->clsid ? a->clsid : "a class", sess, r->str);
            g_string_free(r, TRUE);
            g_free(sess);
        }
    }
    if (s->sessions->len > 0) {
        guint usable = 0;
        for (guint i = 0; i < s->sessions->len; i++)
            usable += ((RaStorySession *)g_ptr_array_index(s->sessions, i))->usable;
        line(out, 2, "sessions:    %u listed, %u with a user", s->sessions->len, usable);
        for (guint i = 0; i < s->sessions->len; i++) {
            const RaStorySession *ss = g_ptr_array_index(s->sessions, i);
            const char *state =
                ss->state >= 0 ? ra_rai_SessionStateEnum_name((guint32)ss->state) : NULL;
            line(out, 4, "%u  %s\\%s%s%s%s%s", ss->id, ss->domain, ss->user, state ? "  " : "",
                 state ? state : "", ss->usable ? "" : "  (ignored: no user)",
                 s->has_chosen && s->chosen == ss->id ? "  (chosen)" : "");
        }
    }
    for (guint i = 0; i < s->connstrs->len; i++) {
        const RaStoryConnStr *cs = g_ptr_array_index(s->connstrs, i);
        gchar *sess =
            cs->has_session ? g_strdup_printf(" for session %u", cs->session) : g_strdup("");
        line(out, 2, "connection string %d (%s%s, frame %" G_GUINT64_FORMAT "):", cs->version,
             cs->method, sess, cs->at.frame);
        g_free(sess);
        line(out, 4, "%s", cs->text);
        if (cs->parse_error)
            line(out, 4, "does not parse: %s", cs->parse_error);
        for (guint k = 0; k < cs->listeners->len; k++)
            line(out, 4, "listener: %s", (const char *)g_ptr_array_index(cs->listeners, k));
        if (cs->version == 2) {
            line(out, 4, "KH: %s", cs->kh ? cs->kh : "(none)");
            line(out, 4, "ID: %s", cs->auth_id ? cs->auth_id : "(none)");
            line(out, 4, "SID: %s", cs->sid ? cs->sid : "(none)");
        } else if (cs->version == 1) {
            line(out, 4, "RASessionID: %s", cs->auth_id ? cs->auth_id : "(none)");
            line(out, 4, "protocolSpecificParms: %s", cs->kh ? cs->kh : "(none)");
        }
        for (guint k = 0; k < cs->warnings->len; k++)
            line(out, 4, "warning: %s", (const char *)g_ptr_array_index(cs->warnings, k));
    }
    text_findings(out, s, TRUE);
    text_findings(out, s, FALSE);
    g_string_append_c(out, '\n');
}

/* ---- JSON ---- */

static void json_stamp(RatoolJson *j, const char *key, const RaObsStamp *at, gint64 origin)
{
    ratool_json_begin_object(j, key);
    ratool_json_int(j, "frame", (gint64)at->frame);
    gchar *t = time_text(at->time_ns, TRUE);
    ratool_json_string(j, "time", t);
    g_free(t);
    ratool_json_int(j, "offset_us", (at->time_ns - origin) / 1000);
    ratool_json_end_object(j);
}

static void json_findings(RatoolJson *j, const RaStory *s, gboolean errors)
{
    ratool_json_begin_array(j, errors ? "errors" : "warnings");
    for (guint i = 0; i < s->findings->len; i++) {
        const RaFinding *f = g_ptr_array_index(s->findings, i);
        if (f->error != errors)
            continue;
        const RaTrouble *t = ra_trouble(f->trouble);
        ratool_json_begin_object(j, NULL);
        ratool_json_string(j, "id", t->key);
        ratool_json_string(j, "name", t->name);
        ratool_json_string(j, "evidence", f->evidence);
        if (f->at.frame)
            ratool_json_int(j, "frame", (gint64)f->at.frame);
        else
            ratool_json_null(j, "frame");
        ratool_json_string(j, "cause", t->cause);
        ratool_json_string(j, "remedy", t->remedy);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
}

static gchar *json_story(const RaStory *s)
{
    RatoolJson *j = ratool_json_new();
    char ebuf[64], nbuf[64];
    gint64 origin = s->start.time_ns;
    ratool_json_begin_object(j, NULL);
    ratool_json_int(j, "number", s->number);
    ratool_json_string(j, "outcome", ra_outcome_name(s->outcome));
    ratool_json_string(j, "summary", s->summary);
    ratool_json_begin_object(j, "expert");
    ratool_json_string(j, "address", ra_ip_address_format(&s->expert, ebuf, sizeof ebuf));
    ratool_json_string(j, "identity", s->identity);
    ratool_json_string(j, "workstation", s->workstation);
    ratool_json_string(j, "ntlm", key_name(s->key));
    ratool_json_string(j, "secret", s->secret);
    ratool_json_end_object(j);
    ratool_json_begin_object(j, "novice");
    ratool_json_string(j, "address", ra_ip_address_format(&s->novice, nbuf, sizeof nbuf));
    ratool_json_end_object(j);
    ratool_json_string(j, "interface", s->interface);
    ratool_json_string(j, "fallback", s->fallback);
    json_stamp(j, "start", &s->start, origin);
    json_stamp(j, "end", &s->end, origin);

    ratool_json_begin_array(j, "connections");
    for (guint i = 0; i < s->connections->len; i++) {
        const RaStoryConn *c = g_ptr_array_index(s->connections, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "number", c->number);
        gchar *a = endpoint(&c->client, c->client_port);
        gchar *b = endpoint(&c->server, c->server_port);
        ratool_json_string(j, "client", a);
        ratool_json_string(j, "server", b);
        g_free(a);
        g_free(b);
        ratool_json_string(j, "role", c->role);
        ratool_json_string(j, "identity", c->identity);
        ratool_json_string(j, "auth_level", c->identity ? level_text(c->auth_level) : NULL);
        ratool_json_bool(j, "syn", c->saw_syn);
        ratool_json_bool(j, "reset", c->reset);
        ratool_json_int(j, "retransmissions", (gint64)c->retransmissions);
        ratool_json_int(j, "gaps", (gint64)c->gaps);
        ratool_json_int(j, "gap_bytes", (gint64)c->gap_bytes);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);

    ratool_json_begin_array(j, "steps");
    for (guint i = 0; i < s->steps->len; i++) {
        const RaStep *st = g_ptr_array_index(s->steps, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "connection", st->connection);
        ratool_json_string(j, "kind", step_kind(st->kind));
        ratool_json_int(j, "frame", (gint64)st->start.frame);
        ratool_json_int(j, "offset_us", (st->start.time_ns - origin) / 1000);
        if (st->answered) {
            ratool_json_int(j, "answer_frame", (gint64)st->end.frame);
            ratool_json_int(j, "latency_us", st->latency_ns / 1000);
        } else {
            ratool_json_null(j, "answer_frame");
            ratool_json_null(j, "latency_us");
        }
        ratool_json_string(j, "what", st->what);
        ratool_json_string(j, "result", st->result);
        ratool_json_bool(j, "failed", st->failed);
        ratool_json_bool(j, "housekeeping", st->housekeeping);
        ratool_json_string(j, "trouble", st->trouble >= 0 ? ra_trouble(st->trouble)->key : NULL);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    ratool_json_int(j, "steps_not_listed", s->steps_dropped);

    ratool_json_begin_array(j, "activations");
    for (guint i = 0; i < s->activations->len; i++) {
        const RaStoryActivation *a = g_ptr_array_index(s->activations, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "frame", (gint64)a->at.frame);
        ratool_json_string(j, "class", a->clsid);
        if (!a->has_session)
            ratool_json_null(j, "session");
        else if (a->session == RA_ACTPROP_ANY_SESSION)
            ratool_json_string(j, "session", "any");
        else
            ratool_json_int(j, "session", a->session);
        if (a->answered) {
            const char *hn = ra_hresult_name(a->hresult);
            gchar *hx = g_strdup_printf("0x%08x", a->hresult);
            ratool_json_string(j, "hresult", hn ? hn : hx);
            g_free(hx);
        } else {
            ratool_json_null(j, "hresult");
        }
        ratool_json_string(j, "unread", a->unread);
        if (a->oxid) {
            gchar *ox = g_strdup_printf("0x%016" G_GINT64_MODIFIER "x", a->oxid);
            ratool_json_string(j, "oxid", ox);
            g_free(ox);
        } else {
            ratool_json_null(j, "oxid");
        }
        ratool_json_begin_array(j, "bindings");
        for (guint k = 0; k < a->bindings->len; k++)
            ratool_json_string(j, NULL, g_ptr_array_index(a->bindings, k));
        ratool_json_end_array(j);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);

    ratool_json_begin_array(j, "sessions");
    for (guint i = 0; i < s->sessions->len; i++) {
        const RaStorySession *ss = g_ptr_array_index(s->sessions, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "id", ss->id);
        ratool_json_string(j, "domain", ss->domain);
        ratool_json_string(j, "user", ss->user);
        ratool_json_string(
            j, "state", ss->state >= 0 ? ra_rai_SessionStateEnum_name((guint32)ss->state) : NULL);
        ratool_json_bool(j, "usable", ss->usable);
        ratool_json_bool(j, "chosen", s->has_chosen && s->chosen == ss->id);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);

    ratool_json_begin_array(j, "connection_strings");
    for (guint i = 0; i < s->connstrs->len; i++) {
        const RaStoryConnStr *cs = g_ptr_array_index(s->connstrs, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "frame", (gint64)cs->at.frame);
        ratool_json_int(j, "form", cs->version);
        ratool_json_string(j, "method", cs->method);
        if (cs->has_session)
            ratool_json_int(j, "session", cs->session);
        else
            ratool_json_null(j, "session");
        ratool_json_string(j, "text", cs->text);
        ratool_json_begin_array(j, "listeners");
        for (guint k = 0; k < cs->listeners->len; k++)
            ratool_json_string(j, NULL, g_ptr_array_index(cs->listeners, k));
        ratool_json_end_array(j);
        ratool_json_string(j, "auth_id", cs->auth_id);
        ratool_json_string(j, "kh", cs->kh);
        ratool_json_string(j, "sid", cs->sid);
        ratool_json_begin_array(j, "warnings");
        for (guint k = 0; k < cs->warnings->len; k++)
            ratool_json_string(j, NULL, g_ptr_array_index(cs->warnings, k));
        ratool_json_end_array(j);
        ratool_json_string(j, "parse_error", cs->parse_error);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    json_findings(j, s, TRUE);
    json_findings(j, s, FALSE);
    ratool_json_end_object(j);
    return ratool_json_free_to_string(j);
}

/* Appends text (a JSON value ending with a newline) with every line after the first indented. */
static void append_indented(GString *out, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        g_string_append_c(out, *p);
        if (*p == '\n' && p[1] != '\0')
            g_string_append_printf(out, "%*s", indent, "");
    }
    if (out->len > 0 && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
}

static void on_story(const RaStory *s, gpointer data)
{
    Printer *pr = data;
    if (pr->json) {
        g_string_append(pr->out, pr->stories == 0 ? "\n    " : ",\n    ");
        gchar *text = json_story(s);
        append_indented(pr->out, text, 4);
        g_free(text);
    } else {
        text_story(pr, s);
    }
    pr->stories++;
    /* Printed as they come: a large capture is never held in memory. */
    if (pr->out->len > 64 * 1024) {
        ratool_write_stdout(pr->out->str, pr->out->len);
        g_string_truncate(pr->out, 0);
    }
}

/* ---- secrets ---- */

static gboolean parse_secrets(gchar **passwords, gchar **hashes, Printer *pr)
{
    guint n = (passwords ? g_strv_length(passwords) : 0) + (hashes ? g_strv_length(hashes) : 0);
    pr->secrets = g_new0(RaObsSecret, MAX(n, 1));
    pr->labels = g_new0(gchar *, n + 1);
    guint k = 0;
    for (guint i = 0; passwords && passwords[i]; i++, k++) {
        GError *error = NULL;
        if (!ra_ntlm_nt_hash(passwords[i], pr->secrets[k].nt_hash, &error)) {
            ratool_error("--password", error);
            g_error_free(error);
            return FALSE;
        }
        pr->labels[k] = g_strdup_printf("password %u", i + 1);
        pr->secrets[k].label = pr->labels[k];
    }
    for (guint i = 0; hashes && hashes[i]; i++, k++) {
        const char *h = hashes[i];
        if (strlen(h) != 32) {
            ratool_fail("--nt-hash: an NT hash is 32 hexadecimal digits, not %zu characters",
                        strlen(h));
            return FALSE;
        }
        for (int b = 0; b < 16; b++) {
            int hi = g_ascii_xdigit_value(h[2 * b]), lo = g_ascii_xdigit_value(h[2 * b + 1]);
            if (hi < 0 || lo < 0) {
                ratool_fail("--nt-hash: an NT hash is 32 hexadecimal digits");
                return FALSE;
            }
            pr->secrets[k].nt_hash[b] = (guint8)(hi * 16 + lo);
        }
        pr->labels[k] = g_strdup_printf("NT hash %u", i + 1);
        pr->secrets[k].label = pr->labels[k];
    }
    pr->n_secrets = k;
    return TRUE;
}

static void free_secrets(Printer *pr)
{
    for (guint i = 0; i < pr->n_secrets; i++)
        memset(pr->secrets[i].nt_hash, 0, 16);
    g_free(pr->secrets);
    g_strfreev(pr->labels);
}

/* ---- the capture summary ---- */

static void text_summary(GString *out, const char *file, RaCapReader *r, const RaAnalyzer *an,
                         const GError *read_error, const Printer *pr)
{
    const RaAnalyzeStats *st = ra_analyzer_stats(an);
    line(out, 0, "capture: %s (%s)", file, ra_cap_reader_format(r));
    gchar *t0 = st->packets ? time_text(st->first_ns, FALSE) : g_strdup("-");
    gchar *d = ms_text(st->last_ns - st->first_ns);
    line(out, 2, "%" G_GUINT64_FORMAT " packets from %s over %s", st->packets, t0, d);
    g_free(t0);
    g_free(d);
    line(out, 2,
         "%" G_GUINT64_FORMAT " TCP connections, %" G_GUINT64_FORMAT
         " with DCE/RPC, %" G_GUINT64_FORMAT " calls (%" G_GUINT64_FORMAT
         " decrypted, %" G_GUINT64_FORMAT " sealed without a key)",
         st->connections, st->rpc_connections, st->calls, st->decrypted_calls, st->sealed_calls);
    line(out, 2, "%u offer stor%s; secrets given: %u", pr->stories, pr->stories == 1 ? "y" : "ies",
         pr->n_secrets);
    const GPtrArray *g = ra_analyzer_global_findings(an);
    for (guint i = 0; i < g->len; i++) {
        const RaGlobalFinding *f = g_ptr_array_index(g, i);
        const RaTrouble *t = ra_trouble(f->trouble);
        line(out, 2, "warning: %s: %s", t->key, f->evidence);
    }
    if (read_error)
        line(out, 2, "error: %s", read_error->message);
}

static void json_summary(GString *out, const char *file, RaCapReader *r, const RaAnalyzer *an,
                         const GError *read_error, const Printer *pr)
{
    const RaAnalyzeStats *st = ra_analyzer_stats(an);
    RatoolJson *j = ratool_json_new();
    ratool_json_begin_object(j, NULL);
    ratool_json_int(j, "packets", (gint64)st->packets);
    ratool_json_int(j, "bytes", (gint64)st->bytes);
    gchar *t0 = st->packets ? time_text(st->first_ns, TRUE) : NULL;
    gchar *t1 = st->packets ? time_text(st->last_ns, TRUE) : NULL;
    ratool_json_string(j, "first", t0);
    ratool_json_string(j, "last", t1);
    g_free(t0);
    g_free(t1);
    ratool_json_int(j, "tcp_connections", (gint64)st->connections);
    ratool_json_int(j, "rpc_connections", (gint64)st->rpc_connections);
    ratool_json_int(j, "calls", (gint64)st->calls);
    ratool_json_int(j, "decrypted_calls", (gint64)st->decrypted_calls);
    ratool_json_int(j, "sealed_calls", (gint64)st->sealed_calls);
    ratool_json_int(j, "offers", pr->stories);
    ratool_json_begin_array(j, "warnings");
    const GPtrArray *g = ra_analyzer_global_findings(an);
    for (guint i = 0; i < g->len; i++) {
        const RaGlobalFinding *f = g_ptr_array_index(g, i);
        const RaTrouble *t = ra_trouble(f->trouble);
        ratool_json_begin_object(j, NULL);
        ratool_json_string(j, "id", t->key);
        ratool_json_string(j, "evidence", f->evidence);
        ratool_json_int(j, "frame", (gint64)f->frame);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    ratool_json_string(j, "read_error", read_error ? read_error->message : NULL);
    ratool_json_end_object(j);
    gchar *text = ratool_json_free_to_string(j);
    g_string_append(out, "  \"capture\": ");
    append_indented(out, text, 2);
    g_string_append(out, "\n}\n");
    g_free(text);
}

int ratool_analyze(int argc, char **argv)
{
    gchar **passwords = NULL, **hashes = NULL;
    gboolean json = FALSE, quiet = FALSE;
    GOptionEntry entries[] = {
        {"password", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &passwords,
         "A password of an expert account, to verify its NTLM logons and decrypt its sealed "
         "calls (repeat for several experts)",
         "PASS"},
        {"nt-hash", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hashes,
         "The same with the account's NT hash (32 hexadecimal digits)", "HEX"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON document (keys in ratool(1))",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on standard error", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_set_prgname("ratool analyze");
    g_autoptr(GOptionContext) context = g_option_context_new("FILE");
    g_option_context_set_summary(
        context,
        "Tell what happened to each offer of Remote Assistance in a capture (pcap or pcapng): "
        "the expert (from NTLM), the novice, the interface, the activation, the sessions, the "
        "connection strings, every error with its cause and what to do, and the time of each "
        "step. Sealed calls are read with the expert's password.");
    g_option_context_add_main_entries(context, entries, NULL);
    if (!ratool_parse_options(context, &argc, &argv)) {
        g_strfreev(passwords);
        g_strfreev(hashes);
        return RATOOL_EXIT_USAGE;
    }
    if (argc != 2) {
        ratool_fail("analyze: give one capture file (try --help)");
        g_strfreev(passwords);
        g_strfreev(hashes);
        return RATOOL_EXIT_USAGE;
    }
    const char *file = argv[1];
    Printer pr = {0};
    pr.json = json;
    gboolean ok = parse_secrets(passwords, hashes, &pr);
    for (guint i = 0; passwords && passwords[i]; i++)
        memset(passwords[i], 0, strlen(passwords[i]));
    g_strfreev(passwords);
    g_strfreev(hashes);
    if (!ok) {
        free_secrets(&pr);
        return RATOOL_EXIT_USAGE;
    }
    GError *error = NULL;
    RaCapReader *r = ra_cap_reader_open(file, &error);
    if (r == NULL) {
        ratool_error(file, error);
        g_error_free(error);
        free_secrets(&pr);
        return RATOOL_EXIT_DATA;
    }
    pr.out = g_string_new(NULL);
    if (json) {
        g_string_append(pr.out, "{\n  \"file\": ");
        ratool_json_append_string(pr.out, file);
        g_string_append(pr.out, ",\n  \"format\": ");
        ratool_json_append_string(pr.out, ra_cap_reader_format(r));
        g_string_append(pr.out, ",\n  \"secrets\": [");
        for (guint i = 0; i < pr.n_secrets; i++) {
            g_string_append(pr.out, i ? ", " : "");
            ratool_json_append_string(pr.out, pr.secrets[i].label);
        }
        g_string_append(pr.out, "],\n  \"offers\": [");
    }
    RaAnalyzeConfig cfg = {pr.secrets, pr.n_secrets, on_story, &pr};
    RaAnalyzer *an = ra_analyzer_new(&cfg);
    gint64 size = ra_cap_reader_file_size(r);
    gboolean progress = !quiet && isatty(STDERR_FILENO) && size >= PROGRESS_MIN_BYTES;
    gint64 last_report = 0;
    RaCapPacket packet;
    guint64 last_frame = 0;
    while (ra_cap_reader_next(r, &packet, &error)) {
        ra_analyzer_packet(an, &packet);
        last_frame = packet.number;
        if (progress && (packet.number & 1023) == 0) {
            gint64 now = g_get_monotonic_time();
            if (now - last_report > 500000) {
                last_report = now;
                gint64 done = ra_cap_reader_offset(r);
                fprintf(stderr,
                        "\ranalyze: %3d%% (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                        " MB), %u offers so far ",
                        (int)(size > 0 ? done * 100 / size : 0), done >> 20, size >> 20,
                        pr.stories);
                fflush(stderr);
            }
        }
    }
    if (error != NULL)
        ra_analyzer_read_error(an, last_frame, error);
    ra_analyzer_finish(an);
    if (progress)
        fprintf(stderr, "\r%*s\r", 60, "");
    if (json) {
        g_string_append(pr.out, pr.stories ? "\n  ],\n" : "],\n");
        json_summary(pr.out, file, r, an, error, &pr);
    } else {
        text_summary(pr.out, file, r, an, error, &pr);
    }
    gboolean written = ratool_write_stdout(pr.out->str, pr.out->len);
    int status = RATOOL_EXIT_OK;
    if (error != NULL) {
        ratool_error(file, error);
        g_error_free(error);
        status = RATOOL_EXIT_DATA;
    }
    if (!written)
        status = RATOOL_EXIT_DATA;
    g_string_free(pr.out, TRUE);
    ra_analyzer_free(an);
    ra_cap_reader_free(r);
    free_secrets(&pr);
    return status;
}
