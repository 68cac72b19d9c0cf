/* version: picks the version order of an ecosystem and dispatches to it. */
#include <string.h>

#include "packages.h"

int
pkgver_cmp(enum pkg_order o, const char *a, const char *b, int *cmp)
{
    switch (o) {
    case ORDER_DPKG:
        return pkgver_dpkg_cmp(a, b, cmp);
    case ORDER_APK:
        return pkgver_apk_cmp(a, b, cmp);
    case ORDER_RPM:
        return pkgver_rpm_cmp(a, b, cmp);
    case ORDER_PEP440:
        return pkgver_pep440_cmp(a, b, cmp);
    case ORDER_SEMVER:
        return pkgver_semver_cmp(a, b, cmp);
    }
    return -1;
}

static const struct {
    const char *prefix; /* the ecosystem name, before any ":release" */
    enum pkg_order order;
} orders[] = {
    {"Debian", ORDER_DPKG},      {"Ubuntu", ORDER_DPKG},     {"Alpine", ORDER_APK},
    {"Wolfi", ORDER_APK},        {"Chainguard", ORDER_APK},  {"Red Hat", ORDER_RPM},
    {"AlmaLinux", ORDER_RPM},    {"Rocky Linux", ORDER_RPM}, {"SUSE", ORDER_RPM},
    {"openSUSE", ORDER_RPM},     {"Mageia", ORDER_RPM},      {"Photon OS", ORDER_RPM},
    {"Azure Linux", ORDER_RPM},  {"PyPI", ORDER_PEP440},     {"npm", ORDER_SEMVER},
    {"Go", ORDER_SEMVER},        {"crates.io", ORDER_SEMVER},
};

int
pkgver_order_of(const char *eco)
{
    size_t n = strcspn(eco, ":");

    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
        if (strlen(orders[i].prefix) == n && strncmp(eco, orders[i].prefix, n) == 0)
            return (int)orders[i].order;
    return -1;
}
