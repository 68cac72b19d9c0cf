/* ver_ids: dotted identifier lists (SemVer pre-releases, PEP 440 local versions) compared
 * identifier by identifier: numbers by value, words by bytes, a shorter list that is a prefix
 * of the other first. The two schemes differ only in the separators, in the case of words, and
 * in whether a number sorts below a word (SemVer) or above it (PEP 440). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "packages_internal.h"

int
ver_ids_cmp(const char *p, size_t np, const char *q, size_t nq, const struct ver_ids *how)
{
    const char *pe = p + np, *qe = q + nq;

    while (p < pe && q < qe) {
        const char *ps = p, *qs = q;
        int pn = 1, qn = 1, r;
        while (p < pe && strchr(how->seps, *p) == NULL) {
            pn = pn && isdigit((unsigned char)*p);
            p++;
        }
        while (q < qe && strchr(how->seps, *q) == NULL) {
            qn = qn && isdigit((unsigned char)*q);
            q++;
        }
        if (pn != qn)
            return pn == how->numbers_high ? 1 : -1;
        if (pn) {
            r = numstr_cmp(ps, (size_t)(p - ps), qs, (size_t)(q - qs));
        } else {
            size_t la = (size_t)(p - ps), lb = (size_t)(q - qs);
            size_t n = la < lb ? la : lb;
            r = how->nocase ? strncasecmp(ps, qs, n) : memcmp(ps, qs, n);
            r = r != 0 ? (r > 0) - (r < 0) : (la > lb) - (la < lb);
        }
        if (r != 0)
            return r;
        if (p < pe)
            p++;
        if (q < qe)
            q++;
    }
    return (p < pe) - (q < qe);
}
