/* layer_walk: reads one layer blob (plain tar, gzip or zstd, sniffed by libarchive from the
 * magic bytes) as a stream, never writing to disk, and records each entry and file finding. */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "image_internal.h"

#define WALK_CHUNK (256u << 10)

struct walk_src {
    img_read_fn fn;
    void *user;
    uint64_t bytes_in;
    int failed; /* the source's own error, already recorded */
};

static la_ssize_t
walk_read(struct archive *a, void *user, const void **buf)
{
    struct walk_src *s = user;
    ssize_t n = s->fn(s->user, buf);

    (void)a;
    if (n < 0) {
        s->failed = (int)n;
        return -1;
    }
    s->bytes_in += (uint64_t)n;
    return n;
}

int
layer_clean_path(const char *in, char *out, size_t outsz)
{
    size_t o = 0, depth = 0, starts[IMG_MAX_DEPTH + 1];
    const char *p = in;

    if (strlen(in) >= IMG_MAX_PATH)
        return err_set(ERR_LIMIT, "path longer than %d bytes", IMG_MAX_PATH);
    while (*p != '\0') {
        const char *q = p;
        size_t n;
        while (*q != '\0' && *q != '/')
            q++;
        n = (size_t)(q - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* empty or '.' component */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (depth == 0)
                return err_set(ERR_UNSAFE, "path '%.200s' escapes the image root with '..'", in);
            depth--;
            o = starts[depth];
        } else {
            if (depth >= IMG_MAX_DEPTH)
                return err_set(ERR_LIMIT, "path '%.200s…' deeper than %d components", in,
                               IMG_MAX_DEPTH);
            starts[depth++] = o; /* where its '/' goes, so '..' trims that too */
            if (o > 0)
                out[o++] = '/';
            if (o + n + 1 > outsz)
                return err_set(ERR_LIMIT, "path longer than %zu bytes", outsz);
            memcpy(out + o, p, n);
            o += n;
        }
        p = *q == '/' ? q + 1 : q;
    }
    out[o] = '\0';
    return 0;
}

