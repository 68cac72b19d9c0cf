/* db: an offline OSV database (a directory of record files and OSV's per-ecosystem all.zip
 * archives) read one record at a time and matched against an image's packages, through the
 * index (db_index.c) when one can be used. Only the matches are kept, so memory does not grow
 * with the database. */
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packages.h"
#include "packages_internal.h"


struct reader {
    const struct pkg_list *pkgs;
    struct osv_want *want; /* one per package; eco "" when it cannot be matched */
    struct pkg_matches *out;
    struct osv_db_stats *st;
};

void
pkg_matches_free(struct pkg_matches *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].id);
        free(m->v[i].aliases);
        free(m->v[i].summary);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

/* Whether the comma-separated `list` (NULL: empty) holds `id` as one of its items. */
static int
list_has(const char *list, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = list; p != NULL && (p = strstr(p, id)) != NULL; p++)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static int
already(const struct pkg_matches *m, size_t pkg, const char *id, const cJSON *aliases)
{
    const cJSON *a;
    for (size_t i = 0; i < m->n; i++) {
        if (m->v[i].pkg != pkg)
            continue;
        if (strcmp(m->v[i].id, id) == 0)
            return 1;
        /* the same vulnerability under another id (a DSA and its DEBIAN-CVE, a GHSA and its
         * PYSEC): one finding */
        cJSON_ArrayForEach(a, aliases) {
            if (cJSON_IsString(a) && strcmp(m->v[i].id, a->valuestring) == 0)
                return 1;
        }
        if (m->v[i].aliases != NULL && list_has(m->v[i].aliases, id))
            return 1;
    }
    return 0;
}

/* Appends ",item" (or "item" first) to `b`, keeping it NUL-terminated. */
static int
list_append(struct buf *b, const char *item)
{
    if ((b->len > 0 && buf_append(b, ",", 1) < 0) || buf_append(b, item, strlen(item) + 1) < 0)
        return -1;
    b->len--; /* the NUL stays after the text */
    return 0;
}

/* The record's other names for the report: `aliases`, then `upstream` (the CVE ids a Debian or
 * Ubuntu advisory is about), each once, without the record's own id. NULL when none. */
static char *
join_aliases(const cJSON *rec, const char *id)
{
    static const char *const keys[] = {"aliases", "upstream"};
    struct buf b = {0};

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const cJSON *a, *list = cJSON_GetObjectItemCaseSensitive(rec, keys[k]);
        cJSON_ArrayForEach(a, list) {
            const char *v = cJSON_IsString(a) ? a->valuestring : NULL;
            if (v == NULL || v[0] == '\0' || strlen(v) > 64 || strcmp(v, id) == 0 ||
                list_has(b.data, v))
                continue;
            if (list_append(&b, v) < 0) {
                buf_free(&b);
                return NULL;
            }
        }
    }
    if (b.len == 0)
        buf_free(&b);
    return b.data;
}

/* Record `rec` (with its string id) evaluated for package i; a match appended when it affects
 * it and is not already reported under this id or an alias. */
int
osv_db_consider(const cJSON *rec, const struct pkg_list *pkgs, size_t i, const char *eco,
                const char *name, struct pkg_matches *out)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
    const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(rec, "aliases");
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(rec, "summary");
    struct osv_verdict v;
    struct pkg_match *m;

    if (!cJSON_IsString(id) || osv_evaluate(rec, eco, name, pkgs->v[i].version, &v) < 0 ||
        !v.affected || already(out, i, id->valuestring, aliases))
        return 0;
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        struct pkg_match *nv = realloc(out->v, cap * sizeof(*nv));
        if (nv == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        out->v = nv;
        out->cap = cap;
    }
    m = &out->v[out->n];
    memset(m, 0, sizeof(*m));
    m->pkg = i;
    m->id = strdup(id->valuestring);
    m->aliases = join_aliases(rec, id->valuestring);
    if (cJSON_IsString(summary) && strlen(summary->valuestring) < OSV_MAX_SUMMARY)
        m->summary = strdup(summary->valuestring);
    if (m->id == NULL) {
        free(m->aliases);
        free(m->summary);
        return err_set(ERR_NOMEM, "out of memory");
    }
    (void)str_format(m->fixed, sizeof(m->fixed), "%s", v.fixed);
    (void)str_format(m->ecosystem, sizeof(m->ecosystem), "%s", eco);
    m->severity = osv_severity(rec, &m->score);
    out->n++;
    return 0;
}

