/* packages_internal: what the module's files share. The few libarchive calls the OSV reader
 * makes on all.zip, loaded on first use like the image reader's (common/lazylib.c), so start-up
 * does not pay for libarchive; and decimal digit strings compared by value. */
#ifndef PACKAGES_INTERNAL_H
#define PACKAGES_INTERNAL_H

#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#define DB_ZIP_FUNCS(X)                                                                        \
    X(struct archive *, archive_read_new, (void))                                              \
    X(int, archive_read_free, (struct archive *))                                              \
    X(int, archive_read_support_format_zip, (struct archive *))                                \
    X(int, archive_read_open_fd, (struct archive *, int, size_t))                              \
    X(int, archive_read_next_header, (struct archive *, struct archive_entry **))              \
    X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))                       \
    X(const char *, archive_error_string, (struct archive *))                                  \
    X(const char *, archive_entry_pathname, (struct archive_entry *))                          \
    X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))

#define DB_ZIP_FIELD(ret, name, args) ret(*name) args;
struct db_zip {
    DB_ZIP_FUNCS(DB_ZIP_FIELD)
};
#undef DB_ZIP_FIELD
extern struct db_zip db_zip;
int db_zip_load(void);

#ifndef DB_ZIP_LOADER
#define archive_read_new (*db_zip.archive_read_new)
#define archive_read_free (*db_zip.archive_read_free)
#define archive_read_support_format_zip (*db_zip.archive_read_support_format_zip)
#define archive_read_open_fd (*db_zip.archive_read_open_fd)
#define archive_read_next_header (*db_zip.archive_read_next_header)
#define archive_read_data (*db_zip.archive_read_data)
#define archive_error_string (*db_zip.archive_error_string)
#define archive_entry_pathname (*db_zip.archive_entry_pathname)
#define archive_entry_filetype (*db_zip.archive_entry_filetype)
#endif

/* The sqlite calls the rpmdb reader makes, loaded on first use from libsqlite3.so.0 (rpmdb_lazy.c)
 * so that start-up does not pay for sqlite. */
#include <sqlite3.h>
#define RPMDB_SQL_FUNCS(X)                                                                     \
    X(int, sqlite3_open_v2, (const char *, sqlite3 **, int, const char *))                     \
    X(int, sqlite3_close, (sqlite3 *))                                                         \
    X(int, sqlite3_prepare_v2, (sqlite3 *, const char *, int, sqlite3_stmt **, const char **)) \
    X(int, sqlite3_step, (sqlite3_stmt *))                                                     \
    X(int, sqlite3_finalize, (sqlite3_stmt *))                                                 \
    X(const void *, sqlite3_column_blob, (sqlite3_stmt *, int))                                \
    X(int, sqlite3_column_bytes, (sqlite3_stmt *, int))                                        \
    X(int, sqlite3_column_int, (sqlite3_stmt *, int))                                          \
    X(const char *, sqlite3_errmsg, (sqlite3 *))                                               \
    X(void, sqlite3_progress_handler, (sqlite3 *, int, int (*)(void *), void *))               \
    X(int, sqlite3_db_config, (sqlite3 *, int, ...))                                           \
    X(int, sqlite3_limit, (sqlite3 *, int, int))

#define RPMDB_SQL_FIELD(ret, name, args) ret(*name) args;
struct rpmdb_sql {
    RPMDB_SQL_FUNCS(RPMDB_SQL_FIELD)
};
#undef RPMDB_SQL_FIELD
extern struct rpmdb_sql rpmdb_sql;
int rpmdb_sql_load(void);

/* Reads the sqlite rpmdb in `file` (a private copy) as the image's `path`. */
struct pkg_list;
int rpmdb_sqlite_read(const char *file, const char *path, struct pkg_list *out, char *warn,
                      size_t warnsz);

/* The Go build info search over a streamed executable (gobin.c). */
struct gobin_scan;
struct gobin_scan *gobin_open(void);
void gobin_feed(struct gobin_scan *g, unsigned long long pos, const unsigned char *d, size_t n);
int gobin_close(struct gobin_scan *g, const char *path, struct pkg_list *out, char *warn,
                size_t warnsz);
void gobin_free(struct gobin_scan *g);

/* Appends one package, taking the strings (freed on failure, and when name or version is NULL:
 * then nothing is added). Returns 0 or ERR_NOMEM. */
int pkg_push(struct pkg_list *out, int kind, const char *path, char *name, char *version,
             char *source, char *source_version);

/* Decimal digit strings compared by value, without overflow (a version number may have more
 * digits than any integer type). */
static inline int
numstr_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int r;

    while (na > 0 && *a == '0') {
        a++;
        na--;
    }
    while (nb > 0 && *b == '0') {
        b++;
        nb--;
    }
    if (na != nb)
        return na < nb ? -1 : 1;
    r = memcmp(a, b, na);
    return (r > 0) - (r < 0);
}

/* Dotted identifier lists: how one scheme compares them (ver_ids.c). */
struct ver_ids {
    const char *seps;  /* what separates identifiers */
    int numbers_high;  /* 1: a number sorts above a word (PEP 440); 0: below (SemVer) */
    int nocase;        /* words compared without case */
};
int ver_ids_cmp(const char *p, size_t np, const char *q, size_t nq, const struct ver_ids *how);

#endif
