/* ver_pep440: Python package version order (PEP 440), normalised as pip reads versions:
 * [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], case-insensitive, with the spellings PEP 440
 * allows (alpha, beta, c, pre, preview, rev, r, -N for post, optional separators). */
#include <ctype.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

#define MAX_PARTS 32

struct num {
    const char *s;
    size_t n;
};

struct pep440 {
    struct num epoch;
    struct num rel[MAX_PARTS];
    size_t nrel;
    int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
    struct num pre;
    int has_post;
    struct num post;
    int has_dev;
    struct num dev;
    const char *local; /* after '+', or NULL */
    size_t nlocal;
};

static const struct num zero = {"0", 1};

static size_t
digits(const char *p)
{
    size_t n = 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n;
}

static int
word(const char **pp, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(*pp, w, n) == 0) {
        *pp += n;
        return 1;
    }
    return 0;
}

static int
sep(const char **pp)
{
    if (**pp == '.' || **pp == '-' || **pp == '_') {
        (*pp)++;
        return 1;
    }
    return 0;
}

/* Optional separator then an optional number (implicitly 0). */
static void
opt_num(const char **pp, struct num *out)
{
    const char *p = *pp;
    size_t n;

    sep(&p);
    n = digits(p);
    if (n > 0) {
        out->s = p;
        out->n = n;
        *pp = p + n;
    } else {
        *out = zero;
    }
}

static int
parse(const char *s, struct pep440 *v)
{
    const char *p = s, *end;
    size_t n;

    memset(v, 0, sizeof(*v));
    v->pre_kind = -1;
    v->epoch = zero;
    while (isspace((unsigned char)*p))
        p++;
    end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (*p == 'v' || *p == 'V')
        p++;
    n = digits(p);
    if (n == 0)
        return -1;
    if (p[n] == '!') {
        v->epoch.s = p;
        v->epoch.n = n;
        p += n + 1;
        if ((n = digits(p)) == 0)
            return -1;
    }
    for (;;) {
        if (v->nrel == MAX_PARTS)
            return -1;
        v->rel[v->nrel].s = p;
        v->rel[v->nrel++].n = n;
        p += n;
        if (*p == '.' && isdigit((unsigned char)p[1])) {
            p++;
            n = digits(p);
            continue;
        }
        break;
    }
    /* pre-release */
    {
        const char *q = p;
        sep(&q);
        if (word(&q, "alpha") || word(&q, "a"))
            v->pre_kind = 0;
        else if (word(&q, "beta") || word(&q, "b"))
            v->pre_kind = 1;
        else if (word(&q, "preview") || word(&q, "pre") || word(&q, "rc") || word(&q, "c"))
            v->pre_kind = 2;
        if (v->pre_kind >= 0) {
            opt_num(&q, &v->pre);
            p = q;
        }
    }
    /* post-release */
    {
        const char *q = p;
        if (*q == '-' && isdigit((unsigned char)q[1])) {
            q++;
            v->has_post = 1;
            v->post.s = q;
            v->post.n = digits(q);
            p = q + v->post.n;
        } else {
            sep(&q);
            if (word(&q, "post") || word(&q, "rev") || word(&q, "r")) {
                v->has_post = 1;
                opt_num(&q, &v->post);
                p = q;
            }
        }
    }
    /* development release */
    {
        const char *q = p;
        sep(&q);
        if (word(&q, "dev")) {
            v->has_dev = 1;
            opt_num(&q, &v->dev);
            p = q;
        }
    }
    if (*p == '+') {
        p++;
        v->local = p;
        while (p < end && (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_'))
            p++;
        v->nlocal = (size_t)(p - v->local);
        if (v->nlocal == 0)
            return -1;
    }
    return p == end ? 0 : -1;
}

static int
cmp_release(const struct pep440 *a, const struct pep440 *b)
{
    size_t na = a->nrel, nb = b->nrel;

    /* trailing zeros do not count: 1.0 == 1.0.0 */
    while (na > 1 && numstr_cmp(a->rel[na - 1].s, a->rel[na - 1].n, "0", 1) == 0)
        na--;
    while (nb > 1 && numstr_cmp(b->rel[nb - 1].s, b->rel[nb - 1].n, "0", 1) == 0)
        nb--;
    for (size_t i = 0; i < na && i < nb; i++) {
        int r = numstr_cmp(a->rel[i].s, a->rel[i].n, b->rel[i].s, b->rel[i].n);
        if (r != 0)
            return r;
    }
    return (na > nb) - (na < nb);
}

/* The pre-release rank: a dev release of a final version sorts before its pre-releases. */
static int
pre_rank(const struct pep440 *v)
{
    if (v->pre_kind < 0 && !v->has_post && v->has_dev)
        return -1;
    if (v->pre_kind < 0)
        return 3;
    return v->pre_kind;
}

/* Local versions: numeric segments sort after alphanumeric ones, case does not count. */
static const struct ver_ids local_ids = {".-_", 1, 1};

static int
cmp_local(const struct pep440 *a, const struct pep440 *b)
{
    if (a->local == NULL || b->local == NULL)
        return (a->local != NULL) - (b->local != NULL);
    return ver_ids_cmp(a->local, a->nlocal, b->local, b->nlocal, &local_ids);
}

int
pkgver_pep440_cmp(const char *a, const char *b, int *cmp)
{
    struct pep440 x, y;
    int r;

    if (parse(a, &x) < 0 || parse(b, &y) < 0)
        return -1;
    if ((r = numstr_cmp(x.epoch.s, x.epoch.n, y.epoch.s, y.epoch.n)) == 0 &&
        (r = cmp_release(&x, &y)) == 0) {
        int px = pre_rank(&x), py = pre_rank(&y);
        r = (px > py) - (px < py);
        if (r == 0 && px >= 0 && px <= 2)
            r = numstr_cmp(x.pre.s, x.pre.n, y.pre.s, y.pre.n);
        if (r == 0 && x.has_post != y.has_post)
            r = x.has_post ? 1 : -1;
        if (r == 0 && x.has_post)
            r = numstr_cmp(x.post.s, x.post.n, y.post.s, y.post.n);
        if (r == 0 && x.has_dev != y.has_dev)
            r = x.has_dev ? -1 : 1;
        if (r == 0 && x.has_dev)
            r = numstr_cmp(x.dev.s, x.dev.n, y.dev.s, y.dev.n);
        if (r == 0)
            r = cmp_local(&x, &y);
    }
    *cmp = r;
    return 0;
}
