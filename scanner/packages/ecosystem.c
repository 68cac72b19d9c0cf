/* ecosystem: the OSV ecosystem and the package URL of an installed package, from its kind and
 * the image's os-release (ID, VERSION_ID). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "packages.h"

/* RPM distributions OSV publishes records for, from os-release's ID and VERSION_ID. Red Hat's
 * ecosystem is keyed by a product-stream CPE that os-release does not give, and Fedora, CentOS,
 * Oracle Linux, Amazon Linux and Azure Linux have none here: those are inventory and SBOM only. */
static int
rpm_ecosystem(const char *id, const char *ver, char *out, size_t size)
{
    int major = (int)strcspn(ver, ".");

    if (strcmp(id, "opensuse-tumbleweed") == 0)
        return str_format(out, size, "openSUSE:Tumbleweed");
    if (*ver == '\0')
        return -1;
    if (strcmp(id, "almalinux") == 0)
        return str_format(out, size, "AlmaLinux:%.*s", major, ver);
    if (strcmp(id, "rocky") == 0)
        return str_format(out, size, "Rocky Linux:%.*s", major, ver);
    if (strcmp(id, "opensuse-leap") == 0)
        return str_format(out, size, "openSUSE:Leap %s", ver);
    if (strcmp(id, "sles") == 0) /* "15.5" is marketed as "15 SP5" */
        return ver[major] == '.' ? str_format(out, size, "SUSE:Linux Enterprise Server %.*s SP%s",
                                              major, ver, ver + major + 1)
                                 : str_format(out, size, "SUSE:Linux Enterprise Server %s", ver);
    if (strcmp(id, "mageia") == 0)
        return str_format(out, size, "Mageia:%s", ver);
    if (strcmp(id, "photon") == 0)
        return str_format(out, size, "Photon OS:%s", ver);
    return -1;
}

const char *
pkg_osv_name(const struct pkg *p, const char *ecosystem)
{
    switch (p->kind) {
    case PKG_DEB:
    case PKG_APK:
        return p->source != NULL ? p->source : p->name;
    case PKG_RPM:
        /* AlmaLinux's and Rocky's records name binary RPMs; SUSE's and Mageia's source RPMs */
        if (p->source != NULL && ecosystem != NULL &&
            (strncmp(ecosystem, "SUSE:", 5) == 0 || strncmp(ecosystem, "openSUSE:", 9) == 0 ||
             strncmp(ecosystem, "Mageia:", 7) == 0))
            return p->source;
        return p->name;
    default:
        return p->name;
    }
}

const char *
pkg_osv_version(const struct pkg *p)
{
    if (p->kind == PKG_DEB && p->source_version != NULL)
        return p->source_version;
    return p->version;
}

int
pkg_ecosystem(const struct pkg *p, const char *os_id, const char *os_version, char *out,
              size_t size)
{
    const char *id = os_id != NULL ? os_id : "", *ver = os_version != NULL ? os_version : "";

    switch (p->kind) {
    case PKG_DEB:
        if (strcmp(id, "debian") == 0 && *ver != '\0')
            return str_format(out, size, "Debian:%.*s", (int)strcspn(ver, "."), ver);
        if (strcmp(id, "ubuntu") == 0 && *ver != '\0') {
            /* LTS releases are the even years' .04 */
            int year = 0, month = 0;
            int lts = sscanf(ver, "%d.%d", &year, &month) == 2 && year % 2 == 0 && month == 4;
            return str_format(out, size, "Ubuntu:%s%s", ver, lts ? ":LTS" : "");
        }
        return -1;
    case PKG_APK:
        if (strcmp(id, "alpine") == 0 && *ver != '\0') {
            const char *dot = strchr(ver, '.');
            size_t n = dot != NULL ? (size_t)(strchr(dot + 1, '.') != NULL
                                                  ? strchr(dot + 1, '.') - ver
                                                  : (long)strlen(ver))
                                   : strlen(ver);
            return str_format(out, size, "Alpine:v%.*s", (int)n, ver);
        }
        if (strcmp(id, "wolfi") == 0)
            return str_format(out, size, "Wolfi");
        if (strcmp(id, "chainguard") == 0)
            return str_format(out, size, "Chainguard");
        return -1;
    case PKG_PYPI:
        return str_format(out, size, "PyPI");
    case PKG_NPM:
        return str_format(out, size, "npm");
    case PKG_GO: {
        int c;
        /* "(devel)", a local replacement, a development toolchain: nothing OSV can match */
        if (pkgver_semver_cmp(p->version, p->version, &c) < 0)
            return -1;
        return str_format(out, size, "Go");
    }
    case PKG_RPM:
        return rpm_ecosystem(id, ver, out, size);
    }
    return -1;
}

/* Percent-encodes what purl's grammar reserves; letters, digits and .-_~ stay. */
static int
enc(char *out, size_t size, size_t *at, const char *s, int lower)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~') {
            if (*at + 1 >= size)
                return -1;
            out[(*at)++] = (char)(lower ? tolower(ch) : ch);
        } else {
            if (*at + 3 >= size)
                return -1;
            out[(*at)++] = '%';
            out[(*at)++] = hex[ch >> 4];
            out[(*at)++] = hex[ch & 15];
        }
    }
    out[*at] = '\0';
    return 0;
}

