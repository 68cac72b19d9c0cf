/* ver_dpkg: Debian (and Ubuntu) version order, as dpkg's deb-version(7) defines it:
 * [epoch:]upstream[-revision], compared epoch first, then upstream and revision by verrevcmp,
 * where `~` sorts before everything (even the end) and letters before other characters. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

struct dpkg_ver {
    long epoch;
    const char *up, *up_end;   /* upstream: [up, up_end) */
    const char *rev, *rev_end; /* revision, "" when absent */
};

static int
order(int c)
{
    if (isdigit(c))
        return 0;
    if (isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c != 0)
        return c + 256;
    return 0;
}

static int
verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
#define AC (a < ae ? (unsigned char)*a : 0)
#define BC (b < be ? (unsigned char)*b : 0)
    while (a < ae || b < be) {
        int first_diff = 0;
        while ((a < ae && !isdigit(AC)) || (b < be && !isdigit(BC))) {
            int ac = order(AC), bc = order(BC);
            if (ac != bc)
                return ac - bc;
            a++;
            b++;
        }
        while (a < ae && *a == '0')
            a++;
        while (b < be && *b == '0')
            b++;
        while (a < ae && b < be && isdigit(AC) && isdigit(BC)) {
            if (!first_diff)
                first_diff = AC - BC;
            a++;
            b++;
        }
        if (a < ae && isdigit(AC))
            return 1;
        if (b < be && isdigit(BC))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
#undef AC
#undef BC
}

static int
parse(const char *s, struct dpkg_ver *v)
{
    const char *end, *colon, *hyphen, *p;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
        end--;
    if (end == s)
        return -1;
    for (p = s; p < end; p++)
        if (isspace((unsigned char)*p))
            return -1;
    colon = memchr(s, ':', (size_t)(end - s));
    v->epoch = 0;
    if (colon != NULL) {
        if (colon == s || colon + 1 == end)
            return -1;
        for (p = s; p < colon; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            if (v->epoch > (INT_MAX - (*p - '0')) / 10)
                return -1;
            v->epoch = v->epoch * 10 + (*p - '0');
        }
        s = colon + 1;
    }
    hyphen = NULL;
    for (p = s; p < end; p++)
        if (*p == '-')
            hyphen = p;
    v->up = s;
    if (hyphen != NULL) {
        if (hyphen + 1 == end || hyphen == s)
            return -1;
        v->up_end = hyphen;
        v->rev = hyphen + 1;
        v->rev_end = end;
    } else {
        v->up_end = end;
        v->rev = v->rev_end = end;
    }
    for (p = v->up; p < v->up_end; p++)
        if (!isalnum((unsigned char)*p) && strchr(".+~:-", *p) == NULL)
            return -1;
    for (p = v->rev; p < v->rev_end; p++)
        if (!isalnum((unsigned char)*p) && strchr(".+~", *p) == NULL)
            return -1;
    return 0;
}

int
pkgver_dpkg_cmp(const char *a, const char *b, int *cmp)
{
    struct dpkg_ver va, vb;
    int r;

    if (parse(a, &va) < 0 || parse(b, &vb) < 0)
        return -1;
    if (va.epoch != vb.epoch) {
        *cmp = va.epoch < vb.epoch ? -1 : 1;
        return 0;
    }
    r = verrevcmp(va.up, va.up_end, vb.up, vb.up_end);
    if (r == 0)
        r = verrevcmp(va.rev, va.rev_end, vb.rev, vb.rev_end);
    *cmp = (r > 0) - (r < 0);
    return 0;
}
