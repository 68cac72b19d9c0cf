/* scanner_dockerfile: the `scanner --dockerfile FILE|-` target adapter: maps the options and
 * hands the file to the scanner module. */
#include "cli.h"
#include "scanner.h"

int
scan_dockerfile(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts so;

    cli_scanner_opts(opts, &so);
    return scanner_scan_dockerfile(arg, &so, f);
}
