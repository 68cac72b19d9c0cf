/* envfile: what callers do with a lexed .env besides validating it: free it, look a key up, and
 * resolve a value's references the way Compose does (other keys, the environment, defaults). */
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

/* Nested references (`${A:-${B}}`, a key that refers to a key) are followed this deep. */
#define RESOLVE_MAX_DEPTH 8

void
env_file_free(struct env_file *f)
{
    if (f == NULL)
        return;
    if (f->data != NULL) {
        explicit_bzero(f->data, f->len);
        free(f->data);
    }
    if (f->strings != NULL) {
        explicit_bzero(f->strings, f->strings_cap);
        free(f->strings);
    }
    free(f->refs_all);
    free(f->entries);
    free(f->diags);
    free(f->path);
    memset(f, 0, sizeof(*f));
}

const struct env_entry *
env_file_get(const struct env_file *f, const char *key)
{
    size_t kl = strlen(key);

    for (size_t i = f->n; i-- > 0;)
        if (f->entries[i].key_len == kl && memcmp(f->entries[i].key, key, kl) == 0)
            return &f->entries[i];
    return NULL;
}

static const struct env_entry *
earlier(const struct env_file *f, const struct env_entry *e, const char *name, size_t nl)
{
    for (const struct env_entry *x = e; x-- > f->entries;)
        if (x->key_len == nl && memcmp(x->key, name, nl) == 0 && !(x->flags & ENV_F_NO_EQUALS))
            return x;
    return NULL;
}

static int resolve_entry(const struct env_file *f, const struct env_entry *e, env_lookup_fn lookup,
                         void *user, int depth, struct buf *out);

/* Resolves free text (a default or alternate) that may hold references: scanned here since
 * the lexer keeps it as text. */
static int
resolve_text(const struct env_file *f, const struct env_entry *ctx, const char *s, size_t n,
             env_lookup_fn lookup, void *user, int depth, struct buf *out);

static int
lookup_name(const struct env_file *f, const struct env_entry *ctx, const char *name, size_t nl,
            env_lookup_fn lookup, void *user, int depth, struct buf *val, int *set)
{
    char tmp[256];
    const struct env_entry *x;
    const char *v;

    *set = 0;
    if (lookup != NULL && nl < sizeof(tmp)) {
        memcpy(tmp, name, nl);
        tmp[nl] = '\0';
        if ((v = lookup(tmp, user)) != NULL) {
            *set = 1;
            return buf_append(val, v, strlen(v));
        }
    }
    if ((x = earlier(f, ctx, name, nl)) != NULL) {
        *set = 1;
        return resolve_entry(f, x, lookup, user, depth + 1, val);
    }
    return 0;
}

static int
apply_ref(const struct env_file *f, const struct env_entry *ctx, const char *text,
          const struct env_ref *r, env_lookup_fn lookup, void *user, int depth, struct buf *out)
{
    struct buf val = {0};
    int set, rc, colon = r->op[0] == ':';
    char op = colon ? r->op[1] : r->op[0];
    const char *arg = text + r->arg_start;
    size_t argn = r->arg_end - r->arg_start;

    rc = lookup_name(f, ctx, text + r->name_start, r->name_len, lookup, user, depth, &val, &set);
    if (rc < 0)
        goto done;
    /* With ':', an empty value counts as unset. */
    int present = set && (!colon || val.len > 0);
    switch (op) {
    case '-':
        rc = present ? buf_append(out, val.data, val.len)
                     : resolve_text(f, ctx, arg, argn, lookup, user, depth + 1, out);
        break;
    case '+':
        rc = present ? resolve_text(f, ctx, arg, argn, lookup, user, depth + 1, out) : 0;
        break;
    case '?':
        if (!present)
            rc = err_set(ERR_NOTFOUND, "%s: required variable %.*s is missing a value", f->path,
                         (int)r->name_len, text + r->name_start);
        else
            rc = buf_append(out, val.data, val.len);
        break;
    default:
        rc = set ? buf_append(out, val.data, val.len) : 0;
        break;
    }
done:
    buf_free(&val);
    return rc;
}

static int
resolve_text(const struct env_file *f, const struct env_entry *ctx, const char *s, size_t n,
             env_lookup_fn lookup, void *user, int depth, struct buf *out)
{
    size_t i = 0;
    int rc = 0;

    if (depth > RESOLVE_MAX_DEPTH)
        return buf_append(out, s, n);
    while (i < n && rc == 0) {
        struct env_ref r;
        size_t rl = env_ref_scan(s, n, i, &r);
        if (rl == 0) {
            rc = buf_append(out, s + i, 1);
            i++;
            continue;
        }
        rc = apply_ref(f, ctx, s, &r, lookup, user, depth, out);
        i += rl;
    }
    return rc;
}

static int
resolve_entry(const struct env_file *f, const struct env_entry *e, env_lookup_fn lookup,
              void *user, int depth, struct buf *out)
{
    size_t at = 0;
    int rc = 0;

    if (depth > RESOLVE_MAX_DEPTH || e->nrefs == 0)
        return buf_append(out, e->value, e->value_len);
    for (size_t k = 0; k < e->nrefs && rc == 0; k++) {
        const struct env_ref *r = &e->refs[k];
        rc = buf_append(out, e->value + at, r->start - at);
        if (rc == 0)
            rc = apply_ref(f, e, e->value, r, lookup, user, depth, out);
        at = r->end;
    }
    if (rc == 0)
        rc = buf_append(out, e->value + at, e->value_len - at);
    return rc;
}

int
env_resolve(const struct env_file *f, const struct env_entry *e, env_lookup_fn lookup, void *user,
            struct buf *out)
{
    int rc = resolve_entry(f, e, lookup, user, 0, out);

    /* buf_append leaves data NULL for an empty result: give callers a string */
    if (rc == 0 && out->data == NULL)
        rc = buf_append(out, "", 0);
    return rc;
}

const char *
env_dialect_name(enum env_dialect d)
{
    static const char *const names[] = {"Compose", "docker run --env-file", "bash source",
                                        "python-dotenv", "node dotenv"};
    return (unsigned)d < ENV_DIALECT_COUNT ? names[d] : "?";
}
