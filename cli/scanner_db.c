/* scanner_db: `scanner db update`: downloads OSV's per-ecosystem archives into the offline
 * vulnerability database that `scanner --image` reads. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "packages.h"

static void
db_usage(FILE *out)
{
    fputs("usage: scanner db update [--ecosystem NAME]... [--vuln-db DIR] [--db-url URL]\n"
          "\n"
          "Downloads URL/NAME/all.zip for each ecosystem (default: Debian, Ubuntu, Alpine, PyPI,\n"
          "npm, Go) into DIR/NAME/all.zip (default $XDG_CACHE_HOME/secrets-suite/osv). An\n"
          "interrupted download resumes; each archive is checked whole before it replaces the\n"
          "old one. URL defaults to OSV's public bucket, or $SCANNER_OSV_URL.\n"
          "\n"
          "  -e, --ecosystem NAME   an OSV ecosystem directory (repeatable)\n"
          "      --vuln-db DIR      the database directory\n"
          "      --db-url URL       where the archives are\n"
          "  -q, --quiet            no progress lines\n"
          "  -h, --help\n",
          out);
}

int
scanner_cmd_db(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"ecosystem", required_argument, NULL, 'e'}, {"vuln-db", required_argument, NULL, 'd'},
        {"db-url", required_argument, NULL, 'u'},    {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    const char **ecos = calloc((size_t)argc + 1, sizeof(*ecos));
    const char *dir = NULL, *url = getenv("SCANNER_OSV_URL");
    char defdir[4096];
    size_t n = 0;
    int opt, quiet = 0, status = EXIT_CLEAN;
    size_t updated = 0;

    if (ecos == NULL)
        return cli_fail(err_set(ERR_NOMEM, "out of memory"));
    if (argc < 2 || strcmp(argv[1], "update") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            db_usage(stdout);
            free(ecos);
            return cli_finish(EXIT_CLEAN);
        }
        diag_error("db: the only command is `scanner db update`");
        db_usage(stderr);
        free(ecos);
        return cli_finish(EXIT_ERROR);
    }
    optind = 1;
    while ((opt = getopt_long(argc - 1, argv + 1, "e:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e':
            ecos[n++] = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            db_usage(stdout);
            free(ecos);
            return cli_finish(EXIT_CLEAN);
        default:
            db_usage(stderr);
            free(ecos);
            return cli_finish(EXIT_ERROR);
        }
    }
    if (optind < argc - 1) {
        diag_error("db update: unexpected argument '%s'", argv[optind + 1]);
        free(ecos);
        return cli_finish(EXIT_ERROR);
    }
    if (dir == NULL) {
        if (osv_db_default_dir(defdir, sizeof(defdir)) < 0) {
            diag_error("db update: no --vuln-db DIR and no XDG_CACHE_HOME or HOME to put it in");
            free(ecos);
            return cli_finish(EXIT_ERROR);
        }
        dir = defdir;
    }
    if (url == NULL || *url == '\0')
        url = OSV_DEFAULT_URL;
    if (n == 0)
        for (const char *const *e = osv_default_ecosystems; *e != NULL; e++)
            ecos[n++] = *e;
    for (size_t i = 0; i < n; i++) {
        struct osv_update_result r;
        int rc = osv_db_update_one(dir, ecos[i], url, &r);
        if (rc < 0) {
            /* the other ecosystems still update; the status says one failed */
            cli_fail(rc);
            status = EXIT_ERROR;
            continue;
        }
        updated++;
        if (!quiet)
            printf("%s: %zu records, %lld bytes%s -> %s/%s/all.zip\n", ecos[i], r.records,
                   r.bytes, r.resumed_from > 0 ? " (resumed)" : "", dir, ecos[i]);
    }
    free(ecos);
    if (updated > 0) {
        /* index what is there now, so the first scan does not pay for it */
        struct osv_db_stats st;
        char where[4096];
        if (osv_db_index(dir, where, sizeof(where), &st) < 0)
            diag_warn("db update: vulnerability index not built (%s); scans build it",
                      err_message());
        else if (!quiet)
            printf("index: %zu records -> %s\n", st.records, where);
    }
    return cli_finish(status);
}
