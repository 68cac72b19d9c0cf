/* index: format 3's sealed index (names → record offset, length and tag) and the writer of a
 * whole format 3 file, so a reader decrypts the index and one record, never the rest. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

static int
corrupt(const char *what, const char *why, uint32_t i)
{
    return err_set(ERR_PARSE, "vault is corrupted or was modified (%s, %s %u)", why, what, i);
}

int
vault_root_parse(const unsigned char *p, size_t len, uint64_t data_start, uint64_t file_size,
                 struct vault_index *root)
{
    struct vault_root_row r, prev = {0};
    uint64_t table, at = data_start, rec_at = 0, total = 0;

    memset(root, 0, sizeof(*root));
    if (len < VAULT_PAYLOAD_HEAD || memcmp(p, VAULT_ROOT_MAGIC, 4) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad index root)");
    root->base = p;
    root->len = len;
    root->row = VAULT_ROOT_ROW_BYTES;
    root->n = vault_get32(p + 4);
    table = VAULT_PAYLOAD_HEAD + (uint64_t)root->n * VAULT_ROOT_ROW_BYTES;
    if (table > len)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (index root overruns)");
    for (uint32_t k = 0; k < root->n; k++) {
        const unsigned char *q = p + VAULT_PAYLOAD_HEAD + (size_t)k * VAULT_ROOT_ROW_BYTES;
        if ((uint64_t)vault_get32(q) < table || (uint64_t)vault_get32(q) + vault_get32(q + 4) > len)
            return corrupt("chunk", "first name out of bounds", k);
        vault_root_row(root, k, &r);
        /* Chunks follow each other, then the records, in order: a dropped, added or moved
         * chunk or record, or a truncated file, shows here before anything is decrypted. */
        if (r.off != at || r.len <= VAULT_REC_OVERHEAD || r.len > file_size ||
            r.off + r.len > file_size)
            return corrupt("chunk", "out of place", k);
        at = r.off + r.len;
        if (r.count == 0 || r.count > VAULT_CHUNK_ROWS || (k > 0 && r.rec_start != rec_at) ||
            r.rec_len > file_size || r.rec_start > file_size - r.rec_len ||
            r.rec_len < (uint64_t)r.count * (VAULT_REC_OVERHEAD + 1))
            return corrupt("chunk", "records out of place", k);
        rec_at = r.rec_start + r.rec_len;
        total += r.count;
        if (!vault_name_ok(r.first, r.first_len))
            return corrupt("chunk", "bad first name", k);
        if (k > 0 && vault_name_cmp(prev.first, prev.first_len, r.first, r.first_len) >= 0)
            return corrupt("chunk", "out of order", k);
        prev = r;
    }
    if (root->n > 0) {
        vault_root_row(root, 0, &r);
        if (r.rec_start != at)
            return corrupt("chunk", "records out of place", 0);
    } else {
        rec_at = at;
    }
    if (rec_at != file_size || total > UINT32_MAX)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (%s)",
                       rec_at < file_size ? "bytes after the last record" : "truncated");
    return 0;
}

void
vault_root_row(const struct vault_index *root, uint32_t k, struct vault_root_row *r)
{
    const unsigned char *q = root->base + VAULT_PAYLOAD_HEAD + (size_t)k * VAULT_ROOT_ROW_BYTES;

    vault_index_name(root, k, &r->first, &r->first_len);
    r->off = vault_get64(q + 8);
    r->len = vault_get32(q + 16);
    r->count = vault_get32(q + 20);
    r->rec_start = vault_get64(q + 24);
    r->rec_len = vault_get64(q + 32);
    r->tag = q + 40;
}

