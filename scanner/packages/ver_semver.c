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

/* Pre-release identifiers: numeric ones sort below alphanumeric ones (semver.org 11.4). */
static const struct ver_ids pre_ids = {".", 0, 0};

static int
cmp_pre(const struct semver *a, const struct semver *b)
{
    if (a->pre == NULL || b->pre == NULL)
        return (a->pre == NULL) - (b->pre == NULL); /* no pre-release is higher */
    return ver_ids_cmp(a->pre, a->npre, b->pre, b->npre, &pre_ids);
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
