/* example: compares a .env with its example file (`.env.example` beside it, or --env-example):
 * keys the example has and the .env lacks, keys the example does not document, and values still
 * equal to the example's. Keys only in messages; values never. */
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

/* Entries sorted by key (then by position, so the last definition of a key comes last): lookups
 * in O(log n), so two big files never cost n * m. */
struct key_index {
    const struct env_entry **v;
    size_t n;
};

static int
cmp_entry(const void *a, const void *b)
{
    const struct env_entry *x = *(const struct env_entry *const *)a;
    const struct env_entry *y = *(const struct env_entry *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);

    if (c != 0)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int
index_build(struct key_index *ix, const struct env_file *f)
{
    ix->n = f->n;
    ix->v = malloc((f->n + 1) * sizeof(*ix->v));
    if (ix->v == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n; i++)
        ix->v[i] = &f->entries[i];
    qsort(ix->v, ix->n, sizeof(*ix->v), cmp_entry);
    return 0;
}

/* The last definition of `key`, or NULL. */
static const struct env_entry *
index_get(const struct key_index *ix, const char *key, size_t kl)
{
    size_t lo = 0, hi = ix->n;
    const struct env_entry *found = NULL;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct env_entry *e = ix->v[mid];
        size_t n = e->key_len < kl ? e->key_len : kl;
        int c = memcmp(e->key, key, n);
        if (c == 0 && e->key_len != kl)
            c = e->key_len < kl ? -1 : 1;
        if (c <= 0) {
            if (c == 0)
                found = e;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return found;
}

struct envcheck_example {
    struct env_file ex;
    struct key_index ee;
    char *shown; /* the example's file name, for messages (a copy: the path may be a caller's
                  * stack buffer) */
};

int
envcheck_example_open(struct envcheck_ctx *c, const char *example_path, int explicit_path)
{
    struct envcheck_example *x = calloc(1, sizeof(*x));
    const char *shown = strrchr(example_path, '/');
    int rc;

    if (x == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    x->shown = strdup(shown != NULL ? shown + 1 : example_path);
    if (x->shown == NULL) {
        free(x);
        return err_set(ERR_NOMEM, "out of memory");
    }
    rc = env_lex_file(example_path, &x->ex);
    if (rc == 0)
        rc = index_build(&x->ee, &x->ex);
    if (rc < 0) {
        free(x->ee.v);
        env_file_free(&x->ex);
        free(x->shown);
        free(x);
        /* no example beside the file: nothing to compare (unless the user named one) */
        return rc == ERR_NOTFOUND && !explicit_path ? 0 : rc;
    }
    c->example = x;
    return 0;
}

void
envcheck_example_close(struct envcheck_ctx *c)
{
    if (c->example == NULL)
        return;
    free(c->example->ee.v);
    env_file_free(&c->example->ex);
    free(c->example->shown);
    free(c->example);
    c->example = NULL;
}

/* Per chunk: values still equal to the example's. */
int
envcheck_check_example(struct envcheck_ctx *c)
{
    const struct envcheck_example *ex = c->example;
    int rc = 0;

    if (ex == NULL)
        return 0;
    for (size_t i = 0; i < c->f->n && rc == 0; i++) {
        const struct env_entry *e = &c->f->entries[i];
        const struct env_entry *x = index_get(&ex->ee, e->key, e->key_len);
        int secret, placeholder;
        if (x == NULL || e->value_len == 0 || e->nrefs > 0 || x->value_len != e->value_len ||
            memcmp(x->value, e->value, e->value_len) != 0)
            continue;
        secret = envcheck_name_is_secret(c->cfg, e->key, e->key_len);
        /* other settings may well keep the example's value; a placeholder-shaped one (not a
         * URL: example.com is a real-looking default) may not */
        placeholder = !secret && envcheck_is_placeholder(x->value, x->value_len) &&
                      memmem(x->value, x->value_len, "://", 3) == NULL;
        if ((secret && !envcheck_is_placeholder(e->value, e->value_len)) || placeholder)
            rc = envcheck_emit(c, R_PLACEHOLDER, e->value_span.line, e->value_span.column,
                               secret ? e->value : NULL, e->value_len,
                               "%s still has the value from %s (line %d)", e->key, ex->shown,
                               x->stmt.line);
    }
    return rc;
}

/* Once every key is known: the example's keys missing here, and this file's keys (at their
 * last definition) the example does not document. */
int
envcheck_check_example_final(struct envcheck_ctx *c)
{
    const struct envcheck_example *ex = c->example;
    const struct envcheck_keys *k = &c->keys;
    int rc = 0;

    if (ex == NULL)
        return 0;
    for (size_t i = 0; i < ex->ex.n && rc == 0; i++) {
        const struct env_entry *x = &ex->ex.entries[i];
        if (envcheck_keys_find(k, x->key, x->key_len) == NULL &&
            index_get(&ex->ee, x->key, x->key_len) == x)
            rc = envcheck_emit(c, R_EXAMPLE_MISSING, 0, 0, NULL, 0,
                               "%s is in %s (line %d) but missing from this file", x->key,
                               ex->shown, x->stmt.line);
    }
    for (size_t i = 0; i < k->n && rc == 0; i++) {
        const char *key = k->data + k->off[i];
        const struct envcheck_keyslot *s = envcheck_keys_find(k, key, k->len[i]);
        int l = (int)k->line[i];
        if (s == NULL || s->last != i || index_get(&ex->ee, key, k->len[i]) != NULL)
            continue;
        rc = envcheck_emit(c, R_EXAMPLE_EXTRA, l, (int)(k->off[i] - c->line_off[l]) + 1, NULL, 0,
                           "%.*s is not documented in %s", (int)k->len[i], key, ex->shown);
    }
    return rc;
}
