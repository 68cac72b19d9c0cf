/* cli_scan: what the scanner's target adapters share: the options the scanner module reads. */
#include <string.h>

#include "cli.h"
#include "scanner.h"

void
cli_scanner_opts(const struct scan_opts *in, struct scanner_opts *out)
{
    memset(out, 0, sizeof(*out));
    out->platform = in->platform;
    out->service = in->service;
    out->skip_base = in->skip_base;
    out->show_secrets = in->show_secrets;
    out->max_file_size = in->max_file_size;
    out->jobs = in->jobs;
    out->all_containers = in->all_containers;
    out->with_image = in->with_image;
    out->context = in->context;
    out->config = in->config;
    out->ignore = in->ignore;
    out->nignore = in->nignore;
    out->vuln_db = in->vuln_db;
    out->no_vulns = in->no_vulns;
    out->ignore_unfixed = in->ignore_unfixed;
    out->sbom = in->sbom;
    out->sbom_output = in->sbom_output;
}
