/*
 * What a failed "Offer Remote Assistance" means, for admins: the table of docs/troubleshooting.md
 * (HRESULTs, DCE/RPC faults, bind_nak reasons, refused interfaces and symptoms of the traffic,
 * each with its cause and what to do), shared by `ratool analyze` and `ratool probe`.
 *
 * The table is generated from the document at build time (tools/libra/gen-troubleshoot.py); the
 * constants RA_TS_<ID> name its rows (troubleshoot-table.h), so code that refers to a row that
 * the document lost does not compile. test-troubleshoot checks the program's table against the
 * document.
 */
#ifndef RA_TROUBLESHOOT_H
#define RA_TROUBLESHOOT_H

#include "troubleshoot-table.h"

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    RA_TROUBLE_HRESULT, /* code: the HRESULT */
    RA_TROUBLE_FAULT,   /* code: the fault status */
    RA_TROUBLE_NAK,     /* code: the bind_nak provider_reject_reason */
    RA_TROUBLE_CONTEXT, /* code: the provider reason of a rejected presentation context */
    RA_TROUBLE_SYMPTOM, /* code: 0 */
} RaTroubleKind;

typedef struct {
    RaTroubleId id;
    const char *key; /* the document's ID: "not-helper" */
    RaTroubleKind kind;
    guint32 code;
    const char *name;   /* "E_ACCESSDENIED", "not an Offer Remote Assistance helper" */
    const char *cause;  /* one or two sentences */
    const char *remedy; /* what to do */
} RaTrouble;

/* The generated rows, indexed by RaTroubleId. */
extern const RaTrouble ra_trouble_table[RA_TS_N];

/* The row of an id (never NULL for a valid id). */
const RaTrouble *ra_trouble(RaTroubleId id);
/* The row for a code of a kind, or NULL when the table has none. */
const RaTrouble *ra_trouble_find(RaTroubleKind kind, guint32 code);
/* The row whose ID is key, or NULL. */
const RaTrouble *ra_trouble_by_key(const char *key);
/* "hresult", "fault", "nak", "context", "symptom" (static). */
const char *ra_trouble_kind_name(RaTroubleKind kind);

G_END_DECLS

#endif
