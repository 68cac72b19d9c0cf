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

/* The finding's file relative to the scan root (or its target): the same on every machine. */
static const char *
finding_path(const struct finding *fi, char *buf, size_t size)
{
    if (fi->path != NULL) {
        if (fi->layer == NULL && fi->container == NULL && report_path_rel(fi->path, buf, size) == 0)
            return buf;
        return fi->path;
    }
    if (fi->target != NULL)
        return fi->target;
    return "";
}

/* The accepted entries as sorted "fingerprint\trule\tpath" keys: one lookup per finding. */
struct baseline_keys {
    char **v;
    size_t n;
};

static int
key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
key_make(const char *fp, const char *rule, const char *path)
{
    size_t lf = strlen(fp), lr = strlen(rule), lp = strlen(path);
    char *k = malloc(lf + lr + lp + 3);

    if (k == NULL)
        return NULL;
    memcpy(k, fp, lf);
    k[lf] = '\t';
    memcpy(k + lf + 1, rule, lr);
    k[lf + 1 + lr] = '\t';
    memcpy(k + lf + lr + 2, path, lp + 1);
    return k;
}

static void
keys_free(struct baseline_keys *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->v[i]);
    free(ks->v);
}

static int
keys_load(const cJSON *arr, struct baseline_keys *ks)
{
    const cJSON *e;
    size_t cap = (size_t)cJSON_GetArraySize(arr);

    ks->n = 0;
    ks->v = calloc(cap > 0 ? cap : 1, sizeof(*ks->v));
    if (ks->v == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(e, arr)
    {
        const cJSON *fp = cJSON_GetObjectItemCaseSensitive(e, "fingerprint");
        const cJSON *ru = cJSON_GetObjectItemCaseSensitive(e, "rule");
        const cJSON *pa = cJSON_GetObjectItemCaseSensitive(e, "path");

        if (!cJSON_IsString(fp) || !cJSON_IsString(ru) || !cJSON_IsString(pa) || ks->n == cap)
            continue;
        if ((ks->v[ks->n] = key_make(fp->valuestring, ru->valuestring, pa->valuestring)) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        ks->n++;
    }
    qsort(ks->v, ks->n, sizeof(*ks->v), key_cmp);
    return 0;
}

struct keep_ctx {
    const struct baseline_keys *ks;
    int rc;
};

/* findings_keep_if's test: keep what the baseline does not list. */
static int
keep_unknown(const struct finding *fi, void *user)
{
    struct keep_ctx *c = user;
    char fp[65], rel[4096], *k;
    int known;

    if (fi->rule == NULL || c->ks->n == 0)
        return 1;
    finding_key(fi, fp);
    if ((k = key_make(fp, fi->rule, finding_path(fi, rel, sizeof(rel)))) == NULL) {
        c->rc = err_set(ERR_NOMEM, "out of memory");
        return 1;
    }
    known = bsearch(&k, c->ks->v, c->ks->n, sizeof(*c->ks->v), key_cmp) != NULL;
    free(k);
    return !known;
}

int
detect_baseline_filter(struct findings *f, const char *baseline_path)
{
    struct buf b = {0};
    struct baseline_keys ks = {0};
    struct keep_ctx c = {&ks, 0};
    cJSON *root, *arr;
    const cJSON *ver;
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
    rc = keys_load(arr, &ks);
    cJSON_Delete(root);
    if (rc == 0) {
        (void)findings_keep_if(f, keep_unknown, &c);
        rc = c.rc;
    }
    keys_free(&ks);
    return rc;
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
