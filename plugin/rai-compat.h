/*
 * Every difference between Wireshark versions that the plugin meets, in one place.
 *
 * Built and tested against Wireshark 4.0 (Debian 12). What changes later, as far as this plugin is
 * concerned:
 *  - 4.2 adds an optional plugin_describe() entry point (RAI_PLUGIN_DESCRIBE below), and makes
 *    field_info.value a pointer (rai_fi_get_uint below);
 *  - 4.4 renames the tvb getters tvb_get_guintN() to tvb_get_uintN() (the old names stay as
 *    deprecated aliases for a while) and moves boolean preferences from gboolean* to bool*
 *    (the plugin has no preferences yet).
 * Everything else the plugin uses (proto, expert, dcerpc and dcom helpers) is the same in 4.0-4.4.
 */
#ifndef RAI_COMPAT_H
#define RAI_COMPAT_H

#include <wireshark.h>

#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/exceptions.h>
#include <epan/guid-utils.h>
#include <epan/to_str.h>
#include <wsutil/str_util.h>
#include <epan/dissectors/packet-dcerpc.h>
#include <epan/dissectors/packet-dcom.h>
#include <epan/dissectors/packet-dcom-dispatch.h>

#define RAI_WS_VERSION_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) ||     \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if RAI_WS_VERSION_AT_LEAST(4, 4)
#define rai_tvb_get_u8(tvb, offset)       tvb_get_uint8((tvb), (offset))
#define rai_tvb_get_u16(tvb, offset, enc) tvb_get_uint16((tvb), (offset), (enc))
#define rai_tvb_get_u32(tvb, offset, enc) tvb_get_uint32((tvb), (offset), (enc))
#define rai_tvb_get_u64(tvb, offset, enc) tvb_get_uint64((tvb), (offset), (enc))
#else
#define rai_tvb_get_u8(tvb, offset)       tvb_get_guint8((tvb), (offset))
#define rai_tvb_get_u16(tvb, offset, enc) tvb_get_guint16((tvb), (offset), (enc))
#define rai_tvb_get_u32(tvb, offset, enc) tvb_get_guint32((tvb), (offset), (enc))
#define rai_tvb_get_u64(tvb, offset, enc) tvb_get_guint64((tvb), (offset), (enc))
#endif

/* The unsigned integer value of a field_info: 4.0 embeds the fvalue_t, 4.2+ points to it. */
#if RAI_WS_VERSION_AT_LEAST(4, 2)
#define rai_fi_get_uint(fi) fvalue_get_uinteger((fi)->value)
#else
#define rai_fi_get_uint(fi) fvalue_get_uinteger(&(fi)->value)
#endif

/* 4.2+: plugins may describe what they register. */
#if RAI_WS_VERSION_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define RAI_PLUGIN_DESCRIBE 1
#else
#define RAI_PLUGIN_DESCRIBE 0
#endif

#endif
