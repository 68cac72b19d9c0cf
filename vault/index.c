/* index: format 3's sealed index (names → record offset, length and tag) and the writer of a
 * whole format 3 file, so a reader decrypts the index and one record, never the rest. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault_internal.h"

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static int
corrupt(const char *why, uint32_t i)
{
    return err_set(ERR_PARSE, "vault is corrupted or was modified (%s, index row %u)", why, i);
}

int
vault_index3_parse(const unsigned char *p, size_t len, uint64_t data_start, uint64_t file_size,
                   struct vault_index *idx)
{
    const char *pn = NULL, *name;
    size_t pl = 0, nl;
    uint64_t table, at = data_start;

    memset(idx, 0, sizeof(*idx));
    if (len < VAULT_PAYLOAD_HEAD || memcmp(p, VAULT_INDEX_MAGIC, 4) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad index)");
    idx->base = p;
    idx->len = len;
    idx->row = VAULT_ROW3_BYTES;
    idx->n = get32(p + 4);
    table = VAULT_PAYLOAD_HEAD + (uint64_t)idx->n * VAULT_ROW3_BYTES;
    if (table > len)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (index rows overrun)");
    for (uint32_t i = 0; i < idx->n; i++) {
        const unsigned char *q = p + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_ROW3_BYTES;
        uint64_t no = get32(q), nlen = get32(q + 4), ro = get64(q + 8), rl = get32(q + 16);
        if (no < table || no + nlen > len)
            return corrupt("name out of bounds", i);
        if (get32(q + 20) != 0)
            return corrupt("reserved bytes are not zero", i);
        /* Records follow each other in index order: a dropped, added or moved record, or a
         * truncated file, shows here before anything is decrypted. */
        if (ro != at || rl <= VAULT_REC_OVERHEAD || rl > file_size || ro + rl > file_size)
            return corrupt("record out of place", i);
        at = ro + rl;
        vault_index_name(idx, i, &name, &nl);
        if (!vault_name_ok(name, nl))
            return corrupt("bad name", i);
        if (i > 0 && vault_name_cmp(pn, pl, name, nl) >= 0)
            return corrupt("names out of order", i);
        pn = name;
        pl = nl;
    }
    if (at != file_size)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (%s)",
                       at < file_size ? "bytes after the last record" : "truncated");
    return 0;
}

void
vault_index3_row(const struct vault_index *idx, uint32_t i, struct vault_row3 *r)
{
    const unsigned char *q = idx->base + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_ROW3_BYTES;

    r->off = get64(q + 8);
    r->len = get32(q + 16);
    r->tag = q + 24;
}

size_t
vault_record_ad(const unsigned char *id, const char *name, size_t name_len, unsigned char *ad)
{
    memcpy(ad, VAULT_REC_AD_MAGIC, 4);
    memcpy(ad + 4, id, 16);
    memcpy(ad + 20, name, name_len);
    return 20 + name_len;
}

/* Seals one entry into rec (nonce ‖ ciphertext ‖ tag). */
static void
seal_record(const struct vault_header *h, const unsigned char *key, const struct vault_item *it,
            unsigned char *rec)
{
    unsigned char ad[20 + VAULT_NAME_MAX];
    size_t adlen = vault_record_ad(h->id, it->name, it->name_len, ad);

    keys_random(rec, KEYS_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(rec + KEYS_NONCE_BYTES, NULL,
                                               (const unsigned char *)it->json, it->json_len, ad,
                                               adlen, NULL, rec, key);
}

int
vault_file_build(struct vault_header *h, const unsigned char *key, const struct vault_item *items,
                 size_t n, unsigned char **out, size_t *out_len)
{
    size_t hlen = vault_header_size(h), ilen = VAULT_PAYLOAD_HEAD, total, at, noff;
    struct buf hb = {0};
    unsigned char *file = NULL, *index = NULL;
    int rc;

    *out = NULL;
    for (size_t k = 0; k < n; k++)
        ilen += VAULT_ROW3_BYTES + items[k].name_len;
    total = hlen + VAULT_LENFIELD + ilen + KEYS_TAG_BYTES;
    for (size_t k = 0; k < n; k++) {
        size_t rl = items[k].json != NULL ? items[k].json_len + VAULT_REC_OVERHEAD : items[k].rec_len;
        if (rl > VAULT_FILE_MAX || total > VAULT_FILE_MAX - rl)
            return err_set(ERR_LIMIT, "the vault would exceed %d MiB", VAULT_FILE_MAX >> 20);
        total += rl;
    }
    /* The index holds names: guarded memory, like every plaintext. The file holds only
     * ciphertext. */
    if ((index = keys_alloc_large(ilen + KEYS_TAG_BYTES)) == NULL ||
        (file = malloc(total)) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory for the vault (%zu bytes)", total);
        goto out;
    }
    memcpy(index, VAULT_INDEX_MAGIC, 4);
    put32(index + 4, (uint32_t)n);
    noff = VAULT_PAYLOAD_HEAD + n * VAULT_ROW3_BYTES;
    at = hlen + VAULT_LENFIELD + ilen + KEYS_TAG_BYTES;
    for (size_t k = 0; k < n; k++) {
        unsigned char *row = index + VAULT_PAYLOAD_HEAD + k * VAULT_ROW3_BYTES;
        size_t rl = items[k].json != NULL ? items[k].json_len + VAULT_REC_OVERHEAD : items[k].rec_len;
        if (items[k].json != NULL)
            seal_record(h, key, &items[k], file + at);
        else
            memcpy(file + at, items[k].rec, rl);
        put32(row, (uint32_t)noff);
        put32(row + 4, (uint32_t)items[k].name_len);
        put64(row + 8, at);
        put32(row + 16, (uint32_t)rl);
        put32(row + 20, 0);
        memcpy(row + 24, file + at + rl - KEYS_TAG_BYTES, KEYS_TAG_BYTES);
        memcpy(index + noff, items[k].name, items[k].name_len);
        noff += items[k].name_len;
        at += rl;
    }
    keys_random(h->nonce, sizeof(h->nonce));
    keys_key_check(key, h->id, sizeof(h->id), h->check);
    if ((rc = vault_header_encode(h, &hb)) < 0)
        goto out;
    if (hb.len != hlen) {
        rc = err_set(ERR_INTERNAL, "header size mismatch");
        goto out;
    }
    memcpy(file, hb.data, hlen);
    put64(file + hlen, ilen + KEYS_TAG_BYTES);
    /* The header and the index length are the index's associated data: no byte before the
     * records changes unnoticed, and the index authenticates every record by its tag. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(file + hlen + VAULT_LENFIELD, NULL, index, ilen,
                                               file, hlen + VAULT_LENFIELD, NULL, h->nonce, key);
    *out = file;
    *out_len = total;
    file = NULL;
    rc = 0;
out:
    buf_free(&hb);
    free(file);
    if (index != NULL)
        keys_free_large(index);
    return rc;
}
