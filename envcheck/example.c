/* example: compares a .env with its example file (`.env.example` beside it, or --env-example):
 * keys the example has and the .env lacks, keys the example does not document, and values still
 * equal to the example's. Keys only in messages; values never. */
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

static int
has_key(const struct env_file *f, const char *key, size_t kl)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->entries[i].key_len == kl && memcmp(f->entries[i].key, key, kl) == 0)
            return 1;
    return 0;
}

int
envcheck_check_example(struct envcheck_ctx *c, const char *example_path, int explicit_path)
{
    struct env_file ex;
    const char *shown = strrchr(example_path, '/');
    int rc;

    shown = shown != NULL ? shown + 1 : example_path;
    rc = env_lex_file(example_path, &ex);
    if (rc < 0) {
        env_file_free(&ex);
        /* no example beside the file: nothing to compare (unless the user named one) */
        if (rc == ERR_NOTFOUND && !explicit_path)
            return 0;
        return rc;
    }
    /* a file index for `has_key` would pay off only for huge files; examples are small, and
     * for big .env files each lookup below walks the example once */
    for (size_t i = 0; i < ex.n && rc == 0; i++) {
        const struct env_entry *x = &ex.entries[i];
        if (!has_key(c->f, x->key, x->key_len) && env_file_get(&ex, x->key) == x)
            rc = envcheck_emit(c, R_EXAMPLE_MISSING, 0, 0, NULL, 0,
                               "%s is in %s (line %d) but missing from this file", x->key, shown,
                               x->stmt.line);
    }
    for (size_t i = 0; i < c->f->n && rc == 0; i++) {
        const struct env_entry *e = &c->f->entries[i];
        const struct env_entry *x = env_file_get(&ex, e->key);
        if (x == NULL) {
            if (env_file_get(c->f, e->key) == e)
                rc = envcheck_emit(c, R_EXAMPLE_EXTRA, e->stmt.line, e->key_span.column, NULL, 0,
                                   "%s is not documented in %s", e->key, shown);
            continue;
        }
        if (e->value_len == 0 || e->nrefs > 0 || x->value_len != e->value_len ||
            memcmp(x->value, e->value, e->value_len) != 0)
            continue;
        int secret = envcheck_name_is_secret(c->cfg, e->key, e->key_len);
        /* other settings may well keep the example's value; a placeholder-shaped one (not a
         * URL: example.com is a real-looking default) may not */
        int placeholder = !secret && envcheck_is_placeholder(x->value, x->value_len) &&
                          memmem(x->value, x->value_len, "://", 3) == NULL;
        if ((secret && !envcheck_is_placeholder(e->value, e->value_len)) || placeholder)
            rc = envcheck_emit(c, R_PLACEHOLDER, e->value_span.line, e->value_span.column,
                               secret ? e->value : NULL, e->value_len,
                               "%s still has the value from %s (line %d)", e->key, shown,
                               x->stmt.line);
    }
    env_file_free(&ex);
    return rc;
}