int
vault_chunk_parse(const unsigned char *p, size_t len, const struct vault_root_row *rr,
                  const char *next, size_t next_len, struct vault_index *idx)
{
    const char *pn = NULL, *name;
    size_t pl = 0, nl;
    uint64_t table, at = rr->rec_start;
    struct vault_row3 row;

    memset(idx, 0, sizeof(*idx));
    if (len < VAULT_PAYLOAD_HEAD || memcmp(p, VAULT_INDEX_MAGIC, 4) != 0 ||
        vault_get32(p + 4) != rr->count)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad index chunk)");
    idx->base = p;
    idx->len = len;
    idx->row = VAULT_ROW3_BYTES;
    idx->n = rr->count;
    table = VAULT_PAYLOAD_HEAD + (uint64_t)idx->n * VAULT_ROW3_BYTES;
    if (table > len)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (index rows overrun)");
    for (uint32_t i = 0; i < idx->n; i++) {
        const unsigned char *q = p + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_ROW3_BYTES;
        if ((uint64_t)vault_get32(q) < table || (uint64_t)vault_get32(q) + vault_get32(q + 4) > len)
            return corrupt("index row", "name out of bounds", i);
        if (vault_get32(q + 20) != 0)
            return corrupt("index row", "reserved bytes are not zero", i);
        vault_index3_row(idx, i, &row);
        if (row.off != at || row.len <= VAULT_REC_OVERHEAD ||
            row.len > rr->rec_start + rr->rec_len - at)
            return corrupt("index row", "record out of place", i);
        at = row.off + row.len;
        vault_index_name(idx, i, &name, &nl);
        if (!vault_name_ok(name, nl))
            return corrupt("index row", "bad name", i);
        if (i == 0 && vault_name_cmp(name, nl, rr->first, rr->first_len) != 0)
            return corrupt("index row", "first name differs from the root's", i);
        if (i > 0 && vault_name_cmp(pn, pl, name, nl) >= 0)
            return corrupt("index row", "names out of order", i);
        pn = name;
        pl = nl;
    }
    if (at != rr->rec_start + rr->rec_len)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (records of a chunk "
                                  "do not add up)");
    if (next != NULL && pn != NULL && vault_name_cmp(pn, pl, next, next_len) >= 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (chunks overlap)");
    return 0;
}

void
vault_index3_row(const struct vault_index *idx, uint32_t i, struct vault_row3 *r)
{
    const unsigned char *q = idx->base + VAULT_PAYLOAD_HEAD + (size_t)i * VAULT_ROW3_BYTES;

    r->off = vault_get64(q + 8);
    r->len = vault_get32(q + 16);
    r->tag = q + 24;
}

