/* db_index_build: writes the OSV index of a database, streaming its records once: each record
 * is cut to what matching reads and appended to a temporary file, each (package, record) pair to
 * a second, unlinked one; only the package names and their counts stay in memory (bounded).
 * Then the sorted names, the postings placed from the pair file, the header; fsync, rename. */
#include <sys/random.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_index.h"
#include "packages_internal.h"

/* ---- What a record keeps: the fields osv_evaluate, osv_severity and db.c read -------------- */
struct keep {
    const char *key;
    int list;                /* 1: every child kept, each cut by `kids` */
    const struct keep *kids; /* NULL: kept whole */
};
static const struct keep k_sev[] = {{"type", 0, NULL}, {"score", 0, NULL}, {NULL, 0, NULL}};
static const struct keep k_dbsev[] = {{"severity", 0, NULL}, {NULL, 0, NULL}};
static const struct keep k_urgency[] = {{"urgency", 0, NULL}, {NULL, 0, NULL}};
static const struct keep k_pkg[] = {{"ecosystem", 0, NULL}, {"name", 0, NULL}, {NULL, 0, NULL}};
static const struct keep k_event[] = {{"introduced", 0, NULL},
                                      {"fixed", 0, NULL},
                                      {"last_affected", 0, NULL},
                                      {"limit", 0, NULL},
                                      {NULL, 0, NULL}};
static const struct keep k_range[] = {{"type", 0, NULL}, {"events", 1, k_event}, {NULL, 0, NULL}};
static const struct keep k_affected[] = {{"package", 0, k_pkg},
                                         {"versions", 0, NULL},
                                         {"ranges", 1, k_range},
                                         {"severity", 1, k_sev},
                                         {"ecosystem_specific", 0, k_urgency},
                                         {"database_specific", 0, k_dbsev},
                                         {NULL, 0, NULL}};
static const struct keep k_record[] = {{"id", 0, NULL},
                                       {"aliases", 0, NULL},
                                       {"upstream", 0, NULL},
                                       {"summary", 0, NULL},
                                       {"withdrawn", 0, NULL},
                                       {"severity", 1, k_sev},
                                       {"database_specific", 0, k_dbsev},
                                       {"affected", 1, k_affected},
                                       {NULL, 0, NULL}};

/* Removes every child of `node` that `spec` does not name (arrays and objects alike: the
 * readers iterate both the same way). */
static void
prune(cJSON *node, const struct keep *spec)
{
    cJSON *c = node->child, *next;

    for (; c != NULL; c = next) {
        const struct keep *k = spec;
        next = c->next;
        while (k->key != NULL && (c->string == NULL || strcmp(k->key, c->string) != 0))
            k++;
        if (k->key == NULL) {
            cJSON_Delete(cJSON_DetachItemViaPointer(node, c));
        } else if (k->list && k->kids != NULL) {
            for (cJSON *g = c->child; g != NULL; g = g->next)
                prune(g, k->kids);
        } else if (k->kids != NULL) {
            prune(c, k->kids);
        }
    }
}

size_t osv_index_mem_limit = IDX_MAX_MEM;

/* ---- The build ------------------------------------------------------------------------------- */
struct bkey {
    uint32_t off, len;
};

struct builder {
    FILE *f;
    uint64_t off; /* where the next blob goes */
    char *arena;  /* key strings */
    size_t arena_len, arena_cap;
    struct bkey *keys;
    size_t nkeys, keys_cap;
    uint32_t *counts; /* postings per key; then the next free slot of each */
    size_t counts_cap;
    uint32_t *slots; /* open addressing: key number + 1, 0 free */
    size_t nslots;
    int rfd;       /* the index read back, for its checksum */
    FILE *pf, *pr; /* (key, record offset) pairs in record order (unlinked): written,
                    * read back */
    uint64_t npairs;
    uint32_t *rec_keys; /* the keys of the record being read */
    size_t nrec_keys, rec_keys_cap;
    struct osv_db_stats *st;
    int write_failed; /* the error is ours (the index), not the database's */
};

