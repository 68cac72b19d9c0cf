/* records: the secrets of an open vault whatever its format. Format 1-2 entries are in the
 * decrypted payload; a format 3 record is read from the file and authenticated on first use. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

uint32_t
vault_nrecords(const struct vault *v)
{
    return v->plain != NULL ? v->idx.n : 0;
}

long
vault_record_find(const struct vault *v, const char *name, size_t name_len)
{
    return v->plain != NULL ? vault_payload_find(&v->idx, name, name_len) : -1;
}

void
vault_record_name(const struct vault *v, uint32_t i, const char **name, size_t *len)
{
    vault_index_name(&v->idx, i, name, len);
}

static int
read_at(int fd, unsigned char *p, size_t len, uint64_t off)
{
    size_t got = 0;

    while (got < len) {
        ssize_t r = pread(fd, p + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set_errno(ERR_IO, "vault: read failed");
        if (r == 0)
            return err_set(ERR_PARSE, "vault is corrupted or was modified (truncated)");
        got += (size_t)r;
    }
    return 0;
}

/* Authenticates record i, read into rec (its bytes on disk), and decrypts it in place. */
static int
open_record(const struct vault *v, uint32_t i, unsigned char *rec)
{
    struct vault_row3 row;
    unsigned char ad[20 + VAULT_NAME_MAX];
    const char *name;
    size_t nl, adlen;
    struct vault_ent *e = &v->ents[i];

    vault_index3_row(&v->idx, i, &row);
    vault_index_name(&v->idx, i, &name, &nl);
    adlen = vault_record_ad(v->hdr.id, name, nl, ad);
    /* The index's copy of the tag names the one record it vouches for: an older record of
     * the same secret (same key, same name) is refused as well. */
    if (sodium_memcmp(rec + row.len - KEYS_TAG_BYTES, row.tag, KEYS_TAG_BYTES) != 0 ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(rec + KEYS_NONCE_BYTES, NULL, NULL,
                                                   rec + KEYS_NONCE_BYTES,
                                                   row.len - KEYS_NONCE_BYTES, ad, adlen, rec,
                                                   v->key) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (record of '%.*s' fails "
                                  "authentication)",
                       (int)nl, name);
    e->json = (const char *)rec + KEYS_NONCE_BYTES;
    e->len = row.len - VAULT_REC_OVERHEAD;
    return 0;
}

int
vault_record_entry(const struct vault *v, uint32_t i, const char **json, size_t *len)
{
    struct vault_ent *e;
    struct vault_row3 row;
    unsigned char *rec;
    int rc;

    if (v->format < VAULT_FORMAT_INDEXED) {
        struct vault_record r;
        vault_payload_record(&v->idx, i, &r);
        *json = r.entry;
        *len = r.entry_len;
        return 0;
    }
    e = &v->ents[i];
    if (e->json == NULL) {
        vault_index3_row(&v->idx, i, &row);
        if ((rec = keys_alloc(row.len)) == NULL)
            return err_set(ERR_NOMEM, "cannot allocate guarded memory");
        if ((rc = read_at(v->fd, rec, row.len, row.off)) < 0 ||
            (rc = open_record(v, i, rec)) < 0) {
            keys_free(rec);
            return rc;
        }
        e->mem = rec;
    }
    *json = e->json;
    *len = e->len;
    return 0;
}

int
vault_records_load_all(struct vault *v)
{
    struct vault_row3 first, row;
    uint64_t start;
    int rc;

    if (v->format < VAULT_FORMAT_INDEXED || v->bulk != NULL || v->plain == NULL || v->idx.n == 0)
        return 0;
    vault_index3_row(&v->idx, 0, &first);
    start = first.off;
    /* One read of every record (they tile the rest of the file), decrypted in place. */
    if ((v->bulk = keys_alloc_large((size_t)(v->file_size - start))) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault");
    if ((rc = read_at(v->fd, v->bulk, (size_t)(v->file_size - start), start)) < 0)
        return rc;
    for (uint32_t i = 0; i < v->idx.n; i++) {
        if (v->ents[i].json != NULL)
            continue;
        vault_index3_row(&v->idx, i, &row);
        if ((rc = open_record(v, i, v->bulk + (row.off - start))) < 0)
            return rc;
    }
    return 0;
}

void
vault_records_free(struct vault *v)
{
    if (v->ents != NULL) {
        for (uint32_t i = 0; i < v->idx.n; i++)
            if (v->ents[i].mem != NULL)
                keys_free(v->ents[i].mem);
        free(v->ents);
        v->ents = NULL;
    }
    if (v->bulk != NULL)
        keys_free_large(v->bulk);
    v->bulk = NULL;
}
