/*
 * Compile check: every public header of libra included together, in one translation unit, with
 * the project's warnings. It catches names two modules both define (ra/connstr.h's RaTransport
 * once clashed with the TCP transport's) and headers that do not stand on their own. Built with
 * everything; running it checks nothing more.
 */
#include "ra/accounts.h"
#include "ra/actprop.h"
#include "ra/arena.h"
#include "ra/bytes.h"
#include "ra/connstr.h"
#include "ra/crypto.h"
#include "ra/dcom-client.h"
#include "ra/dcom-server.h"
#include "ra/dcom.h"
#include "ra/epm.h"
#include "ra/error.h"
#include "ra/idispatch.h"
#include "ra/ndr.h"
#include "ra/ntlmssp.h"
#include "ra/oaut.h"
#include "ra/offerstr.h"
#include "ra/oxid.h"
#include "ra/pdu.h"
#include "ra/rai-client.h"
#include "ra/rai-server.h"
#include "ra/rpc-client.h"
#include "ra/rpc-server.h"
#include "ra/sessions.h"
#include "ra/transport.h"
#include "ra/uuid.h"
#include "ra/xml.h"

/* Both families of names are usable side by side. */
gsize ra_headers_check_sizes(void);
gsize ra_headers_check_sizes(void)
{
    return sizeof(RaTransport) + sizeof(RaTcpLimits) + sizeof(RaRpcCall) + sizeof(RaPdu);
}
