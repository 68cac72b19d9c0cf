/* packages_internal: what the module's files share. The few libarchive calls the OSV reader
 * makes on all.zip, loaded on first use like the image reader's (common/lazylib.c), so start-up
 * does not pay for libarchive; and decimal digit strings compared by value. */
#ifndef PACKAGES_INTERNAL_H
#define PACKAGES_INTERNAL_H

#include <string.h>

#include "packages.h"

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

/* ---- The OSV database: its walk, and its index ------------------------------------------------ */
struct cJSON;
#define OSV_DB_MAX_DEPTH 4
#define OSV_MAX_SUMMARY 512 /* a longer summary is not shown */

/* A walk over a database: every record's text, in the order files and zip entries are read,
 * handed to on_record; the counts and the newest file's time kept in st. */
struct osv_walk {
    int (*on_record)(void *ctx, const char *text, size_t len);
    void *ctx;
    struct osv_db_stats *st;
    struct buf rec;
};
/* ERR_NOTFOUND when dir is missing or holds no record; ERR_PARSE on a damaged zip. */
int osv_db_walk(const char *dir, struct osv_walk *w);

/* A package to look for: its OSV ecosystem ("" when it cannot be matched) and the name OSV
 * records use for it (the source package for deb and apk; PEP 503 form for PyPI). */
struct osv_want {
    char eco[64];
    char name[256];
};
/* Appends the match of record `rec` for package i, when it affects it (db.c). */
int osv_db_consider(const struct cJSON *rec, const struct pkg_list *pkgs, size_t i,
                    const char *eco, const char *name, struct pkg_matches *out);

/* The index (db_index*.c): per (ecosystem, package name) the records that name it, reduced to
 * what matching reads, in a file searched in place (mmap). */
struct osv_index;
/* Opens the index of `dir`, building it first when it is missing, stale or damaged. 0 with
 * *ix NULL when no index can be used (then the caller reads the database); < 0 when the database
 * itself cannot be read (the error the walk gives). st gets the database's counts. */
int osv_index_get(const char *dir, struct osv_index **ix, struct osv_db_stats *st);
/* Matches every wanted package (want[i] for pkgs->v[i]) through the index: the records are
 * evaluated in the order the database holds them, as a walk over it would. */
int osv_index_match(struct osv_index *ix, const struct pkg_list *pkgs,
                    const struct osv_want *want, struct pkg_matches *out);
void osv_index_close(struct osv_index *ix);

/* The reader on a mapped file, for the fuzz target: checks the header (and, unless fuzzing,
 * the checksums) against fingerprint fp (NULL: any); 0, 1 when sound but stale or written by
 * another version (rebuild it), or ERR_PARSE. */
int osv_index_open_mem(const unsigned char *map, size_t len, const unsigned char *fp,
                       struct osv_index **ix);
/* The key an index is searched by: "ECO\x1fname" with the ecosystem cut at its first ':' and
 * the name folded (PyPI: PEP 503; others: lower case); -1 when it cannot name a package. */
int osv_index_key(const char *eco, const char *name, char *out, size_t size);

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
