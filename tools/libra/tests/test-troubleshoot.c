/*
 * The troubleshooting table compiled into the library is docs/troubleshooting.md's: every row of
 * the document (read here, at test time, from the source tree) is in the program with the same
 * ID, kind, code, name, cause and remedy, in the same order, and nothing else is; codes are found
 * by kind; names agree with the library's own names for HRESULTs and faults.
 */
#include "ra/dcom.h"
#include "ra/pdu.h"
#include "ra/troubleshoot.h"

#include <string.h>

static RaTroubleKind kind_of(const char *text)
{
    static const char *const names[] = {"hresult", "fault", "nak", "context", "symptom"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        if (strcmp(text, names[i]) == 0)
            return (RaTroubleKind)i;
    g_error("unknown kind %s", text);
}

static void test_matches_document(void)
{
    g_autofree gchar *path =
        g_build_filename(g_getenv("RAI_TESTDATA"), "..", "docs", "troubleshooting.md", NULL);
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    gchar **lines = g_strsplit(text, "\n", -1);
    gboolean inside = FALSE, header = FALSE;
    guint row = 0;
    for (guint i = 0; lines[i]; i++) {
        gchar *l = g_strstrip(lines[i]);
        if (strcmp(l, "<!-- table:begin -->") == 0) {
            inside = TRUE;
            continue;
        }
        if (strcmp(l, "<!-- table:end -->") == 0)
            break;
        if (!inside || *l != '|')
            continue;
        gchar **cells = g_strsplit(l, "|", -1);
        g_assert_cmpuint(g_strv_length(cells), ==, 8); /* "" + 6 cells + "" */
        for (guint k = 0; cells[k]; k++)
            g_strstrip(cells[k]);
        if (!header) {
            header = TRUE;
        } else if (cells[1][0] != '-') {
            g_assert_cmpuint(row, <, RA_TS_N);
            const RaTrouble *t = ra_trouble((RaTroubleId)row);
            g_assert_cmpint(t->id, ==, row);
            g_assert_cmpstr(t->key, ==, cells[1]);
            g_assert_cmpint(t->kind, ==, kind_of(cells[2]));
            guint32 code =
                t->kind == RA_TROUBLE_SYMPTOM ? 0 : (guint32)g_ascii_strtoull(cells[3], NULL, 0);
            g_assert_cmphex(t->code, ==, code);
            g_assert_cmpstr(t->name, ==, cells[4]);
            g_assert_cmpstr(t->cause, ==, cells[5]);
            g_assert_cmpstr(t->remedy, ==, cells[6]);
            g_assert_true(ra_trouble_by_key(cells[1]) == t);
            if (t->kind != RA_TROUBLE_SYMPTOM)
                g_assert_true(ra_trouble_find(t->kind, t->code) == t);
            row++;
        }
        g_strfreev(cells);
    }
    g_assert_cmpuint(row, ==, RA_TS_N);
    g_strfreev(lines);
    g_free(text);
}

static void test_names_agree(void)
{
    for (guint i = 0; i < RA_TS_N; i++) {
        const RaTrouble *t = &ra_trouble_table[i];
        const char *lib = NULL;
        if (t->kind == RA_TROUBLE_HRESULT)
            lib = ra_hresult_name(t->code);
        else if (t->kind == RA_TROUBLE_FAULT)
            lib = ra_pdu_fault_name(t->code);
        if (lib != NULL)
            g_assert_cmpstr(t->name, ==, lib);
    }
    /* The codes the tools look up by value are there. */
    g_assert_nonnull(ra_trouble_find(RA_TROUBLE_HRESULT, RA_E_ACCESSDENIED));
    g_assert_nonnull(ra_trouble_find(RA_TROUBLE_HRESULT, RA_HRESULT_ERROR_CANNOT_MAKE));
    g_assert_nonnull(ra_trouble_find(RA_TROUBLE_FAULT, RA_NCA_S_FAULT_ACCESS_DENIED));
    g_assert_nonnull(ra_trouble_find(RA_TROUBLE_FAULT, RA_NCA_OP_RNG_ERROR));
    g_assert_nonnull(ra_trouble_find(RA_TROUBLE_NAK, RA_BIND_NAK_INVALID_CHECKSUM));
    g_assert_nonnull(
        ra_trouble_find(RA_TROUBLE_CONTEXT, RA_PDU_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED));
    g_assert_null(ra_trouble_find(RA_TROUBLE_HRESULT, 0x12345678));
    g_assert_null(ra_trouble_find(RA_TROUBLE_SYMPTOM, 0));
    g_assert_cmpstr(ra_trouble_kind_name(ra_trouble(RA_TS_NOT_HELPER)->kind), ==, "symptom");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/troubleshoot/matches-document", test_matches_document);
    g_test_add_func("/troubleshoot/names-agree", test_names_agree);
    return g_test_run();
}
