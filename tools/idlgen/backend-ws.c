#include "backend.h"
gboolean backend_ws_generate(const AstModule *module, const BackendOptions *options, GError **error)
{
    return FALSE;
}
