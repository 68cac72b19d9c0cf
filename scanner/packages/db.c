/* db: an offline OSV database (a directory of record files and OSV's per-ecosystem all.zip
 * archives) read one record at a time and matched against an image's packages. Only the
 * matches are kept, so memory does not grow with the database. */
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

#define MAX_DEPTH 4

/* The packages to look for, each with its OSV ecosystem and the name OSV uses for it. */
struct wanted {
    char eco[64];
    char name[256];
};

struct reader {
    const struct pkg_list *pkgs;
    struct wanted *want; /* one per package; eco "" when it cannot be matched */
    struct pkg_matches *out;
    struct osv_db_stats *st;
    struct buf rec;
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
        if (m->v[i].aliases != NULL) {
            const char *p = strstr(m->v[i].aliases, id);
            size_t n = strlen(id);
            if (p != NULL && (p == m->v[i].aliases || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                return 1;
        }
    }
    return 0;
}

static char *
join_aliases(const cJSON *aliases)
{
    struct buf b = {0};
    const cJSON *a;
    cJSON_ArrayForEach(a, aliases) {
        if (!cJSON_IsString(a) || strlen(a->valuestring) > 64)
            continue;
        if ((b.len > 0 && buf_append(&b, ",", 1) < 0) ||
            buf_append(&b, a->valuestring, strlen(a->valuestring)) < 0) {
            buf_free(&b);
            return NULL;
        }
    }
    if (b.len == 0 || buf_append(&b, "", 1) < 0) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* One record's text: parse, and evaluate it for every package it could name. */
static int
on_record(struct reader *r, const char *text, size_t len)
{
    cJSON *rec = cJSON_ParseWithLength(text, len);
    const cJSON *id, *aff, *a;
    int rc = 0;

    r->st->records++;
    if (rec == NULL || !cJSON_IsString(id = cJSON_GetObjectItemCaseSensitive(rec, "id"))) {
        r->st->skipped++;
        cJSON_Delete(rec);
        return 0;
    }
    aff = cJSON_GetObjectItemCaseSensitive(rec, "affected");
    for (size_t i = 0; i < r->pkgs->n && rc == 0; i++) {
        struct osv_verdict v;
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
        if (!named)
            continue;
        if (osv_evaluate(rec, r->want[i].eco, r->want[i].name, r->pkgs->v[i].version, &v) < 0 ||
            !v.affected)
            continue;
        {
            const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(rec, "aliases");
            const cJSON *summary = cJSON_GetObjectItemCaseSensitive(rec, "summary");
            struct pkg_match *m;
            if (already(r->out, i, id->valuestring, aliases))
                continue;
            if (r->out->n == r->out->cap) {
                size_t cap = r->out->cap ? r->out->cap * 2 : 32;
                struct pkg_match *nv = realloc(r->out->v, cap * sizeof(*nv));
                if (nv == NULL) {
                    rc = err_set(ERR_NOMEM, "out of memory");
                    break;
                }
                r->out->v = nv;
                r->out->cap = cap;
            }
            m = &r->out->v[r->out->n];
            memset(m, 0, sizeof(*m));
            m->pkg = i;
            m->id = strdup(id->valuestring);
            m->aliases = join_aliases(aliases);
            if (cJSON_IsString(summary) && strlen(summary->valuestring) < 512)
                m->summary = strdup(summary->valuestring);
            if (m->id == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            (void)str_format(m->fixed, sizeof(m->fixed), "%s", v.fixed);
            (void)str_format(m->ecosystem, sizeof(m->ecosystem), "%s", r->want[i].eco);
            m->severity = osv_severity(rec, &m->score);
            r->out->n++;
        }
    }
    cJSON_Delete(rec);
    if (r->st->records > OSV_MAX_RECORDS)
        return err_set(ERR_LIMIT, "more than %d records in the database", OSV_MAX_RECORDS);
    return rc;
}

static int
read_zip(struct reader *r, const char *path, int fd)
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
        r->rec.len = 0;
        /* read in chunks so a forged size or a zip bomb cannot make us allocate it all */
        while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
            if (r->rec.len + (size_t)n > OSV_MAX_RECORD) {
                too_big = 1;
                continue; /* drain the entry without keeping it */
            }
            if (buf_append(&r->rec, chunk, (size_t)n) < 0) {
                archive_read_free(a);
                return err_set(ERR_NOMEM, "out of memory");
            }
        }
        if (n < 0) {
            rc = err_set(ERR_PARSE, "%s: %s: %s", path, name, archive_error_string(a));
            archive_read_free(a);
            return rc;
        }
        if (too_big) {
            r->st->records++;
            r->st->skipped++;
            continue;
        }
        if ((rc = on_record(r, r->rec.data, r->rec.len)) < 0) {
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
walk(struct reader *r, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (depth > MAX_DEPTH)
        return 0;
    if ((d = opendir(dir)) == NULL)
        return err_set_errno(depth == 0 ? ERR_NOTFOUND : ERR_IO, "%s", dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        size_t nl = strlen(e->d_name);
        int fd;
        if (e->d_name[0] == '.')
            continue;
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
            rc = walk(r, path, depth + 1);
            continue;
        }
        if (S_ISREG(sb.st_mode) && (long long)sb.st_mtime > r->st->newest)
            r->st->newest = (long long)sb.st_mtime;
        if (S_ISREG(sb.st_mode) && nl > 4 && strcmp(e->d_name + nl - 4, ".zip") == 0) {
            rc = read_zip(r, path, fd);
        } else if (S_ISREG(sb.st_mode) && nl > 5 && strcmp(e->d_name + nl - 5, ".json") == 0) {
            if ((size_t)sb.st_size > OSV_MAX_RECORD) {
                r->st->records++;
                r->st->skipped++;
            } else {
                struct buf b = {0};
                ssize_t n;
                char chunk[65536];
                while ((n = read(fd, chunk, sizeof(chunk))) > 0 && b.len <= OSV_MAX_RECORD)
                    if (buf_append(&b, chunk, (size_t)n) < 0)
                        break;
                rc = on_record(r, b.data != NULL ? b.data : "", b.len);
                buf_free(&b);
            }
        }
        close(fd);
    }
    closedir(d);
    return rc;
}

int
osv_db_match(const char *dir, const struct pkg_list *pkgs, const char *os_id,
             const char *os_version, struct pkg_matches *out, struct osv_db_stats *st)
{
    struct reader r = {pkgs, NULL, out, st, {0}};
    int rc;

    memset(st, 0, sizeof(*st));
    r.want = calloc(pkgs->n ? pkgs->n : 1, sizeof(*r.want));
    if (r.want == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < pkgs->n; i++) {
        const struct pkg *p = &pkgs->v[i];
        const char *name;
        if (pkg_ecosystem(p, os_id, os_version, r.want[i].eco, sizeof(r.want[i].eco)) < 0) {
            r.want[i].eco[0] = '\0';
            continue;
        }
        name = pkg_osv_name(p, r.want[i].eco);
        if (p->kind == PKG_PYPI)
            pkg_pypi_normalize(name, r.want[i].name, sizeof(r.want[i].name));
        else
            (void)str_format(r.want[i].name, sizeof(r.want[i].name), "%s", name);
    }
    rc = walk(&r, dir, 0);
    if (rc == 0 && st->records == 0)
        rc = err_set(ERR_NOTFOUND, "%s holds no OSV record (*.json or all.zip)", dir);
    buf_free(&r.rec);
    free(r.want);
    return rc;
}
