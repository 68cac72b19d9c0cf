/* image_archive: reads a docker-archive (docker save, before and since Docker 25) or an
 * oci-archive tarball in one pass: small JSON documents are kept, every layer blob is walked as
 * it streams by, and the manifest decides the layers' order afterwards (image_resolve.c). */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "image_internal.h"

#define OUTER_CHUNK (256u << 10)

struct outer_src {
    struct img_ctx *c;
    struct archive *a;
    const char *name;
    char *buf;
    size_t prefix_len; /* bytes already in buf, handed out first */
    int prefix_done;
    struct img_hash hash; /* of every byte handed out */
};

static ssize_t
outer_read(void *user, const void **out)
{
    struct outer_src *o = user;
    la_ssize_t n;

    if (!o->prefix_done) {
        o->prefix_done = 1;
        if (o->prefix_len > 0) {
            *out = o->buf;
            img_hash_update(&o->hash, o->buf, o->prefix_len);
            return (ssize_t)o->prefix_len;
        }
    }
    n = archive_read_data(o->a, o->buf, OUTER_CHUNK);
    if (n < 0)
        return err_set(ERR_PARSE, "%s: %s: %s (truncated or corrupt archive)", o->c->source,
                       o->name, archive_error_string(o->a) ? archive_error_string(o->a) : "read error");
    *out = o->buf;
    img_hash_update(&o->hash, o->buf, (size_t)n);
    return n;
}

/* The rest of a member the walker did not need (padding after a layer's end), hashed too, then
 * the blob checked against its name and descriptor. */
static int
outer_finish(struct outer_src *o)
{
    const void *p;
    ssize_t n;

    while ((n = outer_read(o, &p)) > 0)
        ;
    if (n < 0)
        return (int)n;
    return img_blob_done(o->c, o->name, &o->hash);
}