/* One record's text: parse, and evaluate it for every package it could name. */
static int
on_record(void *ctx, const char *text, size_t len)
{
    struct reader *r = ctx;
    cJSON *rec = cJSON_ParseWithLength(text, len);
    const cJSON *aff, *a;
    int rc = 0;

    if (rec == NULL || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, "id"))) {
        r->st->skipped++;
        cJSON_Delete(rec);
        return 0;
    }
    aff = cJSON_GetObjectItemCaseSensitive(rec, "affected");
    for (size_t i = 0; i < r->pkgs->n && rc == 0; i++) {
        int named = 0;
        if (r->want[i].eco[0] == '\0')
            continue;
        /* cheap test first: does any affected entry name this package at all? */
        cJSON_ArrayForEach(a, aff) {
            const cJSON *pk = cJSON_GetObjectItemCaseSensitive(a, "package");
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(pk, "name");
            if (cJSON_IsString(nm) && strcasecmp(nm->valuestring, r->want[i].name) == 0)
                named = 1;
            else if (cJSON_IsString(nm) && strcmp(r->want[i].eco, "PyPI") == 0) {
                char norm[256];
                pkg_pypi_normalize(nm->valuestring, norm, sizeof(norm));
                named = named || strcmp(norm, r->want[i].name) == 0;
            }
        }
        if (named)
            rc = osv_db_consider(rec, r->pkgs, i, r->want[i].eco, r->want[i].name, r->out);
    }
    cJSON_Delete(rec);
    return rc;
}

/* One record's text (NULL: one too large to keep) handed to the walk's reader, counted. */
static int
deliver(struct osv_walk *w, const char *text, size_t len)
{
    w->st->records++;
    if (w->st->records > OSV_MAX_RECORDS)
        return err_set(ERR_LIMIT, "more than %d records in the database", OSV_MAX_RECORDS);
    if (text == NULL) {
        w->st->skipped++;
        return 0;
    }
    return w->on_record(w->ctx, text, len);
}

