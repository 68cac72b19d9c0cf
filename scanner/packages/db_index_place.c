/* db_index_place: where the OSV index of a database lives (beside it, else under the user's
 * cache), whether it is current (a fingerprint of the database's files), and the choice a scan
 * makes: open it, build it, or read the database without one. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_index.h"
#include "packages_internal.h"

/* ---- Whether the index is current: the database's files, hashed ----------------------------- */
static int
fingerprint_walk(crypto_generichash_state *h, const char *dir, size_t root, int depth,
                 long long *newest)
{
    DIR *d;
    struct dirent *e;

    if (depth > OSV_DB_MAX_DEPTH)
        return 0;
    if ((d = opendir(dir)) == NULL)
        return err_set_errno(depth == 0 ? ERR_NOTFOUND : ERR_IO, "%s", dir);
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        uint64_t f[6];
        if (e->d_name[0] == '.' || str_format(path, sizeof(path), "%s/%s", dir, e->d_name) < 0 ||
            lstat(path, &sb) < 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            int rc = fingerprint_walk(h, path, root, depth + 1, newest);
            if (rc < 0) {
                closedir(d);
                return rc;
            }
            continue;
        }
        if (!S_ISREG(sb.st_mode))
            continue;
        if ((long long)sb.st_mtime > *newest)
            *newest = (long long)sb.st_mtime;
        f[0] = (uint64_t)sb.st_size;
        f[1] = (uint64_t)sb.st_mtim.tv_sec;
        f[2] = (uint64_t)sb.st_mtim.tv_nsec;
        f[3] = (uint64_t)sb.st_ino;
        f[4] = (uint64_t)sb.st_dev;
        f[5] = (uint64_t)sb.st_ctim.tv_sec;
        crypto_generichash_update(h, (const unsigned char *)path + root, strlen(path + root) + 1);
        crypto_generichash_update(h, (const unsigned char *)f, sizeof(f));
    }
    closedir(d);
    return 0;
}

static int
fingerprint(const char *dir, unsigned char fp[32], long long *newest)
{
    static const char salt[] = "osv-index-v1 record=16M summary=512";
    crypto_generichash_state h;
    int rc;

    if (sodium_init() < 0)
        return err_set(ERR_CRYPTO, "libsodium failed to start");
    *newest = 0;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const unsigned char *)salt, sizeof(salt));
    if ((rc = fingerprint_walk(&h, dir, strlen(dir), 0, newest)) < 0)
        return rc;
    crypto_generichash_final(&h, fp, 32);
    return 0;
}

/* ---- Where it lives ---------------------------------------------------------------------------
 */
/* Beside the database; for a database in a directory we cannot write, under the user's cache,
 * named by a hash of the database's real path. */
static int
place(const char *dir, int fallback, char *out, size_t size)
{
    char real[PATH_MAX], cache[4096], hex[33];
    unsigned char sum[16];

    if (!fallback)
        return str_format(out, size, "%s/" IDX_NAME, dir);
    if (realpath(dir, real) == NULL || osv_db_default_dir(cache, sizeof(cache)) < 0)
        return -1;
    crypto_generichash(sum, sizeof(sum), (const unsigned char *)real, strlen(real), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
    /* ".../osv" is the default database; its index directory sits beside it */
    if (str_format(out, size, "%s-index", cache) < 0 || file_mkdirs(out, 0700) < 0)
        return -1;
    return str_format(out, size, "%s-index/%s.v1", cache, hex);
}

/* Open (and build when needed) the index in one place: 0 with *ix; 1 to try the other place;
 * 2 to read without an index; < 0 the database's own error. */
static int
open_or_build(const char *dir, const char *path, const unsigned char *fp, struct osv_db_stats *st,
              struct osv_index **ix)
{
    int rc = osv_index_open_file(path, fp, ix), ours;

    if (rc == 0)
        return 0;
    if (rc < 0)
        return rc == -2 ? 1 : 2;
    if ((rc = osv_index_build(dir, path, fp, st, &ours)) < 0) {
        if (ours == 0)
            return rc;
        if (ours == 2)
            return 1;
        diag_note("%s: vulnerability index not written (%s); the database is read without it", path,
                  err_message());
        return 2;
    }
    return osv_index_open_file(path, fp, ix) == 0 ? 0 : 2;
}

int
osv_index_get(const char *dir, struct osv_index **ix, struct osv_db_stats *st)
{
    unsigned char fp[32];
    char path[4096];
    long long newest;
    int rc;

    *ix = NULL;
    if ((rc = fingerprint(dir, fp, &newest)) < 0)
        return rc;
    for (int fallback = 0; fallback < 2; fallback++) {
        if (place(dir, fallback, path, sizeof(path)) < 0) {
            diag_note("%s: no place for a vulnerability index; the database is read without it",
                      dir);
            return 0;
        }
        rc = open_or_build(dir, path, fp, st, ix);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            osv_index_stats(*ix, st);
            st->newest = newest;
            return 0;
        }
        if (rc == 2)
            return 0;
    }
    diag_note("%s: cannot write a vulnerability index here or in the cache directory; the "
              "database is read without it",
              dir);
    return 0;
}

int
osv_db_index(const char *dir, char *where, size_t size, struct osv_db_stats *st)
{
    unsigned char fp[32];
    long long newest;
    int rc, ours;

    memset(st, 0, sizeof(*st));
    if ((rc = fingerprint(dir, fp, &newest)) < 0)
        return rc;
    if ((rc = place(dir, 0, where, size)) < 0)
        return err_set(ERR_LIMIT, "%s: path too long", dir);
    rc = osv_index_build(dir, where, fp, st, &ours);
    if (rc < 0 && ours == 2 && place(dir, 1, where, size) == 0)
        rc = osv_index_build(dir, where, fp, st, &ours);
    return rc;
}
