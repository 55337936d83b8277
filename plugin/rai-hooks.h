/*
 * Semantic hooks of the MS-RAI dissector: what the values of some parameters mean, beyond their
 * IDL type. The walker of packet-rai.c calls rai_hook_string()/rai_hook_int() for every string
 * and integer value it shows, with the parameter's key ("Interface.method.param", see
 * RaiParam.key); the hooks add fields and expert info under the value's item:
 *   IRASrv.GetSessionInfo.UserNames     each entry "DOMAIN\user:id" split ([MS-RAI] 3.3.4.1.2)
 *   IRASrv.GetSessionInfo.Count         compared with the array ([MS-RAI] 3.3.4.1.2)
 *   IRASrv.GetNoviceUserInfo.szName     Connection String 2 ([MS-RAI] 2.2.2)
 *   IPCHService.RemoteConnectionParms.bstrUserHelpBlob       the help blob ([MS-RAI] 3.1.4.1.1)
 *   IPCHService.RemoteConnectionParms.pbstrConnectionString  Connection String 1 ([MS-RAI] 2.2.1)
 * Hook keys are checked against the generated tables at registration: a hook for a parameter the
 * IDL no longer has stops Wireshark at start-up instead of silently doing nothing.
 */
#ifndef RAI_HOOKS_H
#define RAI_HOOKS_H

#include "rai-compat.h"

/* The SAFEARRAY wire forms the walker recognises (facts.md). */
typedef enum {
    RAI_SA_FORM_NULL = 0,
    RAI_SA_FORM_WINDOWS = 1,          /* 'User', pointer DWORD, _wireSAFEARRAY */
    RAI_SA_FORM_WINDOWS_ALIGNED8 = 2, /* 'User', 4 zero bytes to 8-align, pointer, ... (Wine) */
    RAI_SA_FORM_POINTER = 3,          /* a referent ID, _wireSAFEARRAY (impacket) */
} RaiSafeArrayForm;

/* Per-PDU scratch space of the hooks, zeroed before each PDU. */
typedef struct {
    gboolean have_array;   /* a SAFEARRAY was walked */
    guint32 array_size;    /* its element count */
    guint32 array_nonnull; /* its non-NULL elements */
    RaiSafeArrayForm sa_form;
    guint sessions; /* session entries shown */
} RaiHookState;

/* Registers the hooks' fields and expert info; checks the hook keys (see above). */
void rai_hooks_register(int proto, expert_module_t *expert);

/* value was shown as item, which covers [start, start + length) of tvb. */
void rai_hook_string(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                     tvbuff_t *tvb, int start, int length, proto_item *item, const char *value);
void rai_hook_int(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                  tvbuff_t *tvb, int start, int length, proto_item *item, gint64 value);
/* After the last parameter of a PDU (and its HRESULT) was shown. */
void rai_hook_done(RaiHookState *st, packet_info *pinfo, const char *iface, const char *method,
                   gboolean request, tvbuff_t *tvb, proto_tree *tree);

#endif
