/* fix: `secrets validate --fix`: rewrites what is mechanical in a .env (key case, order within
 * dotenv-linter's groups, needless or missing quotes, blanks around '=' and at line ends,
 * duplicates, extra blank lines, the final newline), never a value's bytes: the result is lexed
 * again and every key must keep its value, or nothing is written. */
#include <sys/stat.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

enum item_kind { IT_STMT, IT_BLANK, IT_COMMENT };

/* A set of names (pointer and length into live strings), open addressing; `used` lists the
 * filled slots so that a group's set is emptied in the time it took to fill it. */
struct nameset {
    const char **s;
    size_t *len;
    size_t *used;
    size_t cap, n;
};

static int
nameset_init(struct nameset *ns, size_t max)
{
    ns->cap = 16;
    while (ns->cap < 2 * max + 2)
        ns->cap *= 2;
    ns->n = 0;
    ns->s = calloc(ns->cap, sizeof(*ns->s));
    ns->len = calloc(ns->cap, sizeof(*ns->len));
    ns->used = calloc(ns->cap, sizeof(*ns->used));
    return ns->s != NULL && ns->len != NULL && ns->used != NULL
               ? 0
               : err_set(ERR_NOMEM, "out of memory");
}

static void
nameset_free(struct nameset *ns)
{
    free(ns->s);
    free(ns->len);
    free(ns->used);
}

/* Adds (add = 1) or looks up a name; returns 1 when it was there. */
static int
nameset_has(struct nameset *ns, const char *s, size_t n, int add)
{
    size_t h = str_hash(s, n) & (ns->cap - 1);

    for (; ns->s[h] != NULL; h = (h + 1) & (ns->cap - 1))
        if (ns->len[h] == n && memcmp(ns->s[h], s, n) == 0)
            return 1;
    if (add && ns->n + 1 < ns->cap / 2) {
        ns->s[h] = s;
        ns->len[h] = n;
        ns->used[ns->n++] = h;
    }
    return 0;
}

static void
nameset_clear(struct nameset *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        ns->s[ns->used[i]] = NULL;
    ns->n = 0;
}

/* One statement (all its lines) or one blank or comment line of the original file. */
struct item {
    enum item_kind kind;
    const struct env_entry *e; /* IT_STMT */
    int first, last;           /* lines */
    int control;               /* a dotenv-linter control comment */
    int drop;                  /* a duplicate (an earlier definition of a key defined again) */
    char *key;                 /* the key after the case fix (IT_STMT) */
};

struct fixer {
    const struct envcheck_config *cfg;
    const struct env_file *f;
    size_t *line_off; /* line_off[l] .. line_off[l + 1]: line l with its newline */
    int nlines;
    struct item *it;
    size_t nit;
};

