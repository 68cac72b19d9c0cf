/* image_ctx: the state of one image scan (layers as read, small JSON blobs) and the string map
 * that indexes paths and blob names. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int
map_grow(struct img_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = calloc(cap, sizeof(*keys));
    size_t *vals = calloc(cap, sizeof(*vals));

    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = hash_str(m->keys[i]) & (cap - 1);
        while (keys[j] != NULL)
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int
img_map_put(struct img_map *m, const char *key, size_t val)
{
    size_t j;

    if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0)
        return ERR_NOMEM;
    j = hash_str(key) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strcmp(m->keys[j], key) == 0) {
            m->vals[j] = val;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = strdup(key);
    if (m->keys[j] == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    m->vals[j] = val;
    m->n++;
    return 0;
}

int
img_map_get(const struct img_map *m, const char *key, size_t *val)
{
    size_t j;

    if (m->cap == 0)
        return 0;
    j = hash_str(key) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strcmp(m->keys[j], key) == 0) {
            if (val != NULL)
                *val = m->vals[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

void
img_map_free(struct img_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

void
img_ctx_init(struct img_ctx *c, const struct scanner_opts *o, struct detect_engine *d)
{
    memset(c, 0, sizeof(*c));
    c->opts = o;
    c->detect = d;
    c->dirfd = -1;
    c->filecap = (o != NULL && o->max_file_size > 0) ? o->max_file_size : IMG_DEFAULT_FILECAP;
}

static void
layer_free(struct img_layer *l)
{
    if (l == NULL)
        return;
    free(l->key);
    for (size_t i = 0; i < l->nentries; i++)
        free(l->entries[i].path);
    free(l->entries);
    img_map_free(&l->index);
    for (size_t i = 0; i < l->npending; i++) {
        free(l->pending[i].path);
        free(l->pending[i].message);
        if (l->pending[i].clear != NULL) {
            explicit_bzero(l->pending[i].clear, strlen(l->pending[i].clear));
            free(l->pending[i].clear);
        }
    }
    free(l->pending);
    for (int i = 0; i < IMG_CAP_N; i++)
        buf_free(&l->capture[i]);
    pkg_list_free(&l->pkgs);
    free(l);
}

void
img_ctx_free(struct img_ctx *c)
{
    for (size_t i = 0; i < c->nlayers; i++)
        layer_free(c->layers[i]);
    free(c->layers);
    img_map_free(&c->blobs);
    img_map_free(&c->alias);
    img_map_free(&c->unknown);
    for (size_t i = 0; i < c->nalias; i++)
        free(c->alias_to[i]);
    free(c->alias_to);
    for (size_t i = 0; i < c->njson; i++)
        buf_free(&c->json[i]);
    free(c->json);
    free(c->source);
    buf_free(&c->filebuf);
    img_map_free(&c->sum_index);
    free(c->sums);
    memset(c, 0, sizeof(*c));
}

/* "blobs/sha256/HEX" and "sha256:HEX" name the same blob. */
static void
canonical_key(const char *key, char *out, size_t size)
{
    const char *p;

    if (strncmp(key, "blobs/", 6) == 0 && (p = strchr(key + 6, '/')) != NULL &&
        (size_t)(p - (key + 6)) < 16) {
        snprintf(out, size, "%.*s:%s", (int)(p - (key + 6)), key + 6, p + 1);
        return;
    }
    snprintf(out, size, "%s", key);
}

static struct img_layer *
find_layer(struct img_ctx *c, const char *key)
{
    char want[IMG_MAX_PATH + 32], have[IMG_MAX_PATH + 32];

    canonical_key(key, want, sizeof(want));
    for (size_t i = 0; i < c->nlayers; i++) {
        canonical_key(c->layers[i]->key, have, sizeof(have));
        if (strcmp(want, have) == 0)
            return c->layers[i];
    }
    return NULL;
}

struct img_layer *
img_ctx_layer(struct img_ctx *c, const char *key)
{
    struct img_layer *l = find_layer(c, key);
    size_t i;

    /* One level of links only: a chain or a loop of links is not followed. */
    if (l == NULL && img_map_get(&c->alias, key, &i))
        l = find_layer(c, c->alias_to[i]);
    return l;
}

int
img_alias_add(struct img_ctx *c, const char *name, const char *target)
{
    if (c->nalias >= IMG_MAX_LAYERS * 4)
        return err_set(ERR_LIMIT, "%s: too many links", c->source);
    if (c->nalias == c->acap) {
        size_t cap = c->acap ? c->acap * 2 : 8;
        char **t = realloc(c->alias_to, cap * sizeof(*t));
        if (t == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->alias_to = t;
        c->acap = cap;
    }
    c->alias_to[c->nalias] = strdup(target);
    if (c->alias_to[c->nalias] == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if (img_map_put(&c->alias, name, c->nalias) < 0) {
        free(c->alias_to[c->nalias]);
        return ERR_NOMEM;
    }
    c->nalias++;
    return 0;
}

int
img_ctx_keep_json(struct img_ctx *c, const char *name, const void *data, size_t len)
{
    char key[IMG_MAX_PATH + 32];

    if (len > IMG_MAX_JSON || c->json_total + len > IMG_MAX_JSON_TOTAL)
        return err_set(ERR_LIMIT, "%s: %s: JSON documents larger than the limit", c->source, name);
    if (c->njson == c->jcap) {
        size_t cap = c->jcap ? c->jcap * 2 : 16;
        struct buf *j = realloc(c->json, cap * sizeof(*j));
        if (j == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->json = j;
        c->jcap = cap;
    }
    memset(&c->json[c->njson], 0, sizeof(c->json[0]));
    if (buf_append(&c->json[c->njson], data, len) < 0 ||
        (len == 0 && buf_append(&c->json[c->njson], "", 0) < 0))
        return err_set(ERR_NOMEM, "out of memory");
    canonical_key(name, key, sizeof(key));
    if (img_map_put(&c->blobs, key, c->njson) < 0) {
        buf_free(&c->json[c->njson]);
        return ERR_NOMEM;
    }
    c->njson++;
    c->json_total += len;
    return 0;
}

const struct buf *
img_ctx_json(const struct img_ctx *c, const char *name)
{
    char key[IMG_MAX_PATH + 32];
    size_t i;

    canonical_key(name, key, sizeof(key));
    if (!img_map_get(&c->blobs, key, &i))
        return NULL;
    return &c->json[i];
}

int
img_err_wrap(int rc, const char *fmt, ...)
{
    char saved[1024], prefix[1024];
    va_list ap;

    snprintf(saved, sizeof(saved), "%s", err_message());
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    return err_set(rc, "%s: %s", prefix, saved);
}
