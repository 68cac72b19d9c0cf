/* report_sarif: SARIF 2.1.0 for code-scanning services (GitHub's rules included). One run per
 * scanned target, with its own automationDetails.id and invocation (whether that target could be
 * scanned); rules with fullDescription, help.markdown and a security-severity that matches the
 * severity of their results; file locations relative to %SRCROOT% only for files that exist,
 * logical locations (layer, config key, container, service) for the rest; partialFingerprints
 * from report_fingerprint (no secret value in them). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* GitHub's security-severity bands: critical >= 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
 * Info findings get none (GitHub then files the rule under its level, not a security rank). */
static const char *
security_severity(enum severity s)
{
    static const char *const score[] = {NULL, "2.0", "5.5", "8.0", "9.5"};
    return (unsigned)s < 5 ? score[s] : NULL;
}

/* Percent-encodes a relative path into a URI reference. */
static int
path_uri(struct buf *out, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

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

static void
add_text(cJSON *obj, const char *name, const char *text)
{
    cJSON *o = cJSON_AddObjectToObject(obj, name);
    cJSON_AddStringToObject(o, "text", text != NULL ? text : "");
}

/* One run per target: its name and type, and its findings (indices into f->items, in order). */
struct sarif_run {
    const char *type, *name;
    size_t seq;       /* place in the output */
    const size_t *idx; /* its findings */
    size_t n;
};

/* The highest severity of this rule's results in the run: what the rule is ranked at. */
static enum severity
rule_severity(const struct findings *f, const struct sarif_run *run, const char *rule)
{
    enum severity s = SEV_INFO;

    for (size_t k = 0; k < run->n; k++) {
        const struct finding *x = &f->items[run->idx[k]];
        if (x->severity > s && strcmp(x->rule, rule) == 0)
            s = x->severity;
    }
    return s;
}

static cJSON *
rule_descriptor(const struct finding *x, enum severity sev)
{
    cJSON *r = cJSON_CreateObject(), *o, *props, *tags;
    struct buf full = {0}, md = {0};
    const char *score = security_severity(sev);

    cJSON_AddStringToObject(r, "id", x->rule);
    add_text(r, "shortDescription", x->title);
    if (x->description != NULL)
        buf_printf(&full, "%s", x->description);
    else
        buf_printf(&full, "%s.%s%s", x->title, x->remediation ? " " : "",
                   x->remediation ? x->remediation : "");
    add_text(r, "fullDescription", full.data);
    buf_printf(&md, "**%s** (%s, %s)\n\n%s%s%s", x->title, x->rule, severity_name(sev),
               x->description ? x->description : "", x->description ? "\n\n" : "",
               x->remediation ? x->remediation : "");
    if (x->aliases != NULL)
        buf_printf(&md, "\n\nThe same check in other tools: %s.", x->aliases);
    o = cJSON_AddObjectToObject(r, "help");
    cJSON_AddStringToObject(o, "text", x->remediation ? x->remediation : x->title);
    cJSON_AddStringToObject(o, "markdown", md.data ? md.data : x->title);
    buf_free(&full);
    buf_free(&md);
    o = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON_AddStringToObject(o, "level", sarif_level(sev));
    props = cJSON_AddObjectToObject(r, "properties");
    tags = cJSON_AddArrayToObject(props, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
    if (x->category != NULL)
        cJSON_AddItemToArray(tags, cJSON_CreateString(x->category));
    if (score != NULL)
        cJSON_AddStringToObject(props, "security-severity", score);
    if (x->aliases != NULL)
        cJSON_AddStringToObject(props, "aliases", x->aliases);
    return r;
}

static int
rule_index(cJSON *rules, const struct findings *f, const struct sarif_run *run,
           const struct finding *x)
{
    int i = 0;
    cJSON *r;

    cJSON_ArrayForEach(r, rules)
    {
        if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring, x->rule) == 0)
            return i;
        i++;
    }
    cJSON_AddItemToArray(rules, rule_descriptor(x, rule_severity(f, run, x->rule)));
    return i;
}

/* A file location only for a file that exists on this machine (not a path inside an image, not
 * a config key like "config.Env[0]"). `rel` gets its path relative to the scan root. */
