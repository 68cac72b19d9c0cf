/* rpmdb: the sqlite rpmdb (rpm >= 4.16: Fedora 33+, RHEL/AlmaLinux/Rocky 9, openSUSE) read with
 * the system's sqlite, read-only, without extensions or trusted schema, with a bound on the
 * work a query may do; each row's header blob goes through the bounded header parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

#define RPMDB_MAX_STEPS 200000 /* progress callbacks (of 1000 VM steps each) before giving up */
#define RPMDB_MAX_BLOB (64 << 20)

static int
too_long(void *user)
{
    unsigned long *n = user;
    return ++*n > RPMDB_MAX_STEPS;
}

/* "openssl-3.0.7-24.el9.src.rpm" -> "openssl": the name before the version and release. */
static char *
srpm_name(const char *srpm)
{
    size_t n = strlen(srpm);
    const char *dash1, *dash2;
    char *s;

    if (n > 8 && strcmp(srpm + n - 8, ".src.rpm") == 0)
        n -= 8;
    else if (n > 10 && strcmp(srpm + n - 10, ".nosrc.rpm") == 0)
        n -= 10;
    else
        return NULL;
    if ((s = strndup(srpm, n)) == NULL)
        return NULL;
    dash1 = strrchr(s, '-');
    if (dash1 == NULL || dash1 == s) {
        free(s);
        return NULL;
    }
    s[dash1 - s] = '\0';
    dash2 = strrchr(s, '-');
    if (dash2 == NULL || dash2 == s) {
        free(s);
        return NULL;
    }
    s[dash2 - s] = '\0';
    return s;
}

/* One header: a package, unless it is a GPG key rpm keeps as a pseudo-package. */
static int
add_header(const struct pkg_rpm_hdr *h, const char *path, struct pkg_list *out)
{
    char *evr = NULL, *src = NULL;
    size_t before = out->n;
    int rc;

    if (strcmp(h->name, "gpg-pubkey") == 0)
        return 0;
    if (h->epoch > 0) {
        if (asprintf(&evr, "%lld:%s%s%s", h->epoch, h->version, h->release ? "-" : "",
                     h->release ? h->release : "") < 0)
            evr = NULL;
    } else if (asprintf(&evr, "%s%s%s", h->version, h->release ? "-" : "",
                        h->release ? h->release : "") < 0) {
        evr = NULL;
    }
    if (evr == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if (h->sourcerpm != NULL && (src = srpm_name(h->sourcerpm)) != NULL &&
        strcmp(src, h->name) == 0) {
        free(src);
        src = NULL;
    }
    if ((rc = pkg_push(out, PKG_RPM, path, strdup(h->name), evr, src, NULL)) < 0)
        return rc;
    if (out->n > before) {
        struct pkg *p = &out->v[out->n - 1];
        if ((h->arch != NULL && (p->arch = strdup(h->arch)) == NULL) ||
            (h->vendor != NULL && (p->vendor = strdup(h->vendor)) == NULL))
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

int
rpmdb_sqlite_read(const char *file, const char *path, struct pkg_list *out, char *warn,
                  size_t warnsz)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char uri[4200];
    unsigned long steps = 0;
    size_t bad = 0, rows = 0;
    const char *first_bad = NULL;
    int rc = 0, r;

    if ((rc = rpmdb_sql_load()) < 0) {
        (void)str_format(warn, warnsz, "%s: rpmdb not read: %s", path, err_message());
        return 0;
    }
    /* immutable: no locks, no journal or WAL looked for next to the private copy */
    if (strpbrk(file, "?#%") != NULL ||
        str_format(uri, sizeof(uri), "file:%s?immutable=1", file) < 0) {
        (void)str_format(warn, warnsz, "%s: rpmdb not read: temporary path unusable", path);
        return 0;
    }
    r = rpmdb_sql.sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                                                SQLITE_OPEN_NOMUTEX, NULL);
    if (r != SQLITE_OK)
        goto bad_db;
    (void)rpmdb_sql.sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    (void)rpmdb_sql.sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    (void)rpmdb_sql.sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    (void)rpmdb_sql.sqlite3_limit(db, SQLITE_LIMIT_LENGTH, RPMDB_MAX_BLOB);
    rpmdb_sql.sqlite3_progress_handler(db, 1000, too_long, &steps);
    /* a table, not a view or anything else a hostile file could call Packages */
    r = rpmdb_sql.sqlite3_prepare_v2(
        db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Packages'", -1,
        &st, NULL);
    if (r != SQLITE_OK || rpmdb_sql.sqlite3_step(st) != SQLITE_ROW)
        goto bad_db;
    if (rpmdb_sql.sqlite3_column_int(st, 0) != 1) {
        (void)str_format(warn, warnsz, "%s: not an rpmdb (a sqlite database without a Packages "
                                       "table): not read",
                         path);
        goto out;
    }
    rpmdb_sql.sqlite3_finalize(st);
    st = NULL;
    if (rpmdb_sql.sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) != SQLITE_OK)
        goto bad_db;
    while ((r = rpmdb_sql.sqlite3_step(st)) == SQLITE_ROW && rows < PKG_MAX_PER_FILE) {
        const void *b = rpmdb_sql.sqlite3_column_blob(st, 0);
        int n = rpmdb_sql.sqlite3_column_bytes(st, 0);
        struct pkg_rpm_hdr h;
        const char *why;
        rows++;
        if (b == NULL || n <= 0 || pkg_rpm_header_parse(b, (size_t)n, &h, &why) < 0) {
            if (bad++ == 0)
                first_bad = b == NULL || n <= 0 ? "an empty blob" : why;
            continue;
        }
        if ((rc = add_header(&h, path, out)) < 0)
            goto out;
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        goto bad_db;
    if (bad > 0)
        (void)str_format(warn, warnsz, "%s: %zu of %zu rpmdb headers not read (the first: %s)",
                         path, bad, rows, first_bad);
    goto out;
bad_db:
    (void)str_format(warn, warnsz, "%s: rpmdb not read: %s", path,
                     steps > RPMDB_MAX_STEPS ? "the query ran past its work bound"
                     : db != NULL            ? rpmdb_sql.sqlite3_errmsg(db)
                                             : "cannot open");
out:
    if (st != NULL)
        rpmdb_sql.sqlite3_finalize(st);
    if (db != NULL)
        rpmdb_sql.sqlite3_close(db);
    return rc;
}
