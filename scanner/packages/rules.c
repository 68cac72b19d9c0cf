/* rules: the vulnerability rule rows (ids VULN…). VULN001's severity is each record's own
 * (CVSS v3 score, the database's rating, or the distribution's urgency). */
#include <string.h>

#include "packages.h"

const struct rule_meta pkg_rule_vuln = {
    "VULN001", SEV_HIGH, "vulnerability", "Installed package with a published vulnerability",
    "Update the package to the fixed version (rebuild on an updated base image, or upgrade the "
    "package in the Dockerfile); with no fix published, weigh removing the package",
    "trivy:vulnerability,grype:vulnerability"};
const struct rule_meta pkg_rule_db_stale = {
    "VULN002", SEV_MEDIUM, "vulnerability", "Vulnerability database is out of date",
    "Refresh it: `scanner db update` (or download OSV's per-ecosystem all.zip files into the "
    "--vuln-db directory)", NULL};

static const struct rule_meta *const rules[] = {&pkg_rule_vuln, &pkg_rule_db_stale};

const struct rule_meta *
pkg_rule_at(size_t i)
{
    return i < sizeof(rules) / sizeof(rules[0]) ? rules[i] : NULL;
}

/* Whether alias `a` (length n) only repeats what `id` already says: the same id, or its tail
 * after a distribution's prefix (DEBIAN-CVE-2023-38545 names CVE-2023-38545). */
static int
alias_in_id(const char *id, const char *a, size_t n)
{
    size_t l = strlen(id);

    if (n == 0 || n > l)
        return n == 0;
    return memcmp(id + l - n, a, n) == 0 && (l == n || id[l - n - 1] == '-');
}

void
pkg_vuln_alias_note(const char *id, const char *aliases, char *out, size_t size)
{
    size_t w = 0, n;

    if (size == 0)
        return;
    out[0] = '\0';
    for (const char *p, *cur = aliases; (p = json_list_next(&cur, &n)) != NULL;) {
        if (!alias_in_id(id, p, n) && w + n + 4 < size) {
            memcpy(out + w, w == 0 ? " (" : ",", w == 0 ? 2 : 1);
            w += w == 0 ? 2 : 1;
            memcpy(out + w, p, n);
            w += n;
        }
    }
    if (w > 0) {
        out[w++] = ')';
        out[w] = '\0';
    }
}
