/* report_gitlab: GitLab's security report (the secret-detection report schema, version 15) for
 * `artifacts: reports: secret_detection`: one vulnerability per finding, with our rule and its
 * aliases as identifiers, the file and line, the scan's status and its failed targets as
 * messages. Ids are derived from the report fingerprint (no value in them). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define GITLAB_SCHEMA_VERSION "15.0.7"

static const char *
gitlab_severity(enum severity s)
{
    static const char *const names[] = {"Info", "Low", "Medium", "High", "Critical"};
    return (unsigned)s < 5 ? names[s] : "Unknown";
}

static void
add_identifier(cJSON *ids, const char *type, const char *name, const char *value, size_t len)
{
    cJSON *o = cJSON_CreateObject();
    char *v = strndup(value, len);

    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "value", v ? v : "");
    cJSON_AddItemToArray(ids, o);
    free(v);
}

static cJSON *
vulnerability(const struct finding *x, const char *fp, unsigned occ, const char *sha)
{
    cJSON *v = cJSON_CreateObject(), *ids, *loc, *commit;
    char uuid[40], rel[4096];
    struct buf desc = {0};
    const char *p = x->aliases;

    /* A UUID-shaped id from the fingerprint and the occurrence: stable between runs. */
    snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.8s%04x", fp, fp + 8, fp + 12, fp + 16,
             fp + 20, occ & 0xffff);
    cJSON_AddStringToObject(v, "id", uuid);
    cJSON_AddStringToObject(v, "name", x->title);
    if (buf_printf(&desc, "%s%s%s%s", x->message, x->secret_redacted ? " (secret " : "",
                   x->secret_redacted ? x->secret_redacted : "", x->secret_redacted ? ")" : "") == 0)
        cJSON_AddStringToObject(v, "description", desc.data);
    buf_free(&desc);
    cJSON_AddStringToObject(v, "severity", gitlab_severity(x->severity));
    if (x->remediation != NULL)
        cJSON_AddStringToObject(v, "solution", x->remediation);
    ids = cJSON_AddArrayToObject(v, "identifiers");
    add_identifier(ids, "scanner_rule", x->rule, x->rule, strlen(x->rule));
    while (p != NULL && *p) {
        size_t l = strcspn(p, ",");
        while (l > 0 && *p == ' ') {
            p++;
            l--;
        }
        if (l > 0)
            add_identifier(ids, "alias", x->rule, p, l);
        p += l;
        if (*p == ',')
            p++;
    }
    loc = cJSON_AddObjectToObject(v, "location");
    if (x->path != NULL && x->layer == NULL && x->container == NULL &&
        report_path_rel(x->path, rel, sizeof(rel)) == 0)
        cJSON_AddStringToObject(loc, "file", rel);
    else if (x->path != NULL)
        cJSON_AddStringToObject(loc, "file", x->path);
    else
        cJSON_AddStringToObject(loc, "file", x->target ? x->target : "-");
    if (x->line > 0) {
        cJSON_AddNumberToObject(loc, "start_line", x->line);
        cJSON_AddNumberToObject(loc, "end_line", x->end_line > x->line ? x->end_line : x->line);
    }
    commit = cJSON_AddObjectToObject(loc, "commit");
    cJSON_AddStringToObject(commit, "sha", sha);
    return v;
}

static void
add_tool(cJSON *scan, const char *what, const struct tool_info *tool)
{
    cJSON *o = cJSON_AddObjectToObject(scan, what), *vendor;

    cJSON_AddStringToObject(o, "id", tool->name);
    cJSON_AddStringToObject(o, "name", tool->name);
    cJSON_AddStringToObject(o, "version", tool->version);
    vendor = cJSON_AddObjectToObject(o, "vendor");
    cJSON_AddStringToObject(vendor, "name", "secrets-suite");
}

int
report_write_gitlab(struct buf *out, const struct findings *f, const struct tool_info *tool)
{
    cJSON *root = cJSON_CreateObject(), *vulns, *scan, *msgs;
    char (*fps)[65] = calloc(f->n ? f->n : 1, sizeof(*fps));
    unsigned *occs;
    char now[32], sha[48] = "0000000000000000000000000000000000000000";
    const char *args[] = {"rev-parse", "HEAD", NULL};
    time_t t = time(NULL);
    struct tm tm;
    char *text;
    int rc;

    if (root == NULL || fps == NULL) {
        cJSON_Delete(root);
        free(fps);
        return err_set(ERR_NOMEM, "out of memory");
    }
    if (git_run(report_root(), args, sha, sizeof(sha)) != 0 || strlen(sha) < 40)
        snprintf(sha, sizeof(sha), "%040d", 0);
    sha[40] = '\0';
    cJSON_AddStringToObject(root, "version", GITLAB_SCHEMA_VERSION);
    vulns = cJSON_AddArrayToObject(root, "vulnerabilities");
    for (size_t i = 0; i < f->n; i++)
        report_fingerprint(&f->items[i], fps[i]);
    occs = calloc(f->n ? f->n : 1, sizeof(*occs));
    if (occs == NULL || report_occurrences((const char(*)[65])fps, f->n, occs) < 0) {
        free(occs);
        free(fps);
        cJSON_Delete(root);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < f->n; i++)
        cJSON_AddItemToArray(vulns, vulnerability(&f->items[i], fps[i], occs[i], sha));
    free(fps);
    free(occs);
    scan = cJSON_AddObjectToObject(root, "scan");
    add_tool(scan, "analyzer", tool);
    add_tool(scan, "scanner", tool);
    cJSON_AddStringToObject(scan, "type", "secret_detection");
    if (gmtime_r(&t, &tm) == NULL || strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(now, sizeof(now), "1970-01-01T00:00:00");
    cJSON_AddStringToObject(scan, "start_time", now);
    cJSON_AddStringToObject(scan, "end_time", now);
    cJSON_AddStringToObject(scan, "status", f->nerrors > 0 ? "failure" : "success");
    msgs = cJSON_AddArrayToObject(scan, "messages");
    for (size_t i = 0; i < f->nerrors; i++) {
        cJSON *m = cJSON_CreateObject();
        struct buf b = {0};
        cJSON_AddStringToObject(m, "level", "fatal");
        if (buf_printf(&b, "scan failed: ") == 0 && report_error_text(&b, &f->errors[i]) == 0)
            cJSON_AddStringToObject(m, "value", b.data);
        buf_free(&b);
        cJSON_AddItemToArray(msgs, m);
    }
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return err_set(ERR_NOMEM, "out of memory rendering the GitLab report");
    rc = buf_append(out, text, strlen(text));
    if (rc == 0)
        rc = buf_append(out, "\n", 1);
    cJSON_free(text);
    return rc;
}
