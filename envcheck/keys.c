/* keys: every key of the file being validated, by statement number across the lexer's chunks:
 * where its text is in the file (keys are never decoded, so the file's bytes are the key),
 * its line, and a hash set from key to its first and last statement. What the rules that look
 * across statements (duplicates, order, references, the example file) share, in a few bytes per
 * statement instead of the lexer's entries. */
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

static uint32_t
key_hash(const char *k, size_t n)
{
    unsigned long long h = str_hash(k, n);

    return (uint32_t)(h ^ (h >> 32));
}

int
envcheck_keys_init(struct envcheck_keys *k, const char *data, size_t max)
{
    memset(k, 0, sizeof(*k));
    k->data = data;
    k->scap = 16;
    while (k->scap < 2 * max + 2)
        k->scap *= 2;
    k->cap = max + 1;
    k->off = envcheck_big_alloc(k->cap * sizeof(*k->off));
    k->line = envcheck_big_alloc(k->cap * sizeof(*k->line));
    k->len = envcheck_big_alloc(k->cap * sizeof(*k->len));
    k->flag = envcheck_big_calloc(k->cap, 1);
    k->s = envcheck_big_calloc(k->scap, sizeof(*k->s));
    if (k->off == NULL || k->line == NULL || k->len == NULL || k->flag == NULL || k->s == NULL) {
        envcheck_keys_free(k);
        return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

void
envcheck_keys_drop_set(struct envcheck_keys *k)
{
    free(k->s);
    k->s = NULL;
    k->scap = 0;
}

void
envcheck_keys_free(struct envcheck_keys *k)
{
    free(k->off);
    free(k->line);
    free(k->len);
    free(k->flag);
    envcheck_keys_drop_set(k);
    memset(k, 0, sizeof(*k));
}

/* The slot of a key: its own, or the empty one where it would go. */
static size_t
slot_of(const struct envcheck_keys *k, const char *name, size_t len, uint32_t h)
{
    size_t i = h & (k->scap - 1);

    while (k->s[i].first != 0) {
        uint32_t x = k->s[i].first - 1;
        if (k->len[x] == len && memcmp(k->data + k->off[x], name, len) == 0)
            return i;
        i = (i + 1) & (k->scap - 1);
    }
    return i;
}

void
envcheck_keys_prefetch(const struct envcheck_keys *k, const struct env_entry *e)
{
    __builtin_prefetch(&k->s[key_hash(k->data + e->key_span.start, e->key_len) & (k->scap - 1)]);
}

long
envcheck_keys_add(struct envcheck_keys *k, const struct env_entry *e)
{
    const char *name = k->data + e->key_span.start;
    uint32_t h = key_hash(name, e->key_len);
    size_t idx = k->n, i;
    long first;

    if (idx >= k->cap)
        return err_set(ERR_INTERNAL, "more statements than lines");
    k->off[idx] = e->key_span.start;
    k->len[idx] = (uint16_t)e->key_len;
    k->line[idx] = (uint32_t)e->stmt.line;
    i = slot_of(k, name, e->key_len, h);
    first = k->s[i].first != 0 ? (long)k->s[i].first - 1 : -1;
    if (first < 0)
        k->s[i].first = (uint32_t)idx + 1;
    k->s[i].last = (uint32_t)idx;
    k->n++;
    return first;
}

const struct envcheck_keyslot *
envcheck_keys_find(const struct envcheck_keys *k, const char *name, size_t len)
{
    size_t i;

    if (k->s == NULL)
        return NULL;
    i = slot_of(k, name, len, key_hash(name, len));
    return k->s[i].first != 0 ? &k->s[i] : NULL;
}