static size_t
mem_used(const struct builder *b)
{
    return b->arena_cap + b->keys_cap * sizeof(*b->keys) + b->nslots * sizeof(*b->slots) +
           b->counts_cap * sizeof(*b->counts) + b->rec_keys_cap * sizeof(*b->rec_keys);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size, const struct builder *b)
{
    size_t nc = *cap ? *cap : 1024;
    void *np;
    while (nc < need)
        nc *= 2;
    if (nc == *cap)
        return 0;
    if (mem_used(b) + (nc - *cap) * size > osv_index_mem_limit)
        return err_set(ERR_LIMIT, "indexing needs more than %zu KB", osv_index_mem_limit >> 10);
    if ((np = realloc(*p, nc * size)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *p = np;
    *cap = nc;
    return 0;
}

static int
rehash(struct builder *b)
{
    size_t ns = b->nslots ? b->nslots * 2 : 4096;
    uint32_t *slots;

    if (mem_used(b) + ns * sizeof(*slots) > osv_index_mem_limit)
        return err_set(ERR_LIMIT, "indexing needs more than %zu KB", osv_index_mem_limit >> 10);
    if ((slots = calloc(ns, sizeof(*slots))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < b->nkeys; k++) {
        size_t s = str_hash(b->arena + b->keys[k].off, b->keys[k].len) & (ns - 1);
        while (slots[s] != 0)
            s = (s + 1) & (ns - 1);
        slots[s] = (uint32_t)k + 1;
    }
    free(b->slots);
    b->slots = slots;
    b->nslots = ns;
    return 0;
}

/* The number of key `s`, added when new; < 0 on error. */
static long
key_id(struct builder *b, const char *s, size_t n)
{
    size_t slot;
    int rc;

    if ((b->nkeys + 1) * 2 > b->nslots && (rc = rehash(b)) < 0)
        return rc;
    for (slot = str_hash(s, n) & (b->nslots - 1); b->slots[slot] != 0;
         slot = (slot + 1) & (b->nslots - 1)) {
        const struct bkey *k = &b->keys[b->slots[slot] - 1];
        if (k->len == n && memcmp(b->arena + k->off, s, n) == 0)
            return (long)(b->slots[slot] - 1);
    }
    if (b->arena_len + n > UINT32_MAX || b->nkeys >= UINT32_MAX - 1)
        return err_set(ERR_LIMIT, "too many package names to index");
    if ((rc = grow((void **)&b->arena, &b->arena_cap, b->arena_len + n, 1, b)) < 0 ||
        (rc = grow((void **)&b->keys, &b->keys_cap, b->nkeys + 1, sizeof(*b->keys), b)) < 0 ||
        (rc = grow((void **)&b->counts, &b->counts_cap, b->nkeys + 1, sizeof(*b->counts), b)) < 0)
        return rc;
    b->counts[b->nkeys] = 0;
    memcpy(b->arena + b->arena_len, s, n);
    b->keys[b->nkeys].off = (uint32_t)b->arena_len;
    b->keys[b->nkeys].len = (uint32_t)n;
    b->arena_len += n;
    b->slots[slot] = (uint32_t)b->nkeys + 1;
    return (long)b->nkeys++;
}

static int
write_out(struct builder *b, const void *p, size_t n)
{
    if (n > 0 && fwrite(p, 1, n, b->f) != n) {
        b->write_failed = 1;
        return err_set_errno(ERR_IO, "cannot write the vulnerability index");
    }
    b->off += n;
    return 0;
}

/* One record: its keys noted, and the record cut and appended (when it names any package). */
static int
index_record(void *ctx, const char *text, size_t len)
{
    struct builder *b = ctx;
    cJSON *rec = cJSON_ParseWithLength(text, len);
    const cJSON *a;
    char *out = NULL;
    int rc = 0;

    if (rec == NULL || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, "id"))) {
        b->st->skipped++;
        cJSON_Delete(rec);
        return 0;
    }
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(rec, "affected"))
    {
        const cJSON *pk = cJSON_GetObjectItemCaseSensitive(a, "package");
        const cJSON *eco = cJSON_GetObjectItemCaseSensitive(pk, "ecosystem");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(pk, "name");
        char key[400];
        long id;
        int kl, dup = 0;
        if (!cJSON_IsString(eco) || !cJSON_IsString(nm) ||
            (kl = osv_index_key(eco->valuestring, nm->valuestring, key, sizeof(key))) < 0)
            continue;
        if ((id = key_id(b, key, (size_t)kl)) < 0) {
            rc = (int)id;
            break;
        }
        for (size_t k = 0; k < b->nrec_keys; k++)
            dup = dup || b->rec_keys[k] == (uint32_t)id;
        if (dup)
            continue;
        if ((rc = grow((void **)&b->rec_keys, &b->rec_keys_cap, b->nrec_keys + 1,
                       sizeof(*b->rec_keys), b)) < 0)
            break;
        b->rec_keys[b->nrec_keys++] = (uint32_t)id;
    }
    /* the pairs only once the record is written: a failure leaves none behind */
    if (rc == 0 && b->nrec_keys > 0) {
        uint64_t at = b->off;
        struct idx_blob hd;
        cJSON *sum = cJSON_GetObjectItemCaseSensitive(rec, "summary");
        prune(rec, k_record);
        /* a summary too long to be shown is not kept (db.c shows none then either); a null in
         * its place, so a second "summary" key does not become the first */
        if (sum != NULL && (!cJSON_IsString(sum) || strlen(sum->valuestring) >= OSV_MAX_SUMMARY))
            (void)cJSON_ReplaceItemInObjectCaseSensitive(rec, "summary", cJSON_CreateNull());
        if ((out = cJSON_PrintUnformatted(rec)) == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
        } else {
            memset(&hd, 0, sizeof(hd));
            hd.len = (uint32_t)strlen(out);
            crypto_generichash(hd.hash, sizeof(hd.hash), (const unsigned char *)out, hd.len, NULL,
                               0);
            if (strlen(out) > IDX_MAX_BLOB)
                rc = err_set(ERR_LIMIT, "a record too large to index");
            else if ((rc = write_out(b, &hd, sizeof(hd))) == 0)
                rc = write_out(b, out, hd.len);
        }
        for (size_t k = 0; k < b->nrec_keys && rc == 0; k++) {
            unsigned char pair[12];
            memcpy(pair, &b->rec_keys[k], 4);
            memcpy(pair + 4, &at, 8);
            if (fwrite(pair, 1, sizeof(pair), b->pf) != sizeof(pair)) {
                b->write_failed = 1;
                rc = err_set_errno(ERR_IO, "cannot write the vulnerability index");
            } else {
                b->counts[b->rec_keys[k]]++;
                b->npairs++;
            }
        }
    }
    b->nrec_keys = 0;
    free(out);
    cJSON_Delete(rec);
    return rc;
}

