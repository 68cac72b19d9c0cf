/* scanner_compose: the `scanner --compose FILE[:FILE...]` adapter: runtime checks of every service
 * (or the one named by --service) of a Compose project. Several files are separated by ':' as in
 * Compose's COMPOSE_FILE and merged as `docker compose -f A -f B` merges them. */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "scanner.h"

#define MAX_COMPOSE_FILES 64

int
scan_target_compose(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts o;
    const char *paths[MAX_COMPOSE_FILES];
    char copy[4096];
    struct stat st;
    size_t n = 0;

    cli_scanner_opts(opts, &o);
    /* A name that exists as given is one file, even with a ':' in it. */
    if (strchr(arg, ':') == NULL || stat(arg, &st) == 0)
        return scanner_scan_compose(arg, &o, f);
    if (strlen(arg) >= sizeof(copy))
        return err_set(ERR_USAGE, "--compose: list of files too long");
    memcpy(copy, arg, strlen(arg) + 1);
    for (char *save = NULL, *p = strtok_r(copy, ":", &save); p != NULL;
         p = strtok_r(NULL, ":", &save)) {
        if (n == MAX_COMPOSE_FILES)
            return err_set(ERR_USAGE, "--compose: more than %d files", MAX_COMPOSE_FILES);
        paths[n++] = p;
    }
    return scanner_scan_compose_files(paths, n, &o, f);
}