/* Fills `buf` with up to `want` bytes of the current entry. */
static la_ssize_t
read_some(struct archive *a, char *buf, size_t want)
{
    size_t got = 0;

    while (got < want) {
        la_ssize_t n = archive_read_data(a, buf + got, want - got);
        if (n < 0)
            return n;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (la_ssize_t)got;
}

static int
is_json_start(const char *b, size_t n)
{
    size_t i = 0;

    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        i++;
    if (i == n || (b[i] != '{' && b[i] != '['))
        return 0;
    /* A tar whose first member's name starts with '{' is still a tar. */
    return !(n >= 262 && memcmp(b + 257, "ustar", 5) == 0);
}

static int
keep_json_entry(struct img_ctx *c, struct archive *a, const char *name, char *buf, size_t have)
{
    struct buf doc = {0};
    int rc;

    if (buf_append(&doc, buf, have) < 0)
        return err_set(ERR_NOMEM, "out of memory");
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, OUTER_CHUNK);
        if (n < 0) {
            buf_free(&doc);
            return err_set(ERR_PARSE, "%s: %s: %s (truncated or corrupt archive)", c->source,
                           name, archive_error_string(a) ? archive_error_string(a) : "read error");
        }
        if (n == 0)
            break;
        if (doc.len + (size_t)n > IMG_MAX_JSON) {
            buf_free(&doc);
            return err_set(ERR_LIMIT, "%s: %s: JSON document over %u bytes", c->source, name,
                           IMG_MAX_JSON);
        }
        if (buf_append(&doc, buf, (size_t)n) < 0) {
            buf_free(&doc);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    struct img_hash h;
    img_hash_init(&h);
    img_hash_update(&h, doc.data != NULL ? doc.data : "", doc.len);
    rc = img_blob_done(c, name, &h);
    if (rc == 0)
        rc = img_ctx_keep_json(c, name, doc.data != NULL ? doc.data : "", doc.len);
    buf_free(&doc);
    return rc;
}

/* Layer blobs are gzip, zstd (by magic) or a plain tar ("ustar" at offset 257). */
static int
looks_like_layer(const char *b, size_t n)
{
    const unsigned char *u = (const unsigned char *)b;

    if (n >= 2 && u[0] == 0x1f && u[1] == 0x8b)
        return 1;
    if (n >= 4 && u[0] == 0x28 && u[1] == 0xb5 && u[2] == 0x2f && u[3] == 0xfd)
        return 1;
    return n >= 262 && memcmp(b + 257, "ustar", 5) == 0;
}

/* Legacy docker save dedupes layers with symlinks (`<id>/layer.tar -> ../<id2>/layer.tar`). */
static int
keep_alias(struct img_ctx *c, const char *name, const char *target)
{
    char joined[IMG_MAX_PATH * 2], clean[IMG_MAX_PATH];
    const char *slash = strrchr(name, '/');
    int rc;

    if (target == NULL || target[0] == '/')
        return 0; /* absolute targets point outside the archive: never followed */
    if (str_format(joined, sizeof(joined), "%.*s%s", slash ? (int)(slash - name + 1) : 0, name,
                   target) < 0)
        return 0;
    if ((rc = layer_clean_path(joined, clean, sizeof(clean))) < 0)
        return img_err_wrap(rc, "%s: %s: link", c->source, name);
    return img_alias_add(c, name, clean);
}

static int
outer_entry(struct img_ctx *c, struct archive *a, struct archive_entry *ent, char *buf)
{
    char name[IMG_MAX_PATH];
    const char *raw = archive_entry_pathname(ent);
    unsigned int type = archive_entry_filetype(ent);
    la_ssize_t n;
    int rc;

    if (raw == NULL)
        return err_set(ERR_PARSE, "%s: entry without a name", c->source);
    if ((rc = layer_clean_path(raw, name, sizeof(name))) < 0)
        return img_err_wrap(rc, "%s", c->source);
    if (type == AE_IFLNK)
        return keep_alias(c, name, archive_entry_symlink(ent));
    if (archive_entry_hardlink(ent) != NULL) {
        char target[IMG_MAX_PATH];
        if (layer_clean_path(archive_entry_hardlink(ent), target, sizeof(target)) < 0)
            return 0;
        return img_alias_add(c, name, target);
    }
    if (type != AE_IFREG)
        return 0;
    n = read_some(a, buf, 512);
    if (n < 0)
        return err_set(ERR_PARSE, "%s: %s: %s (truncated or corrupt archive)", c->source, name,
                       archive_error_string(a) ? archive_error_string(a) : "read error");
    if (n == 0)
        return 0;
    if (strcmp(name, "manifest.json") == 0 || strcmp(name, "index.json") == 0 ||
        strcmp(name, "repositories") == 0 || strcmp(name, "oci-layout") == 0 ||
        is_json_start(buf, (size_t)n))
        return keep_json_entry(c, a, name, buf, (size_t)n);
    struct outer_src src;
    memset(&src, 0, sizeof(src));
    src.c = c;
    src.a = a;
    src.name = name;
    src.buf = buf;
    src.prefix_len = (size_t)n;
    img_hash_init(&src.hash);
    if (!looks_like_layer(buf, (size_t)n)) {
        /* VERSION, legacy json...: tolerated, but a blob must still match its digest */
        if ((rc = outer_finish(&src)) < 0)
            return rc;
        return img_map_put(&c->unknown, name, 0);
    }
    if ((rc = layer_walk(c, name, outer_read, &src)) < 0)
        return rc;
    return outer_finish(&src);
}

int
image_read_archive_fd(struct img_ctx *c, int fd, const char *label)
{
    struct archive *a;
    struct archive_entry *ent;
    char *buf;
    size_t count = 0;
    int rc = 0, r;

    if ((rc = image_archive_load()) < 0)
        return rc;
    a = archive_read_new();
    buf = malloc(OUTER_CHUNK);
    if (a == NULL || buf == NULL) {
        if (a != NULL)
            archive_read_free(a);
        free(buf);
        return err_set(ERR_NOMEM, "out of memory");
    }
    /* `docker save | gzip` is common: the outer tar may be compressed too. */
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, OUTER_CHUNK) != ARCHIVE_OK) {
        rc = err_set(ERR_PARSE, "%s: not a tar archive: %s", label,
                     archive_error_string(a) ? archive_error_string(a) : "unknown format");
        goto out;
    }
    for (;;) {
        r = archive_read_next_header(a, &ent);
        if (r == ARCHIVE_EOF)
            break;
        /* RETRY means a damaged header that libarchive would skip past: entries would be
         * lost without a word, so it is an error here. */
        if (r == ARCHIVE_RETRY || r < ARCHIVE_WARN) {
            rc = err_set(ERR_PARSE, "%s: %s (truncated or corrupt archive)", label,
                         archive_error_string(a) ? archive_error_string(a) : "read error");
            goto out;
        }
        if (++count > IMG_MAX_OUTER) {
            rc = err_set(ERR_LIMIT, "%s: more than %d entries: not an image archive", label,
                         IMG_MAX_OUTER);
            goto out;
        }
        if ((rc = outer_entry(c, a, ent, buf)) < 0)
            goto out;
    }
    if (img_ctx_json(c, "manifest.json") == NULL && img_ctx_json(c, "index.json") == NULL)
        rc = err_set(ERR_PARSE,
                     "%s: neither manifest.json nor index.json: not a docker-archive or "
                     "oci-archive image",
                     label);
out:
    archive_read_free(a);
    free(buf);
    return rc;
}
