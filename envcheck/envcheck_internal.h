/* envcheck_internal: what the module's files share and its tests may call: the reference
 * scanner, the rule ids, the redaction helper. Not for other modules. */
#ifndef ENVCHECK_INTERNAL_H
#define ENVCHECK_INTERNAL_H

#include <stddef.h>

#include "envcheck.h"

/* Recognises a reference at s[i] ('$'): `${NAME}`, `${NAME<op>arg}` or `$NAME`. Returns its
 * length (0 when none) and fills `r` with offsets into s. */
size_t env_ref_scan(const char *s, size_t n, size_t i, struct env_ref *r);

#endif
