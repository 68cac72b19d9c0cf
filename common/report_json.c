/* report_json: the machine report. Field names here are a contract (see README): tool, targets,
 * findings[{rule, severity, category, title, message, target, location, remediation, aliases,
 * secret, vulnerability{id, aliases, package, ecosystem, installed, fixed, purl, layer, source,
 * sources}}], status ("ok" or "error"), errors[{target, message}], summary. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void
add_str(cJSON *obj, const char *name, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(obj, name, value);
}

/* A string, or null when there is none (a vulnerability's missing fix is a fact, not an omission). */
static void
add_str_or_null(cJSON *obj, const char *name, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(obj, name, value);
    else
        cJSON_AddNullToObject(obj, name);
}

static void
add_vuln(cJSON *o, const struct finding_vuln *v)
{
    cJSON *j = cJSON_AddObjectToObject(o, "vulnerability"), *src;

    if (j == NULL)
        return;
    add_str(j, "id", v->id);
    cJSON_AddItemToObject(j, "aliases", json_list_array(v->aliases));
    add_str_or_null(j, "package", v->package);
    add_str_or_null(j, "ecosystem", v->ecosystem);
    add_str_or_null(j, "installed", v->installed);
    add_str_or_null(j, "fixed", v->fixed);
    add_str_or_null(j, "purl", v->purl);
    add_str_or_null(j, "layer", v->layer);
    src = json_list_array(v->sources);
    add_str_or_null(j, "source", cJSON_GetStringValue(cJSON_GetArrayItem(src, 0)));
    cJSON_AddItemToObject(j, "sources", src);
}

static cJSON *
finding_json(const struct finding *x)
{
    cJSON *o = cJSON_CreateObject(), *loc;
    char fp[65];

    if (o == NULL)
        return NULL;
    add_str(o, "rule", x->rule);
    add_str(o, "severity", severity_name(x->severity));
    add_str(o, "category", x->category);
    add_str(o, "title", x->title);
    add_str(o, "message", x->message);
    add_str(o, "target", x->target);
    loc = cJSON_AddObjectToObject(o, "location");
    if (loc != NULL) {
        add_str(loc, "path", x->path);
        if (x->line > 0) {
            cJSON_AddNumberToObject(loc, "line", x->line);
            cJSON_AddNumberToObject(loc, "column", x->column > 0 ? x->column : 1);
        }
        if (x->end_line > 0) {
            cJSON_AddNumberToObject(loc, "end_line", x->end_line);
            cJSON_AddNumberToObject(loc, "end_column", x->end_column);
        }
        if (x->layer != NULL) {
            cJSON_AddStringToObject(loc, "layer", x->layer);
            cJSON_AddNumberToObject(loc, "layer_index", x->layer_index);
        }
        add_str(loc, "container", x->container);
    }
    add_str(o, "remediation", x->remediation);
    cJSON_AddItemToObject(o, "aliases", json_list_array(x->aliases));
    /* The report fingerprint, never a hash of a secret's value (SECURITY.md). */
    report_fingerprint(x, fp);
    add_str(o, "fingerprint", fp);
    if (x->secret_redacted != NULL || x->secret_fingerprint != NULL) {
        cJSON *sec = cJSON_AddObjectToObject(o, "secret");
        if (sec != NULL) {
            add_str(sec, "redacted", x->secret_redacted);
            add_str(sec, "fingerprint", fp);
        }
    }
    if (x->vuln != NULL)
        add_vuln(o, x->vuln);
    if (x->vcs != NULL) {
        cJSON *g = cJSON_AddObjectToObject(o, "git");
        if (g != NULL) {
            add_str(g, "commit", x->vcs->commit);
            add_str(g, "author", x->vcs->author);
            add_str(g, "date", x->vcs->date);
            add_str(g, "subject", x->vcs->subject);
            cJSON_AddBoolToObject(g, "at_head", x->vcs->at_head);
            add_str(g, "removed_in", x->vcs->removed_in);
            cJSON_AddNumberToObject(g, "commits", (double)x->vcs->commits);
        }
    }
    return o;
}

/* Appends one finding as cJSON prints it two levels deep (inside "findings" in the root): the
 * same bytes as one big tree, one tab more per level after every newline (a JSON string never
 * holds a raw newline). */
