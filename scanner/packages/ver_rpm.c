/* ver_rpm: RPM version order (rpmvercmp) over [epoch:]version[-release]: segments of digits or
 * letters, numbers beat letters, `~` sorts before the end and `^` after it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

static int
rpmvercmp(const char *a, const char *ae, const char *b, const char *be)
{
    if (ae - a == be - b && memcmp(a, b, (size_t)(ae - a)) == 0)
        return 0;
    while (a < ae || b < be) {
        const char *sa, *sb;
        int isnum;

        while (a < ae && !isalnum((unsigned char)*a) && *a != '~' && *a != '^')
            a++;
        while (b < be && !isalnum((unsigned char)*b) && *b != '~' && *b != '^')
            b++;
        if ((a < ae && *a == '~') || (b < be && *b == '~')) {
            if (!(a < ae && *a == '~'))
                return 1;
            if (!(b < be && *b == '~'))
                return -1;
            a++;
            b++;
            continue;
        }
        if ((a < ae && *a == '^') || (b < be && *b == '^')) {
            if (a == ae)
                return -1;
            if (b == be)
                return 1;
            if (*a != '^')
                return 1;
            if (*b != '^')
                return -1;
            a++;
            b++;
            continue;
        }
        if (!(a < ae && b < be))
            break;
        sa = a;
        sb = b;
        isnum = isdigit((unsigned char)*a);
        if (isnum) {
            while (a < ae && isdigit((unsigned char)*a))
                a++;
            while (b < be && isdigit((unsigned char)*b))
                b++;
        } else {
            while (a < ae && isalpha((unsigned char)*a))
                a++;
            while (b < be && isalpha((unsigned char)*b))
                b++;
        }
        if (sb == b)
            return isnum ? 1 : -1;
        if (isnum) {
            while (sa < a && *sa == '0')
                sa++;
            while (sb < b && *sb == '0')
                sb++;
            if (a - sa != b - sb)
                return a - sa > b - sb ? 1 : -1;
        }
        {
            size_t la = (size_t)(a - sa), lb = (size_t)(b - sb);
            int r = memcmp(sa, sb, la < lb ? la : lb);
            if (r != 0)
                return r > 0 ? 1 : -1;
            if (la != lb)
                return la > lb ? 1 : -1;
        }
    }
    if (a >= ae && b >= be)
        return 0;
    return a < ae ? 1 : -1;
}

struct evr {
    long epoch;
    const char *v, *ve, *r, *re;
};

static void
split(const char *s, struct evr *x)
{
    const char *end = s + strlen(s), *colon = strchr(s, ':'), *p, *dash = NULL;

    x->epoch = 0;
    if (colon != NULL) {
        int digits = colon > s;
        for (p = s; p < colon; p++)
            digits = digits && isdigit((unsigned char)*p);
        if (digits) {
            x->epoch = strtol(s, NULL, 10);
            s = colon + 1;
        }
    }
    for (p = s; p < end; p++)
        if (*p == '-')
            dash = p;
    x->v = s;
    x->ve = dash ? dash : end;
    x->r = dash ? dash + 1 : end;
    x->re = end;
}

int
pkgver_rpm_cmp(const char *a, const char *b, int *cmp)
{
    struct evr x, y;
    int r;

    if (*a == '\0' || *b == '\0')
        return -1;
    split(a, &x);
    split(b, &y);
    if (x.epoch != y.epoch) {
        *cmp = x.epoch < y.epoch ? -1 : 1;
        return 0;
    }
    r = rpmvercmp(x.v, x.ve, y.v, y.ve);
    /* A missing release matches any release (as rpm's rpmdsCompare does for a bare version). */
    if (r == 0 && x.r < x.re && y.r < y.re)
        r = rpmvercmp(x.r, x.re, y.r, y.re);
    *cmp = r;
    return 0;
}

/* The bare algorithm, for its test vectors. */
int
pkgver_rpmvercmp(const char *a, const char *b)
{
    return rpmvercmp(a, a + strlen(a), b, b + strlen(b));
}
