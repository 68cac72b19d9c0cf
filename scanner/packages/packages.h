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

/* ---- Inventory ---------------------------------------------------------------------------- */
enum pkg_kind { PKG_DEB, PKG_APK, PKG_PYPI, PKG_NPM, PKG_GO };

/* One installed package. Strings are owned by the list. */
struct pkg {
    enum pkg_kind kind;
    char *name;       /* binary package name (deb, apk), distribution name (PyPI), npm name */
    char *version;
    char *source;     /* deb: source package; apk: origin; NULL when the same as name */
    char *source_version; /* deb: the source version when it differs from version */
    char *path;       /* the file it was read from, inside the image */
    int layer;        /* the layer that added it (set by the image scanner), -1 unknown */
};

struct pkg_list {
    struct pkg *v;
    size_t n, cap;
};

void pkg_list_free(struct pkg_list *l);

/* Which package database a path in an image is, if any (e.g. var/lib/dpkg/status,
 * lib/apk/db/installed, x.dist-info/METADATA, node_modules/x/package.json); 0 when none. */
int pkg_inventory_wants(const char *path);
/* Parses one such file and appends what it lists. Malformed stanzas are skipped, never fatal;
 * the counts are bounded (PKG_MAX_PER_FILE). Returns 0 or ERR_NOMEM. */
int pkg_inventory_parse(const char *path, const char *data, size_t len, struct pkg_list *out);
#define PKG_MAX_PER_FILE 100000

/* The OSV ecosystem of a package in an image whose os-release says ID and VERSION_ID (e.g.
 * "debian", "12"): "Debian:12", "Alpine:v3.19", "Ubuntu:22.04:LTS", "PyPI", "npm". */
int pkg_ecosystem(const struct pkg *p, const char *os_id, const char *os_version, char *out,
                  size_t size);
/* A package URL (purl) for it. */
int pkg_purl(const struct pkg *p, const char *os_id, const char *os_version, char *out,
             size_t size);

/* ---- OSV records and matching --------------------------------------------------------------- */
struct cJSON;

/* What one OSV record says about one installed version. */
struct osv_verdict {
    int affected;     /* 1: this version is affected */
    char fixed[128];  /* the first fixed version above it, "" when none is published */
};

/* Evaluates record `rec` (parsed OSV JSON) for the package named `name` in `ecosystem` at
 * `version`, with the OSV rule: affected if listed in `versions` or inside any ECOSYSTEM or
 * SEMVER range (events sorted by the ecosystem's order; `introduced: "0"` is before all).
 * Withdrawn records affect nothing. Returns 0, or -1 when the ecosystem's order is unknown. */
int osv_evaluate(const struct cJSON *rec, const char *ecosystem, const char *name,
                 const char *version, struct osv_verdict *out);

/* The severity a record gives (CVSS v3 base score from the vector, else the database's own
 * rating, else Debian's urgency or Ubuntu's priority); `score` gets the CVSS score or -1. */
enum severity osv_severity(const struct cJSON *rec, double *score);
/* CVSS v3.0/3.1 base score of a vector ("CVSS:3.1/AV:N/..."); -1 when not a valid v3 vector. */
double osv_cvss3_score(const char *vector);

/* One (vulnerability, installed package) pair. */
struct pkg_match {
    size_t pkg;           /* index in the package list */
    char *id;
    char *aliases;        /* comma-separated, or NULL */
    char *summary;        /* or NULL */
    char fixed[128];      /* "" when no fix is published */
    char ecosystem[64];
    enum severity severity;
    double score;         /* CVSS v3 base score, or -1 */
};
struct pkg_matches {
    struct pkg_match *v;
    size_t n, cap;
};
void pkg_matches_free(struct pkg_matches *m);
/* The aliases a VULN001 message shows after the id: " (A,B)", without those the id already
 * names (the CVE in DEBIAN-CVE-...); "" when none is left. */
void pkg_vuln_alias_note(const char *id, const char *aliases, char *out, size_t size);

/* What reading the database found. */
struct osv_db_stats {
    size_t records;       /* records read */
    size_t skipped;       /* records that were not valid JSON or too large */
    long long newest;     /* the newest file's modification time (seconds), 0 when none */
};

/* Reads every OSV record under `dir` (*.json files, and *.zip archives of them as OSV
 * publishes, at any depth up to 4) and appends a match for each installed package a record
 * affects. Memory stays bounded whatever the database's size: records are parsed one at a time
 * and only matches are kept. Through the database's index (osv_db_index, built here when missing
 * or stale) only the records naming the packages are read; SCANNER_OSV_NO_INDEX=1 reads all. ERR_NOTFOUND when `dir` does not exist or holds no record;
 * ERR_PARSE naming the archive when a zip is unreadable. */
int osv_db_match(const char *dir, const struct pkg_list *pkgs, const char *os_id,
                 const char *os_version, struct pkg_matches *out, struct osv_db_stats *st);
/* Builds (or rebuilds) the index a scan reads the database through: DIR/.index-v1, or, when DIR
 * cannot be written, $XDG_CACHE_HOME/secrets-suite/osv-index/<hash of DIR's path>.v1. Scans
 * build it themselves when it is missing or stale; `scanner db update` builds it at once.
 * `where` gets its path; st the database's counts. */
int osv_db_index(const char *dir, char *where, size_t size, struct osv_db_stats *st);
#define OSV_MAX_RECORD (16u << 20)    /* one record file or zip entry */
#define OSV_MAX_RECORDS 5000000       /* records in one database */