size_t
vault_chunk_ad(const unsigned char *id, uint32_t k, unsigned char *ad)
{
    memcpy(ad, VAULT_CHUNK_AD_MAGIC, 4);
    memcpy(ad + 4, id, 16);
    vault_put32(ad + 20, k);
    return 24;
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

static size_t
rec_len_of(const struct vault_item *it)
{
    return it->json != NULL ? it->json_len + VAULT_REC_OVERHEAD : it->rec_len;
}

static int
put_at(int fd, const unsigned char *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return err_set_errno(ERR_IO, "write failed");
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* len bytes at `from` of src to `to` of dst, in the kernel when it can. */
static int
copy_range(int src, uint64_t from, int dst, uint64_t to, size_t len)
{
    unsigned char buf[65536];

    while (len > 0) {
        loff_t in = (loff_t)from, out = (loff_t)to;
        ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return err_set_errno(ERR_IO, "copy failed");
        if (n <= 0) { /* no kernel copy here, or the source ended: through a buffer */
            n = pread(src, buf, len < sizeof(buf) ? len : sizeof(buf), (off_t)from);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return n < 0 ? err_set_errno(ERR_IO, "read failed")
                             : err_set(ERR_PARSE, "vault is corrupted or was modified "
                                                  "(truncated)");
            if (put_at(dst, buf, (size_t)n, to) < 0)
                return ERR_IO;
        }
        from += (uint64_t)n;
        to += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes the records from `at`, copied runs in one call each; tags[k] = record k's tag. */
static int
write_records(const struct vault_build *b, int fd, uint64_t at, unsigned char *tags)
{
    unsigned char *rec = NULL;
    size_t cap = 0;
    int rc = 0;

    for (size_t k = 0; k < b->n && rc == 0;) {
        const struct vault_item *it = &b->items[k];
        if (it->json == NULL) {
            size_t run = it->rec_len, j = k + 1;
            while (j < b->n && b->items[j].json == NULL &&
                   b->items[j].src_off == it->src_off + run) {
                run += b->items[j].rec_len;
                j++;
            }
            rc = copy_range(b->src_fd, it->src_off, fd, at, run);
            for (; k < j; k++)
                memcpy(tags + k * KEYS_TAG_BYTES, b->items[k].tag, KEYS_TAG_BYTES);
            at += run;
            continue;
        }
        if (rec_len_of(it) > cap) {
            free(rec);
            cap = rec_len_of(it) * 2;
            if ((rec = malloc(cap)) == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
        }
        /* Only ciphertext passes through rec. */
        seal_record(b->h, b->key, it, rec);
        memcpy(tags + k * KEYS_TAG_BYTES, rec + rec_len_of(it) - KEYS_TAG_BYTES, KEYS_TAG_BYTES);
        rc = put_at(fd, rec, rec_len_of(it), at);
        at += rec_len_of(it);
        k++;
    }
    free(rec);
    return rc;
}

/* Chunk k's plaintext for items [first, first + count), records from `rec_at`. */
static void
fill_chunk(const struct vault_item *items, size_t first, size_t count, const unsigned char *tags,
           uint64_t rec_at, unsigned char *c)
{
    size_t noff = VAULT_PAYLOAD_HEAD + count * VAULT_ROW3_BYTES;

    memcpy(c, VAULT_INDEX_MAGIC, 4);
    vault_put32(c + 4, (uint32_t)count);
    for (size_t j = 0; j < count; j++) {
        const struct vault_item *it = &items[first + j];
        unsigned char *row = c + VAULT_PAYLOAD_HEAD + j * VAULT_ROW3_BYTES;
        size_t rl = rec_len_of(it);
        vault_put32(row, (uint32_t)noff);
        vault_put32(row + 4, (uint32_t)it->name_len);
        vault_put64(row + 8, rec_at);
        vault_put32(row + 16, (uint32_t)rl);
        vault_put32(row + 20, 0);
        memcpy(row + 24, tags + (first + j) * KEYS_TAG_BYTES, KEYS_TAG_BYTES);
        memcpy(c + noff, it->name, it->name_len);
        noff += it->name_len;
        rec_at += rl;
    }
}

static size_t
chunk_plain_len(const struct vault_item *items, size_t first, size_t count)
{
    size_t n = VAULT_PAYLOAD_HEAD + count * VAULT_ROW3_BYTES;

    for (size_t j = 0; j < count; j++)
        n += items[first + j].name_len;
    return n;
}

static size_t
chunk_count(size_t n, size_t k)
{
    size_t first = k * VAULT_CHUNK_ROWS;

    return n - first < VAULT_CHUNK_ROWS ? n - first : VAULT_CHUNK_ROWS;
}

int
vault_file_fill(int fd, void *arg)
{
    struct vault_build *b = arg;
    const struct vault_item *items = b->items;
    size_t n = b->n, hlen = vault_header_size(b->h), nch = (n + VAULT_CHUNK_ROWS - 1) / VAULT_CHUNK_ROWS;
    size_t rlen = VAULT_PAYLOAD_HEAD + nch * VAULT_ROOT_ROW_BYTES, clen = 0, cmax = 0;
    uint64_t recs = 0, at, cat, total;
    size_t noff;
    struct buf hb = {0};
    unsigned char *root = NULL, *chunk = NULL, *sealed = NULL, *tags = NULL, ad[24];
    int rc;

    for (size_t k = 0; k < nch; k++) {
        size_t cl = chunk_plain_len(items, k * VAULT_CHUNK_ROWS, chunk_count(n, k));
        rlen += items[k * VAULT_CHUNK_ROWS].name_len;
        clen += cl + VAULT_REC_OVERHEAD;
        cmax = cl > cmax ? cl : cmax;
    }
    for (size_t k = 0; k < n; k++)
        recs += rec_len_of(&items[k]);
    total = hlen + VAULT_LENFIELD + rlen + KEYS_TAG_BYTES + clen + recs;
    if (total > VAULT_FILE_MAX)
        return err_set(ERR_LIMIT, "the vault would exceed %d MiB", VAULT_FILE_MAX >> 20);
    /* The root and chunks hold names: guarded memory, like every plaintext. `sealed` and the
     * records written hold only ciphertext. */
    if ((root = keys_alloc(rlen + KEYS_TAG_BYTES)) == NULL || (chunk = keys_alloc(cmax + 1)) == NULL ||
        (sealed = malloc(cmax + VAULT_REC_OVERHEAD)) == NULL ||
        (tags = malloc(n * KEYS_TAG_BYTES + 1)) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Records first: the chunks carry their tags. */
    if ((rc = write_records(b, fd, total - recs, tags)) < 0)
        goto out;
    memcpy(root, VAULT_ROOT_MAGIC, 4);
    vault_put32(root + 4, (uint32_t)nch);
    noff = VAULT_PAYLOAD_HEAD + nch * VAULT_ROOT_ROW_BYTES;
    cat = hlen + VAULT_LENFIELD + rlen + KEYS_TAG_BYTES;
    at = total - recs;
    for (size_t k = 0; k < nch && rc == 0; k++) {
        size_t first = k * VAULT_CHUNK_ROWS, count = chunk_count(n, k);
        size_t cl = chunk_plain_len(items, first, count);
        uint64_t rl = 0;
        unsigned char *row = root + VAULT_PAYLOAD_HEAD + k * VAULT_ROOT_ROW_BYTES;
        for (size_t j = 0; j < count; j++)
            rl += rec_len_of(&items[first + j]);
        fill_chunk(items, first, count, tags, at, chunk);
        keys_random(sealed, KEYS_NONCE_BYTES);
        crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + KEYS_NONCE_BYTES, NULL, chunk, cl, ad,
                                                   vault_chunk_ad(b->h->id, (uint32_t)k, ad), NULL,
                                                   sealed, b->key);
        vault_put32(row, (uint32_t)noff);
        vault_put32(row + 4, (uint32_t)items[first].name_len);
        vault_put64(row + 8, cat);
        vault_put32(row + 16, (uint32_t)(cl + VAULT_REC_OVERHEAD));
        vault_put32(row + 20, (uint32_t)count);
        vault_put64(row + 24, at);
        vault_put64(row + 32, rl);
        memcpy(row + 40, sealed + KEYS_NONCE_BYTES + cl, KEYS_TAG_BYTES);
        memcpy(root + noff, items[first].name, items[first].name_len);
        noff += items[first].name_len;
        rc = put_at(fd, sealed, cl + VAULT_REC_OVERHEAD, cat);
        cat += cl + VAULT_REC_OVERHEAD;
        at += rl;
    }
    if (rc < 0)
        goto out;
    keys_random(b->h->nonce, sizeof(b->h->nonce));
    keys_key_check(b->key, b->h->id, sizeof(b->h->id), b->h->check);
    if ((rc = vault_header_encode(b->h, &hb)) < 0)
        goto out;
    if (hb.len != hlen) {
        rc = err_set(ERR_INTERNAL, "header size mismatch");
        goto out;
    }
    {
        unsigned char lenf[VAULT_LENFIELD];
        vault_put64(lenf, rlen + KEYS_TAG_BYTES);
        if ((rc = buf_append(&hb, lenf, sizeof(lenf))) < 0)
            goto out;
    }
    /* The header and the root length are the root's associated data: no byte before the
     * chunks changes unnoticed; the root authenticates every chunk by its tag, and a chunk
     * every record by its tag. The root is sealed in place (guarded), then written. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(root, NULL, root, rlen, (unsigned char *)hb.data,
                                               hb.len, NULL, b->h->nonce, b->key);
    if ((rc = put_at(fd, root, rlen + KEYS_TAG_BYTES, hlen + VAULT_LENFIELD)) == 0)
        rc = put_at(fd, (unsigned char *)hb.data, hb.len, 0);
    b->size = total;
out:
    buf_free(&hb);
    free(sealed);
    free(tags);
    if (root != NULL)
        keys_free(root);
    if (chunk != NULL)
        keys_free(chunk);
    return rc;
}
