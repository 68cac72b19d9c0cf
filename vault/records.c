/* records: the secrets of an open vault whatever its format. Format 1-2 entries are in the
 * decrypted payload; a format 3 index chunk or record is read from the file and authenticated
 * on first use, so one lookup costs the root, one chunk and one record. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

static int
indexed(const struct vault *v)
{
    return v->format >= VAULT_FORMAT_INDEXED;
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

int
vault_records_init(struct vault *v)
{
    struct vault_root_row rr;
    uint32_t base = 0;

    if ((v->chunks = calloc((size_t)v->root.n + 1, sizeof(*v->chunks))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < v->root.n; k++) {
        vault_root_row(&v->root, k, &rr);
        v->chunks[k].base = base;
        base += rr.count;
    }
    v->nrec = base;
    if ((v->ents = calloc((size_t)base + 1, sizeof(*v->ents))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

uint32_t
vault_nrecords(const struct vault *v)
{
    if (v->plain == NULL)
        return 0;
    return indexed(v) ? v->nrec : v->idx.n;
}

/* Chunk k, read into c (its bytes on disk): tag as the root says, authenticated, decrypted in
 * place and checked against its root row. */
static int
open_chunk(const struct vault *v, uint32_t k, unsigned char *c)
{
    struct vault_root_row rr, next;
    struct vault_chunk *ch = &v->chunks[k];
    unsigned char ad[24];
    int rc;

    vault_root_row(&v->root, k, &rr);
    if (k + 1 < v->root.n)
        vault_root_row(&v->root, k + 1, &next);
    if (sodium_memcmp(c + rr.len - KEYS_TAG_BYTES, rr.tag, KEYS_TAG_BYTES) != 0 ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(c + KEYS_NONCE_BYTES, NULL, NULL,
                                                   c + KEYS_NONCE_BYTES, rr.len - KEYS_NONCE_BYTES,
                                                   ad, vault_chunk_ad(v->hdr.id, k, ad), c,
                                                   v->key) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (index chunk %u fails "
                                  "authentication)",
                       k);
    if ((rc = vault_chunk_parse(c + KEYS_NONCE_BYTES, rr.len - VAULT_REC_OVERHEAD, &rr,
                                k + 1 < v->root.n ? next.first : NULL,
                                k + 1 < v->root.n ? next.first_len : 0, &ch->idx)) < 0)
        return rc;
    ch->loaded = 1;
    return 0;
}

static int
load_chunk(const struct vault *v, uint32_t k)
{
    struct vault_root_row rr;
    unsigned char *c;
    int rc;

    if (v->chunks[k].loaded)
        return 0;
    vault_root_row(&v->root, k, &rr);
    if ((c = keys_alloc(rr.len)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if ((rc = read_at(v->fd, c, rr.len, rr.off)) < 0 || (rc = open_chunk(v, k, c)) < 0) {
        keys_free(c);
        return rc;
    }
    v->chunks[k].mem = c;
    return 0;
}

int
vault_record_find(const struct vault *v, const char *name, size_t name_len, uint32_t *i)
{
    long lo = 0, hi, at = -1, j;
    int rc;

    if (v->plain == NULL)
        return 0;
    if (!indexed(v)) {
        j = vault_payload_find(&v->idx, name, name_len);
        if (j < 0)
            return 0;
        *i = (uint32_t)j;
        return 1;
    }
    /* The last chunk whose first name is not above NAME. */
    hi = (long)v->root.n - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        const char *fn;
        size_t fl;
        vault_index_name(&v->root, (uint32_t)mid, &fn, &fl);
        if (vault_name_cmp(fn, fl, name, name_len) <= 0) {
            at = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (at < 0)
        return 0;
    if ((rc = load_chunk(v, (uint32_t)at)) < 0)
        return rc;
    j = vault_payload_find(&v->chunks[at].idx, name, name_len);
    if (j < 0)
        return 0;
    *i = v->chunks[at].base + (uint32_t)j;
    return 1;
}

/* The chunk holding secret i, and i's row in it. */
static const struct vault_chunk *
chunk_of(const struct vault *v, uint32_t i, uint32_t *local)
{
    uint32_t lo = 0, hi = v->root.n;

    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->chunks[mid].base <= i)
            lo = mid;
        else
            hi = mid;
    }
    *local = i - v->chunks[lo].base;
    return &v->chunks[lo];
}

void
vault_record_name(const struct vault *v, uint32_t i, const char **name, size_t *len)
{
    const struct vault_chunk *c;
    uint32_t local;

    if (!indexed(v)) {
        vault_index_name(&v->idx, i, name, len);
        return;
    }
    c = chunk_of(v, i, &local);
    if (!c->loaded) { /* callers load first; an empty name matches nothing */
        *name = "";
        *len = 0;
        return;
    }
    vault_index_name(&c->idx, local, name, len);
}

void
vault_record_row(const struct vault *v, uint32_t i, struct vault_row3 *r)
{
    uint32_t local;
    const struct vault_chunk *c = chunk_of(v, i, &local);

    vault_index3_row(&c->idx, local, r);
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

    vault_record_row(v, i, &row);
    vault_record_name(v, i, &name, &nl);
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
    uint32_t local;
    int rc;

    if (!indexed(v)) {
        struct vault_record r;
        vault_payload_record(&v->idx, i, &r);
        *json = r.entry;
        *len = r.entry_len;
        return 0;
    }
    e = &v->ents[i];
    if (e->json == NULL) {
        vault_record_row(v, i, &row);
        if ((rec = keys_alloc(row.len)) == NULL)
            return err_set(ERR_NOMEM, "cannot allocate guarded memory");
        if ((rc = read_at(v->fd, rec, row.len, row.off)) < 0 ||
            (rc = open_record(v, i, rec)) < 0) {
            keys_free(rec);
            return rc;
        }
        e->mem = rec;
        v->chunks[chunk_of(v, i, &local) - v->chunks].singles++;
    }
    *json = e->json;
    *len = e->len;
    return 0;
}

int
vault_records_load_index(struct vault *v)
{
    struct vault_root_row first, last;
    uint64_t start, size;
    int rc;

    if (!indexed(v) || v->chunk_bulk != NULL || v->plain == NULL || v->root.n == 0)
        return 0;
    vault_root_row(&v->root, 0, &first);
    vault_root_row(&v->root, v->root.n - 1, &last);
    start = first.off;
    size = last.off + last.len - start;
    /* One read of every chunk (they follow each other), decrypted in place. */
    if ((v->chunk_bulk = keys_alloc_large((size_t)size)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault index");
    if ((rc = read_at(v->fd, v->chunk_bulk, (size_t)size, start)) < 0)
        return rc;
    for (uint32_t k = 0; k < v->root.n; k++) {
        struct vault_root_row rr;
        if (v->chunks[k].loaded)
            continue;
        vault_root_row(&v->root, k, &rr);
        if ((rc = open_chunk(v, k, v->chunk_bulk + (rr.off - start))) < 0)
            return rc;
    }
    return 0;
}

int
vault_records_load_all(struct vault *v)
{
    struct vault_root_row first;
    uint64_t start;
    struct vault_row3 row;
    int rc;

    if (!indexed(v) || v->bulk != NULL || v->plain == NULL || v->nrec == 0)
        return 0;
    if ((rc = vault_records_load_index(v)) < 0)
        return rc;
    vault_root_row(&v->root, 0, &first);
    start = first.rec_start;
    /* One read of every record (they tile the rest of the file), decrypted in place. */
    if ((v->bulk = keys_alloc_large((size_t)(v->file_size - start))) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault");
    if ((rc = read_at(v->fd, v->bulk, (size_t)(v->file_size - start), start)) < 0)
        return rc;
    for (uint32_t i = 0; i < v->nrec; i++) {
        if (v->ents[i].json != NULL)
            continue;
        vault_record_row(v, i, &row);
        if ((rc = open_record(v, i, v->bulk + (row.off - start))) < 0)
            return rc;
    }
    return 0;
}

void
vault_records_free(struct vault *v)
{
    if (v->ents != NULL) {
        /* Only records read one by one have their own block. */
        for (uint32_t k = 0; v->chunks != NULL && k < v->root.n; k++)
            for (uint32_t i = v->chunks[k].base; v->chunks[k].singles > 0; i++)
                if (v->ents[i].mem != NULL) {
                    keys_free(v->ents[i].mem);
                    v->chunks[k].singles--;
                }
        free(v->ents);
        v->ents = NULL;
    }
    if (v->chunks != NULL) {
        for (uint32_t k = 0; k < v->root.n; k++)
            if (v->chunks[k].mem != NULL)
                keys_free(v->chunks[k].mem);
        free(v->chunks);
        v->chunks = NULL;
    }
    if (v->bulk != NULL)
        keys_free_large(v->bulk);
    if (v->chunk_bulk != NULL)
        keys_free_large(v->chunk_bulk);
    v->bulk = NULL;
    v->chunk_bulk = NULL;
    v->nrec = 0;
}
