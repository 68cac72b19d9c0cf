/* ver_semver: SemVer 2.0.0 precedence (npm, Go): MAJOR.MINOR.PATCH, a pre-release sorts before
 * its release, identifiers compared numerically or in ASCII order, build metadata ignored. A
 * leading `v` (Go) and `go` (Go toolchains) are dropped; missing MINOR/PATCH count as 0. */
#include <ctype.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

struct semver {
    const char *core[3];
    size_t ncore[3];
    const char *pre; /* after '-', or NULL */
    size_t npre;
};

static int
parse(const char *s, struct semver *v)
{
    const char *p = s;

    memset(v, 0, sizeof(*v));
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "go", 2) == 0 && isdigit((unsigned char)p[2]))
        p += 2;
    if (*p == 'v' || *p == 'V')
        p++;
    for (int i = 0; i < 3; i++) {
        size_t n = 0;
        while (isdigit((unsigned char)p[n]))
            n++;
        if (n == 0) {
            if (i == 0)
                return -1;
            v->core[i] = "0";
            v->ncore[i] = 1;
            continue;
        }
        v->core[i] = p;
        v->ncore[i] = n;
        p += n;
        if (i < 2) {
            if (*p == '.' && isdigit((unsigned char)p[1]))
                p++;
            else {
                for (int j = i + 1; j < 3; j++) {
                    v->core[j] = "0";
                    v->ncore[j] = 1;
                }
                break;
            }
        }
    }
    if (*p == '-') {
        v->pre = ++p;
        while (*p != '\0' && *p != '+' && !isspace((unsigned char)*p))
            p++;
        v->npre = (size_t)(p - v->pre);
        if (v->npre == 0)
            return -1;
    }
    if (*p == '+') /* build metadata: ignored */
        p += strlen(p);
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0' ? 0 : -1;
}

static int
cmp_pre(const struct semver *a, const struct semver *b)
{
    const char *p = a->pre, *pe, *q = b->pre, *qe;

    if (a->pre == NULL || b->pre == NULL)
        return (a->pre == NULL) - (b->pre == NULL); /* no pre-release is higher */
    pe = p + a->npre;
    qe = q + b->npre;
    while (p < pe && q < qe) {
        const char *ps = p, *qs = q;
        int pn = 1, qn = 1, r;
        while (p < pe && *p != '.') {
            pn = pn && isdigit((unsigned char)*p);
            p++;
        }
        while (q < qe && *q != '.') {
            qn = qn && isdigit((unsigned char)*q);
            q++;
        }
        if (pn && qn) {
            r = numstr_cmp(ps, (size_t)(p - ps), qs, (size_t)(q - qs));
        } else if (pn != qn) {
            r = pn ? -1 : 1; /* numeric identifiers are lower */
        } else {
            size_t la = (size_t)(p - ps), lb = (size_t)(q - qs);
            r = memcmp(ps, qs, la < lb ? la : lb);
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

int
pkgver_semver_cmp(const char *a, const char *b, int *cmp)
{
    struct semver x, y;
    int r = 0;

    if (parse(a, &x) < 0 || parse(b, &y) < 0)
        return -1;
    for (int i = 0; i < 3 && r == 0; i++)
        r = numstr_cmp(x.core[i], x.ncore[i], y.core[i], y.ncore[i]);
    if (r == 0)
        r = cmp_pre(&x, &y);
    *cmp = r;
    return 0;
}
