/*
 * One error convention for the whole library: functions return gboolean (or a pointer, NULL on
 * failure) and fill a GError in the RA_ERROR domain with one of the codes below. Callers map the
 * codes to exit statuses (ratool: bad data -> 1) or to RPC faults and HRESULTs.
 */
#ifndef RA_ERROR_H
#define RA_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define RA_ERROR (ra_error_quark())

typedef enum {
    RA_ERROR_MALFORMED,      /* the input does not follow its format */
    RA_ERROR_WRONG_PASSWORD, /* decryption gave bad padding or garbled plaintext */
    RA_ERROR_TOO_LARGE,      /* the input is over a size limit */
    RA_ERROR_UNSUPPORTED,    /* well formed, but a variant this code does not handle */
    RA_ERROR_CRYPTO,         /* the crypto library failed (not the data) */
    RA_ERROR_IO,             /* reading or writing a file or socket failed */
    RA_ERROR_PROTOCOL,       /* the peer broke the protocol */
    RA_ERROR_AUTH,           /* authentication failed */
    RA_ERROR_ACCESS_DENIED,  /* authenticated, but not allowed */
    RA_ERROR_FAULT,          /* the peer answered with an RPC fault */
    RA_ERROR_HRESULT,        /* a call returned a failure HRESULT */
    RA_ERROR_TIMEOUT,        /* the peer did not answer in time */
    RA_ERROR_NOT_FOUND,      /* a named thing (file, session, object) does not exist */
} RaError;

/* The largest file or string the library accepts as input (invitations, connection strings). */
#define RA_MAX_INPUT (1024 * 1024)

GQuark ra_error_quark(void);

G_END_DECLS

#endif