static int
add_entry(struct img_ctx *c, struct img_layer *l, const char *path, uint32_t mode, uint8_t wh,
          int64_t size)
{
    char key[IMG_MAX_PATH + 2];
    struct img_entry *e;

    if (c->total_entries >= IMG_MAX_ENTRIES)
        return err_set(ERR_LIMIT, "%s: more than %d entries over all layers", c->source,
                       IMG_MAX_ENTRIES);
    if (l->nentries == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        e = realloc(l->entries, cap * sizeof(*e));
        if (e == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        l->entries = e;
        l->cap = cap;
    }
    e = &l->entries[l->nentries];
    e->path = strdup(path);
    if (e->path == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    e->mode = mode;
    e->wh = wh;
    e->size = size;
    /* Whiteouts are indexed apart from files: "\x01path" deletes, "\x02dir" is opaque. */
    if (wh == IMG_WH_NONE)
        snprintf(key, sizeof(key), "%s", path);
    else
        snprintf(key, sizeof(key), "%c%s", wh == IMG_WH_FILE ? 1 : 2, path);
    if (img_map_put(&l->index, key, l->nentries) < 0) {
        free(e->path);
        return ERR_NOMEM;
    }
    l->nentries++;
    c->total_entries++;
    return 0;
}

static int
check_bomb(struct img_ctx *c, struct img_layer *l, struct archive *a, const struct walk_src *s)
{
    uint64_t out = (uint64_t)archive_filter_bytes(a, 0);

    l->bytes_in = s->bytes_in;
    l->bytes_out = out;
    if (out > IMG_BOMB_MIN && out / (s->bytes_in ? s->bytes_in : 1) > IMG_BOMB_RATIO)
        return err_set(ERR_LIMIT,
                       "%s: layer %.80s inflates more than %d:1 (%llu bytes from %llu): a "
                       "decompression bomb? Refusing to read further",
                       c->source, l->key, IMG_BOMB_RATIO, (unsigned long long)out,
                       (unsigned long long)s->bytes_in);
    return 0;
}

static int
read_error(struct img_ctx *c, struct img_layer *l, struct archive *a, const struct walk_src *s)
{
    if (s->failed < 0)
        return s->failed;
    return err_set(ERR_PARSE, "%s: layer %.80s: %s (truncated or corrupt archive)", c->source,
                   l->key, archive_error_string(a) ? archive_error_string(a) : "read error");
}

/* Reads the file's bytes into c->filebuf up to the cap; the rest is read and dropped so the
 * bomb check sees it. */
static int
read_content(struct img_ctx *c, struct img_layer *l, struct archive *a, struct walk_src *s,
             struct pkg_stream *ps, int *truncated)
{
    char chunk[64 << 10];
    uint64_t since = 0;
    la_ssize_t n;
    int rc;

    c->filebuf.len = 0;
    *truncated = 0;
    for (;;) {
        n = archive_read_data(a, chunk, sizeof(chunk));
        if (n == 0)
            break;
        if (n < 0)
            return read_error(c, l, a, s);
        pkg_stream_feed(ps, chunk, (size_t)n);
        if (c->filebuf.len + (size_t)n <= (size_t)c->filecap) {
            if (buf_append(&c->filebuf, chunk, (size_t)n) < 0)
                return err_set(ERR_NOMEM, "out of memory");
        } else {
            *truncated = 1;
        }
        since += (uint64_t)n;
        if (since >= (16u << 20)) {
            since = 0;
            if ((rc = check_bomb(c, l, a, s)) < 0)
                return rc;
        }
    }
    if (c->filebuf.data == NULL && buf_append(&c->filebuf, "", 0) < 0)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static int
capture_slot(const char *path)
{
    if (strcmp(path, "etc/passwd") == 0)
        return IMG_CAP_PASSWD;
    if (strcmp(path, "etc/shadow") == 0)
        return IMG_CAP_SHADOW;
    if (strcmp(path, "etc/os-release") == 0 || strcmp(path, "usr/lib/os-release") == 0)
        return IMG_CAP_OSRELEASE;
    return -1;
}

/* ---- Irregular entries ---------------------------------------------------------------------- */

static void
irregular(struct img_layer *l, enum img_irr kind, const char *path, const char *what,
          const char *target)
{
    struct img_irregular *r = &l->irr;

    if (r->n[kind]++ == 0)
        snprintf(r->first[kind], sizeof(r->first[kind]), "'%.80s'%s%.80s%s", what,
                 target != NULL ? " -> '" : "", target != NULL ? target : "",
                 target != NULL ? "'" : "");
    if (r->path[0] == '\0')
        snprintf(r->path, sizeof(r->path), "%s", path);
}

/* 1 when relative symlink `target`, read from the directory of `link`, climbs above the root. */
static int
link_escapes(const char *link, const char *target)
{
    long depth = 0;
    const char *p;

    for (p = link; *p != '\0'; p++) /* components of the link's directory */
        depth += *p == '/';
    for (p = target; *p != '\0';) {
        const char *q = strchr(p, '/');
        size_t n = q != NULL ? (size_t)(q - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return 1;
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n + (q != NULL);
    }
    return 0;
}

/* Absolute names, symlinks that point out of the image, hard links to a file the layer does not
 * have (before this entry is added: a link to itself is missing too). */
static void
note_irregular(struct img_layer *l, struct archive_entry *ent, const char *raw, const char *path,
               uint32_t mode)
{
    const char *t;
    char clean[IMG_MAX_PATH];

    if (raw[0] == '/')
        irregular(l, IMG_IRR_ABSOLUTE, path, raw, NULL);
    if ((mode & AE_IFMT) == AE_IFLNK && (t = archive_entry_symlink(ent)) != NULL && t[0] != '/' &&
        link_escapes(path, t))
        irregular(l, IMG_IRR_SYMLINK_OUT, path, path, t);
    if ((t = archive_entry_hardlink(ent)) != NULL &&
        (layer_clean_path(t, clean, sizeof(clean)) < 0 || !img_map_get(&l->index, clean, NULL)))
        irregular(l, IMG_IRR_HARDLINK_MISSING, path, path, t);
}

/* One info finding per layer that had irregular entries, counting each kind. */
static int
report_irregular(struct img_ctx *c, struct img_layer *l)
{
    static const char *const what[IMG_IRR_N] = {
        "absolute path", "symlink pointing outside the image", "hard link to a file not in the layer"};
    const struct img_irregular *r = &l->irr;
    struct buf b = {0};
    int rc = 0;

    if (r->n[0] + r->n[1] + r->n[2] == 0)
        return 0;
    for (int k = 0; k < IMG_IRR_N && rc >= 0; k++)
        if (r->n[k] > 0)
            rc = buf_printf(&b, "%s%u %s%s (first %s)", b.len ? ", " : "", r->n[k], what[k],
                            r->n[k] == 1 ? "" : "s", r->first[k]);
    if (rc >= 0)
        rc = layer_add_pending(c, l, &img_rule_irregular, r->path, 0, 0, 0, NULL,
                               "the layer archive is irregular: %s; nothing is extracted here, "
                               "but tar would warn about or refuse these entries",
                               b.data);
    buf_free(&b);
    return rc;
}

static int
walk_entry(struct img_ctx *c, struct img_layer *l, struct archive *a, struct walk_src *s,
           struct archive_entry *ent)
{
    char path[IMG_MAX_PATH];
    const char *name = archive_entry_pathname(ent), *base;
    uint32_t mode = (uint32_t)archive_entry_mode(ent);
    struct pkg_stream *ps;
    int rc, truncated = 0;

    if (name == NULL)
        return err_set(ERR_PARSE, "%s: layer %.80s: entry without a name", c->source, l->key);
    if ((rc = layer_clean_path(name, path, sizeof(path))) < 0)
        return img_err_wrap(rc, "%s: layer %.80s", c->source, l->key);
    if (path[0] == '\0')
        return 0; /* the root itself */
    note_irregular(l, ent, name, path, mode);
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (strncmp(base, ".wh.", 4) == 0) {
        char target[IMG_MAX_PATH];
        size_t dirlen = (size_t)(base - path);
        if (strcmp(base, ".wh..wh..opq") == 0) {
            snprintf(target, sizeof(target), "%.*s", dirlen ? (int)dirlen - 1 : 0, path);
            return add_entry(c, l, target, mode, IMG_WH_OPAQUE, 0);
        }
        if (base[4] == '\0' || strncmp(base, ".wh..wh.", 8) == 0)
            return 0; /* ".wh." alone is invalid; other .wh..wh. names are aufs metadata */
        snprintf(target, sizeof(target), "%.*s%s", (int)dirlen, path, base + 4);
        return add_entry(c, l, target, mode, IMG_WH_FILE, 0);
    }
    if ((rc = add_entry(c, l, path, mode, IMG_WH_NONE, archive_entry_size(ent))) < 0)
        return rc;
    if (AE_IFDIR == (mode & AE_IFMT) && strcmp(base, ".git") == 0)
        return layer_add_pending(c, l, &img_rule_git_dir, path, 0, 0, 0, NULL,
                                 ".git directory %s in the image", path);
    if ((mode & AE_IFMT) != AE_IFREG || archive_entry_hardlink(ent) != NULL)
        return 0;
    /* the rpmdb and executables (Go build info) are read as they stream by, whatever their
     * size; every other package database is small and parsed from the buffer below */
    ps = pkg_stream_open(path, mode);
    if ((rc = read_content(c, l, a, s, ps, &truncated)) < 0) {
        (void)pkg_stream_close(ps, NULL, NULL, 0);
        return rc;
    }
    if (ps != NULL) {
        char warn[512];
        if ((rc = pkg_stream_close(ps, &l->pkgs, warn, sizeof(warn))) < 0)
            return rc;
        if (warn[0] != '\0')
            diag_warn("%s: layer %.80s: %s", c->source, l->key, warn);
    }
    int slot = capture_slot(path);
    if (slot >= 0) {
        l->capture[slot].len = 0;
        l->has_capture[slot] = 1;
        if (buf_append(&l->capture[slot], c->filebuf.data,
                       c->filebuf.len < IMG_MAX_CAPTURE ? c->filebuf.len : IMG_MAX_CAPTURE) < 0)
            return err_set(ERR_NOMEM, "out of memory");
    }
    if (pkg_inventory_wants(path) &&
        (rc = pkg_inventory_parse(path, c->filebuf.data, c->filebuf.len, &l->pkgs)) < 0)
        return rc;
    return layer_check_file(c, l, path, mode, c->filebuf.data, c->filebuf.len, truncated);
}

int
layer_walk(struct img_ctx *c, const char *key, img_read_fn read_fn, void *user)
{
    struct walk_src src = {read_fn, user, 0, 0};
    struct img_layer *l;
    struct archive *a;
    struct archive_entry *ent;
    int rc = 0, r;

    if (c->nlayers >= IMG_MAX_LAYERS)
        return err_set(ERR_LIMIT, "%s: more than %d layers", c->source, IMG_MAX_LAYERS);
    if (c->nlayers == c->lcap) {
        size_t cap = c->lcap ? c->lcap * 2 : 8;
        struct img_layer **ls = realloc(c->layers, cap * sizeof(*ls));
        if (ls == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->layers = ls;
        c->lcap = cap;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL || (l->key = strdup(key)) == NULL) {
        free(l);
        return err_set(ERR_NOMEM, "out of memory");
    }
    c->layers[c->nlayers++] = l;

    if ((rc = image_archive_load()) < 0)
        return rc;
    a = archive_read_new();
    if (a == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_empty(a);
    if (archive_read_open(a, &src, NULL, walk_read, NULL) != ARCHIVE_OK) {
        rc = read_error(c, l, a, &src);
        goto out;
    }
    for (;;) {
        r = archive_read_next_header(a, &ent);
        if (r == ARCHIVE_EOF)
            break;
        /* RETRY means a damaged header that libarchive would skip past: entries would be
         * lost without a word, so it is an error here. */
        if (r == ARCHIVE_RETRY || r < ARCHIVE_WARN) {
            rc = read_error(c, l, a, &src);
            goto out;
        }
        if ((rc = walk_entry(c, l, a, &src, ent)) < 0)
            goto out;
        if ((rc = check_bomb(c, l, a, &src)) < 0)
            goto out;
    }
    rc = check_bomb(c, l, a, &src);
    if (rc == 0)
        rc = report_irregular(c, l);
out:
    archive_read_free(a);
    return rc;
}
