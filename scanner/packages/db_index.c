/* db_index: the OSV index read in place. The file is mapped, its header and tables checked, and
 * a scan binary-searches the (ecosystem, name) of each package it has; only those packages'
 * records are read (pread, so the pages around them do not count against the scan's memory),
 * and each checks its own hash. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_index.h"
#include "packages_internal.h"

#define MAX_PAIRS (4u << 20) /* (record, package) candidates in one scan */

struct osv_index {
    const unsigned char *map;
    size_t len;
    int mapped;
    int fd;      /* records are read from it; -1: from the map */
    int damaged; /* a record failed its check: the file is removed at close */
    char path[4096];
    struct idx_header h;
};

/* a + b <= len without overflow */
static int
fits(uint64_t a, uint64_t b, uint64_t len)
{
    return a <= len && b <= len - a;
}

int
osv_index_key(const char *eco, const char *name, char *out, size_t size)
{
    const char *colon = strchr(eco, ':');
    size_t ne = colon != NULL ? (size_t)(colon - eco) : strlen(eco), k;
    char folded[256];

    if (ne == 0 || ne >= 64 || size < ne + 2 + sizeof(folded))
        return -1;
    if (ne == 4 && memcmp(eco, "PyPI", 4) == 0) {
        /* the same 256-byte normal form db.c and osv.c compare, cut where they cut it */
        pkg_pypi_normalize(name, folded, sizeof(folded));
    } else {
        for (k = 0; name[k] != '\0'; k++) {
            if (k + 1 >= sizeof(folded))
                return -1; /* longer than any name a package is looked up by */
            folded[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        }
        folded[k] = '\0';
    }
    if (folded[0] == '\0')
        return -1;
    memcpy(out, eco, ne);
    out[ne] = '\x1f';
    memcpy(out + ne + 1, folded, strlen(folded) + 1);
    return (int)(ne + 1 + strlen(folded));
}

int
osv_index_open_mem(const unsigned char *map, size_t len, const unsigned char *fp,
                   struct osv_index **out)
{
    struct idx_header h;
    struct osv_index *ix;

    *out = NULL;
    if (len < sizeof(h))
        return err_set(ERR_PARSE, "shorter than its header");
    memcpy(&h, map, sizeof(h));
    if (memcmp(h.magic, IDX_MAGIC, sizeof(h.magic)) != 0)
        return err_set(ERR_PARSE, "not an index of this program");
    if (h.order != IDX_ORDER)
        return err_set(ERR_PARSE, "an index of another machine");
    if (h.version != IDX_VERSION)
        return 1; /* written by another version of the program: rebuilt like a stale one */
    if (h.file_size != len)
        return err_set(ERR_PARSE, "truncated (%zu bytes, the header says %llu)", len,
                       (unsigned long long)h.file_size);
#ifndef FUZZING
    {
        crypto_generichash_state st;
        unsigned char sum[IDX_HASH];
        crypto_generichash_init(&st, NULL, 0, IDX_HASH);
        crypto_generichash_update(&st, map, offsetof(struct idx_header, header_hash));
        crypto_generichash_final(&st, sum, IDX_HASH);
        if (sodium_memcmp(sum, h.header_hash, IDX_HASH) != 0)
            return err_set(ERR_PARSE, "its header fails its checksum");
    }
#endif
    if (h.blobs_off < sizeof(h) || !fits(h.blobs_off, h.blobs_len, len) ||
        h.keys_n > len / sizeof(struct idx_key) ||
        !fits(h.keys_off, h.keys_n * sizeof(struct idx_key), len) ||
        !fits(h.strs_off, h.strs_len, len) || h.posts_n > len / sizeof(uint64_t) ||
        !fits(h.posts_off, h.posts_n * sizeof(uint64_t), len))
        return err_set(ERR_PARSE, "a table lies outside the file");
#ifndef FUZZING
    {
        crypto_generichash_state st;
        unsigned char sum[IDX_HASH];
        /* everything after the records: the tables and the padding between them */
        crypto_generichash_init(&st, NULL, 0, IDX_HASH);
        crypto_generichash_update(&st, map + h.blobs_off + h.blobs_len,
                                  len - h.blobs_off - h.blobs_len);
        crypto_generichash_final(&st, sum, IDX_HASH);
        if (sodium_memcmp(sum, h.tables_hash, IDX_HASH) != 0)
            return err_set(ERR_PARSE, "its tables fail their checksum");
    }
#endif
    if ((ix = calloc(1, sizeof(*ix))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    ix->map = map;
    ix->len = len;
    ix->fd = -1;
    ix->h = h;
    *out = ix;
    if (fp != NULL && memcmp(h.fingerprint, fp, sizeof(h.fingerprint)) != 0)
        return 1; /* sound, but of the database as it was */
    return 0;
}

static int
key_at(const struct osv_index *ix, uint64_t k, struct idx_key *out)
{
    memcpy(out, ix->map + ix->h.keys_off + k * sizeof(*out), sizeof(*out));
    return fits(out->str_off, out->str_len, ix->h.strs_len) &&
           fits(out->post_first, out->post_n, ix->h.posts_n);
}

/* The postings of `key`: 0 with *first, *n (n 0 when absent), -1 when the tables are broken. */
static int
lookup(const struct osv_index *ix, const char *key, size_t klen, uint64_t *first, uint64_t *n)
{
    uint64_t lo = 0, hi = ix->h.keys_n;

    *n = 0;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        struct idx_key k;
        const char *s;
        int c;
        if (!key_at(ix, mid, &k))
            return -1;
        s = (const char *)ix->map + ix->h.strs_off + k.str_off;
        c = memcmp(s, key, k.str_len < klen ? k.str_len : klen);
        if (c == 0)
            c = k.str_len < klen ? -1 : k.str_len > klen;
        if (c == 0) {
            *first = k.post_first;
            *n = k.post_n;
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

struct scratch {
    unsigned char *data;
    size_t cap;
};

/* The record at blob offset `off`, parsed; NULL when it fails its bounds or hash. */
static cJSON *
record_at(const struct osv_index *ix, uint64_t off, struct scratch *tmp)
{
    struct idx_blob b;
    uint64_t end = ix->h.blobs_off + ix->h.blobs_len;
    const unsigned char *text;

    if (off < ix->h.blobs_off || !fits(off, sizeof(b), end))
        return NULL;
    if (ix->fd < 0)
        memcpy(&b, ix->map + off, sizeof(b));
    else if (pread(ix->fd, &b, sizeof(b), (off_t)off) != (ssize_t)sizeof(b))
        return NULL;
    if (b.len > IDX_MAX_BLOB || !fits(off + sizeof(b), b.len, end))
        return NULL;
    if (ix->fd < 0) {
        text = ix->map + off + sizeof(b);
    } else {
        if (tmp->cap < b.len) {
            unsigned char *p = realloc(tmp->data, b.len);
            if (p == NULL)
                return NULL;
            tmp->data = p;
            tmp->cap = b.len;
        }
        if (b.len > 0 &&
            pread(ix->fd, tmp->data, b.len, (off_t)(off + sizeof(b))) != (ssize_t)b.len)
            return NULL;
        text = tmp->data;
    }
#ifndef FUZZING
    {
        unsigned char sum[sizeof(b.hash)];
        crypto_generichash(sum, sizeof(sum), text, b.len, NULL, 0);
        if (memcmp(sum, b.hash, sizeof(sum)) != 0)
            return NULL;
    }
#endif
    return cJSON_ParseWithLength((const char *)text, b.len);
}

struct pair {
    uint64_t off;
    size_t pkg;
};

static int
pair_cmp(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return (a->pkg > b->pkg) - (a->pkg < b->pkg);
}

int
osv_index_match(struct osv_index *ix, const struct pkg_list *pkgs, const struct osv_want *want,
                struct pkg_matches *out)
{
    struct pair *pairs = NULL;
    struct scratch tmp = {NULL, 0};
    size_t n = 0, cap = 0;
    int rc = 0;

    for (size_t i = 0; i < pkgs->n && rc == 0; i++) {
        char key[400];
        uint64_t first, cnt;
        int kl;
        if (want[i].eco[0] == '\0' ||
            (kl = osv_index_key(want[i].eco, want[i].name, key, sizeof(key))) < 0)
            continue;
        if (lookup(ix, key, (size_t)kl, &first, &cnt) < 0) {
            ix->damaged = 1;
            break;
        }
        for (uint64_t p = 0; p < cnt; p++) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 256;
                struct pair *np = nc <= MAX_PAIRS ? realloc(pairs, nc * sizeof(*np)) : NULL;
                if (np == NULL) {
                    rc = nc > MAX_PAIRS
                             ? err_set(ERR_LIMIT, "more than %u candidate records", MAX_PAIRS)
                             : err_set(ERR_NOMEM, "out of memory");
                    break;
                }
                pairs = np;
                cap = nc;
            }
            memcpy(&pairs[n].off, ix->map + ix->h.posts_off + (first + p) * sizeof(uint64_t),
                   sizeof(uint64_t));
            pairs[n++].pkg = i;
        }
    }
    /* the order a walk over the database meets them: by record, then by package */
    if (n > 0)
        qsort(pairs, n, sizeof(*pairs), pair_cmp);
    for (size_t k = 0; k < n && rc == 0 && !ix->damaged;) {
        cJSON *rec = record_at(ix, pairs[k].off, &tmp);
        size_t j = k;
        if (rec == NULL) {
            ix->damaged = 1;
            break;
        }
        for (; j < n && pairs[j].off == pairs[k].off && rc == 0; j++)
            if (j == k || pairs[j].pkg != pairs[j - 1].pkg)
                rc = osv_db_consider(rec, pkgs, pairs[j].pkg, want[pairs[j].pkg].eco,
                                     want[pairs[j].pkg].name, out);
        cJSON_Delete(rec);
        k = j;
    }
    free(pairs);
    free(tmp.data);
    if (rc == 0 && ix->damaged) {
        pkg_matches_free(out);
        diag_warn("%s: the vulnerability index is damaged; it is rebuilt", ix->path);
        return 1;
    }
    return rc;
}

void
osv_index_close(struct osv_index *ix)
{
    if (ix == NULL)
        return;
    if (ix->mapped)
        munmap((void *)ix->map, ix->len);
    if (ix->fd >= 0)
        close(ix->fd);
    if (ix->damaged && ix->path[0] != '\0')
        (void)unlink(ix->path);
    free(ix);
}

int
osv_index_open_file(const char *path, const unsigned char *fp, struct osv_index **ix)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), rc;
    struct stat sb;
    void *map;

    *ix = NULL;
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        if (errno == ELOOP)
            diag_warn("%s: the vulnerability index is a symbolic link; not followed", path);
        return errno == EACCES ? -2 : -1;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        diag_warn("%s: the vulnerability index is not a regular file; not used", path);
        return -1;
    }
    if ((size_t)sb.st_size < sizeof(struct idx_header)) {
        close(fd);
        diag_warn("%s: the vulnerability index is truncated; it is rebuilt", path);
        return 2;
    }
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        close(fd);
        return -1;
    }
    rc = osv_index_open_mem(map, (size_t)sb.st_size, fp, ix);
    if (rc != 0) {
        close(fd);
        if (rc < 0)
            diag_warn("%s: the vulnerability index is damaged (%s); it is rebuilt", path,
                      err_message());
        free(*ix);
        *ix = NULL;
        munmap(map, (size_t)sb.st_size);
        return rc < 0 ? 2 : 1;
    }
    (*ix)->mapped = 1;
    (*ix)->fd = fd;
    (void)str_format((*ix)->path, sizeof((*ix)->path), "%s", path);
    /* only the pages of the packages looked up are read: no read-ahead over the records */
    (void)madvise(map, (size_t)sb.st_size, MADV_RANDOM);
    return 0;
}

void
osv_index_stats(const struct osv_index *ix, struct osv_db_stats *st)
{
    st->records = (size_t)ix->h.records;
    st->skipped = (size_t)ix->h.skipped;
}
