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

/* The whole file in one read, straight into guarded memory (it is decrypted in place). */
static int
read_guarded(const char *path, unsigned char **mem, size_t *len)
{
    struct stat st;
    size_t got = 0;
    ssize_t n;
    int fd, rc = 0;

    *mem = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return missing(path);
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to follow it", path);
        return err_set_errno(ERR_IO, "%s: cannot open", path);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = err_set(ERR_UNSAFE, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size > VAULT_FILE_MAX) {
        rc = err_set(ERR_LIMIT, "%s: larger than the limit of %d MiB", path, VAULT_FILE_MAX >> 20);
        goto out;
    }
    if ((*mem = keys_alloc_large((size_t)st.st_size + 1)) == NULL) {
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory for the vault");
        goto out;
    }
    while (got < (size_t)st.st_size) {
        n = read(fd, *mem + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_set_errno(ERR_IO, "%s: read failed", path);
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *len = got;
out:
    if (rc < 0 && *mem != NULL) {
        keys_free_large(*mem);
        *mem = NULL;
    }
    close(fd);
    return rc;
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
    unsigned char check[16];
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
    if (u != NULL)
        v->unlock = *u;
    if ((rc = str_format(v->path, sizeof(v->path), "%s", path)) < 0)
        goto fail;
    v->writable = (flags & VAULT_OPEN_WRITE) != 0;
    v->scratch = (flags & VAULT_OPEN_SCRATCH) != 0;
    /* Writers lock before reading, so a read-modify-write never loses another writer's change. */
    if (v->writable && !v->scratch && (rc = take_lock(v)) < 0)
        goto fail;
    if ((rc = read_guarded(path, &v->mem, &len)) < 0)
        goto fail;
    if ((rc = vault_header_parse(v->mem, len, &v->hdr)) < 0)
        goto fail;
    sodium_bin2hex(v->id_hex, sizeof(v->id_hex), v->hdr.id, sizeof(v->hdr.id));
    if ((rc = vault_unlock_key(v)) < 0)
        goto fail;
    keys_key_check(v->key, v->hdr.id, sizeof(v->hdr.id), check);
    if (sodium_memcmp(check, v->hdr.check, sizeof(check)) != 0) {
        rc = err_set(ERR_PARSE, "vault is corrupted or was modified (key check mismatch)");
        goto fail;
    }
    if ((rc = vault_body_open(&v->hdr, v->mem, len, v->key, &v->plain_len)) < 0)
        goto fail;
    v->plain = v->mem + v->hdr.len;
    if ((rc = vault_payload_index(v->plain, v->plain_len, &v->idx)) < 0)
        goto fail;
    *out = v;
    return 0;
fail:
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

int
vault_entry_lookup(const struct vault *v, const char *name, const char **json, size_t *len)
{
    size_t nlen = strlen(name);
    long i;

    for (size_t c = 0; c < v->nchanges; c++) {
        if (strcmp(v->changes[c].name, name) == 0) {
            if (v->changes[c].json == NULL)
                return 0;
            *json = v->changes[c].json;
            *len = strlen(v->changes[c].json);
            return 1;
        }
    }
    i = vault_payload_find(&v->idx, name, nlen);
    if (i < 0)
        return 0;
    {
        struct vault_record r;
        vault_payload_record(&v->idx, (uint32_t)i, &r);
        *json = r.entry;
        *len = r.entry_len;
    }
    return 1;
}

int
vault_entry_put(struct vault *v, const char *name, char *json)
{
    for (size_t c = 0; c < v->nchanges; c++) {
        if (strcmp(v->changes[c].name, name) == 0) {
            if (v->changes[c].json != NULL)
                cJSON_free(v->changes[c].json);
            v->changes[c].json = json;
            v->dirty = 1;
            return 0;
        }
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
    return 0;
nomem:
    if (json != NULL)
        cJSON_free(json);
    return err_set(ERR_NOMEM, "out of memory");
}

/* ---- Writing ------------------------------------------------------------------------------- */

struct item {
    const char *name;
    size_t name_len;
    const char *entry;
    size_t entry_len;
};

static int
item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    return vault_name_cmp(x->name, x->name_len, y->name, y->name_len);
}

static void
put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Builds the new payload: the unchanged records plus the changes, sorted by name. */
static int
build_payload(const struct vault *v, size_t hlen, unsigned char **out, size_t *out_len)
{
    struct item *items;
    size_t n = 0, total = VAULT_PAYLOAD_HEAD, off;
    unsigned char *p;
    uint32_t i;

    items = calloc((size_t)v->idx.n + v->nchanges + 1, sizeof(*items));
    if (items == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (i = 0; i < v->idx.n; i++) {
        struct vault_record r;
        int changed = 0;
        vault_payload_record(&v->idx, i, &r);
        for (size_t c = 0; c < v->nchanges && !changed; c++)
            changed = vault_name_cmp(r.name, r.name_len, v->changes[c].name,
                                     strlen(v->changes[c].name)) == 0;
        if (!changed)
            items[n++] = (struct item){r.name, r.name_len, r.entry, r.entry_len};
    }
    for (size_t c = 0; c < v->nchanges; c++)
        if (v->changes[c].json != NULL)
            items[n++] = (struct item){v->changes[c].name, strlen(v->changes[c].name),
                                       v->changes[c].json, strlen(v->changes[c].json)};
    if (v->nchanges > 0)
        qsort(items, n, sizeof(*items), item_cmp);
    for (size_t k = 0; k < n; k++)
        total += VAULT_RECORD_BYTES + items[k].name_len + items[k].entry_len;
    if (total > VAULT_FILE_MAX - VAULT_HEADER_MAX) {
        free(items);
        return err_set(ERR_LIMIT, "the vault would exceed %d MiB", VAULT_FILE_MAX >> 20);
    }
    *out = keys_alloc_large(hlen + total + KEYS_TAG_BYTES);
    if (*out == NULL) {
        free(items);
        return err_set(ERR_NOMEM, "cannot allocate guarded memory for the payload");
    }
    p = *out + hlen;
    memcpy(p, VAULT_PAYLOAD_MAGIC, 4);
    put32(p + 4, (uint32_t)n);
    off = VAULT_PAYLOAD_HEAD + n * VAULT_RECORD_BYTES;
    for (size_t k = 0; k < n; k++) {
        unsigned char *rec = p + VAULT_PAYLOAD_HEAD + k * VAULT_RECORD_BYTES;
        put32(rec, (uint32_t)off);
        put32(rec + 4, (uint32_t)items[k].name_len);
        memcpy(p + off, items[k].name, items[k].name_len);
        off += items[k].name_len;
        put32(rec + 8, (uint32_t)off);
        put32(rec + 12, (uint32_t)items[k].entry_len);
        memcpy(p + off, items[k].entry, items[k].entry_len);
        off += items[k].entry_len;
    }
    free(items);
    *out_len = total;
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
vault_seal(struct vault_header *h, const unsigned char *key, unsigned char *mem,
           size_t plain_len)
{
    struct buf hb = {0};
    unsigned long long clen = 0;
    size_t hlen = vault_header_size(h);
    int rc;

    keys_random(h->nonce, sizeof(h->nonce));
    keys_key_check(key, h->id, sizeof(h->id), h->check);
    if ((rc = vault_header_encode(h, &hb)) < 0) {
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
    unsigned char *mem = NULL;
    size_t len = 0, hlen = vault_header_size(&v->hdr);
    int rc;

    if (!v->writable || v->plain == NULL)
        return err_set(ERR_INTERNAL, "vault not open for writing");
    if ((rc = build_payload(v, hlen, &mem, &len)) < 0)
        return rc;
    if (!v->scratch)
        remove_stale_temps(v->path);
    rc = vault_seal(&v->hdr, v->key, mem, len);
    /* VAULT_BACKUP_NEW (rekey, purge): the backup is the new file once it is in place. A
     * scratch file (the merge driver's) gets no backup. */
    if (rc == 0 && !v->scratch)
        rc = v->backup == VAULT_BACKUP_NEW ? drop_backup(v->path) : keep_backup(v->path);
    if (rc == 0)
        rc = file_write_atomic(v->path, mem, hlen + len + KEYS_TAG_BYTES, 0600);
    if (rc == 0 && v->backup == VAULT_BACKUP_NEW && !v->scratch)
        rc = keep_backup(v->path);
    keys_free_large(mem);
    if (rc == 0) {
        /* Written: the old payload is stale, and this handle is done with. */
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
    }
    return rc;
}

int
vault_create(const char *path, const struct vault_create *c)
{
    struct vault_header h;
    unsigned char *key = NULL, *kf = NULL, *mem = NULL;
    size_t hlen;
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
    hlen = vault_header_size(&h);
    if ((mem = keys_alloc(hlen + VAULT_PAYLOAD_HEAD + KEYS_TAG_BYTES)) == NULL) {
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
        goto out;
    }
    memcpy(mem + hlen, VAULT_PAYLOAD_MAGIC "\0\0\0\0", VAULT_PAYLOAD_HEAD);
    if ((rc = vault_seal(&h, key, mem, VAULT_PAYLOAD_HEAD)) < 0)
        goto out;
    rc = file_write_new(path, mem, hlen + VAULT_PAYLOAD_HEAD + KEYS_TAG_BYTES, 0600);
out:
    if (mem != NULL)
        keys_free(mem);
    if (key != NULL)
        keys_free(key);
    if (kf != NULL)
        keys_free(kf);
    return rc;
}
