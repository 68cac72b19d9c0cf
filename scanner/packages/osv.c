/* osv: one OSV record evaluated for one installed package version (the schema's "Evaluation"
 * rule), and the severity the record gives. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

#define MAX_EVENTS 512

void
pkg_pypi_normalize(const char *name, char *out, size_t size)
{
    size_t k = 0;

    if (size == 0)
        return;
    for (; *name != '\0' && k + 1 < size; name++) {
        if (*name == '-' || *name == '_' || *name == '.') {
            if (k == 0 || out[k - 1] != '-')
                out[k++] = '-';
        } else {
            out[k++] = (char)tolower((unsigned char)*name);
        }
    }
    out[k] = '\0';
}

static const char *
str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Does the record's ecosystem name this one? "Debian:12" == "Debian:12"; a record without a
 * release ("Debian") names every release. */
static int
eco_matches(const char *rec_eco, const char *eco)
{
    size_t n;

    if (strcmp(rec_eco, eco) == 0)
        return 1;
    n = strlen(rec_eco);
    return strchr(rec_eco, ':') == NULL && strncmp(rec_eco, eco, n) == 0 && eco[n] == ':';
}

static int
name_matches(const char *rec_name, const char *name, const char *eco)
{
    if (strcmp(eco, "PyPI") == 0) {
        char a[256], b[256];
        pkg_pypi_normalize(rec_name, a, sizeof(a));
        pkg_pypi_normalize(name, b, sizeof(b));
        return strcmp(a, b) == 0;
    }
    return strcmp(rec_name, name) == 0;
}

struct event {
    int kind; /* 0 introduced, 1 fixed, 2 last_affected, 3 limit */
    const char *v;
};

/* "0" (introduced) is before every version; "*" (limit) after. */
static int
ver_cmp(enum pkg_order sort_order, const char *a, const char *b)
{
    int c = 0;
    if (strcmp(a, b) == 0)
        return 0;
    if (strcmp(a, "0") == 0)
        return -1;
    if (strcmp(b, "0") == 0)
        return 1;
    if (strcmp(a, "*") == 0)
        return 1;
    if (strcmp(b, "*") == 0)
        return -1;
    if (pkgver_cmp(sort_order, a, b, &c) < 0)
        return strcmp(a, b) < 0 ? -1 : 1; /* unparsable: a stable, arbitrary order */
    return c;
}

static int
event_cmp(const void *x, const void *y, void *order)
{
    return ver_cmp(*(const enum pkg_order *)order, ((const struct event *)x)->v,
                   ((const struct event *)y)->v);
}

/* One range: is `version` inside it, and which fixed version ends it. */
static void
eval_range(const cJSON *range, enum pkg_order order, const char *version,
           struct osv_verdict *out)
{
    static const char *const keys[] = {"introduced", "fixed", "last_affected", "limit"};
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(range, "events"), *e;
    struct event ev[MAX_EVENTS];
    size_t n = 0;
    int vulnerable = 0, has_limit = 0, before_limit = 0;

    cJSON_ArrayForEach(e, events) {
        for (int k = 0; k < 4 && n < MAX_EVENTS; k++) {
            const char *v = str_of(e, keys[k]);
            if (v != NULL) {
                ev[n].kind = k;
                ev[n++].v = v;
            }
        }
    }
    qsort_r(ev, n, sizeof(ev[0]), event_cmp, &order);
    for (size_t i = 0; i < n; i++) {
        int c = ver_cmp(order, version, ev[i].v);
        switch (ev[i].kind) {
        case 0:
            if (c >= 0)
                vulnerable = 1;
            break;
        case 1:
            if (c >= 0)
                vulnerable = 0;
            break;
        case 2:
            if (c > 0)
                vulnerable = 0;
            break;
        case 3:
            has_limit = 1;
            if (c < 0)
                before_limit = 1;
            break;
        }
    }
    if (!vulnerable || (has_limit && !before_limit))
        return;
    out->affected = 1;
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == 1 && ver_cmp(order, ev[i].v, version) > 0) {
            if (out->fixed[0] == '\0' || ver_cmp(order, ev[i].v, out->fixed) < 0)
                (void)str_format(out->fixed, sizeof(out->fixed), "%s", ev[i].v);
            break;
        }
}

int
osv_evaluate(const cJSON *rec, const char *ecosystem, const char *name, const char *version,
             struct osv_verdict *out)
{
    const cJSON *aff, *a;
    int order = pkgver_order_of(ecosystem);

