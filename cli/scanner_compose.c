/* scanner_compose: the `scanner --compose FILE` adapter: runtime checks of every service (or the
 * one named by --service) of a Compose file. */
#include "cli.h"
#include "scanner.h"

int
scan_target_compose(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts o;

    cli_scanner_opts(opts, &o);
    return scanner_scan_compose(arg, &o, f);
}