static int
real_file(const struct finding *x, char *rel, size_t relsz)
{
    struct stat st;

    if (x->path == NULL || x->layer != NULL || x->container != NULL)
        return 0;
    if (stat(x->path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (report_path_rel(x->path, rel, relsz) < 0)
        return 0;
    if (rel[0] == '/') {
        /* Outside the scan root: still relative to %SRCROOT%, through "..". */
        const char *a, *b = report_root();
        char abs[4096];
        struct buf up = {0};
        size_t common = 0;
        int ok;

        snprintf(abs, sizeof(abs), "%s", rel);
        a = abs;
        for (size_t i = 0; a[i] && b[i] && a[i] == b[i]; i++)
            if (a[i] == '/')
                common = i;
        for (const char *p = b + common; *p; p++)
            if (*p == '/')
                buf_append(&up, "../", 3);
        ok = str_format(rel, relsz, "%s%s", up.data ? up.data : "", a + common + 1) == 0;
        buf_free(&up);
        return ok;
    }
    return 1;
}

static void
add_logical(cJSON *loc, const struct finding *x)
{
    cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations"), *l = cJSON_CreateObject();
    struct buf fq = {0};

    cJSON_AddItemToArray(logical, l);
    if (x->layer != NULL) {
        /* A file inside an image layer: the layer digest, and the path in it. */
        buf_printf(&fq, "%s/layer %d (%s)%s%s", x->target ? x->target : "image", x->layer_index,
                   x->layer, x->path && x->path[0] != '/' ? "/" : "", x->path ? x->path : "");
        cJSON_AddStringToObject(l, "name", x->path ? x->path : x->layer);
        cJSON_AddStringToObject(l, "kind", "layer");
    } else if (x->container != NULL) {
        buf_printf(&fq, "container %s%s%s", x->container, x->path ? "/" : "",
                   x->path ? x->path : "");
        cJSON_AddStringToObject(l, "name", x->path ? x->path : x->container);
        cJSON_AddStringToObject(l, "kind", x->path ? "property" : "container");
    } else if (x->path != NULL) {
        /* A key of an image config or a Compose document, or a history step. */
        buf_printf(&fq, "%s/%s", x->target ? x->target : "-", x->path);
        cJSON_AddStringToObject(l, "name", x->path);
        cJSON_AddStringToObject(l, "kind", "property");
    } else {
        buf_printf(&fq, "%s", x->target ? x->target : "-");
        cJSON_AddStringToObject(l, "name", x->target ? x->target : "-");
        cJSON_AddStringToObject(l, "kind", "target");
    }
    cJSON_AddStringToObject(l, "fullyQualifiedName", fq.data ? fq.data : "-");
    buf_free(&fq);
}

/* A package vulnerability: SARIF has no place of its own for it, so the same facts as the JSON
 * report's `vulnerability` ride in the result's properties. */
static void
add_vuln_props(cJSON *props, const struct finding_vuln *v)
{
    cJSON *j = cJSON_AddObjectToObject(props, "vulnerability"), *src;

    if (j == NULL)
        return;
    cJSON_AddStringToObject(j, "id", v->id != NULL ? v->id : "");
    cJSON_AddItemToObject(j, "aliases", json_list_array(v->aliases));
#define VULN_STR(name, val)                                                                        \
    do {                                                                                           \
        if ((val) != NULL)                                                                         \
            cJSON_AddStringToObject(j, name, val);                                                 \
        else                                                                                       \
            cJSON_AddNullToObject(j, name);                                                        \
    } while (0)
    VULN_STR("package", v->package);
    VULN_STR("ecosystem", v->ecosystem);
    VULN_STR("installed", v->installed);
    VULN_STR("fixed", v->fixed);
    VULN_STR("purl", v->purl);
    VULN_STR("layer", v->layer);
    src = json_list_array(v->sources);
    VULN_STR("source", cJSON_GetStringValue(cJSON_GetArrayItem(src, 0)));
#undef VULN_STR
    cJSON_AddItemToObject(j, "sources", src);
}

static cJSON *
result_json(const struct finding *x, int index, const char *fingerprint)
{
    cJSON *res = cJSON_CreateObject(), *o, *locs, *loc, *phys, *art, *fp;
    char rel[4096];
    struct buf uri = {0};

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
    if (real_file(x, rel, sizeof(rel)) && path_uri(&uri, rel) == 0) {
        phys = cJSON_AddObjectToObject(loc, "physicalLocation");
        art = cJSON_AddObjectToObject(phys, "artifactLocation");
        cJSON_AddStringToObject(art, "uri", uri.data);
        cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
        if (x->line > 0) {
            o = cJSON_AddObjectToObject(phys, "region");
            cJSON_AddNumberToObject(o, "startLine", x->line);
            cJSON_AddNumberToObject(o, "startColumn", x->column > 0 ? x->column : 1);
        }
    } else {
        add_logical(loc, x);
    }
    buf_free(&uri);
    /* Ours, so that the upload action does not hash the source line (which holds the secret). */
    fp = cJSON_AddObjectToObject(res, "partialFingerprints");
    cJSON_AddStringToObject(fp, "primaryLocationLineHash", fingerprint);
    o = cJSON_AddObjectToObject(res, "properties");
    cJSON_AddStringToObject(o, "severity", severity_name(x->severity));
    if (x->layer != NULL)
        cJSON_AddNumberToObject(o, "layerIndex", x->layer_index);
    if (cJSON_GetObjectItem(loc, "physicalLocation") == NULL && x->line > 0) {
        /* A logical location has no region: the line in the layer file or document here. */
        cJSON_AddNumberToObject(o, "line", x->line);
        cJSON_AddNumberToObject(o, "column", x->column > 0 ? x->column : 1);
    }
    if (x->vuln != NULL)
        add_vuln_props(o, x->vuln);
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

/* "scanner/dockerfile/app-Dockerfile/": the category GitHub keeps this target's alerts under. */
static void
automation_id(struct buf *out, const struct tool_info *tool, const char *type, const char *name)
{
    buf_printf(out, "%s/%s/", tool->name, type);
    for (const char *p = name; *p && out->len < 200; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            c = '-';
        buf_append(out, &c, 1);
    }
    buf_append(out, "/", 1);
}

static void
add_invocation(cJSON *run, const struct findings *f, const char *target)
{
    cJSON *invs = cJSON_AddArrayToObject(run, "invocations"), *inv = cJSON_CreateObject();
    cJSON *notes = NULL;

    cJSON_AddItemToArray(invs, inv);
    for (size_t i = 0; i < f->nerrors; i++) {
        cJSON *n, *o;
        struct buf m = {0};

        if (strcmp(f->errors[i].target, target) != 0)
            continue;
        if (notes == NULL)
            notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
        n = cJSON_CreateObject();
        cJSON_AddItemToArray(notes, n);
        cJSON_AddStringToObject(n, "level", "error");
        o = cJSON_AddObjectToObject(n, "message");
        if (buf_printf(&m, "scan failed: ") == 0 && report_error_text(&m, &f->errors[i]) == 0)
            cJSON_AddStringToObject(o, "text", m.data);
        else
            cJSON_AddStringToObject(o, "text", f->errors[i].message);
        buf_free(&m);
        o = cJSON_AddObjectToObject(n, "properties");
        cJSON_AddStringToObject(o, "target", f->errors[i].target);
    }
    cJSON_AddBoolToObject(inv, "executionSuccessful", notes == NULL);
}

static cJSON *
run_json(const struct findings *f, const struct tool_info *tool, const struct sarif_run *sr,
         char (*fps)[65], const unsigned *occs)
{
    const char *type = sr->type, *target = sr->name;
    cJSON *run = cJSON_CreateObject(), *o, *driver, *rules, *results, *base;
    struct buf id = {0}, root = {0};

    o = cJSON_AddObjectToObject(run, "tool");
    driver = cJSON_AddObjectToObject(o, "driver");
    cJSON_AddStringToObject(driver, "name", tool->name);
    cJSON_AddStringToObject(driver, "version", tool->version);
    cJSON_AddStringToObject(driver, "semanticVersion", tool->version);
    if (tool->info_uri != NULL)
        cJSON_AddStringToObject(driver, "informationUri", tool->info_uri);
    rules = cJSON_AddArrayToObject(driver, "rules");
    automation_id(&id, tool, type, target);
    o = cJSON_AddObjectToObject(run, "automationDetails");
    cJSON_AddStringToObject(o, "id", id.data ? id.data : "scanner/");
    buf_free(&id);
    base = cJSON_AddObjectToObject(run, "originalUriBaseIds");
    o = cJSON_AddObjectToObject(base, "%SRCROOT%");
    if (path_uri(&root, report_root()) == 0 && root.data != NULL) {
        struct buf u = {0};
        buf_printf(&u, "file://%s/", strcmp(root.data, "/") == 0 ? "" : root.data);
        cJSON_AddStringToObject(o, "uri", u.data);
        buf_free(&u);
    }
    buf_free(&root);
    for (size_t i = 0; i < f->ntargets; i++) {
        const struct target *t = &f->targets[i];
        cJSON *vcp, *vc;
        if (t->vcs_uri == NULL || t->name == NULL || strcmp(t->name, target) != 0)
            continue; /* this run's target only */
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
    for (size_t k = 0; k < sr->n; k++) {
        size_t i = sr->idx[k];
        const struct finding *x = &f->items[i];
        char shown[80];

        snprintf(shown, sizeof(shown), "%s:%u", fps[i], occs[i]);
        cJSON_AddItemToArray(results, result_json(x, rule_index(rules, f, sr, x), shown));
    }
    add_invocation(run, f, target);
    return run;
}

static int
run_by_name(const void *a, const void *b)
{
    const struct sarif_run *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int
run_by_name_only(const void *a, const void *b)
{
    return strcmp(((const struct sarif_run *)a)->name, ((const struct sarif_run *)b)->name);
}

static int
run_by_seq(const void *a, const void *b)
{
    const struct sarif_run *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The runs, in order: each listed target once (a target given twice is one run), then each
 * target that failed before it was listed, or one "none" run when there is neither; and each
 * finding in its target's run. Sorting by name keeps it n log n with thousands of targets (one
 * Dockerfile each), where a run that looked through every finding was quadratic. */
static int
runs_plan(const struct findings *f, struct sarif_run **out, size_t *nout, size_t **idxout)
{
    size_t cap = f->ntargets + f->nerrors + 1, n = 0, k = 0;
    struct sarif_run *r = calloc(cap, sizeof(*r)), key;
    size_t *idx = calloc(f->n ? f->n : 1, sizeof(*idx)), *fill;

    if (r == NULL || idx == NULL)
        goto nomem;
    for (size_t i = 0; i < f->ntargets; i++)
        r[n] = (struct sarif_run){f->targets[i].type, f->targets[i].name, n, NULL, 0}, n++;
    for (size_t i = 0; i < f->nerrors; i++)
        r[n] = (struct sarif_run){"target", f->errors[i].target, n, NULL, 0}, n++;
    qsort(r, n, sizeof(*r), run_by_name);
    for (size_t i = 0; i < n; i++) /* the first of each name */
        if (k == 0 || strcmp(r[k - 1].name, r[i].name) != 0)
            r[k++] = r[i];
    n = k;
    if (n == 0) /* nothing scanned: one empty, successful run */
        r[n++] = (struct sarif_run){"none", "none", 0, NULL, 0};
    /* Count, place, then hand each run its slice (still sorted by name for the lookups). */
    for (size_t i = 0; i < f->n; i++) {
        struct sarif_run *hit;
        if (f->items[i].target == NULL)
            continue;
        key.name = f->items[i].target;
        key.seq = 0;
        hit = bsearch(&key, r, n, sizeof(*r), run_by_name_only);
        if (hit != NULL)
            hit->n++;
    }
    if ((fill = calloc(n, sizeof(*fill))) == NULL)
        goto nomem;
    for (size_t i = 0, at = 0; i < n; i++) {
        fill[i] = at;
        r[i].idx = idx + at;
        at += r[i].n;
    }
    for (size_t i = 0; i < f->n; i++) {
        struct sarif_run *hit;
        if (f->items[i].target == NULL)
            continue;
        key.name = f->items[i].target;
        hit = bsearch(&key, r, n, sizeof(*r), run_by_name_only);
        if (hit != NULL)
            idx[fill[hit - r]++] = i;
    }
    free(fill);
    qsort(r, n, sizeof(*r), run_by_seq);
    *out = r;
    *nout = n;
    *idxout = idx;
    return 0;
nomem:
    free(r);
    free(idx);
    return err_set(ERR_NOMEM, "out of memory");
}

int
report_write_sarif(struct buf *out, const struct findings *f, const struct tool_info *tool)
{
    cJSON *root = cJSON_CreateObject(), *runs;
    struct sarif_run *runs_v = NULL;
    size_t nruns = 0, *idx = NULL;
    char (*fps)[65] = calloc(f->n ? f->n : 1, sizeof(*fps));
    unsigned *occs = calloc(f->n ? f->n : 1, sizeof(*occs));
    char *text;
    int rc;

    if (root == NULL || fps == NULL || occs == NULL) {
        cJSON_Delete(root);
        free(fps);
        free(occs);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < f->n; i++)
        report_fingerprint(&f->items[i], fps[i]);
    if ((rc = report_occurrences((const char(*)[65])fps, f->n, occs)) < 0) {
        cJSON_Delete(root);
        free(fps);
        free(occs);
        return rc;
    }
    if ((rc = runs_plan(f, &runs_v, &nruns, &idx)) < 0) {
        cJSON_Delete(root);
        free(fps);
        free(occs);
        return rc;
    }
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    runs = cJSON_AddArrayToObject(root, "runs");
    for (size_t i = 0; i < nruns; i++)
        cJSON_AddItemToArray(runs, run_json(f, tool, &runs_v[i], fps, occs));
    free(runs_v);
    free(idx);
    free(fps);
    free(occs);
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