static int
rank_cmp(const void *x, const void *y, void *ctx)
{
    const struct builder *b = ctx;
    const struct bkey *p = &b->keys[*(const uint32_t *)x], *q = &b->keys[*(const uint32_t *)y];
    int c = memcmp(b->arena + p->off, b->arena + q->off, p->len < q->len ? p->len : q->len);
    return c != 0 ? c : (p->len > q->len) - (p->len < q->len);
}

static int
pad8(struct builder *b)
{
    static const char zero[8];
    return write_out(b, zero, (8 - b->off % 8) % 8);
}

static int
io_failed(struct builder *b)
{
    b->write_failed = 1;
    return err_set_errno(ERR_IO, "cannot write the vulnerability index");
}

/* Each pair of the pair file written into its key's slot of the postings: the file is in record
 * order, so each key's postings come out ascending. */
static int
place_postings(struct builder *b, uint64_t posts_off)
{
    unsigned char pair[12];
    int fd = fileno(b->f);

    if (fflush(b->pf) != 0)
        return io_failed(b);
    for (uint64_t p = 0; p < b->npairs; p++) {
        uint32_t key;
        uint64_t blob;
        if (fread(pair, 1, sizeof(pair), b->pr) != sizeof(pair))
            return io_failed(b);
        memcpy(&key, pair, 4);
        memcpy(&blob, pair + 4, 8);
        if (key >= b->nkeys)
            return err_set(ERR_INTERNAL, "index pair file damaged");
        if (pwrite(fd, &blob, sizeof(blob), (off_t)(posts_off + (uint64_t)b->counts[key]++ * 8)) !=
            (ssize_t)sizeof(blob))
            return io_failed(b);
    }
    return 0;
}

