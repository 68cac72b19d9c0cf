/* store: opening a vault (writer lock, read, header, unlock, authenticate, index) and writing it
 * back (payload rebuilt from the index and the changes, encrypted, temp file, backup, rename). */
#include <sys/file.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

const char *
vault_id(const struct vault *v)
{
    return v->id_hex;
}

enum vault_source
vault_unlocked_by(const struct vault *v)
{
    return v->source;
}

void
vault_value_free(struct vault_value *val)
{
    if (val->data != NULL)
        keys_free(val->data);
    val->data = NULL;
    val->len = 0;
}

static int
missing(const char *path)
{
    return err_set(ERR_NOTFOUND, "no vault at %s; create one with `secrets init` (or pass "
                                 "--vault PATH / set SECRETS_VAULT)",
                   path);
}

int
vault_body_open(const struct vault_header *h, unsigned char *file, size_t len,
                const unsigned char *key, size_t *plain_len)
{
    unsigned long long mlen = 0;

    if (len < h->len + KEYS_TAG_BYTES)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (truncated body)");
    /* In place: the plaintext never exists outside this guarded block. */
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(file + h->len, &mlen, NULL, file + h->len,
                                                   len - h->len, file, h->len, h->nonce,
                                                   key) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (authentication failed)");
    *plain_len = (size_t)mlen;
    return 0;
}