static int
append_finding(struct buf *out, const struct finding *x, struct buf *scratch)
{
    cJSON *o = finding_json(x);
    size_t len, nl = 0;
    int rc = 0;

    if (o == NULL)
        return err_set(ERR_NOMEM, "out of memory rendering JSON");
    /* Printed into one buffer reused for every finding, grown when cJSON says it is short. */
    while (!cJSON_PrintPreallocated(o, scratch->data, (int)scratch->cap, 1)) {
        if (scratch->cap > (1u << 30) || (rc = buf_reserve(scratch, scratch->cap + 4096)) < 0)
            break;
    }
    cJSON_Delete(o);
    if (rc < 0 || scratch->cap > (1u << 30))
        return rc < 0 ? rc : err_set(ERR_NOMEM, "out of memory rendering JSON");
    len = strlen(scratch->data);
    for (const char *p = scratch->data; (p = memchr(p, '\n', len - (size_t)(p - scratch->data)));
         p++)
        nl++;
    if ((rc = buf_reserve(out, len + 2 * nl)) < 0)
        return rc;
    for (const char *p = scratch->data, *end = p + len; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t n = e != NULL ? (size_t)(e - p) + 1 : (size_t)(end - p);
        memcpy(out->data + out->len, p, n);
        out->len += n;
        if (e != NULL) {
            memcpy(out->data + out->len, "\t\t", 2);
            out->len += 2;
        }
        p += n;
    }
    out->data[out->len] = '\0';
    return 0;
}

/* `doc` (the report with an empty findings array) into `out`, the findings in place of "[]". */
static int
splice_findings(struct buf *out, const char *doc, const struct findings *f)
{
    static const char key[] = "\n\t\"findings\":\t[]";
    const char *at = strstr(doc, key);
    struct buf scratch = {0};
    size_t head;
    int rc;

    if (at == NULL)
        return err_set(ERR_INTERNAL, "JSON report: no findings array");
    head = (size_t)(at - doc) + sizeof(key) - 2; /* up to and with the '[' */
    /* About 600 bytes a finding: reserved once (up to 8 MiB, then doubling again) rather than
     * grown, copied and wiped at every doubling from 64 bytes. */
    rc = buf_reserve(out, strlen(doc) + (f->n < 13981 ? f->n * 600 : (size_t)8 << 20));
    if (rc == 0)
        rc = buf_append(out, doc, head);
    if (rc == 0)
        rc = buf_reserve(&scratch, 4096);
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        if (i > 0)
            rc = buf_append(out, ", ", 2);
        if (rc == 0)
            rc = append_finding(out, &f->items[i], &scratch);
    }
    buf_free(&scratch);
    if (rc == 0)
        rc = buf_append(out, doc + head, strlen(doc + head));
    return rc;
}

int
report_write_json(struct buf *out, const struct findings *f, const struct tool_info *tool)
{
    cJSON *root = cJSON_CreateObject(), *t, *arr, *sum;
    size_t counts[5] = {0};
    char *text;
    int rc;

    if (root == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    t = cJSON_AddObjectToObject(root, "tool");
    add_str(t, "name", tool->name);
    add_str(t, "version", tool->version);
    arr = cJSON_AddArrayToObject(root, "targets");
    for (size_t i = 0; i < f->ntargets; i++) {
        cJSON *o = cJSON_CreateObject();
        add_str(o, "type", f->targets[i].type);
        add_str(o, "name", f->targets[i].name);
        add_str(o, "repository", f->targets[i].vcs_uri);
        add_str(o, "revision", f->targets[i].vcs_revision);
        add_str(o, "branch", f->targets[i].vcs_branch);
        cJSON_AddItemToArray(arr, o);
    }
    /* The findings are not kept in the tree: each is built, printed and freed on its own, then
     * put in place of the empty array (one tree of every finding cost more than the scan). */
    cJSON_AddArrayToObject(root, "findings");
    for (size_t i = 0; i < f->n; i++)
        counts[f->items[i].severity]++;
    add_str(root, "status", f->nerrors > 0 ? "error" : "ok");
    arr = cJSON_AddArrayToObject(root, "errors");
    for (size_t i = 0; i < f->nerrors; i++) {
        cJSON *o = cJSON_CreateObject();
        add_str(o, "target", f->errors[i].target);
        add_str(o, "message", f->errors[i].message);
        cJSON_AddItemToArray(arr, o);
    }
    sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "total", (double)f->n);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        cJSON_AddNumberToObject(sum, severity_name((enum severity)s), (double)counts[s]);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return err_set(ERR_NOMEM, "out of memory rendering JSON");
    rc = splice_findings(out, text, f);
    if (rc == 0)
        rc = buf_append(out, "\n", 1);
    cJSON_free(text);
    return rc;
}