    memset(out, 0, sizeof(*out));
    if (order < 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(rec, "withdrawn") != NULL)
        return 0;
    aff = cJSON_GetObjectItemCaseSensitive(rec, "affected");
    cJSON_ArrayForEach(a, aff) {
        const cJSON *pkg = cJSON_GetObjectItemCaseSensitive(a, "package"), *v, *r;
        const char *eco = str_of(pkg, "ecosystem"), *nm = str_of(pkg, "name");
        if (eco == NULL || nm == NULL || !eco_matches(eco, ecosystem) ||
            !name_matches(nm, name, ecosystem))
            continue;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(a, "versions")) {
            int c;
            if (cJSON_IsString(v) &&
                (strcmp(v->valuestring, version) == 0 ||
                 (pkgver_cmp((enum pkg_order)order, v->valuestring, version, &c) == 0 && c == 0)))
                out->affected = 1;
        }
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "ranges")) {
            const char *type = str_of(r, "type");
            if (type != NULL && (strcmp(type, "ECOSYSTEM") == 0 || strcmp(type, "SEMVER") == 0))
                eval_range(r, (enum pkg_order)order, version, out);
        }
    }
    return 0;
}

static enum severity
by_word(const char *w)
{
    if (w == NULL)
        return (enum severity)-1;
    if (strcasecmp(w, "critical") == 0)
        return SEV_CRITICAL;
    if (strcasecmp(w, "high") == 0 || strcasecmp(w, "important") == 0)
        return SEV_HIGH;
    if (strcasecmp(w, "moderate") == 0 || strcasecmp(w, "medium") == 0 ||
        strcasecmp(w, "not yet assigned") == 0)
        return SEV_MEDIUM;
    if (strcasecmp(w, "low") == 0 || strcasecmp(w, "negligible") == 0 ||
        strcasecmp(w, "unimportant") == 0 || strcasecmp(w, "end-of-life") == 0)
        return SEV_LOW;
    return (enum severity)-1;
}

static enum severity
by_score(double s)
{
    return s >= 9.0 ? SEV_CRITICAL : s >= 7.0 ? SEV_HIGH : s >= 4.0 ? SEV_MEDIUM : s > 0 ? SEV_LOW
                                                                                     : SEV_INFO;
}

/* The best severity of a severity[] array: a CVSS v3 score, or an Ubuntu priority word. */
static int
from_array(const cJSON *arr, enum severity *sev, double *score)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, arr) {
        const char *type = str_of(s, "type"), *val = str_of(s, "score");
        if (type == NULL || val == NULL)
            continue;
        if (strcmp(type, "CVSS_V3") == 0) {
            double sc = osv_cvss3_score(val);
            if (sc >= 0) {
                *score = sc;
                *sev = by_score(sc);
                return 1;
            }
        }
        if (strcmp(type, "Ubuntu") == 0 && (int)by_word(val) >= 0) {
            *sev = by_word(val);
            return 1;
        }
    }
    return 0;
}

enum severity
osv_severity(const cJSON *rec, double *score)
{
    enum severity sev = SEV_MEDIUM;
    const cJSON *a;

    *score = -1;
    if (from_array(cJSON_GetObjectItemCaseSensitive(rec, "severity"), &sev, score))
        return sev;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(rec, "affected")) {
        const cJSON *es = cJSON_GetObjectItemCaseSensitive(a, "ecosystem_specific");
        const cJSON *ds = cJSON_GetObjectItemCaseSensitive(a, "database_specific");
        if (from_array(cJSON_GetObjectItemCaseSensitive(a, "severity"), &sev, score))
            return sev;
        if ((int)by_word(str_of(es, "urgency")) >= 0)
            return by_word(str_of(es, "urgency"));
        if ((int)by_word(str_of(ds, "severity")) >= 0)
            return by_word(str_of(ds, "severity"));
    }
    {
        const cJSON *ds = cJSON_GetObjectItemCaseSensitive(rec, "database_specific");
        if ((int)by_word(str_of(ds, "severity")) >= 0)
            return by_word(str_of(ds, "severity"));
    }
    {
        /* Red Hat-style advisories (AlmaLinux's ALSA, Rocky's RLSA) carry the distribution's
         * rating only as the summary's first word: "Important: kernel security update". */
        static const char *const labels[] = {"Low", "Moderate", "Important", "Critical"};
        const char *sum = str_of(rec, "summary");
        for (size_t i = 0; sum != NULL && i < sizeof(labels) / sizeof(labels[0]); i++) {
            size_t n = strlen(labels[i]);
            if (strncmp(sum, labels[i], n) == 0 && sum[n] == ':' && sum[n + 1] == ' ')
                return by_word(labels[i]);
        }
    }
    return SEV_MEDIUM; /* the record rates nothing: medium, and the message says so */
}
