/*
 * The entry points Wireshark looks for in a plugin (4.0: plugin_version, plugin_want_major,
 * plugin_want_minor, plugin_register; 4.2+ also plugin_describe, see rai-compat.h).
 */
#define WS_BUILD_DLL
#include "rai-compat.h"

#include <epan/proto.h>

#ifndef RAI_PLUGIN_VERSION
#define RAI_PLUGIN_VERSION "0.0.0"
#endif

void proto_register_rai(void);
void proto_reg_handoff_rai(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = RAI_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plug_rai;
    plug_rai.register_protoinfo = proto_register_rai;
    plug_rai.register_handoff = proto_reg_handoff_rai;
    proto_register_plugin(&plug_rai);
}

#if RAI_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
