/* packages: what an image has installed, and which published vulnerabilities affect it.
 * Version order for every ecosystem (dpkg, apk, rpm, PEP 440, SemVer), OSV records read offline
 * (a directory of JSON files or OSV's per-ecosystem all.zip), package inventories from the files
 * of an image (dpkg status, apk installed, Python and Node metadata), SBOMs (CycloneDX, SPDX). */
#ifndef SCANNER_PACKAGES_H
#define SCANNER_PACKAGES_H

#include <stddef.h>

#include "common.h"

/* ---- Version order ------------------------------------------------------------------------- */
enum pkg_order { ORDER_DPKG, ORDER_APK, ORDER_RPM, ORDER_PEP440, ORDER_SEMVER };

/* Each sets *cmp to -1, 0 or 1 and returns 0, or returns -1 when a version is not valid in that
 * scheme (nothing is compared then). */
int pkgver_dpkg_cmp(const char *a, const char *b, int *cmp);
int pkgver_apk_cmp(const char *a, const char *b, int *cmp);
int pkgver_rpm_cmp(const char *a, const char *b, int *cmp);
int pkgver_pep440_cmp(const char *a, const char *b, int *cmp);
int pkgver_semver_cmp(const char *a, const char *b, int *cmp);
int pkgver_cmp(enum pkg_order o, const char *a, const char *b, int *cmp);
/* apk's grammar accepts the version (1), or not (0). */
int pkgver_apk_valid(const char *v);
/* rpm's bare rpmvercmp (no epoch or release split), for its published test vectors. */
int pkgver_rpmvercmp(const char *a, const char *b);

/* The order an OSV ecosystem ("Debian:12", "Alpine:v3.19", "PyPI", ...) uses; -1 if unknown. */
int pkgver_order_of(const char *ecosystem);

#endif
