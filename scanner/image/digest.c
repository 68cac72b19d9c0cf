/* image_digest: every blob is hashed (SHA-256, libsodium's streaming API) and counted as it
 * streams by; a blob stored as blobs/sha256/HEX (or a legacy HEX.json config) must hash to HEX,
 * and its byte count must be the size its descriptor gives. A mismatch is an error naming it. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

void
img_hash_init(struct img_hash *h)
{
    crypto_hash_sha256_init(&h->st);
    h->n = 0;
}

void
img_hash_update(struct img_hash *h, const void *data, size_t len)
{
    crypto_hash_sha256_update(&h->st, data, len);
    h->n += len;
}

/* The HEX a name says its content hashes to, or NULL. */
static const char *
named_sha256(const char *name)
{
    const char *base = strrchr(name, '/');
    size_t i;

    if (strncmp(name, "blobs/sha256/", 13) == 0 && strlen(name) == 13 + 64)
        base = name + 13;
    else if (strchr(name, '/') == NULL && strlen(name) == 64 + 5 && strcmp(name + 64, ".json") == 0)
        base = name; /* docker save (before Docker 25): the config is <sha256>.json */
    else
        return NULL;
    for (i = 0; i < 64; i++)
        if (!((base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f')))
            return NULL;
    return base;
}

static int
sum_slot(struct img_ctx *c, const char *name, size_t *out)
{
    size_t i;
    int rc;

    if (img_map_get(&c->sum_index, name, &i)) {
        *out = i;
        return 0;
    }
    if (c->nsums == c->sumcap) {
        size_t cap = c->sumcap ? c->sumcap * 2 : 16;
        struct img_sum *p = realloc(c->sums, cap * sizeof(*p));
        if (p == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->sums = p;
        c->sumcap = cap;
    }
    memset(&c->sums[c->nsums], 0, sizeof(c->sums[0]));
    c->sums[c->nsums].expected = -1;
    if ((rc = img_map_put(&c->sum_index, name, c->nsums)) < 0)
        return rc;
    *out = c->nsums++;
    return 0;
}

static int
size_check(const struct img_ctx *c, const char *name, const struct img_sum *s)
{
    if (!s->hashed || s->expected < 0 || (uint64_t)s->expected == s->size)
        return 0;
    return err_set(ERR_PARSE, "%s: blob %s is %llu bytes but its descriptor says %lld: damaged "
                              "or tampered with",
                   c->source, name, (unsigned long long)s->size, s->expected);
}

int
img_blob_done(struct img_ctx *c, const char *name, struct img_hash *h)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    const char *want = named_sha256(name);
    struct img_sum *s;
    size_t i;
    int rc;

    crypto_hash_sha256_final(&h->st, d);
    if ((rc = sum_slot(c, name, &i)) < 0)
        return rc;
    s = &c->sums[i];
    sodium_bin2hex(s->hex, sizeof(s->hex), d, sizeof(d));
    s->size = h->n;
    s->hashed = 1;
#ifdef FUZZING
    want = NULL; /* mutated blobs never match their names: let the fuzzer reach what follows */
#endif
    if (want != NULL && memcmp(want, s->hex, 64) != 0)
        return err_set(ERR_PARSE, "%s: blob %s does not match its digest (its content hashes to "
                                  "sha256:%.12s...): damaged or tampered with",
                       c->source, name, s->hex);
    return size_check(c, name, s);
}

int
img_blob_expect(struct img_ctx *c, const char *name, const cJSON *desc)
{
    const cJSON *sz = cJSON_GetObjectItemCaseSensitive(desc, "size");
    struct img_sum *s;
    size_t i;
    int rc;

    if (!cJSON_IsNumber(sz))
        return 0;
    if (sz->valuedouble < 0 || sz->valuedouble > 9.0e15)
        return err_set(ERR_PARSE, "%s: descriptor of %s has a bad size", c->source, name);
    if ((rc = sum_slot(c, name, &i)) < 0)
        return rc;
    s = &c->sums[i];
    s->expected = (long long)sz->valuedouble;
    return size_check(c, name, s);
}
