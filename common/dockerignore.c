/* dockerignore: the one .dockerignore matcher (BuildKit semantics: `**` spans directories, `!`
 * exceptions, the last matching line wins, a pattern that matches a parent directory excludes
 * what is under it), and the glob matcher under it: no recursion, O(pattern x path). */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- glob matching (no recursion, O(pattern x path)) ----------------------------------------- */
enum tok { T_LIT, T_ANY, T_CLASS, T_STAR, T_DSTAR, T_DSTAR_SLASH };

struct ptok {
    enum tok t;
    char c;
    const char *cls; /* for T_CLASS: the text between [ ] */
    size_t clen;
};

static int
class_match(const struct ptok *t, char ch)
{
    const char *s = t->cls;
    size_t n = t->clen, i = 0;
    int neg = 0, hit = 0;

    if (n > 0 && (s[0] == '^' || s[0] == '!')) {
        neg = 1;
        i = 1;
    }
    for (; i < n; i++) {
        char lo = s[i], hi = lo;
        if (lo == '\\' && i + 1 < n)
            lo = hi = s[++i];
        if (i + 2 < n && s[i + 1] == '-') {
            hi = s[i + 2];
            i += 2;
        }
        if (ch >= lo && ch <= hi)
            hit = 1;
    }
    return hit != neg && ch != '/';
}

int
glob_match(const char *pat, const char *path, int dstar)
{
    size_t pl = strlen(pat), L = strlen(path), T = 0;
    struct ptok *tk;
    unsigned char *next, *cur;
    int res;

    if (pl > 4096 || L > 8192)
        return 0;
    tk = malloc((pl + 1) * sizeof(*tk));
    next = malloc(L + 2);
    cur = malloc(L + 2);
    if (tk == NULL || next == NULL || cur == NULL) {
        free(tk);
        free(next);
        free(cur);
        return 0;
    }
    for (size_t i = 0; i < pl; i++) {
        struct ptok *t = &tk[T++];
        memset(t, 0, sizeof(*t));
        if (pat[i] == '*') {
            if (dstar && i + 1 < pl && pat[i + 1] == '*') {
                i++;
                if (i + 1 < pl && pat[i + 1] == '/') {
                    i++;
                    t->t = T_DSTAR_SLASH;
                } else
                    t->t = T_DSTAR;
            } else
                t->t = T_STAR;
        } else if (pat[i] == '?') {
            t->t = T_ANY;
        } else if (pat[i] == '[') {
            const char *e = strchr(pat + i + 1, ']');
            if (e == NULL) {
                t->t = T_LIT;
                t->c = '[';
            } else {
                t->t = T_CLASS;
                t->cls = pat + i + 1;
                t->clen = (size_t)(e - pat - i - 1);
                i = (size_t)(e - pat);
            }
        } else if (pat[i] == '\\' && i + 1 < pl) {
            t->t = T_LIT;
            t->c = pat[++i];
        } else {
            t->t = T_LIT;
            t->c = pat[i];
        }
    }
    /* next = row for token i+1; cur = row for token i. */
    for (size_t j = 0; j <= L; j++)
        next[j] = j == L;
    for (size_t i = T; i-- > 0;) {
        const struct ptok *t = &tk[i];
        unsigned char aux = 0;
        cur[L + 1] = 0;
        for (size_t j = L + 1; j-- > 0;) {
            int ok = 0, more = j < L;
            switch (t->t) {
            case T_LIT:
                ok = more && path[j] == t->c && next[j + 1];
                break;
            case T_ANY:
                ok = more && path[j] != '/' && next[j + 1];
                break;
            case T_CLASS:
                ok = more && class_match(t, path[j]) && next[j + 1];
                break;
            case T_STAR:
                ok = next[j] || (more && path[j] != '/' && cur[j + 1]);
                break;
            case T_DSTAR:
                ok = next[j] || (more && cur[j + 1]);
                break;
            case T_DSTAR_SLASH:
                aux = more && ((path[j] == '/' && next[j + 1]) || aux);
                ok = next[j] || aux;
                break;
            }
            cur[j] = (unsigned char)ok;
        }
        unsigned char *sw = next;
        next = cur;
        cur = sw;
    }
    res = next[0];
    free(tk);
    free(next);
    free(cur);
    return res;
}

void
path_clean_rel(char *p)
{
    /* drop leading "/" and "./", collapse "//", drop trailing "/" */
    char *r = p, *w = p;
    while (*r == '/' || (r[0] == '.' && r[1] == '/'))
        r += *r == '/' ? 1 : 2;
    for (; *r; r++) {
        if (*r == '/' && (w == p || w[-1] == '/'))
            continue;
        if (*r == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
            r++;
            continue;
        }
        *w++ = *r;
    }
    while (w > p && w[-1] == '/')
        w--;
    *w = '\0';
    if (strcmp(p, ".") == 0)
        p[0] = '\0';
}


int
dockerignore_parse(struct dockerignore *d, const char *text, size_t len)
{
    const char *p = text, *end = text + len;

    memset(d, 0, sizeof(*d));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        int neg = 0;

        while (p < le && (*p == ' ' || *p == '\t'))
            p++;
        while (le > p && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
            le--;
        if (p < le && *p != '#') {
            if (*p == '!') {
                neg = 1;
                p++;
                while (p < le && *p == ' ')
                    p++;
            }
            char **np = realloc(d->pat, (d->n + 1) * sizeof(*np));
            if (np == NULL)
                return ERR_NOMEM;
            d->pat = np;
            int *nn = realloc(d->neg, (d->n + 1) * sizeof(*nn));
            if (nn == NULL)
                return ERR_NOMEM;
            d->neg = nn;
            if ((d->pat[d->n] = strndup(p, (size_t)(le - p))) == NULL)
                return ERR_NOMEM;
            path_clean_rel(d->pat[d->n]);
            d->neg[d->n] = neg;
            d->has_neg |= neg;
            d->n++;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return 0;
}

void
dockerignore_free(struct dockerignore *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->pat[i]);
    free(d->pat);
    free(d->neg);
    memset(d, 0, sizeof(*d));
}

/* A pattern matches the path or one of its parent directories. */
static int
pattern_hits(const char *pat, const char *rel)
{
    char tmp[4096];
    size_t n = strlen(rel);

    if (pat[0] == '\0' || n >= sizeof(tmp))
        return 0;
    memcpy(tmp, rel, n + 1);
    for (;;) {
        if (glob_match(pat, tmp, 1))
            return 1;
        char *s = strrchr(tmp, '/');
        if (s == NULL)
            return 0;
        *s = '\0';
    }
}

int
dockerignore_match(const struct dockerignore *d, const char *relpath)
{
    int ex = 0;

    for (size_t i = 0; i < d->n; i++)
        if (pattern_hits(d->pat[i], relpath))
            ex = !d->neg[i];
    return ex;
}

int
dockerignore_excludes(const char *text, size_t len, const char *relpath)
{
    struct dockerignore d;
    int ex = 0;

    if (dockerignore_parse(&d, text, len) == 0)
        ex = dockerignore_match(&d, relpath);
    dockerignore_free(&d);
    return ex;
}
