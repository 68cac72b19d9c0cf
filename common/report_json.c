/* report_json: the machine report. Field names here are a contract (see README): tool, targets,
 * findings[{rule, severity, category, title, message, target, location, remediation, aliases,
 * secret, vulnerability{id, aliases, package, ecosystem, installed, fixed, purl, layer, source,
 * sources}}], status ("ok" or "error"), errors[{target, message}], summary. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void
add_str(cJSON *obj, const char *name, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(obj, name, value);
}

/* ---- One finding, written directly --------------------------------------------------------
 * A report of 50,000 findings spent most of its time building a cJSON tree per finding and
 * printing it. These write the same bytes cJSON's formatted print gives for that tree (objects
 * one key a line, tab-indented, "key":<tab>value; arrays on one line, ", " between items;
 * integers with %d; strings with cJSON's escapes), at the depth the finding sits in the report. */
struct jw {
    struct buf *b;
    int depth;
    int first; /* no key written yet in the innermost object */
    int rc;
};

static void
jw_raw(struct jw *w, const char *s, size_t n)
{
    if (w->rc == 0 && buf_append(w->b, s, n) < 0)
        w->rc = ERR_NOMEM;
}

static void
jw_tabs(struct jw *w, int n)
{
    static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    while (n > 0) {
        int k = n < 16 ? n : 16;
        jw_raw(w, tabs, (size_t)k);
        n -= k;
    }
}

/* A JSON string as cJSON writes it: ", \ and control characters escaped, other bytes as they
 * are; the first n bytes of s. */
static void
jw_strn(struct jw *w, const char *s, size_t n)
{
    const char *run = s, *end = s + n;

    jw_raw(w, "\"", 1);
    for (const char *p = s; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[8];
        int k;
        if (c >= 32 && c != '"' && c != '\\')
            continue;
        jw_raw(w, run, (size_t)(p - run));
        switch (c) {
        case '"': k = snprintf(esc, sizeof(esc), "\\\""); break;
        case '\\': k = snprintf(esc, sizeof(esc), "\\\\"); break;
        case '\b': k = snprintf(esc, sizeof(esc), "\\b"); break;
        case '\f': k = snprintf(esc, sizeof(esc), "\\f"); break;
        case '\n': k = snprintf(esc, sizeof(esc), "\\n"); break;
        case '\r': k = snprintf(esc, sizeof(esc), "\\r"); break;
        case '\t': k = snprintf(esc, sizeof(esc), "\\t"); break;
        default: k = snprintf(esc, sizeof(esc), "\\u%04x", c); break;
        }
        jw_raw(w, esc, (size_t)k);
        run = p + 1;
    }
    jw_raw(w, run, (size_t)(end - run));
    jw_raw(w, "\"", 1);
}