static int
read_zip(struct osv_walk *w, const char *path, int fd)
{
    struct archive *a;
    struct archive_entry *ent;
    int rc, ar;
    char chunk[65536];

    if ((rc = db_zip_load()) < 0)
        return rc;
    if ((a = archive_read_new()) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    archive_read_support_format_zip(a);
    if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        rc = err_set(ERR_PARSE, "%s: not a readable zip archive: %s", path,
                     archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    while ((ar = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(ent);
        size_t nl = name != NULL ? strlen(name) : 0;
        la_ssize_t n;
        int too_big = 0;
        if (archive_entry_filetype(ent) != AE_IFREG || nl < 5 || strcmp(name + nl - 5, ".json") != 0)
            continue;
        w->rec.len = 0;
        /* read in chunks so a forged size or a zip bomb cannot make us allocate it all */
        while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
            if (w->rec.len + (size_t)n > OSV_MAX_RECORD) {
                too_big = 1;
                continue; /* drain the entry without keeping it */
            }
            if (buf_append(&w->rec, chunk, (size_t)n) < 0) {
                archive_read_free(a);
                return err_set(ERR_NOMEM, "out of memory");
            }
        }
        if (n < 0) {
            rc = err_set(ERR_PARSE, "%s: %s: %s", path, name, archive_error_string(a));
            archive_read_free(a);
            return rc;
        }
        rc = too_big ? deliver(w, NULL, 0)
                     : deliver(w, w->rec.data != NULL ? w->rec.data : "", w->rec.len);
        if (rc < 0) {
            archive_read_free(a);
            return rc;
        }
    }
    if (ar != ARCHIVE_EOF) {
        rc = err_set(ERR_PARSE, "%s: damaged zip archive: %s", path, archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    archive_read_free(a);
    return 0;
}

static int
walk(struct osv_walk *w, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (depth > OSV_DB_MAX_DEPTH)
        return 0;
    if ((d = opendir(dir)) == NULL)
        return err_set_errno(depth == 0 ? ERR_NOTFOUND : ERR_IO, "%s", dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        size_t nl = strlen(e->d_name);
        int fd;
        if (e->d_name[0] == '.')
            continue; /* also the index and its temporary files */
        if (str_format(path, sizeof(path), "%s/%s", dir, e->d_name) < 0)
            continue;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &sb) < 0) {
            if (fd >= 0)
                close(fd);
            continue; /* a symlink or vanished file: not followed */
        }
        if (S_ISDIR(sb.st_mode)) {
            close(fd);
            rc = walk(w, path, depth + 1);
            continue;
        }
        if (S_ISREG(sb.st_mode) && (long long)sb.st_mtime > w->st->newest)
            w->st->newest = (long long)sb.st_mtime;
        if (S_ISREG(sb.st_mode) && nl > 4 && strcmp(e->d_name + nl - 4, ".zip") == 0) {
            rc = read_zip(w, path, fd);
        } else if (S_ISREG(sb.st_mode) && nl > 5 && strcmp(e->d_name + nl - 5, ".json") == 0) {
            if ((size_t)sb.st_size > OSV_MAX_RECORD) {
                rc = deliver(w, NULL, 0);
            } else {
                struct buf b = {0};
                ssize_t n;
                char chunk[65536];
                while ((n = read(fd, chunk, sizeof(chunk))) > 0 && b.len <= OSV_MAX_RECORD)
                    if (buf_append(&b, chunk, (size_t)n) < 0)
                        break;
                rc = deliver(w, b.data != NULL ? b.data : "", b.len);
                buf_free(&b);
            }
        }
        close(fd);
    }
    closedir(d);
    return rc;
}

int
osv_db_walk(const char *dir, struct osv_walk *w)
{
    int rc;

    memset(w->st, 0, sizeof(*w->st));
    memset(&w->rec, 0, sizeof(w->rec));
    rc = walk(w, dir, 0);
    if (rc == 0 && w->st->records == 0)
        rc = err_set(ERR_NOTFOUND, "%s holds no OSV record (*.json or all.zip)", dir);
    buf_free(&w->rec);
    return rc;
}

/* The ecosystem and the name OSV records use for each package ("" when it cannot be matched). */
static struct osv_want *
wanted_of(const struct pkg_list *pkgs, const char *os_id, const char *os_version)
{
    struct osv_want *want = calloc(pkgs->n ? pkgs->n : 1, sizeof(*want));

    if (want == NULL)
        return NULL;
    for (size_t i = 0; i < pkgs->n; i++) {
        const struct pkg *p = &pkgs->v[i];
        const char *name = p->source != NULL && (p->kind == PKG_DEB || p->kind == PKG_APK)
                               ? p->source
                               : p->name;
        if (pkg_ecosystem(p, os_id, os_version, want[i].eco, sizeof(want[i].eco)) < 0) {
            want[i].eco[0] = '\0';
            continue;
        }
        if (p->kind == PKG_PYPI)
            pkg_pypi_normalize(name, want[i].name, sizeof(want[i].name));
        else
            (void)str_format(want[i].name, sizeof(want[i].name), "%s", name);
    }
    return want;
}

int
osv_db_match(const char *dir, const struct pkg_list *pkgs, const char *os_id,
             const char *os_version, struct pkg_matches *out, struct osv_db_stats *st)
{
    struct reader r = {pkgs, NULL, out, st};
    struct osv_walk w;
    struct osv_index *ix = NULL;
    const char *no_index = getenv("SCANNER_OSV_NO_INDEX");
    int rc = 0;

    memset(st, 0, sizeof(*st));
    if ((r.want = wanted_of(pkgs, os_id, os_version)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    /* twice at most: an index found damaged while read is removed and built again */
    for (int tries = 0; tries < 2 && (no_index == NULL || *no_index == '\0' ||
                                      strcmp(no_index, "0") == 0); tries++) {
        /* < 0: the database itself is unreadable; 0 with ix NULL: read it without an index */
        if ((rc = osv_index_get(dir, &ix, st)) < 0 || ix == NULL)
            break;
        rc = osv_index_match(ix, pkgs, r.want, out);
        osv_index_close(ix);
        ix = NULL;
        if (rc <= 0)
            goto out;
        rc = 0;
    }
    if (rc < 0)
        goto out;
    memset(&w, 0, sizeof(w));
    w.on_record = on_record;
    w.ctx = &r;
    w.st = st;
    rc = osv_db_walk(dir, &w);
out:
    free(r.want);
    return rc;
}
