/* baseline: a JSON file of {fingerprint, rule, path} entries recording accepted findings.
 * Matching never uses line numbers, so edits elsewhere in a file do not resurrect them, and the
 * fingerprint is the reports' one (report_fingerprint): nothing in it derives from a value. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "detect.h"

#define BASELINE_MAX_BYTES (64u << 20)

/* The report fingerprint: rule, location without lines, a secret's label; never the value. */
static void
finding_key(const struct finding *fi, char out[65])
{
    report_fingerprint(fi, out);
}

static void
finding_drop(struct finding *fi)
{
    free(fi->rule);
    free(fi->category);
    free(fi->title);
    free(fi->message);
    free(fi->remediation);
    free(fi->aliases);
    free(fi->target);
    free(fi->path);
    free(fi->layer);
    free(fi->container);
    free(fi->secret_redacted);
    free(fi->secret_fingerprint);
    free(fi->label);
    free(fi->description);
    finding_vcs_free(fi->vcs);
    finding_vuln_free(fi->vuln);
    memset(fi, 0, sizeof(*fi));
}

/* The finding's file relative to the scan root (or its target): the same on every machine. */
static const char *
finding_path(const struct finding *fi, char *buf, size_t size)
{
    if (fi->path != NULL) {
        if (fi->layer == NULL && fi->container == NULL &&
            report_path_rel(fi->path, buf, size) == 0)
            return buf;
        return fi->path;
    }
    if (fi->target != NULL)
        return fi->target;
    return "";
}

int
detect_baseline_filter(struct findings *f, const char *baseline_path)
{
    struct buf b = {0};
    cJSON *root, *arr;
    const cJSON *ver;
    size_t k = 0;
    int rc;

    rc = file_read_all(baseline_path, BASELINE_MAX_BYTES, 0, &b);
    if (rc < 0)
        return rc;
    root = cJSON_ParseWithLength(b.data != NULL ? b.data : "", b.len);
    buf_free(&b);
    if (root == NULL)
        return err_set(ERR_PARSE, "%s: not a JSON baseline file", baseline_path);
    ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (cJSON_IsNumber(ver) && ver->valueint == 1) {
        cJSON_Delete(root);
        /* Version 1 held hashes of the secrets' values under a public key: guessable. */
        return err_set(ERR_PARSE,
                       "%s: baseline version 1 holds reversible value fingerprints; delete it and "
                       "write a new one with --write-baseline (SECURITY.md)",
                       baseline_path);
    }
    arr = cJSON_GetObjectItemCaseSensitive(root, "findings");
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(root);
        return err_set(ERR_PARSE, "%s: baseline has no \"findings\" array", baseline_path);
    }
    for (size_t i = 0; i < f->n; i++) {
        struct finding *fi = &f->items[i];
        char key[65], rel[4096];
        const cJSON *e;
        int known = 0;

        finding_key(fi, key);
        cJSON_ArrayForEach(e, arr) {
            const cJSON *fp = cJSON_GetObjectItemCaseSensitive(e, "fingerprint");
            const cJSON *ru = cJSON_GetObjectItemCaseSensitive(e, "rule");
            const cJSON *pa = cJSON_GetObjectItemCaseSensitive(e, "path");
            if (cJSON_IsString(fp) && cJSON_IsString(ru) && cJSON_IsString(pa) &&
                strcmp(fp->valuestring, key) == 0 && fi->rule != NULL &&
                strcmp(ru->valuestring, fi->rule) == 0 &&
                strcmp(pa->valuestring, finding_path(fi, rel, sizeof(rel))) == 0) {
                known = 1;
                break;
            }
        }
        if (known) {
            finding_drop(fi);
            continue;
        }
        if (k != i)
            f->items[k] = *fi;
        k++;
    }
    f->n = k;
    cJSON_Delete(root);
    return 0;
}

int
detect_baseline_render(const struct findings *f, struct buf *out)
{
    cJSON *root = cJSON_CreateObject(), *arr;
    char *text;
    int rc;

    if (root == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_AddNumberToObject(root, "version", 2);
    arr = cJSON_AddArrayToObject(root, "findings");
    if (arr == NULL) {
        cJSON_Delete(root);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct finding *fi = &f->items[i];
        cJSON *e = cJSON_CreateObject();
        char key[65], rel[4096];

        finding_key(fi, key);
        if (e == NULL || cJSON_AddStringToObject(e, "fingerprint", key) == NULL ||
            cJSON_AddStringToObject(e, "rule", fi->rule != NULL ? fi->rule : "") == NULL ||
            cJSON_AddStringToObject(e, "path", finding_path(fi, rel, sizeof(rel))) == NULL) {
            cJSON_Delete(e);
            cJSON_Delete(root);
            return err_set(ERR_NOMEM, "out of memory");
        }
        cJSON_AddItemToArray(arr, e);
    }
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    rc = buf_append(out, text, strlen(text));
    if (rc == 0)
        rc = buf_append(out, "\n", 1);
    free(text);
    return rc;
}

int
detect_baseline_write(const struct findings *f, const char *baseline_path)
{
    struct buf b = {0};
    int rc = detect_baseline_render(f, &b);

    if (rc == 0)
        rc = file_write_atomic(baseline_path, b.data, b.len, 0644);
    buf_free(&b);
    return rc;
}