static int
is_blank_text(const char *s, const char *e)
{
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* The line's text without its newline (and CR), and the newline itself. */
static void
line_parts(const struct fixer *x, int l, const char **s, size_t *n, const char **nl, size_t *nln)
{
    const char *b = x->f->data + x->line_off[l], *e = x->f->data + x->line_off[l + 1];
    const char *c = e;

    if (c > b && c[-1] == '\n')
        c--;
    if (c > b && c[-1] == '\r')
        c--;
    *s = b;
    *n = (size_t)(c - b);
    *nl = c;
    *nln = (size_t)(e - c);
}

static int
build_lines(struct fixer *x)
{
    const struct env_file *f = x->f;
    size_t start = f->has_bom ? 3 : 0;
    int l = 1;

    x->nlines = f->nlines;
    if ((x->line_off = calloc((size_t)x->nlines + 2, sizeof(size_t))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    x->line_off[1] = start;
    for (size_t i = start; i < f->len && l <= x->nlines; i++)
        if (f->data[i] == '\n')
            x->line_off[++l] = i + 1;
    for (int k = l + 1; k <= x->nlines + 1; k++)
        x->line_off[k] = f->len;
    return 0;
}

static char *
upper_key(const struct env_entry *e)
{
    char *k = malloc(e->key_len + 1);

    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < e->key_len; i++)
        k[i] = (char)toupper((unsigned char)e->key[i]);
    k[e->key_len] = '\0';
    return k;
}

static int
cmp_item_key(const void *a, const void *b)
{
    const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
    int c = strcmp(x->key, y->key);

    /* the same key: file order */
    return c != 0 ? c : (x->first > y->first) - (x->first < y->first);
}

/* Items in file order; the case fix (not when the upper-case key exists too: two keys would
 * become one) and the duplicates (all but the last definition, the one readers keep). */
static int
build_items(struct fixer *x, struct nameset *refs)
{
    const struct env_file *f = x->f;
    struct item **byk;
    size_t ei = 0;

    if ((x->it = calloc((size_t)x->nlines + 1, sizeof(*x->it))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (int l = 1; l <= x->nlines; l++) {
        struct item *t = &x->it[x->nit];
        const char *s = f->data + x->line_off[l], *e = f->data + x->line_off[l + 1];
        memset(t, 0, sizeof(*t));
        t->first = t->last = l;
        if (ei < f->n && f->entries[ei].stmt.line == l) {
            const struct env_entry *en = &f->entries[ei++];
            t->kind = IT_STMT;
            t->e = en;
            t->last = en->value_span.end_line > l ? en->value_span.end_line : l;
            if ((t->key = upper_key(en)) == NULL)
                return err_set(ERR_NOMEM, "out of memory");
            l = t->last;
        } else if (is_blank_text(s, e)) {
            t->kind = IT_BLANK;
        } else {
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            t->kind = IT_COMMENT;
            t->control = (size_t)(e - s) > 15 &&
                         (memcmp(s, "# dotenv-linter:", 16) == 0 ||
                          memcmp(s, "#dotenv-linter:", 15) == 0);
        }
        x->nit++;
    }
    /* keys: sorted views for the case collisions and the duplicates */
    if ((byk = malloc((x->nit + 1) * sizeof(*byk))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    {
        size_t n = 0;
        for (size_t i = 0; i < x->nit; i++)
            if (x->it[i].kind == IT_STMT)
                byk[n++] = &x->it[i];
        qsort(byk, n, sizeof(*byk), cmp_item_key);
        for (size_t i = 0; i < n; i++) {
            /* a group of the same upper-case key: if their original spellings differ, keep
             * each spelling (no case fix); else all but the last are duplicates */
            size_t j = i, mixed = 0;
            while (j + 1 < n && strcmp(byk[j + 1]->key, byk[i]->key) == 0)
                j++;
            for (size_t k = i; k <= j; k++)
                mixed |= strcmp(byk[k]->e->key, byk[i]->e->key) != 0 ||
                         /* a key some value refers to keeps its name */
                         (strcmp(byk[k]->key, byk[k]->e->key) != 0 &&
                          nameset_has(refs, byk[k]->e->key, byk[k]->e->key_len, 0));
            for (size_t k = i; k <= j; k++) {
                if (mixed) {
                    strcpy(byk[k]->key, byk[k]->e->key);
                    byk[k]->drop = 0;
                } else {
                    /* not a key some value refers to: which definition a reference sees
                     * depends on where it stands */
                    byk[k]->drop = k < j && !nameset_has(refs, byk[k]->e->key,
                                                         byk[k]->e->key_len, 0);
                }
            }
            if (mixed) { /* duplicates by exact spelling only */
                for (size_t k = i; k <= j; k++)
                    for (size_t m = k + 1; m <= j; m++)
                        if (strcmp(byk[k]->e->key, byk[m]->e->key) == 0 &&
                            byk[m]->first > byk[k]->first)
                            byk[k]->drop = 1;
            }
            i = j;
        }
    }
    free(byk);
    return 0;
}

/* ---- Rendering one statement ------------------------------------------------------------- */

static int
needs_no_quotes(const char *in, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (isspace(ch) || ch == '$' || ch == '#' || ch == '&' || ch == '=' || ch == '\\' ||
            ch == '\'' || ch == '"' || ch == '`' || ch < 0x20)
            return 0;
    }
    return 1;
}

/* Appends the statement with the fixes; `value_at` gets the offset in out where the raw value
 * starts (for the redacted diff). */
static int
render_stmt(const struct fixer *x, const struct item *t, struct buf *out, size_t *value_at,
            size_t *value_end)
{
    const struct env_entry *e = t->e;
    const char *d = x->f->data;
    const char *raw = d + e->value_span.start;
    size_t rn = e->value_span.end - e->value_span.start;
    const char *ls, *nl, *tail;
    size_t ln, nln, tn;
    int rc;

    if ((e->flags & ENV_F_EXPORT) && (rc = buf_append(out, "export ", 7)) < 0)
        return rc;
    if ((rc = buf_append(out, t->key, strlen(t->key))) < 0)
        return rc;
    if (e->flags & ENV_F_NO_EQUALS) { /* KEY alone: Compose reads it from the environment */
        *value_at = *value_end = out->len;
        line_parts(x, t->last, &ls, &ln, &nl, &nln);
        return buf_append(out, nl, nln);
    }
    if ((rc = buf_append(out, (e->flags & ENV_F_COLON) ? ": " : "=",
                         (e->flags & ENV_F_COLON) ? 2 : 1)) < 0)
        return rc;
    *value_at = out->len;
    if (e->quote == ENV_QUOTE_NONE && rn > 0 && (memchr(raw, ' ', rn) || memchr(raw, '\t', rn))) {
        /* ValueWithoutQuotes: double quotes read the same when there is no '"' or '\' */
        if (!memchr(raw, '"', rn) && !memchr(raw, '\\', rn))
            rc = buf_append(out, "\"", 1) < 0 || buf_append(out, raw, rn) < 0 ||
                         buf_append(out, "\"", 1) < 0
                     ? ERR_NOMEM
                     : 0;
        else if (!memchr(raw, '\'', rn) && !memchr(raw, '$', rn))
            rc = buf_append(out, "'", 1) < 0 || buf_append(out, raw, rn) < 0 ||
                         buf_append(out, "'", 1) < 0
                     ? ERR_NOMEM
                     : 0;
        else
            rc = buf_append(out, raw, rn);
    } else if (e->quote != ENV_QUOTE_NONE && !(e->flags & ENV_F_MULTILINE) && rn >= 2 &&
               needs_no_quotes(raw + 1, rn - 2)) {
        rc = buf_append(out, raw + 1, rn - 2); /* QuoteCharacter */
    } else {
        rc = buf_append(out, raw, rn);
    }
    if (rc < 0)
        return rc;
    *value_end = out->len;
    /* after the value: the comment, without trailing blanks */
    line_parts(x, t->last, &ls, &ln, &nl, &nln);
    tail = d + e->value_span.end;
    tn = (size_t)(ls + ln - tail);
    while (tn > 0 && (tail[tn - 1] == ' ' || tail[tn - 1] == '\t'))
        tn--;
    if ((rc = buf_append(out, tail, tn)) < 0)
        return rc;
    return buf_append(out, nl, nln);
}

/* ---- Order: dotenv-linter's groups sorted, when no statement refers to another in its group */

/* Does t refer to a name in the set? */
static int
refers_into(const struct item *t, struct nameset *g)
{
    for (size_t k = 0; k < t->e->nrefs; k++)
        if (nameset_has(g, t->e->value + t->e->refs[k].name_start, t->e->refs[k].name_len, 0))
            return 1;
    return 0;
}

struct unit {
    const struct item *t; /* the statement */
    size_t lead;          /* index of its first comment line (or of itself) */
    size_t at;            /* its index */
};

static int
cmp_unit(const void *a, const void *b)
{
    const struct unit *x = a, *y = b;
    int c = strcmp(x->t->key, y->t->key);

    return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

/* The output order of the items: an array of indices. A group (as UnorderedKey's) is sorted
 * by key unless one of its statements refers to a key of the group (moving it could change
 * what a reference resolves to); comments directly above a statement move with it. */
static int
plan_order(const struct fixer *x, size_t *order)
{
    struct unit *u = malloc((x->nit + 1) * sizeof(*u));
    unsigned char *placed = calloc(x->nit + 1, 1);
    struct nameset g;
    size_t o = 0, i = 0;
    int rc;

    if (u == NULL || placed == NULL || (rc = nameset_init(&g, x->nit)) < 0) {
        free(u);
        free(placed);
        return err_set(ERR_NOMEM, "out of memory");
    }
    while (i < x->nit) {
        size_t n = 0, j = i, pend = (size_t)-1;
        int sortable = 1;
        nameset_clear(&g);
        while (j < x->nit) {
            const struct item *t = &x->it[j];
            if (t->kind == IT_BLANK || t->control)
                break;
            if (t->kind == IT_COMMENT) {
                if (pend == (size_t)-1)
                    pend = j;
                j++;
                continue;
            }
            if (t->drop) {
                j++;
                continue;
            }
            if (n > 0 && refers_into(t, &g))
                break;
            u[n].t = t;
            u[n].at = j;
            u[n++].lead = pend != (size_t)-1 ? pend : j;
            pend = (size_t)-1;
            nameset_has(&g, t->e->key, t->e->key_len, 1);
            j++;
        }
        /* a forward reference inside the group: keep its order */
        for (size_t k = 0; k < n && sortable; k++)
            sortable = !refers_into(u[k].t, &g);
        if (n > 1 && sortable) {
            qsort(u, n, sizeof(*u), cmp_unit);
            for (size_t k = 0; k < n; k++) {
                for (size_t c = u[k].lead; c < u[k].at; c++)
                    if (x->it[c].kind == IT_COMMENT && !placed[c]) {
                        order[o++] = c;
                        placed[c] = 1;
                    }
                order[o++] = u[k].at;
                placed[u[k].at] = 1;
            }
            /* dropped duplicates and comments above none, where they were */
            for (size_t c = i; c < j; c++)
                if (!placed[c])
                    order[o++] = c;
        } else {
            for (size_t c = i; c < j; c++)
                order[o++] = c;
        }
        if (j == i) /* a blank line, a control comment, or a statement starting anew */
            order[o++] = j++;
        i = j;
    }
    nameset_free(&g);
    free(u);
    free(placed);
    return 0;
}

/* ---- Check: the fixed text gives every key its value ------------------------------------- */

struct kv {
    const char *key;
    const struct env_entry *e;
};

static int
cmp_kv(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : (x->e > y->e) - (x->e < y->e);
}

/* The last definition of every key, sorted by key; `upper` maps keys through the case fix. */
static struct kv *
effective(const struct env_file *f, const struct fixer *x, size_t *n)
{
    struct kv *v = malloc((f->n + 1) * sizeof(*v));
    size_t w = 0;

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < f->n; i++) {
        v[i].e = &f->entries[i];
        v[i].key = f->entries[i].key;
    }
    for (size_t k = 0; x != NULL && k < x->nit; k++) /* the original: keys as the fix renames */
        if (x->it[k].kind == IT_STMT)
            v[x->it[k].e - f->entries].key = x->it[k].key;
    qsort(v, f->n, sizeof(*v), cmp_kv);
    for (size_t i = 0; i < f->n; i++)
        if (i + 1 == f->n || strcmp(v[i].key, v[i + 1].key) != 0)
            v[w++] = v[i];
    *n = w;
    return v;
}

static int
same_value(const struct env_entry *a, const struct env_entry *b)
{
    return a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0 &&
           (a->nrefs > 0) == (b->nrefs > 0) &&
           (a->flags & ENV_F_NO_EQUALS) == (b->flags & ENV_F_NO_EQUALS) &&
           (a->flags & ENV_F_DOLLAR_ESC) == (b->flags & ENV_F_DOLLAR_ESC);
}

static int
verify(const struct fixer *x, const char *text, size_t len)
{
    struct env_file g;
    struct kv *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int rc, ok;

    if ((rc = env_lex(text, len, x->f->path, &g)) < 0) {
        env_file_free(&g);
        return rc;
    }
    a = effective(x->f, x, &na);
    b = effective(&g, NULL, &nb);
    ok = a != NULL && b != NULL && g.nerrors == 0 && na == nb;
    for (size_t i = 0; ok && i < na; i++)
        ok = strcmp(a[i].key, b[i].key) == 0 && same_value(a[i].e, b[i].e);
    free(a);
    free(b);
    env_file_free(&g);
    if (!ok)
        return err_set(ERR_INTERNAL,
                       "%s: the fixed file would not give every key its value; nothing written",
                       x->f->path);
    return 0;
}

/* ---- The whole file ------------------------------------------------------------------------ */

/* Renders the fixed text; `shown` gets the same with the values of secret-named keys redacted
 * (what a diff may print). */
static int
render(struct fixer *x, struct buf *out, struct buf *shown)
{
    size_t *order = malloc((x->nit + 1) * sizeof(*order));
    const char *blank_nl = "\n";
    size_t blank_nln = 1;
    int rc, blank_pending = 0, any = 0;

    if (order == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = plan_order(x, order)) < 0) {
        free(order);
        return rc;
    }
    if (x->f->has_bom && ((rc = buf_append(out, "\xef\xbb\xbf", 3)) < 0 ||
                          (rc = buf_append(shown, "\xef\xbb\xbf", 3)) < 0))
        goto out;
    for (size_t k = 0; k < x->nit && rc == 0; k++) {
        const struct item *t = &x->it[order[k]];
        const char *ls, *nl;
        size_t ln, nln, start = out->len, vat = 0, vend = 0;
        if (t->kind == IT_STMT && t->drop)
            continue;
        if (t->kind == IT_BLANK) { /* ExtraBlankLine: one at most, none at the end */
            line_parts(x, t->first, &ls, &ln, &blank_nl, &blank_nln);
            blank_pending = any;
            continue;
        }
        if (blank_pending && ((rc = buf_append(out, blank_nl, blank_nln)) < 0 ||
                              (rc = buf_append(shown, blank_nl, blank_nln)) < 0))
            break;
        blank_pending = 0;
        any = 1;
        start = out->len;
        if (t->kind == IT_COMMENT) {
            line_parts(x, t->first, &ls, &ln, &nl, &nln);
            while (ln > 0 && (ls[ln - 1] == ' ' || ls[ln - 1] == '\t'))
                ln--;
            while (ln > 0 && (*ls == ' ' || *ls == '\t'))
                ls++, ln--;
            if ((rc = buf_append(out, ls, ln)) == 0 && (rc = buf_append(out, nl, nln)) == 0)
                rc = buf_append(shown, out->data + start, out->len - start);
            continue;
        }
        if ((rc = render_stmt(x, t, out, &vat, &vend)) < 0)
            break;
        if (envcheck_name_is_secret(x->cfg, t->e->key, t->e->key_len) && t->e->value_len > 0) {
            char red[64];
            envcheck_redact(t->e->value, t->e->value_len, red, sizeof(red));
            if ((rc = buf_append(shown, out->data + start, vat - start)) == 0 &&
                (rc = buf_printf(shown, "<redacted %s>", red)) == 0)
                rc = buf_append(shown, out->data + vend, out->len - vend);
        } else {
            rc = buf_append(shown, out->data + start, out->len - start);
        }
    }
    /* EndingBlankLine: the file ends with a newline */
    if (rc == 0 && out->len > 0 && out->data[out->len - 1] != '\n' &&
        (rc = buf_append(out, "\n", 1)) == 0)
        rc = buf_append(shown, "\n", 1);
out:
    free(order);
    return rc;
}

/* Line starts of a text (n + 1 offsets, the last = len). */
static size_t *
split_lines(const char *s, size_t len, size_t *n)
{
    size_t c = 0, *v;

    for (size_t i = 0; i < len; i++)
        c += s[i] == '\n';
    if ((v = malloc((c + 2) * sizeof(*v))) == NULL)
        return NULL;
    *n = 0;
    v[0] = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n')
            v[++*n] = i + 1;
    if (*n == 0 || v[*n] != len)
        v[++*n] = len;
    return v;
}

static int
line_eq(const char *a, const size_t *la, size_t i, const char *b, const size_t *lb, size_t j)
{
    size_t n = la[i + 1] - la[i];
    return n == lb[j + 1] - lb[j] && memcmp(a + la[i], b + lb[j], n) == 0;
}

static int
put_line(struct buf *out, char mark, const char *s, const size_t *l, size_t i)
{
    int rc = buf_append(out, &mark, 1);
    size_t n = l[i + 1] - l[i];

    if (rc == 0)
        rc = buf_append(out, s + l[i], n);
    if (rc == 0 && (n == 0 || s[l[i] + n - 1] != '\n'))
        rc = buf_append(out, "\n\\ No newline at end of file\n", 30);
    return rc;
}

/* A unified diff with one hunk from the first to the last changed line (3 lines of context),
 * of the shown (redacted) texts. */
static int
write_diff(const char *path, const struct buf *old, const struct buf *new, struct buf *out)
{
    size_t no, nn, *lo = split_lines(old->data ? old->data : "", old->len, &no);
    size_t *ln = split_lines(new->data ? new->data : "", new->len, &nn);
    size_t pre = 0, suf = 0, a0, a1, b0, b1;
    int rc;

    if (lo == NULL || ln == NULL) {
        free(lo);
        free(ln);
        return err_set(ERR_NOMEM, "out of memory");
    }
    while (pre < no && pre < nn && line_eq(old->data, lo, pre, new->data, ln, pre))
        pre++;
    while (suf < no - pre && suf < nn - pre &&
           line_eq(old->data, lo, no - 1 - suf, new->data, ln, nn - 1 - suf))
        suf++;
    a0 = b0 = pre > 3 ? pre - 3 : 0;
    a1 = no - suf + (suf > 3 ? 3 : suf);
    b1 = nn - suf + (suf > 3 ? 3 : suf);
    rc = buf_printf(out, "--- %s\n+++ %s (fixed)\n@@ -%zu,%zu +%zu,%zu @@\n", path, path,
                    a1 > a0 ? a0 + 1 : a0, a1 - a0, b1 > b0 ? b0 + 1 : b0, b1 - b0);
    for (size_t i = a0; rc == 0 && i < pre; i++)
        rc = put_line(out, ' ', old->data, lo, i);
    for (size_t i = pre; rc == 0 && i < no - suf; i++)
        rc = put_line(out, '-', old->data, lo, i);
    for (size_t i = pre; rc == 0 && i < nn - suf; i++)
        rc = put_line(out, '+', new->data, ln, i);
    for (size_t i = no - suf; rc == 0 && i < a1; i++)
        rc = put_line(out, ' ', old->data, lo, i);
    free(lo);
    free(ln);
    return rc;
}

/* The original as a diff may show it: values of secret-named keys redacted. */
static int
shown_original(const struct fixer *x, struct buf *out)
{
    const char *d = x->f->data;
    size_t pos = 0;
    int rc = 0;

    for (size_t i = 0; i < x->nit && rc == 0; i++) {
        const struct item *t = &x->it[i];
        const struct env_entry *e = t->e;
        char red[64];
        size_t vs, ve, le = x->line_off[t->last + 1];
        if (t->kind != IT_STMT || e->value_len == 0 ||
            !envcheck_name_is_secret(x->cfg, e->key, e->key_len))
            continue;
        vs = e->value_span.start;
        ve = e->value_span.end;
        envcheck_redact(e->value, e->value_len, red, sizeof(red));
        if ((rc = buf_append(out, d + pos, vs - pos)) == 0 &&
            (rc = buf_printf(out, "<redacted %s>", red)) == 0)
            rc = buf_append(out, d + ve, le - ve);
        pos = le;
    }
    if (rc == 0)
        rc = buf_append(out, d + pos, x->f->len - pos);
    return rc;
}

int
envcheck_fix(const struct envcheck_config *cfg, const char *path, int dry_run,
             struct buf *report)
{
    struct fixer x;
    struct env_file f;
    struct buf out = {0}, shown = {0}, old = {0};
    struct nameset refs = {NULL, NULL, NULL, 0, 0};
    struct stat st;
    int rc;

    memset(&x, 0, sizeof(x));
    if (strcmp(path, "-") == 0)
        return err_set(ERR_USAGE, "--fix needs a file, not standard input");
    if ((rc = env_lex_file(path, &f)) < 0) {
        env_file_free(&f);
        return rc;
    }
    x.cfg = cfg;
    x.f = &f;
    if (f.nerrors > 0) {
        rc = err_set(ERR_PARSE,
                     "%s: %zu statement%s cannot be parsed (ENV001): fix %s by hand first; "
                     "nothing written",
                     path, f.nerrors, f.nerrors == 1 ? "" : "s", f.nerrors == 1 ? "it" : "them");
        goto done;
    }
    for (size_t i = 0; i < f.ndiags; i++)
        if (f.diags[i].kind == ENV_DIAG_NUL) {
            rc = err_set(ERR_PARSE, "%s:%d: a NUL byte; nothing written", path, f.diags[i].line);
            goto done;
        }
    {
        size_t nrefs = 0;
        for (size_t i = 0; i < f.n; i++)
            nrefs += f.entries[i].nrefs;
        if ((rc = nameset_init(&refs, nrefs)) < 0)
            goto done;
    }
    for (size_t i = 0; i < f.n; i++)
        for (size_t k = 0; k < f.entries[i].nrefs; k++)
            nameset_has(&refs, f.entries[i].value + f.entries[i].refs[k].name_start,
                        f.entries[i].refs[k].name_len, 1);
    if ((rc = build_lines(&x)) < 0 || (rc = build_items(&x, &refs)) < 0 ||
        (rc = render(&x, &out, &shown)) < 0)
        goto done;
    if (out.len == f.len && (out.len == 0 || memcmp(out.data, f.data, f.len) == 0)) {
        rc = buf_printf(report, "%s: nothing to fix\n", path);
        goto done;
    }
    if ((rc = verify(&x, out.data ? out.data : "", out.len)) < 0)
        goto done;
    if (dry_run) {
        if ((rc = shown_original(&x, &old)) == 0)
            rc = write_diff(path, &old, &shown, report);
        if (rc == 0)
            rc = 1;
        goto done;
    }
    if (stat(path, &st) < 0) {
        rc = err_set_errno(ERR_IO, "%s: cannot stat", path);
        goto done;
    }
    {
        char bak[4096];
        if ((rc = str_format(bak, sizeof(bak), "%s.bak", path)) < 0)
            goto done;
        /* the backup first, with the file's own mode; then the file, replaced atomically */
        if ((rc = file_write_atomic(bak, f.data, f.len, st.st_mode & 07777)) < 0 ||
            (rc = file_write_atomic(path, out.data ? out.data : "", out.len,
                                    st.st_mode & 07777)) < 0)
            goto done;
        rc = buf_printf(report, "%s: fixed (the original is in %s)\n", path, bak);
        if (rc == 0)
            rc = 1;
    }
done:
    nameset_free(&refs);
    for (size_t i = 0; i < x.nit; i++)
        free(x.it[i].key);
    free(x.it);
    free(x.line_off);
    buf_free(&out);
    buf_free(&shown);
    buf_free(&old);
    env_file_free(&f);
    return rc;
}
