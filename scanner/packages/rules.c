/* rules: the vulnerability rule rows (ids VULN…). VULN001's severity is each record's own
 * (CVSS v3 score, the database's rating, or the distribution's urgency). */
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
