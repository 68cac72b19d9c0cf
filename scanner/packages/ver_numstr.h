/* ver_numstr: decimal digit strings compared by value without overflow, for the version
 * comparators (a version number may have more digits than any integer type). */
#ifndef PACKAGES_VER_NUMSTR_H
#define PACKAGES_VER_NUMSTR_H

#include <string.h>

static inline int
numstr_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int r;

    while (na > 0 && *a == '0') {
        a++;
        na--;
    }
    while (nb > 0 && *b == '0') {
        b++;
        nb--;
    }
    if (na != nb)
        return na < nb ? -1 : 1;
    r = memcmp(a, b, na);
    return (r > 0) - (r < 0);
}

#endif
