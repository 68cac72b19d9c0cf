/* scanner_path: the `scanner --path PATH...|-` adapter: maps the options and hands each path to
 * the path scanner (scanner/path/). */
#include "cli.h"
#include "scanner.h"

int
scan_path(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts so;

    cli_scanner_opts(opts, &so);
    return scanner_scan_path(arg, &so, f);
}