/* ---- Database update (scanner db update) ------------------------------------------------------- */
struct osv_update_result {
    long long bytes, resumed_from;
    size_t records;
};
/* Downloads BASE_URL/ECO/all.zip into DIR/ECO/all.zip (through a resumable DIR/ECO/all.zip.part,
 * checked whole before it replaces the old archive, which a failure leaves in place). */
int osv_db_update_one(const char *dir, const char *eco, const char *base_url,
                      struct osv_update_result *res);
/* Debian, Ubuntu, Alpine, PyPI, npm, Go; NULL-terminated. */
extern const char *const osv_default_ecosystems[];
/* $XDG_CACHE_HOME/secrets-suite/osv, else ~/.cache/secrets-suite/osv; -1 without either. */
int osv_db_default_dir(char *out, size_t size);
#define OSV_DEFAULT_URL "https://osv-vulnerabilities.storage.googleapis.com"

/* ---- SBOM ------------------------------------------------------------------------------------ */
enum sbom_format { SBOM_CYCLONEDX, SBOM_SPDX };
/* "cyclonedx" | "spdx" -> format; -1 when unknown. */
int sbom_format_parse(const char *name);
/* What the SBOM describes. */
struct sbom_subject {
    const char *name;     /* the image as the user named it */
    const char *digest;   /* its config digest, or NULL */
    const char *os_id, *os_version;
};
/* Writes the SBOM (CycloneDX 1.5 JSON or SPDX 2.3 JSON) of `pkgs` into `out`. */
int sbom_render(struct buf *out, enum sbom_format fmt, const struct sbom_subject *subj,
                const struct pkg_list *pkgs, const char *tool_version);

/* ---- Rules ----------------------------------------------------------------------------------- */
extern const struct rule_meta pkg_rule_vuln, pkg_rule_db_stale;
/* The rows above one by one (NULL past the last), for listings. */
const struct rule_meta *pkg_rule_at(size_t i);
/* A database older than this many days is reported (VULN002). */
#define OSV_STALE_DAYS 7

/* PEP 503 normal form of a Python distribution name, for matching (lower case, runs of -_.
 * as one -). */
void pkg_pypi_normalize(const char *name, char *out, size_t size);

/* ---- Other scanners' reports (scanner --image I --merge-report FILE) -------------------------- */
enum pkg_peer_tool { PEER_TRIVY = 1, PEER_GRYPE };
/* One vulnerability a peer reports for one package. */
struct pkg_peer_vuln {
    char *id;
    char *aliases;   /* comma-separated (Trivy VendorIDs, Grype relatedVulnerabilities), or NULL */
    char *package;
    char *installed;
    char *fixed;     /* NULL when the peer knows no fix */
    char *purl;      /* or NULL */
    char *layer;     /* the diff id of the layer that added the package, or NULL */
    char *type;      /* Trivy's result Type or Grype's artifact type ("debian", "python") */
    char *path;      /* the package's file in the image (Trivy PkgPath, Grype location), or NULL */
    char *title;     /* or NULL */
    enum severity severity;
};
struct pkg_peer_report {
    char *file;
    enum pkg_peer_tool tool;
    char *artifact;  /* the image as the peer was told (ArtifactName, source.target.userInput) */
    char **layers;   /* the image's diff ids as the report lists them (Trivy Metadata.DiffIDs,
                      * Grype source.target.layers[].digest) */
    size_t nlayers;
    struct pkg_peer_vuln *v;
    size_t n, cap;
};
/* Reads a Trivy (`trivy image -f json`) or Grype (`grype -o json`) report, told apart by its
 * keys. Anything that is not one of them (not JSON, a missing or mistyped field, nesting past 64
 * levels, a file over PEER_MAX_FILE) is ERR_PARSE or ERR_LIMIT naming the file, line and column;
 * memory is the kept fields of the results: cJSON parses one result at a time, never the file. */
int pkg_merge_load(const char *path, struct pkg_peer_report *out);
int pkg_merge_parse(const char *name, const char *data, size_t len, struct pkg_peer_report *out);
void pkg_merge_free(struct pkg_peer_report *r);
const char *pkg_peer_name(enum pkg_peer_tool t); /* "trivy", "grype" */
#define PEER_MAX_FILE ((size_t)256 << 20)
#define PEER_MAX_ITEM ((size_t)16 << 20) /* one result (a Trivy result's vulnerability, a match) */
#define PEER_MAX_VULNS 500000

/* The scanned image, as the fold needs it. */
struct pkg_merge_image {
    const char *ref;           /* as the user named it */
    char *const *layers;       /* its diff ids */
    const int *is_base;        /* per layer */
    size_t nlayers;
    const char *os_id, *os_version; /* from its os-release ("" when none) */
    int skip_base, ignore_unfixed;
};
/* A report whose layer list is not the image's is of another image: ERR_USAGE naming the file.
 * Without a layer list, a different image name is only a warning. */
int pkg_merge_check_image(const struct pkg_peer_report *r, const struct pkg_merge_image *img);
/* Folds the reports' results into f as VULN001 findings: a result that a finding from index
 * `from` on already reports (the same id or alias, package and installed version) only adds its
 * tool to that finding's sources; the others become findings of their own, in the report's
 * order, said to be "reported by Trivy/Grype". */
int pkg_merge_fold(struct findings *f, size_t from, const struct pkg_peer_report *reps, size_t n,
                   const struct pkg_merge_image *img);

#endif
