/* report_sarif: SARIF 2.1.0 for code-scanning services. Rules are collected from the findings
 * (one reportingDescriptor per rule id), levels come from severities, and every result carries a
 * partialFingerprint that does not depend on line numbers. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static const char *
sarif_level(enum severity s)
{
    if (s >= SEV_HIGH)
        return "error";
    if (s == SEV_MEDIUM)
        return "warning";
    return "note";
}

/* GitHub's security-severity: a CVSS-like score as a string. */
static const char *
security_severity(enum severity s)
{
    static const char *const score[] = {"0.0", "2.0", "5.0", "7.5", "9.5"};
    return score[s];
}

/* Percent-encodes a path into a relative URI reference (absolute paths become file:// URIs). */
static int
path_uri(struct buf *out, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    if (path[0] == '/')
        rc = buf_append(out, "file://", 7);
    for (const unsigned char *p = (const unsigned char *)path; *p && rc == 0; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) != NULL) {
            rc = buf_append(out, p, 1);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(out, enc, 3);
        }
    }
    return rc;
}

static uint64_t
fnv1a(uint64_t h, const char *s)
{
    for (; s != NULL && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xff; /* field separator */
    return h * 0x100000001b3ULL;
}

static cJSON *
rule_descriptor(const struct finding *x)
{
    cJSON *r = cJSON_CreateObject(), *o, *props, *tags;

    cJSON_AddStringToObject(r, "id", x->rule);
    o = cJSON_AddObjectToObject(r, "shortDescription");
    cJSON_AddStringToObject(o, "text", x->title);
    o = cJSON_AddObjectToObject(r, "help");
    cJSON_AddStringToObject(o, "text", x->remediation ? x->remediation : x->title);
    o = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON_AddStringToObject(o, "level", sarif_level(x->severity));
    props = cJSON_AddObjectToObject(r, "properties");
    tags = cJSON_AddArrayToObject(props, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
    cJSON_AddItemToArray(tags, cJSON_CreateString(x->category));
    cJSON_AddStringToObject(props, "security-severity", security_severity(x->severity));
    if (x->aliases != NULL)
        cJSON_AddStringToObject(props, "aliases", x->aliases);
    return r;
}

static int
rule_index(cJSON *rules, const struct finding *x)
{
    int i = 0;
    cJSON *r;

    cJSON_ArrayForEach(r, rules)
    {
        if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring, x->rule) == 0)
            return i;
        i++;
    }
    cJSON_AddItemToArray(rules, rule_descriptor(x));
    return i;
}

