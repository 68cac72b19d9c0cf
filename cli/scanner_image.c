/* scanner_image: the `scanner --image X` adapter: X is a docker-archive or oci-archive file, an
 * OCI layout directory, or an image name the Docker/Podman Engine API knows. */
#include "cli.h"
#include "scanner.h"

int
scan_target_image(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct scanner_opts so;

    cli_scanner_opts(opts, &so);
    so.merge = opts->merge; /* --merge-report: for --image targets only */
    so.nmerge = opts->merge != NULL ? opts->nmerge : 0;
    return scanner_scan_image(arg, &so, f);
}
