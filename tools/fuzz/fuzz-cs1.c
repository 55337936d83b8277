/*
 * Fuzz harness: Connection String 1 ([MS-RAI] 2.2.1). Besides not crashing, a parsed string
 * rebuilt with ra_connstr1_build() must parse again with the same session id and address count.
 */
#include "ra/connstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)ra_connstr_detect((const char *)data, size);
    RaConnStr1 *cs = ra_connstr1_parse((const char *)data, size, NULL);
    if (cs == NULL)
        return 0;
    gchar *built = ra_connstr1_build(cs->addresses, cs->ra_session_id, cs->protocol_specific_parms);
    RaConnStr1 *again = ra_connstr1_parse(built, strlen(built), NULL);
    if (again == NULL || again->addresses->len != cs->addresses->len ||
        (strchr(cs->ra_session_id, ',') == NULL &&
         strcmp(again->ra_session_id, cs->ra_session_id) != 0))
        abort();
    ra_connstr1_free(again);
    g_free(built);
    ra_connstr1_free(cs);
    return 0;
}
