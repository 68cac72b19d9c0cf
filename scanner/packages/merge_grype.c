/* merge_grype: the fields of a `grype -o json` report that a merge needs: source.target
 * (userInput, layers[].digest) and matches[] (vulnerability.id, severity, fix.versions,
 * relatedVulnerabilities[].id; artifact.name, version, type, purl, locations[].path/layerID).
 * ignoredMatches are what the user told Grype to ignore: not merged. */
#include <stdlib.h>
#include <string.h>

#include "merge_internal.h"

int
merge_grype_key(const char *key)
{
    return strcmp(key, "matches") == 0 || strcmp(key, "descriptor") == 0 ||
           strcmp(key, "source") == 0 || strcmp(key, "ignoredMatches") == 0;
}

static int
match(struct mj *j, size_t at, const cJSON *o, struct pkg_peer_report *r)
{
    struct pkg_peer_vuln v;
    const cJSON *vuln, *art, *fix, *versions, *related, *locs;
    const char *sev = NULL, *state = NULL;
    struct buf aliases = {0}, fixed = {0};
    int rc;

    memset(&v, 0, sizeof(v));
    if (!cJSON_IsObject(o))
        return mj_fail(j, at, ERR_PARSE, "a match is not an object");
    if ((rc = merge_typed(j, at, o, "vulnerability", 0, &vuln)) < 0 ||
        (rc = merge_typed(j, at, o, "artifact", 0, &art)) < 0)
        return rc;
    if (vuln == NULL || art == NULL)
        return mj_fail(j, at, ERR_PARSE,
                       vuln == NULL ? "a match without \"vulnerability\"" : "a match without \"artifact\"");
    if ((rc = merge_need(j, at, vuln, "id", (const char **)&v.id)) < 0 ||
        (rc = merge_str(j, at, vuln, "severity", &sev)) < 0 ||
        (rc = merge_str(j, at, vuln, "description", (const char **)&v.title)) < 0 ||
        (rc = merge_typed(j, at, vuln, "fix", 0, &fix)) < 0 ||
        (rc = merge_str(j, at, fix, "state", &state)) < 0 ||
        (rc = merge_typed(j, at, fix, "versions", 1, &versions)) < 0 ||
        (rc = merge_join(j, at, versions, NULL, ", ", &fixed)) < 0 ||
        (rc = merge_typed(j, at, o, "relatedVulnerabilities", 1, &related)) < 0 ||
        (rc = merge_join(j, at, related, "id", ",", &aliases)) < 0 ||
        (rc = merge_need(j, at, art, "name", (const char **)&v.package)) < 0 ||
        (rc = merge_need(j, at, art, "version", (const char **)&v.installed)) < 0 ||
        (rc = merge_str(j, at, art, "type", (const char **)&v.type)) < 0 ||
        (rc = merge_str(j, at, art, "purl", (const char **)&v.purl)) < 0 ||
        (rc = merge_typed(j, at, art, "locations", 1, &locs)) < 0)
        goto out;
    if (cJSON_GetArraySize(locs) > 0) {
        const cJSON *l = cJSON_GetArrayItem(locs, 0);
        if (!cJSON_IsObject(l)) {
            rc = mj_fail(j, at, ERR_PARSE, "a location is not an object");
            goto out;
        }
        if ((rc = merge_str(j, at, l, "path", (const char **)&v.path)) < 0 ||
            (rc = merge_str(j, at, l, "layerID", (const char **)&v.layer)) < 0)
            goto out;
        if (v.path != NULL && v.path[0] == '/')
            v.path++; /* image paths are shown without the leading slash */
    }
    /* a description can be long: its first line is the title */
    if (v.title != NULL && (strchr(v.title, '\n') != NULL || strlen(v.title) > 200))
        v.title = NULL;
    if (state == NULL || strcmp(state, "fixed") == 0)
        v.fixed = fixed.data;
    v.aliases = aliases.data;
    v.severity = merge_severity(sev);
    rc = merge_add(r, &v);
out:
    buf_free(&aliases);
    buf_free(&fixed);
    return rc;
}

/* source: {"type": "image", "target": {"userInput", "layers": [{"digest"}]}}, or a string
 * target for a directory or file source. */
static int
source(struct mj *j, size_t at, const cJSON *o, struct pkg_peer_report *r)
{
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(o, "target"), *layers;
    const char *name = NULL;
    int rc, nomem = 0;

    if (!cJSON_IsObject(o))
        return mj_fail(j, at, ERR_PARSE, "\"source\" is not an object");
    if (cJSON_IsString(target)) {
        name = target->valuestring;
    } else if (target != NULL && !cJSON_IsNull(target)) {
        if (!cJSON_IsObject(target))
            return mj_fail(j, at, ERR_PARSE, "\"source.target\" is neither a string nor an object");
        if ((rc = merge_str(j, at, target, "userInput", &name)) < 0 ||
            (rc = merge_typed(j, at, target, "layers", 1, &layers)) < 0 ||
            (rc = merge_layers(j, at, layers, "digest", r)) < 0)
            return rc;
    }
    if (name != NULL && r->artifact == NULL &&
        (r->artifact = merge_clean_dup(name, PEER_MAX_FIELD, &nomem)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

int
merge_grype_member(struct mj *j, const char *key, struct pkg_peer_report *r)
{
    size_t at;
    cJSON *o;
    int first = 1, rc;

    if (strcmp(key, "matches") == 0) {
        if (mj_peek(j) == 'n') /* null: nothing found */
            return mj_skip(j);
        if ((rc = mj_array_begin(j)) < 0)
            return rc;
        while ((rc = mj_array_next(j, &first)) > 0) {
            (void)mj_peek(j);
            at = j->pos;
            if ((rc = mj_value(j, PEER_MAX_ITEM, &o)) < 0)
                return rc;
            rc = match(j, at, o, r);
            cJSON_Delete(o);
            if (rc < 0)
                return rc;
        }
        return rc;
    }
    if (strcmp(key, "source") != 0)
        return 1;
    (void)mj_peek(j);
    at = j->pos;
    if ((rc = mj_value(j, PEER_MAX_ITEM, &o)) < 0)
        return rc;
    rc = source(j, at, o, r);
    cJSON_Delete(o);
    return rc;
}
