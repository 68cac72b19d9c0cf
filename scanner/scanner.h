/* scanner: container security checks. Dockerfile parser and rules, image readers (docker-archive,
 * OCI layout, Engine API), the layer walker, and runtime rules for containers and Compose
 * services. Each entry point adds one target and its findings to a findings list. */
#ifndef SCANNER_H
#define SCANNER_H

#include "common.h"

struct pkg_peer_report;

/* Options shared by every scan; cli/ fills them from the command line. */
struct scanner_opts {
    const char *platform;  /* --platform os/arch[/variant] for multi-arch images */
    const char *service;   /* --service NAME for Compose files; NULL = every service */
    int skip_base;         /* --skip-base: no findings from base-image layers */
    int show_secrets;      /* --show-secrets: the user asked for values in clear */
    long max_file_size;    /* bytes; 0 = the module's default */
    unsigned jobs;         /* --jobs N: threads for --path trees and build contexts; 0 = one
                            * a core (workq_default_threads), 1 = none started */
    long max_image_age_days; /* images: older than this is a finding; 0 = 365 */
    int with_image;        /* --with-image: scan each container's image with the image checks */
    int all_containers;    /* --all-containers: scanner_scan_container(NULL, ...) scans them all */
    /* Appended for the Dockerfile scanner (all optional, zero = default). */
    const char *context;       /* --context DIR: build context (default: the Dockerfile's dir) */
    const char *config;        /* --config FILE: .scanner.ini (default: context dir, then cwd) */
    const char *const *ignore; /* --ignore ID (rule ids or aliases), nignore of them */
    size_t nignore;
    /* Appended for package inventory and vulnerabilities (images). */
    const char *vuln_db;       /* --vuln-db DIR; NULL: the default cache, if it exists */
    int no_vulns;              /* --no-vulns: skip vulnerability matching */
    int ignore_unfixed;        /* --ignore-unfixed: no finding for a vulnerability without a fix */
    const char *sbom;          /* --sbom cyclonedx|spdx: write the SBOM instead of findings */
    const char *sbom_output;   /* --output FILE for the SBOM; NULL: stdout */
    /* --merge-report FILE: Trivy or Grype reports of the image, read by the caller
     * (pkg_merge_load), folded into its vulnerability findings. */
    const struct pkg_peer_report *merge;
    size_t nmerge;
};

/* Each returns 0 when the target was scanned (findings or not) and a negative ERR_* (with
 * err_message) when it could not be: unreadable, invalid, engine unreachable. */

/* --- Files, trees and standard input ("-"): leaked secrets (scanner/path/) --- */
int scanner_scan_path(const char *path, const struct scanner_opts *o, struct findings *f);

/* --- Dockerfile (scanner/dockerfile/) --- */
int scanner_scan_dockerfile(const char *path, const struct scanner_opts *o, struct findings *f);

/* --- Images (scanner/image/, through engine/ for images by name) --- */
int scanner_scan_image(const char *ref, const struct scanner_opts *o, struct findings *f);

/* --- Runtime rules (scanner/runtime/) fed by containers (scanner/container/) and Compose
 * services (scanner/compose/) --- */
int scanner_scan_container(const char *id, const struct scanner_opts *o, struct findings *f);
int scanner_scan_compose(const char *path, const struct scanner_opts *o, struct findings *f);
/* Several Compose files merged into one project, as `docker compose -f A -f B` does: later
 * files (and later YAML documents of a file) override and extend earlier ones. */
int scanner_scan_compose_files(const char *const *paths, size_t n, const struct scanner_opts *o,
                               struct findings *f);
/* Kubernetes manifests (scanner/k8s/): a file, or a directory of *.yaml / *.yml. */
int scanner_scan_k8s(const char *path, const struct scanner_opts *o, struct findings *f);

#endif