/* The hash of everything after the records, read back from the file. */
static int
hash_tables(struct builder *b, uint64_t from, uint64_t to, unsigned char out[IDX_HASH])
{
    crypto_generichash_state hs;
    unsigned char chunk[65536];

    crypto_generichash_init(&hs, NULL, 0, IDX_HASH);
    while (from < to) {
        size_t want = to - from < sizeof(chunk) ? (size_t)(to - from) : sizeof(chunk);
        ssize_t n = pread(b->rfd, chunk, want, (off_t)from);
        if (n <= 0)
            return io_failed(b);
        crypto_generichash_update(&hs, chunk, (size_t)n);
        from += (uint64_t)n;
    }
    crypto_generichash_final(&hs, out, IDX_HASH);
    return 0;
}

/* The sorted tables after the records, then the header at the start. */
static int
write_tables(struct builder *b, struct idx_header *h)
{
    uint32_t *order = NULL;
    uint64_t first = 0;
    int rc = 0;

    if (b->nkeys > 0 && (order = malloc(b->nkeys * sizeof(*order))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < b->nkeys; k++)
        order[k] = (uint32_t)k;
    if (b->nkeys > 0)
        qsort_r(order, b->nkeys, sizeof(*order), rank_cmp, b);
    h->blobs_len = b->off - h->blobs_off;
    if ((rc = pad8(b)) < 0)
        goto out;
    h->keys_off = b->off;
    h->keys_n = b->nkeys;
    {
        uint32_t soff = 0;
        for (size_t k = 0; k < b->nkeys && rc == 0; k++) {
            struct idx_key ik;
            uint32_t id = order[k];
            ik.str_off = soff;
            ik.str_len = b->keys[id].len;
            ik.post_first = (uint32_t)first;
            ik.post_n = b->counts[id];
            b->counts[id] = (uint32_t)first; /* from here on: the key's next free slot */
            first += ik.post_n;
            soff += ik.str_len;
            rc = write_out(b, &ik, sizeof(ik));
        }
    }
    h->strs_off = b->off;
    for (size_t k = 0; k < b->nkeys && rc == 0; k++)
        rc = write_out(b, b->arena + b->keys[order[k]].off, b->keys[order[k]].len);
    h->strs_len = b->off - h->strs_off;
    if (rc == 0)
        rc = pad8(b);
    h->posts_off = b->off;
    h->posts_n = b->npairs;
    if (rc == 0 && first != b->npairs)
        rc = err_set(ERR_INTERNAL, "index postings miscounted");
    if (rc == 0 && fflush(b->f) != 0)
        rc = io_failed(b);
    if (rc == 0)
        rc = place_postings(b, h->posts_off);
    if (rc < 0)
        goto out;
    b->off = h->posts_off + b->npairs * sizeof(uint64_t);
    h->file_size = b->off;
    if ((rc = hash_tables(b, h->blobs_off + h->blobs_len, b->off, h->tables_hash)) < 0)
        goto out;
    crypto_generichash((unsigned char *)h->header_hash, IDX_HASH, (const unsigned char *)h,
                       offsetof(struct idx_header, header_hash), NULL, 0);
    if (pwrite(fileno(b->f), h, sizeof(*h), 0) != (ssize_t)sizeof(*h) || fsync(fileno(b->f)) != 0)
        rc = io_failed(b);
out:
    free(order);
    return rc;
}

/* A temporary file beside `path` (O_EXCL, 0600); its name in tmp. */
static int
create_temp(const char *path, char *tmp, size_t size)
{
    for (int tries = 0; tries < 16; tries++) {
        unsigned char r[6];
        int fd;
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
            return err_set_errno(ERR_IO, "cannot get random bytes");
        if (str_format(tmp, size, "%s.tmp-%02x%02x%02x%02x%02x%02x", path, r[0], r[1], r[2], r[3],
                       r[4], r[5]) < 0)
            return err_set(ERR_LIMIT, "%s: path too long", path);
        fd = file_create_excl(tmp, 0600);
        if (fd != ERR_EXISTS)
            return fd;
    }
    return err_set(ERR_IO, "%s: cannot create a temporary file", path);
}

/* The pair file: created beside the index's temporary file, opened twice, unlinked at once. */
static int
open_pairs(struct builder *b, const char *tmp, char *ptmp, size_t size)
{
    int wfd, rfd;

    if ((wfd = create_temp(tmp, ptmp, size)) < 0)
        return wfd;
    rfd = open(ptmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    (void)unlink(ptmp);
    if (rfd < 0 || (b->pf = fdopen(wfd, "w")) == NULL) {
        int rc = err_set_errno(ERR_IO, "%s", ptmp);
        if (rfd >= 0)
            close(rfd);
        close(wfd);
        b->pf = NULL;
        return rc;
    }
    if ((b->pr = fdopen(rfd, "r")) == NULL) {
        close(rfd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static void
close_pairs(struct builder *b)
{
    if (b->pf != NULL)
        fclose(b->pf);
    if (b->pr != NULL)
        fclose(b->pr);
    b->pf = b->pr = NULL;
}

int
osv_index_build(const char *dir, const char *path, const unsigned char *fp, struct osv_db_stats *st,
                int *ours)
{
    struct builder b;
    struct osv_walk w;
    struct idx_header h;
    char tmp[4200], ptmp[4300];
    int fd, rc;

    *ours = 1;
    errno = 0;
    if ((fd = create_temp(path, tmp, sizeof(tmp))) < 0) {
        if (errno == EACCES || errno == EROFS || errno == EPERM)
            *ours = 2;
        return fd;
    }
    memset(&b, 0, sizeof(b));
    memset(&h, 0, sizeof(h));
    b.rfd = -1;
    if ((rc = open_pairs(&b, tmp, ptmp, sizeof(ptmp))) < 0 ||
        (b.rfd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        (b.f = fdopen(fd, "w")) == NULL) {
        rc = rc < 0 ? rc : err_set_errno(ERR_IO, "%s", tmp);
        close_pairs(&b);
        if (b.rfd >= 0)
            close(b.rfd);
        close(fd);
        (void)unlink(tmp);
        return rc;
    }
    b.st = st;
    memcpy(h.magic, IDX_MAGIC, sizeof(h.magic));
    h.version = IDX_VERSION;
    h.order = IDX_ORDER;
    memcpy(h.fingerprint, fp, sizeof(h.fingerprint));
    rc = write_out(&b, &h, sizeof(h)); /* rewritten at the end */
    h.blobs_off = b.off;
    if (rc == 0) {
        memset(&w, 0, sizeof(w));
        w.on_record = index_record;
        w.ctx = &b;
        w.st = st;
        rc = osv_db_walk(dir, &w);
        *ours = b.write_failed || rc == ERR_LIMIT || rc == ERR_NOMEM;
        if (rc == ERR_LIMIT && st->records > OSV_MAX_RECORDS)
            *ours = 0; /* the database's own bound */
    }
    if (rc == 0) {
        h.records = st->records;
        h.skipped = st->skipped;
        h.newest = st->newest;
        rc = write_tables(&b, &h);
        *ours = 1;
    }
    if (fclose(b.f) != 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s", tmp);
    close(b.rfd);
    close_pairs(&b);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = err_set_errno(ERR_IO, "%s", path);
    if (rc < 0) {
        (void)unlink(tmp);
    } else {
        /* the rename itself made durable: the directory synced */
        char parent[4200];
        const char *slash = strrchr(path, '/');
        int dfd;
        *ours = 0;
        if (slash != NULL &&
            str_format(parent, sizeof(parent), "%.*s", (int)(slash - path), path) == 0 &&
            (dfd = open(parent[0] != '\0' ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
                0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    free(b.arena);
    free(b.keys);
    free(b.slots);
    free(b.counts);
    free(b.rec_keys);
    return rc;
}