/* rpm: version-release after the '@', then the sorted qualifiers arch, distro and epoch. */
static int
rpm_purl_tail(const struct pkg *p, const char *os_id, const char *os_version, char *out,
              size_t size, size_t at)
{
    const char *colon = strchr(p->version, ':'), *vr = colon != NULL ? colon + 1 : p->version;
    char sep = '?';

    if (enc(out, size, &at, vr, 0) < 0)
        return -1;
    if (p->arch != NULL && *p->arch != '\0') {
        if (at + 6 >= size)
            return -1;
        memcpy(out + at, "?arch=", 6);
        at += 6;
        sep = '&';
        if (enc(out, size, &at, p->arch, 0) < 0)
            return -1;
    }
    if (os_id != NULL && *os_id != '\0' && os_version != NULL && *os_version != '\0') {
        char d[160];
        if (str_format(d, sizeof(d), "%s-%s", os_id, os_version) < 0 || at + 8 >= size)
            return -1;
        memcpy(out + at, "?distro=", 8);
        out[at] = sep;
        at += 8;
        sep = '&';
        if (enc(out, size, &at, d, 0) < 0)
            return -1;
    }
    if (colon != NULL) {
        if (at + 7 + (size_t)(colon - p->version) >= size)
            return -1;
        memcpy(out + at, "?epoch=", 7);
        out[at] = sep;
        at += 7;
        memcpy(out + at, p->version, (size_t)(colon - p->version));
        at += (size_t)(colon - p->version);
    }
    out[at] = '\0';
    return 0;
}

int
pkg_purl(const struct pkg *p, const char *os_id, const char *os_version, char *out, size_t size)
{
    size_t at = 0;
    const char *type, *ns = NULL;
    int lower = 0;

    switch (p->kind) {
    case PKG_DEB:
        type = "deb";
        ns = os_id != NULL && *os_id != '\0' ? os_id : "debian";
        break;
    case PKG_APK:
        type = "apk";
        ns = os_id != NULL && *os_id != '\0' ? os_id : "alpine";
        break;
    case PKG_PYPI:
        type = "pypi";
        lower = 1;
        break;
    case PKG_NPM:
        type = "npm";
        break;
    case PKG_GO:
        type = "golang";
        break;
    case PKG_RPM:
        type = "rpm";
        ns = os_id != NULL && *os_id != '\0' ? os_id : NULL;
        break;
    default:
        return -1;
    }
    if (str_format(out, size, "pkg:%s/", type) < 0)
        return -1;
    at = strlen(out);
    if (ns != NULL && (enc(out, size, &at, ns, 1) < 0 || at + 1 >= size))
        return -1;
    if (ns != NULL)
        out[at++] = '/';
    if (p->kind == PKG_NPM && p->name[0] == '@' && strchr(p->name, '/') != NULL) {
        /* the scope is the namespace: pkg:npm/%40scope/name */
        const char *slash = strchr(p->name, '/');
        char scope[256];
        if ((size_t)(slash - p->name) >= sizeof(scope))
            return -1;
        memcpy(scope, p->name, (size_t)(slash - p->name));
        scope[slash - p->name] = '\0';
        if (enc(out, size, &at, scope, 0) < 0 || at + 1 >= size)
            return -1;
        out[at++] = '/';
        if (enc(out, size, &at, slash + 1, 0) < 0)
            return -1;
    } else if (p->kind == PKG_GO) {
        /* module paths keep their slashes */
        const char *s = p->name;
        while (*s != '\0') {
            const char *slash = strchr(s, '/');
            char seg[512];
            size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
            if (n >= sizeof(seg))
                return -1;
            memcpy(seg, s, n);
            seg[n] = '\0';
            if (enc(out, size, &at, seg, 0) < 0 || at + 1 >= size)
                return -1;
            if (slash == NULL)
                break;
            out[at++] = '/';
            s = slash + 1;
        }
    } else {
        if (p->kind == PKG_PYPI) {
            /* PEP 503: runs of -_. become one -, lower case */
            char norm[512];
            size_t k = 0;
            for (const char *s = p->name; *s != '\0' && k + 1 < sizeof(norm); s++) {
                if (*s == '-' || *s == '_' || *s == '.') {
                    if (k == 0 || norm[k - 1] != '-')
                        norm[k++] = '-';
                } else {
                    norm[k++] = *s;
                }
            }
            norm[k] = '\0';
            if (enc(out, size, &at, norm, 1) < 0)
                return -1;
        } else if (enc(out, size, &at, p->name, lower) < 0) {
            return -1;
        }
    }
    if (at + 1 >= size)
        return -1;
    out[at++] = '@';
    if (p->kind == PKG_RPM)
        return rpm_purl_tail(p, os_id, os_version, out, size, at);
    if (enc(out, size, &at, p->version, 0) < 0)
        return -1;
    if ((p->kind == PKG_DEB || p->kind == PKG_APK) && os_version != NULL && *os_version != '\0') {
        char q[128];
        if (str_format(q, sizeof(q), "?distro=%s-%s", os_id != NULL ? os_id : "", os_version) < 0 ||
            at + strlen(q) + 1 >= size)
            return -1;
        memcpy(out + at, q, strlen(q) + 1);
    }
    return 0;
}
