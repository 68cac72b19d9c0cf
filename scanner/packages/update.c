/* update: `scanner db update`: OSV's per-ecosystem all.zip downloaded into the database
 * directory, resumed when a run was cut short, checked whole (every entry inflates, its CRC
 * holds, at least one record) before it atomically replaces the old archive. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "packages.h"
#include "packages_internal.h"

#define OSV_MAX_ZIP (4LL << 30) /* 4 GiB: far above every ecosystem's archive */

const char *const osv_default_ecosystems[] = {"Debian", "Ubuntu", "Alpine", "PyPI", "npm", "Go",
                                              NULL};

int
osv_db_default_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

    if (xdg != NULL && *xdg == '/')
        return str_format(out, size, "%s/secrets-suite/osv", xdg);
    if (home != NULL && *home == '/')
        return str_format(out, size, "%s/.cache/secrets-suite/osv", home);
    return -1;
}

/* Reads every entry of the zip to its end: libarchive checks each CRC as it inflates. */
static int
verify_zip(const char *path, size_t *records)
{
    struct archive *a;
    struct archive_entry *ent;
    char chunk[65536];
    int rc, ar;

    *records = 0;
    if ((rc = db_zip_load()) < 0)
        return rc;
    if ((a = archive_read_new()) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    archive_read_support_format_zip(a);
    {
        FILE *f = fopen(path, "rbe");
        int fd = f != NULL ? fileno(f) : -1;
        if (fd < 0 || archive_read_open_fd(a, fd, sizeof(chunk)) != ARCHIVE_OK) {
            rc = err_set(ERR_PARSE, "%s: not a zip archive", path);
            archive_read_free(a);
            if (f != NULL)
                fclose(f);
            return rc;
        }
        while ((ar = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
            la_ssize_t n;
            const char *name = archive_entry_pathname(ent);
            size_t nl = name != NULL ? strlen(name) : 0;
            while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
                ;
            if (n < 0) {
                ar = ARCHIVE_FATAL;
                break;
            }
            if (nl > 5 && strcmp(name + nl - 5, ".json") == 0)
                (*records)++;
        }
        rc = ar == ARCHIVE_EOF ? 0
                               : err_set(ERR_PARSE, "%s: damaged zip archive: %s", path,
                                         archive_error_string(a));
        archive_read_free(a);
        fclose(f);
    }
    if (rc == 0 && *records == 0)
        rc = err_set(ERR_PARSE, "%s: the archive holds no OSV record", path);
    return rc;
}

/* Percent-escapes an ecosystem name for a URL path ("Rocky Linux" -> "Rocky%20Linux"). */
static int
escape(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (k + 4 >= size)
            return -1;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '.' || ch == '-' || ch == '_' || ch == '~') {
            out[k++] = (char)ch;
        } else {
            out[k++] = '%';
            out[k++] = hex[ch >> 4];
            out[k++] = hex[ch & 15];
        }
    }
    out[k] = '\0';
    return 0;
}

int
osv_db_update_one(const char *dir, const char *eco, const char *base_url,
                  struct osv_update_result *res)
{
    char sub[4096], part[4200], final[4200], url[4096], esc[256];
    struct engine_download d;
    size_t records = 0;
    int rc;

    memset(res, 0, sizeof(*res));
    if (eco[0] == '\0' || strchr(eco, '/') != NULL || strcmp(eco, ".") == 0 ||
        strcmp(eco, "..") == 0 || escape(eco, esc, sizeof(esc)) < 0)
        return err_set(ERR_USAGE, "--ecosystem: '%s' is not an ecosystem name", eco);
    if (str_format(sub, sizeof(sub), "%s/%s", dir, eco) < 0 ||
        str_format(part, sizeof(part), "%s/all.zip.part", sub) < 0 ||
        str_format(final, sizeof(final), "%s/all.zip", sub) < 0 ||
        str_format(url, sizeof(url), "%s/%s/all.zip", base_url, esc) < 0)
        return err_set(ERR_LIMIT, "path or URL too long");
    if ((rc = file_mkdirs(sub, 0755)) < 0)
        return rc;
    if ((rc = engine_download(url, part, OSV_MAX_ZIP, &d)) < 0)
        return rc; /* the .part stays: the next run resumes it */
    res->bytes = d.bytes;
    res->resumed_from = d.resumed_from;
    if ((rc = verify_zip(part, &records)) < 0) {
        (void)unlink(part); /* damaged: the next run starts again */
        return rc;
    }
    res->records = records;
    if (rename(part, final) < 0)
        return err_set_errno(ERR_IO, "%s", final);
    {
        FILE *f = fopen(sub, "re");
        if (f != NULL) {
            (void)fsync(fileno(f));
            fclose(f);
        }
    }
    return 0;
}