static void
jw_str(struct jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

static void
jw_open(struct jw *w)
{
    jw_raw(w, "{\n", 2);
    w->depth++;
    w->first = 1;
}

static void
jw_close(struct jw *w)
{
    if (!w->first)
        jw_raw(w, "\n", 1);
    w->depth--;
    jw_tabs(w, w->depth);
    jw_raw(w, "}", 1);
    w->first = 0; /* the enclosing object has at least this key */
}

static void
jw_key(struct jw *w, const char *k)
{
    if (!w->first)
        jw_raw(w, ",\n", 2);
    w->first = 0;
    jw_tabs(w, w->depth);
    jw_str(w, k);
    jw_raw(w, ":\t", 2);
}

static void
jw_kstr(struct jw *w, const char *k, const char *v) /* omitted when v is NULL */
{
    if (v == NULL)
        return;
    jw_key(w, k);
    jw_str(w, v);
}

static void
jw_kstr_or_null(struct jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    if (v != NULL)
        jw_str(w, v);
    else
        jw_raw(w, "null", 4);
}

static void
jw_kint(struct jw *w, const char *k, long long v)
{
    char num[32];
    int n = v >= INT_MIN && v <= INT_MAX ? snprintf(num, sizeof(num), "%lld", v)
                                         : snprintf(num, sizeof(num), "%1.15g", (double)v);
    jw_key(w, k);
    jw_raw(w, num, (size_t)n);
}

/* A comma-separated list as json_list_array reads it: blanks before an item dropped, empty
 * items skipped. */
static void
jw_klist(struct jw *w, const char *k, const char *list)
{
    const char *item;
    size_t len;
    int n = 0;

    jw_key(w, k);
    jw_raw(w, "[", 1);
    while ((item = json_list_next(&list, &len)) != NULL) {
        if (n++ > 0)
            jw_raw(w, ", ", 2);
        jw_strn(w, item, len);
    }
    jw_raw(w, "]", 1);
}

static void
jw_vuln(struct jw *w, const struct finding_vuln *v)
{
    const char *src, *rest = v->sources;
    size_t slen = 0;

    jw_key(w, "vulnerability");
    jw_open(w);
    jw_kstr(w, "id", v->id);
    jw_klist(w, "aliases", v->aliases);
    jw_kstr_or_null(w, "package", v->package);
    jw_kstr_or_null(w, "ecosystem", v->ecosystem);
    jw_kstr_or_null(w, "installed", v->installed);
    jw_kstr_or_null(w, "fixed", v->fixed);
    jw_kstr_or_null(w, "purl", v->purl);
    jw_kstr_or_null(w, "layer", v->layer);
    /* "source" is the first of "sources", which follows it */
    src = json_list_next(&rest, &slen);
    jw_key(w, "source");
    if (src != NULL)
        jw_strn(w, src, slen);
    else
        jw_raw(w, "null", 4);
    jw_klist(w, "sources", v->sources);
    jw_close(w);
}

/* Appends one finding at the depth it has in the report (inside "findings" in the root). */
static int
append_finding(struct buf *out, const struct finding *x)
{
    struct jw w = {out, 2, 1, 0};
    char fp[65];

    jw_open(&w);
    jw_kstr(&w, "rule", x->rule);
    jw_kstr(&w, "severity", severity_name(x->severity));
    jw_kstr(&w, "category", x->category);
    jw_kstr(&w, "title", x->title);
    jw_kstr(&w, "message", x->message);
    jw_kstr(&w, "target", x->target);
    jw_key(&w, "location");
    jw_open(&w);
    jw_kstr(&w, "path", x->path);
    if (x->line > 0) {
        jw_kint(&w, "line", x->line);
        jw_kint(&w, "column", x->column > 0 ? x->column : 1);
    }
    if (x->end_line > 0) {
        jw_kint(&w, "end_line", x->end_line);
        jw_kint(&w, "end_column", x->end_column);
    }
    if (x->layer != NULL) {
        jw_kstr(&w, "layer", x->layer);
        jw_kint(&w, "layer_index", x->layer_index);
    }
    jw_kstr(&w, "container", x->container);
    jw_close(&w);
    jw_kstr(&w, "remediation", x->remediation);
    jw_klist(&w, "aliases", x->aliases);
    /* The report fingerprint, never a hash of a secret's value (SECURITY.md). */
    report_fingerprint(x, fp);
    jw_kstr(&w, "fingerprint", fp);
    if (x->secret_redacted != NULL || x->secret_fingerprint != NULL) {
        jw_key(&w, "secret");
        jw_open(&w);
        jw_kstr(&w, "redacted", x->secret_redacted);
        jw_kstr(&w, "fingerprint", fp);
        jw_close(&w);
    }
    if (x->vuln != NULL)
        jw_vuln(&w, x->vuln);
    if (x->vcs != NULL) {
        jw_key(&w, "git");
        jw_open(&w);
        jw_kstr(&w, "commit", x->vcs->commit);
        jw_kstr(&w, "author", x->vcs->author);
        jw_kstr(&w, "date", x->vcs->date);
        jw_kstr(&w, "subject", x->vcs->subject);
        jw_key(&w, "at_head");
        jw_raw(&w, x->vcs->at_head ? "true" : "false", x->vcs->at_head ? 4 : 5);
        jw_kstr(&w, "removed_in", x->vcs->removed_in);
        jw_kint(&w, "commits", x->vcs->commits);
        jw_close(&w);
    }
    jw_close(&w);
    return w.rc < 0 ? err_set(ERR_NOMEM, "out of memory rendering JSON") : 0;
}

/* `doc` (the report with an empty findings array) into `out`, the findings in place of "[]". */
static int
splice_findings(struct buf *out, const char *doc, const struct findings *f)
{
    static const char key[] = "\n\t\"findings\":\t[]";
    const char *at = strstr(doc, key);
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
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        if (i > 0)
            rc = buf_append(out, ", ", 2);
        if (rc == 0)
            rc = append_finding(out, &f->items[i]);
    }
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
