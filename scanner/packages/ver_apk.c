/* ver_apk: Alpine apk version order, as apk-tools defines it:
 * number{.number}{letter}{_suffix{number}}{~hash}{-rN}, compared token by token; pre-release
 * suffixes (_alpha _beta _pre _rc) sort before the plain version, the others (_cvs _svn _git
 * _hg _p) after it. */
#include <ctype.h>
#include <string.h>

#include "packages.h"

enum tok { T_INITIAL_DIGIT, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_HASH, T_REVISION_NO,
           T_END, T_INVALID };

static const char *const suffixes[] = {"alpha", "beta", "pre", "rc", "", "cvs", "svn", "git",
                                       "hg", "p"};
#define SUFFIX_PLAIN 4

struct apk_tok {
    enum tok t;
    const char *s; /* the token's text */
    size_t n;
    long num;      /* numeric value, or the suffix rank */
};

/* The type of the token after one of type `prev` at *pp, consuming its separator. */
static enum tok
next_type(enum tok prev, const char **pp)
{
    const char *p = *pp;

    if (*p == '\0')
        return T_END;
    if ((prev == T_INITIAL_DIGIT || prev == T_DIGIT) && *p == '.') {
        *pp = p + 1;
        return isdigit((unsigned char)p[1]) ? T_DIGIT : T_INVALID;
    }
    if ((prev == T_INITIAL_DIGIT || prev == T_DIGIT) && islower((unsigned char)*p))
        return T_LETTER;
    if (prev == T_SUFFIX && isdigit((unsigned char)*p))
        return T_SUFFIX_NO;
    if (prev <= T_SUFFIX_NO && *p == '_') {
        *pp = p + 1;
        return T_SUFFIX;
    }
    if (prev < T_HASH && *p == '~') {
        *pp = p + 1;
        return T_HASH;
    }
    if (prev < T_REVISION_NO && p[0] == '-' && p[1] == 'r') {
        *pp = p + 2;
        return isdigit((unsigned char)p[2]) ? T_REVISION_NO : T_INVALID;
    }
    return T_INVALID;
}

static int
read_tok(enum tok t, const char **pp, struct apk_tok *out)
{
    const char *p = *pp;

    out->t = t;
    out->s = p;
    out->num = 0;
    switch (t) {
    case T_INITIAL_DIGIT:
    case T_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
        while (isdigit((unsigned char)*p)) {
            if (out->num < 100000000000000L)
                out->num = out->num * 10 + (*p - '0');
            p++;
        }
        if (p == out->s)
            return -1;
        break;
    case T_LETTER:
        p++;
        break;
    case T_SUFFIX: {
        size_t i;
        while (islower((unsigned char)*p))
            p++;
        for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
            if (i != SUFFIX_PLAIN && strlen(suffixes[i]) == (size_t)(p - out->s) &&
                memcmp(suffixes[i], out->s, (size_t)(p - out->s)) == 0)
                break;
        if (i == sizeof(suffixes) / sizeof(suffixes[0]))
            return -1;
        out->num = (long)i;
        break;
    }
    case T_HASH:
        while (isxdigit((unsigned char)*p) && !isupper((unsigned char)*p))
            p++;
        if (p == out->s)
            return -1;
        break;
    default:
        return -1;
    }
    out->n = (size_t)(p - out->s);
    *pp = p;
    return 0;
}

static int
is_pre(const struct apk_tok *t)
{
    return t->t == T_SUFFIX && t->num < SUFFIX_PLAIN;
}

static int
cmp_same(const struct apk_tok *a, const struct apk_tok *b)
{
    switch (a->t) {
    case T_DIGIT:
        if ((a->s[0] == '0' && a->n > 1) || (b->s[0] == '0' && b->n > 1)) {
            /* a leading zero: compare as strings (the Gentoo rule apk follows) */
            size_t n = a->n < b->n ? a->n : b->n;
            int r = memcmp(a->s, b->s, n);
            if (r != 0)
                return r < 0 ? -1 : 1;
            return a->n == b->n ? 0 : (a->n < b->n ? -1 : 1);
        }
        /* fallthrough */
    case T_INITIAL_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
    case T_SUFFIX:
        return (a->num > b->num) - (a->num < b->num);
    case T_LETTER:
        return (a->s[0] > b->s[0]) - (a->s[0] < b->s[0]);
    case T_HASH: {
        size_t n = a->n < b->n ? a->n : b->n;
        int r = memcmp(a->s, b->s, n);
        if (r != 0)
            return r < 0 ? -1 : 1;
        return (a->n > b->n) - (a->n < b->n);
    }
    default:
        return 0;
    }
}

int
pkgver_apk_valid(const char *v)
{
    enum tok t = T_INITIAL_DIGIT;
    struct apk_tok k;

    if (!isdigit((unsigned char)*v))
        return 0;
    for (;;) {
        if (read_tok(t, &v, &k) < 0)
            return 0;
        t = next_type(t, &v);
        if (t == T_END)
            return 1;
        if (t == T_INVALID)
            return 0;
    }
}

int
pkgver_apk_cmp(const char *a, const char *b, int *cmp)
{
    enum tok ta = T_INITIAL_DIGIT, tb = T_INITIAL_DIGIT;
    struct apk_tok ka, kb;

    if (!pkgver_apk_valid(a) || !pkgver_apk_valid(b))
        return -1;
    for (;;) {
        if (ta != tb || ta == T_END)
            break;
        if (read_tok(ta, &a, &ka) < 0 || read_tok(tb, &b, &kb) < 0)
            return -1;
        if (ka.t == T_SUFFIX && kb.t == T_SUFFIX && ka.num != kb.num) {
            *cmp = ka.num < kb.num ? -1 : 1;
            return 0;
        }
        {
            int r = cmp_same(&ka, &kb);
            if (r != 0) {
                *cmp = r;
                return 0;
            }
        }
        ta = next_type(ka.t, &a);
        tb = next_type(kb.t, &b);
    }
    if (ta == tb) {
        *cmp = 0;
        return 0;
    }
    /* Types differ: a pre-release suffix is less; otherwise the larger token type is less. */
    {
        struct apk_tok pa = {0}, pb = {0};
        const char *sa = a, *sb = b;
        if (ta == T_SUFFIX)
            (void)read_tok(ta, &sa, &pa);
        if (tb == T_SUFFIX)
            (void)read_tok(tb, &sb, &pb);
        if (ta == T_SUFFIX && is_pre(&pa)) {
            *cmp = -1;
            return 0;
        }
        if (tb == T_SUFFIX && is_pre(&pb)) {
            *cmp = 1;
            return 0;
        }
    }
    *cmp = ta > tb ? -1 : 1;
    return 0;
}
