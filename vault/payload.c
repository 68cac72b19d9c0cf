/* payload: the decrypted body's binary layout: a sorted index of fixed-size records so one
 * lookup is a binary search, and each secret's entry as its own small JSON text, parsed only
 * when that secret is read. */
#include <string.h>

#include "vault_internal.h"

int
vault_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

int
vault_name_ok(const char *s, size_t len)
{
    char tmp[VAULT_NAME_MAX + 1];

    if (len == 0 || len > VAULT_NAME_MAX || memchr(s, '\0', len) != NULL)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return vault_name_check(tmp) == 0;
}

int
vault_payload_index(const unsigned char *p, size_t len, struct vault_index *idx)
{
    struct vault_record prev = {0}, r;
    uint64_t table;

    memset(idx, 0, sizeof(*idx));
    if (len < VAULT_PAYLOAD_HEAD || memcmp(p, VAULT_PAYLOAD_MAGIC, 4) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad payload)");
    idx->base = p;
    idx->len = len;
    idx->row = VAULT_RECORD_BYTES;
    idx->n = vault_get32(p + 4);
    table = VAULT_PAYLOAD_HEAD + (uint64_t)idx->n * VAULT_RECORD_BYTES;
    if (table > len)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (payload index overruns)");
    for (uint32_t i = 0; i < idx->n; i++) {
        const unsigned char *q = p + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_RECORD_BYTES;
        uint64_t no = vault_get32(q), nl = vault_get32(q + 4), eo = vault_get32(q + 8), el = vault_get32(q + 12);
        if (no < table || eo < table || no + nl > len || eo + el > len || el == 0)
            return err_set(ERR_PARSE, "vault is corrupted or was modified (record %u out of "
                                      "bounds)",
                           i);
        vault_payload_record(idx, i, &r);
        if (!vault_name_ok(r.name, r.name_len))
            return err_set(ERR_PARSE, "vault is corrupted or was modified (record %u has a bad "
                                      "name)",
                           i);
        if (i > 0 && vault_name_cmp(prev.name, prev.name_len, r.name, r.name_len) >= 0)
            return err_set(ERR_PARSE, "vault is corrupted or was modified (index out of order)");
        prev = r;
    }
    return 0;
}

void
vault_payload_record(const struct vault_index *idx, uint32_t i, struct vault_record *r)
{
    const unsigned char *q = idx->base + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_RECORD_BYTES;

    r->name = (const char *)idx->base + vault_get32(q);
    r->name_len = vault_get32(q + 4);
    r->entry = (const char *)idx->base + vault_get32(q + 8);
    r->entry_len = vault_get32(q + 12);
}

void
vault_index_name(const struct vault_index *idx, uint32_t i, const char **name, size_t *len)
{
    const unsigned char *q = idx->base + VAULT_PAYLOAD_HEAD + (size_t)i * idx->row;

    *name = (const char *)idx->base + vault_get32(q);
    *len = vault_get32(q + 4);
}

long
vault_payload_find(const struct vault_index *idx, const char *name, size_t name_len)
{
    long lo = 0, hi = (long)idx->n - 1;

    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        const char *rn;
        size_t rl;
        int c;
        vault_index_name(idx, (uint32_t)mid, &rn, &rl);
        c = vault_name_cmp(name, name_len, rn, rl);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}