static int
read_at(int fd, const char *path, unsigned char *p, size_t len, uint64_t off, size_t *got)
{
    ssize_t n;

    *got = 0;
    while (*got < len) {
        n = pread(fd, p + *got, len - *got, (off_t)(off + *got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_set_errno(ERR_IO, "%s: read failed", path);
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return 0;
}

/* Opens the vault file for reading: a regular file, no symlink, not above the size limit. */
static int
open_file(const char *path, int *fd, uint64_t *size)
{
    struct stat st;

    *fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (*fd < 0) {
        if (errno == ENOENT)
            return missing(path);
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to follow it", path);
        return err_set_errno(ERR_IO, "%s: cannot open", path);
    }
    if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode))
        return err_set(ERR_UNSAFE, "%s: not a regular file", path);
    if (st.st_size > VAULT_FILE_MAX)
        return err_set(ERR_LIMIT, "%s: larger than the limit of %d MiB", path, VAULT_FILE_MAX >> 20);
    *size = (uint64_t)st.st_size;
    return 0;
}

/* Format 1-2: the whole file in one read, straight into guarded memory (it is decrypted in
 * place). */
static int
read_whole(struct vault *v, size_t *len)
{
    int rc;

    if ((v->mem = keys_alloc_large((size_t)v->file_size + 1)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault");
    if ((rc = read_at(v->fd, v->path, v->mem, (size_t)v->file_size, 0, len)) < 0)
        return rc;
    return vault_header_parse(v->mem, *len, &v->hdr);
}

/* The first bytes of the file: the header and, from format 3, the index length after it. */
static int
read_head(struct vault *v, unsigned char *head, size_t size, size_t *got)
{
    size_t want = v->file_size < size ? (size_t)v->file_size : size;
    int rc;

    if ((rc = read_at(v->fd, v->path, head, want < 4096 ? want : 4096, 0, got)) < 0)
        return rc;
    if (*got >= 16) {
        size_t hlen = vault_get32(head + 12);
        if (hlen <= VAULT_HEADER_MAX && hlen + VAULT_LENFIELD > *got && want > *got)
            return read_at(v->fd, v->path, head, hlen + VAULT_LENFIELD < want
                                                      ? hlen + VAULT_LENFIELD : want,
                           0, got);
    }
    return 0;
}

/* Format 3, after the header: the index root, read into guarded memory, authenticated with
 * the header as associated data and decrypted in place; its rows checked against the file. */
static int
open_index(struct vault *v, const unsigned char *head, size_t got)
{
    size_t hlen = v->hdr.len, n;
    uint64_t rlen;
    unsigned long long plen = 0;
    int rc;

    if (got < hlen + VAULT_LENFIELD)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (truncated)");
    rlen = vault_get64(head + hlen);
    if (rlen < VAULT_PAYLOAD_HEAD + KEYS_TAG_BYTES || rlen > v->file_size - hlen - VAULT_LENFIELD)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad index length)");
    if ((v->mem = keys_alloc_large((size_t)rlen)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault index");
    if ((rc = read_at(v->fd, v->path, v->mem, (size_t)rlen, hlen + VAULT_LENFIELD, &n)) < 0)
        return rc;
    if (n != rlen ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(v->mem, &plen, NULL, v->mem, rlen, head,
                                                   hlen + VAULT_LENFIELD, v->hdr.nonce,
                                                   v->key) != 0)
        return err_set(ERR_PARSE, "vault is corrupted or was modified (authentication failed)");
    v->plain = v->mem;
    v->plain_len = (size_t)plen;
    if ((rc = vault_root_parse(v->plain, v->plain_len, hlen + VAULT_LENFIELD + rlen,
                               v->file_size, &v->root)) < 0)
        return rc;
    return vault_records_init(v);
}

static int
take_lock(struct vault *v)
{
    char lock[PATH_MAX + 8];
    int rc;

    struct stat st;

    if ((rc = str_format(lock, sizeof(lock), "%s.lock", v->path)) < 0)
        return rc;
    if (lstat(v->path, &st) < 0 && errno == ENOENT)
        return missing(v->path);
    v->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (v->lock_fd < 0) {
        if (errno == ENOENT)
            return missing(v->path);
        return err_set_errno(ERR_IO, "%s: cannot open the lock file", lock);
    }
    while (flock(v->lock_fd, LOCK_EX) < 0) {
        if (errno != EINTR)
            return err_set_errno(ERR_IO, "%s: cannot lock", lock);
    }
    return 0;
}

int
vault_open(const char *path, int flags, const struct vault_unlock *u, struct vault **out)
{
    struct vault *v;
    unsigned char check[16], *head = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if ((rc = keys_init()) < 0)
        return rc;
    json_init();
    v = calloc(1, sizeof(*v));
    if (v == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    v->lock_fd = -1;
    v->fd = -1;
    if (u != NULL)
        v->unlock = *u;
    if ((rc = str_format(v->path, sizeof(v->path), "%s", path)) < 0)
        goto fail;
    v->writable = (flags & VAULT_OPEN_WRITE) != 0;
    v->scratch = (flags & VAULT_OPEN_SCRATCH) != 0;
    /* Writers lock before reading, so a read-modify-write never loses another writer's change. */
    if (v->writable && !v->scratch && (rc = take_lock(v)) < 0)
        goto fail;
    if ((rc = open_file(path, &v->fd, &v->file_size)) < 0)
        goto fail;
    if ((head = malloc(VAULT_HEADER_MAX + VAULT_LENFIELD)) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = read_head(v, head, VAULT_HEADER_MAX + VAULT_LENFIELD, &len)) < 0)
        goto fail;
    if (len >= 10 && (head[8] | head[9] << 8) < VAULT_FORMAT_INDEXED) {
        if ((rc = read_whole(v, &len)) < 0)
            goto fail;
    } else if ((rc = vault_header_parse(head, len, &v->hdr)) < 0) {
        goto fail;
    }
    v->format = v->hdr.version;
    sodium_bin2hex(v->id_hex, sizeof(v->id_hex), v->hdr.id, sizeof(v->hdr.id));
    if ((rc = vault_unlock_key(v)) < 0)
        goto fail;
    keys_key_check(v->key, v->hdr.id, sizeof(v->hdr.id), check);
    if (sodium_memcmp(check, v->hdr.check, sizeof(check)) != 0) {
        rc = err_set(ERR_PARSE, "vault is corrupted or was modified (key check mismatch)");
        goto fail;
    }
    if (v->format >= VAULT_FORMAT_INDEXED) {
        if ((rc = open_index(v, head, len)) < 0)
            goto fail;
        if (!(flags & VAULT_OPEN_ONE) && (rc = vault_records_load_all(v)) < 0)
            goto fail;
    } else {
        if ((rc = vault_body_open(&v->hdr, v->mem, len, v->key, &v->plain_len)) < 0)
            goto fail;
        v->plain = v->mem + v->hdr.len;
        if ((rc = vault_payload_index(v->plain, v->plain_len, &v->idx)) < 0)
            goto fail;
        close(v->fd);
        v->fd = -1;
    }
    free(head);
    *out = v;
    return 0;
fail:
    free(head);
    vault_close(v);
    return rc;
}

void
vault_close(struct vault *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->nchanges; i++) {
        free(v->changes[i].name);
        if (v->changes[i].json != NULL)
            cJSON_free(v->changes[i].json);
    }
    free(v->changes);
    free(v->chash);
    vault_records_free(v);
    if (v->fd >= 0)
        close(v->fd);
    if (v->key != NULL)
        keys_free(v->key);
    if (v->mem != NULL)
        keys_free_large(v->mem);
    if (v->keyfile != NULL)
        keys_free(v->keyfile);
    keys_passphrase_free(&v->pass);
    if (v->lock_fd >= 0)
        close(v->lock_fd); /* releases the flock */
    sodium_memzero(v, sizeof(*v));
    free(v);
}

/* Pending changes are found through a hash table of their numbers (open addressing, at most
 * half full), so an import of N names costs N, not N squared. */
static size_t
name_hash(const char *name)
{
    return (size_t)str_hash(name, strlen(name));
}

/* The change for NAME, or -1. */
static long
change_find(const struct vault *v, const char *name)
{
    if (v->chash_cap == 0)
        return -1;
    for (size_t at = name_hash(name) & (v->chash_cap - 1);; at = (at + 1) & (v->chash_cap - 1)) {
        size_t c = v->chash[at];
        if (c == 0)
            return -1;
        if (strcmp(v->changes[c - 1].name, name) == 0)
            return (long)(c - 1);
    }
}

static int
change_index(struct vault *v)
{
    size_t cap = v->chash_cap ? v->chash_cap : 16;

    while (cap < 2 * (v->nchanges + 1))
        cap *= 2;
    if (cap != v->chash_cap) {
        size_t *t = calloc(cap, sizeof(*t));
        if (t == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        free(v->chash);
        v->chash = t;
        v->chash_cap = cap;
        for (size_t c = 0; c < v->nchanges; c++) {
            size_t at = name_hash(v->changes[c].name) & (cap - 1);
            while (t[at] != 0)
                at = (at + 1) & (cap - 1);
            t[at] = c + 1;
        }
        return 0;
    }
    {
        size_t c = v->nchanges - 1, at = name_hash(v->changes[c].name) & (cap - 1);
        while (v->chash[at] != 0)
            at = (at + 1) & (cap - 1);
        v->chash[at] = c + 1;
    }
    return 0;
}

int
vault_entry_lookup(const struct vault *v, const char *name, const char **json, size_t *len)
{
    long c = change_find(v, name);
    uint32_t i;
    int rc;

    if (c >= 0) {
        if (v->changes[c].json == NULL)
            return 0;
        *json = v->changes[c].json;
        *len = strlen(v->changes[c].json);
        return 1;
    }
    if ((rc = vault_record_find(v, name, strlen(name), &i)) <= 0)
        return rc;
    if ((rc = vault_record_entry(v, i, json, len)) < 0)
        return rc;
    return 1;
}

int
vault_entry_put(struct vault *v, const char *name, char *json)
{
    long c = change_find(v, name);

    if (c >= 0) {
        if (v->changes[c].json != NULL)
            cJSON_free(v->changes[c].json);
        v->changes[c].json = json;
        v->dirty = 1;
        return 0;
    }
    if (v->nchanges == v->cchanges) {
        size_t nc = v->cchanges ? v->cchanges * 2 : 8;
        struct vault_change *p = realloc(v->changes, nc * sizeof(*p));
        if (p == NULL)
            goto nomem;
        v->changes = p;
        v->cchanges = nc;
    }
    v->changes[v->nchanges].name = strdup(name);
    if (v->changes[v->nchanges].name == NULL)
        goto nomem;
    v->changes[v->nchanges++].json = json;
    v->dirty = 1;
    return change_index(v);
nomem:
    if (json != NULL)
        cJSON_free(json);
    return err_set(ERR_NOMEM, "out of memory");
}

/* ---- Writing ------------------------------------------------------------------------------- */

struct change_ref {
    const char *name;
    size_t name_len;
    const struct vault_change *c;
};

static int
ref_cmp(const void *a, const void *b)
{
    const struct change_ref *x = a, *y = b;

    return vault_name_cmp(x->name, x->name_len, y->name, y->name_len);
}

/* An unchanged secret: its record copied as it is (same data key, format 3), else its entry
 * text, encrypted afresh (migration from format 1-2, a new data key). */
static int
keep_item(const struct vault *v, uint32_t i, struct vault_item *it)
{
    vault_record_name(v, i, &it->name, &it->name_len);
    if (v->format >= VAULT_FORMAT_INDEXED && !v->reseal) {
        struct vault_row3 row;
        vault_record_row(v, i, &row);
        it->json = NULL;
        it->src_off = row.off;
        it->rec_len = row.len;
        it->tag = row.tag;
        return 0;
    }
    return vault_record_entry(v, i, &it->json, &it->json_len);
}

/* The new file's secrets, sorted by name: the unchanged ones merged with the changes (both
 * sorted), purged ones left out. */
static int
build_items(const struct vault *v, struct vault_item **out, size_t *out_n)
{
    struct change_ref *refs;
    struct vault_item *items;
    uint32_t i = 0, n = vault_nrecords(v);
    size_t c = 0, k = 0;
    int rc = 0;

    refs = calloc(v->nchanges + 1, sizeof(*refs));
    items = calloc((size_t)n + v->nchanges + 1, sizeof(*items));
    if (refs == NULL || items == NULL) {
        free(refs);
        free(items);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t j = 0; j < v->nchanges; j++)
        refs[j] = (struct change_ref){v->changes[j].name, strlen(v->changes[j].name),
                                      &v->changes[j]};
    qsort(refs, v->nchanges, sizeof(*refs), ref_cmp);
    while ((i < n || c < v->nchanges) && rc == 0) {
        int cmp;
        if (i >= n) {
            cmp = 1;
        } else if (c >= v->nchanges) {
            cmp = -1;
        } else {
            const char *name;
            size_t nl;
            vault_record_name(v, i, &name, &nl);
            cmp = vault_name_cmp(name, nl, refs[c].name, refs[c].name_len);
        }
        if (cmp < 0) {
            rc = keep_item(v, i++, &items[k++]);
            continue;
        }
        if (cmp == 0)
            i++; /* replaced (or purged) by the change */
        if (refs[c].c->json != NULL)
            items[k++] = (struct vault_item){refs[c].name, refs[c].name_len, refs[c].c->json,
                                             strlen(refs[c].c->json), 0, 0, NULL};
        c++;
    }
    free(refs);
    if (rc < 0) {
        free(items);
        return rc;
    }
    *out = items;
    *out_n = k;
    return 0;
}

size_t
vault_header_size(const struct vault_header *h)
{
    size_t n = VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM;

    for (size_t i = 0; i < h->nslots; i++)
        n += 4 + h->slots[i].len;
    return n;
}

/* mem = [header room][plain_len bytes of payload][tag room]: a fresh nonce and key check, the
 * header encoded in front, and the payload encrypted in place with the header as associated
 * data. The block then holds exactly the file's bytes. */
int
vault_seal_v2(struct vault_header *h, const unsigned char *key, unsigned char *mem,
              size_t plain_len)
{
    struct buf hb = {0};
    unsigned long long clen = 0;
    size_t hlen = vault_header_size(h);
    int rc;

    keys_random(h->nonce, sizeof(h->nonce));
    keys_key_check(key, h->id, sizeof(h->id), h->check);
    if ((rc = vault_header_encode_version(h, 2, &hb)) < 0) {
        buf_free(&hb);
        return rc;
    }
    if (hb.len != hlen) {
        buf_free(&hb);
        return err_set(ERR_INTERNAL, "header size mismatch");
    }
    memcpy(mem, hb.data, hlen);
    buf_free(&hb);
    crypto_aead_xchacha20poly1305_ietf_encrypt(mem + hlen, &clen, mem + hlen, plain_len, mem, hlen,
                                               NULL, h->nonce, key);
    return 0;
}

/* 1 when `name` is `<base>.bak-` and 12 hex digits: the temp name of the backup step of older
 * versions, which a writer killed between link and rename left behind. */
static int
is_stale_backup(const char *name, const char *base)
{
    size_t blen = strlen(base);

    if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".bak-", 5) != 0)
        return 0;
    name += blen + 5;
    if (strlen(name) != 12)
        return 0;
    for (; *name != '\0'; name++)
        if (!((*name >= '0' && *name <= '9') || (*name >= 'a' && *name <= 'f')))
            return 0;
    return 1;
}

/* What killed writers left behind: temp files (the backup's among them), and the backup temps
 * `PATH.bak-<12 hex>` of older versions, each a complete older vault that opens with the same
 * key. Only called under the writer lock. */
static void
remove_stale_temps(const char *path)
{
    char dirbuf[PATH_MAX], basebuf[PATH_MAX], prefix[PATH_MAX + 16], full[PATH_MAX * 2];
    const char *base;
    struct dirent *d;
    DIR *dir;

    if (str_format(dirbuf, sizeof(dirbuf), "%s", path) < 0 ||
        str_format(basebuf, sizeof(basebuf), "%s", path) < 0)
        return;
    base = basename(basebuf);
    if (str_format(prefix, sizeof(prefix), ".%s.tmp-", base) < 0)
        return;
    if ((dir = opendir(dirname(dirbuf))) == NULL)
        return;
    while ((d = readdir(dir)) != NULL) {
        if ((strncmp(d->d_name, prefix, strlen(prefix)) == 0 || is_stale_backup(d->d_name, base)) &&
            str_format(full, sizeof(full), "%s/%s", dirbuf, d->d_name) == 0)
            (void)unlink(full);
    }
    closedir(dir);
}

/* PATH.bak becomes the current file: hard-linked to one fixed temp name, renamed over the
 * backup. There is always a backup, and a writer killed between the steps leaves at most that
 * one temp name (a link to the live vault, not an older copy), which the next writer's
 * clean-up removes: it starts like the other temp files. */
static int
keep_backup(const char *path)
{
    char dirbuf[PATH_MAX], basebuf[PATH_MAX], tmp[PATH_MAX * 2 + 16], bak[PATH_MAX + 8];
    int rc;

    if ((rc = str_format(dirbuf, sizeof(dirbuf), "%s", path)) < 0 ||
        (rc = str_format(basebuf, sizeof(basebuf), "%s", path)) < 0 ||
        (rc = str_format(tmp, sizeof(tmp), "%s/.%s.tmp-bak", dirname(dirbuf), basename(basebuf))) < 0 ||
        (rc = str_format(bak, sizeof(bak), "%s.bak", path)) < 0)
        return rc;
    if (unlink(tmp) < 0 && errno != ENOENT)
        return err_set_errno(ERR_IO, "%s: cannot remove a stale temp file", tmp);
    if (link(path, tmp) < 0)
        return err_set_errno(ERR_IO, "%s: cannot keep a backup", path);
    if (rename(tmp, bak) < 0) {
        rc = err_set_errno(ERR_IO, "%s: cannot keep a backup", bak);
        (void)unlink(tmp);
        return rc;
    }
    /* When the backup already was the live file (a writer killed after this step), rename
     * does nothing and the temp name stays: it goes here. */
    (void)unlink(tmp);
    return 0;
}

/* The usual write (the previous file becomes the backup): the backup it replaces is not freed
 * but becomes the new file. Its name is linked to `.NAME.tmp-new` before the backup moves on,
 * the new content is written over it, cut to size, fsynced and renamed over PATH: no 3 MB of
 * blocks freed and allocated per write (the eviction of the old backup was a third of a
 * `set`). Only a regular file of ours with that one link, other than the live vault, is
 * reused. 1 written, 0 backup kept but nothing reused (write a new file), < 0 error. */
static int
write_recycled(struct vault *v, struct vault_build *b)
{
    char dirbuf[PATH_MAX], basebuf[PATH_MAX], tmp[PATH_MAX * 2 + 16], bak[PATH_MAX + 8];
    const char *dir;
    struct stat st, live;
    int fd, rc, have;

    if ((rc = str_format(dirbuf, sizeof(dirbuf), "%s", v->path)) < 0 ||
        (rc = str_format(basebuf, sizeof(basebuf), "%s", v->path)) < 0)
        return rc;
    dir = dirname(dirbuf);
    if ((rc = str_format(tmp, sizeof(tmp), "%s/.%s.tmp-new", dir, basename(basebuf))) < 0 ||
        (rc = str_format(bak, sizeof(bak), "%s.bak", v->path)) < 0)
        return rc;
    (void)unlink(tmp);
    have = link(bak, tmp) == 0;
    if ((rc = keep_backup(v->path)) < 0) {
        if (have)
            (void)unlink(tmp);
        return rc;
    }
    if (!have)
        return 0;
    fd = open(tmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) < 0 || stat(v->path, &live) < 0 || !S_ISREG(st.st_mode) ||
        st.st_nlink != 1 || st.st_uid != geteuid() ||
        (st.st_ino == live.st_ino && st.st_dev == live.st_dev) || fchmod(fd, 0600) < 0) {
        if (fd >= 0)
            close(fd);
        (void)unlink(tmp);
        return 0;
    }
    rc = vault_file_fill(fd, b);
    if (rc == 0 && ftruncate(fd, (off_t)b->size) < 0)
        rc = err_set_errno(ERR_IO, "%s: cannot set its size", tmp);
    if (rc == 0 && fsync(fd) < 0)
        rc = err_set_errno(ERR_IO, "%s: fsync failed", tmp);
    if (close(fd) < 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s: close failed", tmp);
    if (rc == 0 && rename(tmp, v->path) < 0)
        rc = err_set_errno(ERR_IO, "%s: cannot replace", v->path);
    if (rc < 0) {
        (void)unlink(tmp);
        return rc;
    }
    return file_sync_dir(dir) < 0 ? ERR_IO : 1;
}

/* Rekey and purge: the previous file must not survive as the backup (it opens with the old key,
 * or holds the purged value), so it goes before the write; a writer killed before the new
 * backup is made leaves none rather than that one. */
static int
drop_backup(const char *path)
{
    char bak[PATH_MAX + 8];
    int rc;

    if ((rc = str_format(bak, sizeof(bak), "%s.bak", path)) < 0)
        return rc;
    if (unlink(bak) < 0 && errno != ENOENT)
        return err_set_errno(ERR_IO, "%s: cannot remove the backup", bak);
    return 0;
}

int
vault_commit(struct vault *v)
{
    struct vault_item *items = NULL;
    struct vault_build b = {&v->hdr, v->key, NULL, 0, v->fd, 0};
    int rc;

    if (!v->writable || v->plain == NULL)
        return err_set(ERR_INTERNAL, "vault not open for writing");
    /* Every name is needed; unchanged records are copied as they are. */
    if ((rc = vault_records_load_index(v)) < 0 || (rc = build_items(v, &items, &b.n)) < 0)
        return rc;
    b.items = items;
    if (!v->scratch)
        remove_stale_temps(v->path);
    /* VAULT_BACKUP_NEW (rekey, purge): the backup is the new file once it is in place. A
     * scratch file (the merge driver's) gets no backup. */
    if (!v->scratch && v->backup == VAULT_BACKUP_PREVIOUS) {
        rc = write_recycled(v, &b);
        if (rc == 0)
            rc = file_write_atomic_with(v->path, 0600, 0, vault_file_fill, &b);
        else if (rc == 1)
            rc = 0;
    } else {
        if (!v->scratch)
            rc = drop_backup(v->path);
        if (rc == 0)
            rc = file_write_atomic_with(v->path, 0600, 0, vault_file_fill, &b);
    }
    if (rc == 0 && v->backup == VAULT_BACKUP_NEW && !v->scratch)
        rc = keep_backup(v->path);
    free(items);
    if (rc == 0) {
        /* Written: the old payload is stale, and this handle is done with. */
        vault_records_free(v);
        memset(&v->root, 0, sizeof(v->root));
        keys_free_large(v->mem);
        v->mem = NULL;
        v->plain = NULL;
        memset(&v->idx, 0, sizeof(v->idx));
        for (size_t i = 0; i < v->nchanges; i++) {
            free(v->changes[i].name);
            if (v->changes[i].json != NULL)
                cJSON_free(v->changes[i].json);
        }
        v->nchanges = 0;
        v->dirty = 0;
        free(v->chash);
        v->chash = NULL;
        v->chash_cap = 0;
    }
    return rc;
}

int
vault_create(const char *path, const struct vault_create *c)
{
    struct vault_header h;
    unsigned char *key = NULL, *kf = NULL;
    char dir[PATH_MAX];
    struct stat st;
    int rc;

    if ((rc = keys_init()) < 0)
        return rc;
    if (c->pass == NULL && c->key_file == NULL)
        return err_set(ERR_USAGE, "a vault needs a passphrase or a key file");
    if (lstat(path, &st) == 0)
        return err_set(ERR_EXISTS, "%s: a vault (or another file) is already there; refusing to "
                                   "overwrite it",
                       path);
    if ((rc = str_format(dir, sizeof(dir), "%s", path)) < 0 ||
        (rc = file_mkdirs(dirname(dir), 0700)) < 0)
        return rc;
    memset(&h, 0, sizeof(h));
    keys_random(h.id, sizeof(h.id));
    key = keys_alloc(KEYS_KEY_BYTES);
    kf = keys_alloc(KEYS_KEY_BYTES);
    if (key == NULL || kf == NULL) {
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
        goto out;
    }
    keys_random(key, KEYS_KEY_BYTES);
    if (c->pass != NULL && (rc = vault_slot_make_pass(&h, c->pass, &c->kdf, key,
                                                      &h.slots[h.nslots++])) < 0)
        goto out;
    if (c->key_file != NULL) {
        if (access(c->key_file, F_OK) != 0) {
            if ((rc = keys_keyfile_create(c->key_file)) < 0)
                goto out;
            diag_note("created key file %s (32 random bytes, mode 0600); keep a copy somewhere "
                      "safe",
                      c->key_file);
        }
        if ((rc = keys_keyfile_read(c->key_file, kf)) < 0 ||
            (rc = vault_slot_make_keyfile(&h, kf, key, &h.slots[h.nslots++])) < 0)
            goto out;
    }
    {
        struct vault_build b = {&h, key, NULL, 0, -1, 0};
        rc = file_write_atomic_with(path, 0600, 1, vault_file_fill, &b);
    }
out:
    if (key != NULL)
        keys_free(key);
    if (kf != NULL)
        keys_free(kf);
    return rc;
}
