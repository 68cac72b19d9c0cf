/* stream: the inventory's files that are read as they stream out of a layer, never held whole:
 * the sqlite rpmdb (copied into a private temp file for sqlite), the Berkeley DB and ndb rpmdbs
 * (recognised and reported as not read), and executables (the Go build info). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packages.h"
#include "packages_internal.h"

enum { S_SQLITE = 1, S_OLDDB, S_EXE };

struct pkg_stream {
    int kind;
    char *path;
    uint64_t pos;
    unsigned char first[100]; /* the file's first bytes: magic numbers, sqlite's header */
    int fd;                   /* the sqlite copy */
    char tmp[4096];
    int write_errno;
    int too_big;
    struct gobin_scan *go;
};

/* rpm keeps its database in one of these directories, under one of these names. */
static int
rpm_kind(const char *path)
{
    static const char *const dirs[] = {"var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"};

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        size_t n = strlen(dirs[i]);
        if (strncmp(path, dirs[i], n) != 0)
            continue;
        if (strcmp(path + n, "rpmdb.sqlite") == 0)
            return S_SQLITE;
        if (strcmp(path + n, "Packages") == 0 || strcmp(path + n, "Packages.db") == 0)
            return S_OLDDB;
    }
    return 0;
}

static int
temp_open(struct pkg_stream *s)
{
    const char *dir = getenv("TMPDIR");

    if (dir == NULL || dir[0] != '/' || strpbrk(dir, "?#%") != NULL)
        dir = "/tmp";
    if (str_format(s->tmp, sizeof(s->tmp), "%s/secrets-suite-rpmdb-XXXXXX", dir) < 0)
        return -1;
    /* mkostemp: O_EXCL and mode 0600, a name nobody else holds */
    s->fd = mkostemp(s->tmp, O_CLOEXEC);
    if (s->fd < 0) {
        s->write_errno = errno;
        s->tmp[0] = '\0';
        return -1;
    }
    return 0;
}

static void
temp_drop(struct pkg_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->tmp[0] != '\0')
        (void)unlink(s->tmp);
    s->tmp[0] = '\0';
}

struct pkg_stream *
pkg_stream_open(const char *path, unsigned mode)
{
    int kind = rpm_kind(path);
    struct pkg_stream *s;

    if (kind == 0 && (mode & 0111) != 0)
        kind = S_EXE;
    if (kind == 0)
        return NULL;
    if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        err_set(ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->fd = -1;
    if (kind == S_SQLITE)
        (void)temp_open(s);
    if (kind == S_EXE && (s->go = gobin_open()) == NULL) {
        free(s->path);
        free(s);
        return NULL;
    }
    return s;
}

static void
write_all(struct pkg_stream *s, const unsigned char *d, size_t n)
{
    while (n > 0 && s->fd >= 0) {
        ssize_t w = write(s->fd, d, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->write_errno = w < 0 ? errno : EIO;
            temp_drop(s);
            return;
        }
        d += w;
        n -= (size_t)w;
    }
}

void
pkg_stream_feed(struct pkg_stream *s, const void *data, size_t n)
{
    const unsigned char *d = data;

    if (s == NULL || n == 0)
        return;
    if (s->pos < sizeof(s->first)) {
        size_t k = sizeof(s->first) - (size_t)s->pos < n ? sizeof(s->first) - (size_t)s->pos : n;
        memcpy(s->first + s->pos, d, k);
    }
    switch (s->kind) {
    case S_SQLITE:
        if (s->pos + n > PKG_RPMDB_MAX) {
            s->too_big = 1;
            temp_drop(s);
        }
        write_all(s, d, n);
        break;
    case S_EXE:
        gobin_feed(s->go, s->pos, d, n);
        break;
    }
    s->pos += n;
}

static void
close_olddb(const struct pkg_stream *s, char *warn, size_t warnsz)
{
    const unsigned char *m = s->first + 12;
    int bdb = s->pos >= 16 && (memcmp(m, "\x61\x15\x06\x00", 4) == 0 ||
                               memcmp(m, "\x00\x06\x15\x61", 4) == 0);
    int ndb = s->pos >= 4 && memcmp(s->first, "RpmP", 4) == 0;

    if (s->pos == 0)
        return; /* an empty placeholder: no database at all */
    (void)str_format(warn, warnsz,
                     "%s: %s rpmdb, not read (only the sqlite rpmdb of rpm >= 4.16 is): the "
                     "image's RPM packages are missing from the inventory and not checked for "
                     "vulnerabilities",
                     s->path, bdb ? "a Berkeley DB" : ndb ? "an ndb" : "an unrecognised");
}

static int
close_sqlite(struct pkg_stream *s, struct pkg_list *out, char *warn, size_t warnsz)
{
    int rc = 0;

    if (s->too_big)
        (void)str_format(warn, warnsz, "%s: rpmdb larger than %llu MB, not read", s->path,
                         (unsigned long long)(PKG_RPMDB_MAX >> 20));
    else if (s->pos == 0)
        (void)str_format(warn, warnsz, "%s: empty file, not an rpmdb: not read", s->path);
    else if (s->pos < 100 || memcmp(s->first, "SQLite format 3", 16) != 0)
        (void)str_format(warn, warnsz, "%s: not a sqlite database: not read", s->path);
    else if (s->fd < 0)
        (void)str_format(warn, warnsz, "%s: rpmdb not read: cannot copy it to a temporary file "
                                       "(%s)",
                         s->path, strerror(s->write_errno ? s->write_errno : EIO));
    else {
        /* a WAL-mode header (18, 19 = 2) would make sqlite look for the -wal and -shm files;
         * the copy is read as the rollback-journal file it also is */
        if (s->first[18] == 2 && s->first[19] == 2 &&
            pwrite(s->fd, "\x01\x01", 2, 18) != 2) {
            (void)str_format(warn, warnsz, "%s: rpmdb not read: %s", s->path, strerror(errno));
        } else {
            rc = rpmdb_sqlite_read(s->tmp, s->path, out, warn, warnsz);
        }
    }
    return rc;
}

int
pkg_stream_close(struct pkg_stream *s, struct pkg_list *out, char *warn, size_t warnsz)
{
    int rc = 0;

    if (warnsz > 0)
        warn[0] = '\0';
    if (s == NULL)
        return 0;
    switch (out == NULL ? 0 : s->kind) { /* no list: the file was cut short, nothing read */
    case S_SQLITE:
        rc = close_sqlite(s, out, warn, warnsz);
        break;
    case S_OLDDB:
        close_olddb(s, warn, warnsz);
        break;
    case S_EXE:
        rc = gobin_close(s->go, s->path, out, warn, warnsz);
        break;
    }
    temp_drop(s);
    gobin_free(s->go);
    free(s->path);
    free(s);
    return rc;
}
