/* map: an open-addressing hash map from 20-byte keys (object ids, secret keys) to int32 values,
 * and the array growth helper the other files share. Keys are already uniform hashes. */
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

static size_t
slot_of(const unsigned char *key, size_t cap)
{
    uint64_t h;

    memcpy(&h, key, sizeof(h));
    return (size_t)(h & (cap - 1));
}

static int
is_empty(const unsigned char *key)
{
    static const unsigned char zero[20];
    return memcmp(key, zero, 20) == 0;
}

int
gs_map_get(const struct gs_map *m, const unsigned char *key, int32_t *val)
{
    if (m->cap == 0)
        return 0;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (is_empty(m->keys[i]))
            return 0;
        if (memcmp(m->keys[i], key, 20) == 0) {
            *val = m->vals[i];
            return 1;
        }
    }
}

static int
rehash(struct gs_map *m, size_t cap)
{
    struct gs_map n = {calloc(cap, 20), calloc(cap, sizeof(int32_t)), cap, 0};

    if (n.keys == NULL || n.vals == NULL) {
        free(n.keys);
        free(n.vals);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (is_empty(m->keys[i]))
            continue;
        size_t j = slot_of(m->keys[i], cap);
        while (!is_empty(n.keys[j]))
            j = (j + 1) & (cap - 1);
        memcpy(n.keys[j], m->keys[i], 20);
        n.vals[j] = m->vals[i];
        n.n++;
    }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

int
gs_map_put(struct gs_map *m, const unsigned char *key, int32_t val)
{
    size_t i;

    /* The all-zero key marks an empty slot; no object id or secret key is all zeros. */
    if (is_empty(key))
        return err_set(ERR_INTERNAL, "zero key");
    if ((m->n + 1) * 4 > m->cap * 3) {
        int rc = rehash(m, m->cap ? m->cap * 2 : 1024);
        if (rc < 0)
            return rc;
    }
    for (i = slot_of(key, m->cap); !is_empty(m->keys[i]); i = (i + 1) & (m->cap - 1))
        if (memcmp(m->keys[i], key, 20) == 0) {
            m->vals[i] = val;
            return 0;
        }
    memcpy(m->keys[i], key, 20);
    m->vals[i] = val;
    m->n++;
    return 0;
}

void
gs_map_free(struct gs_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

int
gs_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    size_t nc;
    void *p;

    if (n < *cap)
        return 0;
    nc = *cap ? *cap * 2 : 16;
    if (nc > ((size_t)-1) / elem)
        return err_set(ERR_LIMIT, "too many items");
    p = realloc(*arr, nc * elem);
    if (p == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *arr = p;
    *cap = nc;
    return 0;
}

int
gs_git_error(int code, const char *fmt, ...)
{
    const git_error *e = git_error_last();
    char ctx[1024];
    va_list ap;
    int kind = code == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_PARSE;

    va_start(ap, fmt);
    if (vsnprintf(ctx, sizeof(ctx), fmt, ap) < 0)
        ctx[0] = '\0'; /* a shorter context is fine in a message; a failed one is empty */
    va_end(ap);
    if (e != NULL && e->klass == GIT_ERROR_NOMEMORY)
        kind = ERR_NOMEM;
    else if (e != NULL && e->klass == GIT_ERROR_OS)
        kind = ERR_IO;
    return err_set(kind, "%s: %s", ctx,
                   e != NULL && e->message != NULL ? e->message : "libgit2 error");
}
