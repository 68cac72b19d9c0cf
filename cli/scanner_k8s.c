/* scanner_k8s: the `scanner --k8s PATH` adapter: runtime checks of every container of every pod
 * template in a Kubernetes manifest file or a directory of them, and Secret objects. */
#include "cli.h"
#include "scanner.h"

int
scan_target_k8s(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts o;

    cli_scanner_opts(opts, &o);
    return scanner_scan_k8s(arg, &o, f);
}