static cJSON *
result_json(const struct finding *x, int index)
{
    cJSON *res = cJSON_CreateObject(), *o, *locs, *loc, *phys, *art, *fp;
    struct buf uri = {0};
    char hex[17];
    uint64_t h = 0xcbf29ce484222325ULL;

    cJSON_AddStringToObject(res, "ruleId", x->rule);
    cJSON_AddNumberToObject(res, "ruleIndex", index);
    cJSON_AddStringToObject(res, "level", sarif_level(x->severity));
    o = cJSON_AddObjectToObject(res, "message");
    if (x->secret_redacted != NULL) {
        struct buf m = {0};
        buf_printf(&m, "%s (secret %s)", x->message, x->secret_redacted);
        cJSON_AddStringToObject(o, "text", m.data ? m.data : x->message);
        buf_free(&m);
    } else {
        cJSON_AddStringToObject(o, "text", x->message);
    }
    locs = cJSON_AddArrayToObject(res, "locations");
    loc = cJSON_CreateObject();
    cJSON_AddItemToArray(locs, loc);
    if (x->path != NULL && path_uri(&uri, x->layer ? x->path + (x->path[0] == '/') : x->path) == 0) {
        phys = cJSON_AddObjectToObject(loc, "physicalLocation");
        art = cJSON_AddObjectToObject(phys, "artifactLocation");
        cJSON_AddStringToObject(art, "uri", uri.data);
        if (x->line > 0) {
            o = cJSON_AddObjectToObject(phys, "region");
            cJSON_AddNumberToObject(o, "startLine", x->line);
            cJSON_AddNumberToObject(o, "startColumn", x->column > 0 ? x->column : 1);
        }
    }
    buf_free(&uri);
    if (x->layer != NULL || x->container != NULL || x->path == NULL) {
        cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
        cJSON *l = cJSON_CreateObject();
        cJSON_AddItemToArray(logical, l);
        cJSON_AddStringToObject(l, "name",
                                x->layer ? x->layer : x->container ? x->container
                                                      : x->target ? x->target : "-");
        cJSON_AddStringToObject(l, "kind", x->layer ? "layer" : x->container ? "container" : "target");
    }
    fp = cJSON_AddObjectToObject(res, "partialFingerprints");
    h = fnv1a(h, x->rule);
    h = fnv1a(h, x->path ? x->path : x->target);
    h = fnv1a(h, x->layer);
    h = fnv1a(h, x->secret_fingerprint ? x->secret_fingerprint : x->message);
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
    cJSON_AddStringToObject(fp, "primaryLocationLineHash/v1", hex);
    if (x->secret_fingerprint != NULL)
        cJSON_AddStringToObject(fp, "secretFingerprint/v1", x->secret_fingerprint);
    if (x->aliases != NULL || x->layer != NULL) {
        cJSON *props = cJSON_AddObjectToObject(res, "properties");
        cJSON_AddStringToObject(props, "severity", severity_name(x->severity));
        if (x->layer != NULL)
            cJSON_AddNumberToObject(props, "layerIndex", x->layer_index);
    }
    if (x->vcs != NULL) {
        /* SARIF has no per-result commit: the history facts ride in the result's properties. */
        cJSON *props = cJSON_GetObjectItem(res, "properties");
        if (props == NULL)
            props = cJSON_AddObjectToObject(res, "properties");
        cJSON_AddStringToObject(props, "commit", x->vcs->commit);
        if (x->vcs->author != NULL)
            cJSON_AddStringToObject(props, "commitAuthor", x->vcs->author);
        if (x->vcs->date != NULL)
            cJSON_AddStringToObject(props, "commitDate", x->vcs->date);
        if (x->vcs->subject != NULL)
            cJSON_AddStringToObject(props, "commitSubject", x->vcs->subject);
        cJSON_AddBoolToObject(props, "atHead", x->vcs->at_head);
        if (x->vcs->removed_in != NULL)
            cJSON_AddStringToObject(props, "removedIn", x->vcs->removed_in);
        cJSON_AddNumberToObject(props, "commits", (double)x->vcs->commits);
    }
    return res;
}

int
report_write_sarif(struct buf *out, const struct findings *f, const struct tool_info *tool)
{
    cJSON *root = cJSON_CreateObject(), *runs, *run, *driver, *rules, *results, *o;
    char *text;
    int rc;

    if (root == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    runs = cJSON_AddArrayToObject(root, "runs");
    run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    o = cJSON_AddObjectToObject(run, "tool");
    driver = cJSON_AddObjectToObject(o, "driver");
    cJSON_AddStringToObject(driver, "name", tool->name);
    cJSON_AddStringToObject(driver, "version", tool->version);
    cJSON_AddStringToObject(driver, "semanticVersion", tool->version);
    if (tool->info_uri != NULL)
        cJSON_AddStringToObject(driver, "informationUri", tool->info_uri);
    rules = cJSON_AddArrayToObject(driver, "rules");
    for (size_t i = 0; i < f->ntargets; i++) {
        const struct target *t = &f->targets[i];
        cJSON *vcp, *vc;
        if (t->vcs_uri == NULL)
            continue;
        vcp = cJSON_GetObjectItem(run, "versionControlProvenance");
        if (vcp == NULL)
            vcp = cJSON_AddArrayToObject(run, "versionControlProvenance");
        vc = cJSON_CreateObject();
        cJSON_AddItemToArray(vcp, vc);
        cJSON_AddStringToObject(vc, "repositoryUri", t->vcs_uri);
        if (t->vcs_revision != NULL)
            cJSON_AddStringToObject(vc, "revisionId", t->vcs_revision);
        if (t->vcs_branch != NULL)
            cJSON_AddStringToObject(vc, "branch", t->vcs_branch);
    }
    results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < f->n; i++)
        cJSON_AddItemToArray(results, result_json(&f->items[i], rule_index(rules, &f->items[i])));
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return err_set(ERR_NOMEM, "out of memory rendering SARIF");
    rc = buf_append(out, text, strlen(text));
    if (rc == 0)
        rc = buf_append(out, "\n", 1);
    cJSON_free(text);
    return rc;
}
