#include "ra/error.h"

G_DEFINE_QUARK(ra-error-quark, ra_error)
