/* scanner_container: the `scanner --container ID...` adapter (and `--all-containers`): runtime
 * checks of containers through the Engine API. A NULL id comes from --all-containers. */
#include "cli.h"
#include "scanner.h"

int
scan_target_container(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts o;

    cli_scanner_opts(opts, &o);
    return scanner_scan_container(arg, &o, f);
}
