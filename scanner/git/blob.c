/* blob: each blob is inflated once by libgit2 and scanned in place by the detector, after the
 * rules scanner --path applies to files (size limit, NUL byte in the first 8 KiB = binary) and
 * one of its own: Git LFS pointer files are not secrets. Hits go to the secret table. */
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

#define LFS_PREFIX    "version https://git-lfs.github.com/spec/"
#define LFS_MAX_BYTES 1024 /* the LFS spec keeps pointer files under this */

int
gs_is_lfs_pointer(const char *data, size_t len)
{
    return len < LFS_MAX_BYTES && len >= sizeof(LFS_PREFIX) - 1 &&
           memcmp(data, LFS_PREFIX, sizeof(LFS_PREFIX) - 1) == 0;
}

int
gs_hit_counts(const struct gs_hit *h, const char *path)
{
    /* Lock files are full of integrity hashes: only provider formats count there (as --path). */
    return !(h->is_generic && detect_path_is_lockfile(path));
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 0;
}

/* A secret is its rule and its keyed fingerprint; the key folds both into 20 bytes. */
static void
secret_key(const struct detect_hit *hit, unsigned char key[20])
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const char *p = hit->rule->id; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (int i = 0; i < 20; i++) {
        key[i] = (unsigned char)(hexval(hit->fingerprint[2 * i]) << 4 |
                                 hexval(hit->fingerprint[2 * i + 1]));
        key[i] ^= (unsigned char)(h >> (8 * (i % 8)));
    }
    key[19] |= 1; /* never the all-zero key the map reserves */
}

int
gs_secret_hit(struct gs *g, const struct detect_hit *hit)
{
    unsigned char key[20];
    int32_t si;
    int rc;

    secret_key(hit, key);
    if (!gs_map_get(&g->secret_map, key, &si)) {
        struct gs_secret *s;
        if (g->nsecrets >= INT32_MAX)
            return err_set(ERR_LIMIT, "too many distinct secrets");
        rc = gs_grow((void **)&g->secrets, &g->capsecrets, g->nsecrets, sizeof(*g->secrets));
        if (rc < 0)
            return rc;
        s = &g->secrets[g->nsecrets];
        memset(s, 0, sizeof(*s));
        s->hit = *hit;
        s->hit.secret = NULL;
        s->intro = s->counted_at = s->removed_in = -1;
        /* --show-secrets is the explicit flag that keeps the value for the report. */
        if (g->o->show_secrets) {
            s->value = strndup(hit->secret, hit->secret_end - hit->secret_start);
            if (s->value == NULL)
                return err_set(ERR_NOMEM, "out of memory");
        }
        si = (int32_t)g->nsecrets++;
        rc = gs_map_put(&g->secret_map, key, si);
        if (rc < 0)
            return rc;
    }
    rc = gs_grow((void **)&g->hits, &g->caphits, g->nhits, sizeof(*g->hits));
    if (rc < 0)
        return rc;
    g->hits[g->nhits++] = (struct gs_hit){(uint32_t)si, hit->line, hit->column, hit->is_generic};
    return 0;
}

static int
on_hit(const struct detect_hit *hit, void *user)
{
    return gs_secret_hit(user, hit);
}

int
gs_blob_finish(struct gs *g, const git_oid *id, size_t first, int32_t *out)
{
    int rc;

    *out = -1;
    if (g->nhits > first) {
        if (g->nblobs >= INT32_MAX)
            return err_set(ERR_LIMIT, "too many blobs with secrets");
        rc = gs_grow((void **)&g->blobs, &g->capblobs, g->nblobs, sizeof(*g->blobs));
        if (rc < 0)
            return rc;
        g->blobs[g->nblobs] = (struct gs_blob){(uint32_t)first, (uint32_t)(g->nhits - first)};
        *out = (int32_t)g->nblobs++;
    }
    return gs_map_put(&g->blob_map, id->id, *out);
}

/* The skip rules shared by blobs and working-tree files: 1 = skip (counted), 0 = scan. */
static int
skipped(struct gs *g, const char *data, size_t len)
{
    if (detect_content_is_binary(data, len)) {
        g->skipped_binary++;
        return 1;
    }
    if (gs_is_lfs_pointer(data, len)) {
        g->skipped_lfs++;
        return 1;
    }
    return 0;
}

int
gs_blob_scan(struct gs *g, const git_oid *id, const char *path, int32_t *out)
{
    git_odb_object *obj = NULL;
    git_object_t type;
    size_t len, first = g->nhits;
    char hex[GIT_OID_HEXSZ + 1];
    int rc;

    if (gs_map_get(&g->blob_map, id->id, out))
        return 0;
    *out = -1;
    git_oid_tostr(hex, sizeof(hex), id);
    /* The header gives the size without inflating: huge blobs are never read. */
    rc = git_odb_read_header(&len, &type, g->odb, id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s)", hex, path);
    if (type != GIT_OBJECT_BLOB)
        return err_set(ERR_PARSE, "object %s (%s): a %s where the tree says a file", hex, path,
                       git_object_type2string(type));
    if (len > (size_t)g->max_size) {
        diag_note("%s (blob %.12s): skipped, %zu bytes is over --max-file-size %ld", path, hex,
                  len, g->max_size);
        g->skipped_big++;
        return gs_map_put(&g->blob_map, id->id, -1);
    }
    rc = git_odb_read(&obj, g->odb, id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s)", hex, path);
    {
        const char *data = git_odb_object_data(obj);
        size_t n = git_odb_object_size(obj);
        if (!skipped(g, data, n)) {
            g->scanned_blobs++;
            g->scanned_bytes += n;
            rc = detect_scan(g->engine, data, n, on_hit, g);
        }
    }
    git_odb_object_free(obj);
    if (rc < 0)
        return rc;
    return gs_blob_finish(g, id, first, out);
}

struct direct {
    struct gs *g;
    struct findings *f;
    const char *path, *what;
};

static int
on_direct_hit(const struct detect_hit *hit, void *user)
{
    struct direct *d = user;
    struct location loc;
    struct buf msg = {0};
    int rc;

    if (hit->is_generic && detect_path_is_lockfile(d->path))
        return 0;
    memset(&loc, 0, sizeof(loc));
    loc.path = d->path;
    loc.line = hit->line;
    loc.column = hit->column;
    loc.layer_index = -1;
    rc = buf_printf(&msg, "%s", d->what);
    if (rc == 0 && d->g->o->show_secrets)
        rc = buf_printf(&msg, ", value '%.*s'", (int)(hit->secret_end - hit->secret_start),
                        hit->secret);
    if (rc == 0)
        rc = detect_add_finding(d->f, hit, &loc, msg.data);
    buf_free(&msg);
    return rc < 0 ? rc : 0;
}

int
gs_scan_buffer(struct gs *g, const char *data, size_t len, const char *path, const char *what,
               struct findings *f)
{
    struct direct d = {g, f, path, what};

    if (skipped(g, data, len))
        return 0;
    g->scanned_blobs++;
    g->scanned_bytes += len;
    return detect_scan(g->engine, data, len, on_direct_hit, &d);
}
