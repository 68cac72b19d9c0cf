/* merge_trivy: the fields of a `trivy image -f json` report (schema 2) that a merge needs:
 * ArtifactName, Metadata.DiffIDs, and Results[].Vulnerabilities[] (VulnerabilityID, VendorIDs,
 * PkgName, InstalledVersion, FixedVersion, Severity, PkgIdentifier.PURL, Layer.DiffID, PkgPath,
 * Title) with each result's Type. Results[].Packages, the bulk of a report, is only checked. */
#include <stdlib.h>
#include <string.h>

#include "merge_internal.h"

int
merge_trivy_key(const char *key)
{
    return strcmp(key, "Results") == 0 || strcmp(key, "ArtifactName") == 0 ||
           strcmp(key, "SchemaVersion") == 0 || strcmp(key, "Metadata") == 0;
}

static int
vulnerability(struct mj *j, size_t at, const cJSON *o, struct pkg_peer_report *r)
{
    struct pkg_peer_vuln v;
    const cJSON *ident, *layer, *vendor;
    const char *sev = NULL;
    struct buf aliases = {0};
    int rc;

    memset(&v, 0, sizeof(v));
    if (!cJSON_IsObject(o))
        return mj_fail(j, at, ERR_PARSE, "a vulnerability is not an object");
    if ((rc = merge_need(j, at, o, "VulnerabilityID", (const char **)&v.id)) < 0 ||
        (rc = merge_need(j, at, o, "PkgName", (const char **)&v.package)) < 0 ||
        (rc = merge_need(j, at, o, "InstalledVersion", (const char **)&v.installed)) < 0 ||
        (rc = merge_str(j, at, o, "FixedVersion", (const char **)&v.fixed)) < 0 ||
        (rc = merge_str(j, at, o, "Severity", &sev)) < 0 ||
        (rc = merge_str(j, at, o, "PkgPath", (const char **)&v.path)) < 0 ||
        (rc = merge_str(j, at, o, "Title", (const char **)&v.title)) < 0 ||
        (rc = merge_typed(j, at, o, "PkgIdentifier", 0, &ident)) < 0 ||
        (rc = merge_str(j, at, ident, "PURL", (const char **)&v.purl)) < 0 ||
        (rc = merge_typed(j, at, o, "Layer", 0, &layer)) < 0 ||
        (rc = merge_str(j, at, layer, "DiffID", (const char **)&v.layer)) < 0 ||
        (rc = merge_typed(j, at, o, "VendorIDs", 1, &vendor)) < 0 ||
        (rc = merge_join(j, at, vendor, NULL, ",", &aliases)) < 0)
        goto out;
    if (v.fixed != NULL && v.fixed[0] == '\0')
        v.fixed = NULL;
    v.aliases = aliases.data;
    v.severity = merge_severity(sev);
    rc = merge_add(r, &v);
out:
    buf_free(&aliases);
    return rc;
}

/* A string member of a result (Type, Target) into *out, once. */
static int
result_str(struct mj *j, const char *key, size_t max, char **out)
{
    size_t at;
    cJSON *t;
    int rc, nomem = 0;
    char what[80];

    (void)mj_peek(j);
    at = j->pos;
    if ((rc = mj_value(j, max, &t)) < 0)
        return rc;
    if (!cJSON_IsString(t) && !cJSON_IsNull(t)) {
        (void)str_format(what, sizeof(what), "\"%s\" is not a string", key);
        rc = mj_fail(j, at, ERR_PARSE, what);
    } else if (cJSON_IsString(t) && *out == NULL &&
               (*out = merge_clean_dup(t->valuestring, PEER_MAX_FIELD, &nomem)) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(t);
    return rc;
}

/* Binaries whose result Target is the file the packages were read from. */
static int
target_is_file(const char *type)
{
    return type != NULL && (strcmp(type, "gobinary") == 0 || strcmp(type, "rustbinary") == 0 ||
                            strcmp(type, "jar") == 0);
}

/* One of Results[]: its Type and Target, and its Vulnerabilities one at a time. */
static int
result(struct mj *j, struct pkg_peer_report *r)
{
    size_t from = r->n;
    char key[64], *type = NULL, *target = NULL;
    int first = 1, rc;

    if ((rc = mj_object_begin(j)) < 0)
        return rc;
    while ((rc = mj_object_next(j, &first, key, sizeof(key))) > 0) {
        if (strcmp(key, "Type") == 0) {
            rc = result_str(j, key, 4096, &type);
        } else if (strcmp(key, "Target") == 0) {
            rc = result_str(j, key, 65536, &target);
        } else if (strcmp(key, "Vulnerabilities") == 0) {
            int vfirst = 1;
            if (mj_peek(j) == 'n') {
                rc = mj_skip(j);
            } else if ((rc = mj_array_begin(j)) == 0) {
                while ((rc = mj_array_next(j, &vfirst)) > 0) {
                    cJSON *o;
                    size_t at;
                    (void)mj_peek(j);
                    at = j->pos;
                    if ((rc = mj_value(j, PEER_MAX_ITEM, &o)) < 0)
                        break;
                    rc = vulnerability(j, at, o, r);
                    cJSON_Delete(o);
                    if (rc < 0)
                        break;
                }
            }
        } else {
            rc = mj_skip(j);
        }
        if (rc < 0)
            break;
    }
    /* Type and Target may come after the vulnerabilities: they are set once the result is read */
    for (size_t i = from; rc == 0 && i < r->n; i++) {
        if (type != NULL && (r->v[i].type = strdup(type)) == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
        else if (r->v[i].path == NULL && target_is_file(type) && target != NULL &&
                 (r->v[i].path = strdup(target)) == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
    }
    free(type);
    free(target);
    return rc;
}

int
merge_trivy_member(struct mj *j, const char *key, struct pkg_peer_report *r)
{
    size_t at;
    cJSON *v;
    int first = 1, rc, nomem = 0;

    if (strcmp(key, "Results") == 0) {
        if (mj_peek(j) == 'n') /* null: nothing found */
            return mj_skip(j);
        if ((rc = mj_array_begin(j)) < 0)
            return rc;
        while ((rc = mj_array_next(j, &first)) > 0)
            if ((rc = result(j, r)) < 0)
                return rc;
        return rc;
    }
    if (strcmp(key, "ArtifactName") != 0 && strcmp(key, "Metadata") != 0)
        return 1;
    (void)mj_peek(j);
    at = j->pos;
    if ((rc = mj_value(j, PEER_MAX_ITEM, &v)) < 0)
        return rc;
    if (strcmp(key, "ArtifactName") == 0) {
        if (!cJSON_IsString(v))
            rc = mj_fail(j, at, ERR_PARSE, "\"ArtifactName\" is not a string");
        else if (r->artifact == NULL &&
                 (r->artifact = merge_clean_dup(v->valuestring, PEER_MAX_FIELD, &nomem)) == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
    } else {
        const cJSON *ids = NULL;
        if (!cJSON_IsObject(v))
            rc = mj_fail(j, at, ERR_PARSE, "\"Metadata\" is not an object");
        else if ((rc = merge_typed(j, at, v, "DiffIDs", 1, &ids)) == 0)
            rc = merge_layers(j, at, ids, NULL, r);
    }
    cJSON_Delete(v);
    return rc;
}
