#include "ra/error.h"

/* The macro spells its first argument out as the quark's name, "ra-error-quark": keep it as is. */
/* clang-format off */
G_DEFINE_QUARK(ra-error-quark, ra_error)
/* clang-format on */
