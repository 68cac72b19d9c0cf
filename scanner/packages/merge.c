/* merge: reading another scanner's JSON report (Trivy or Grype, told apart by their top-level
 * keys) into a list of (vulnerability, package) results, and checking it is a report of the
 * image being scanned. The fold into our findings is merge_fold.c. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "merge_internal.h"

const char *
pkg_peer_name(enum pkg_peer_tool t)
{
    return t == PEER_TRIVY ? "trivy" : t == PEER_GRYPE ? "grype" : "unknown";
}

static const struct {
    const char *label;
    enum severity sev;
} peer_labels[] = {
    /* Trivy: UNKNOWN LOW MEDIUM HIGH CRITICAL; Grype: Negligible Low Medium High Critical Unknown */
    {"critical", SEV_CRITICAL}, {"high", SEV_HIGH}, {"medium", SEV_MEDIUM},
    {"low", SEV_LOW},           {"negligible", SEV_LOW},
};

enum severity
merge_severity(const char *label)
{
    for (size_t i = 0; label != NULL && i < sizeof(peer_labels) / sizeof(peer_labels[0]); i++)
        if (strcasecmp(label, peer_labels[i].label) == 0)
            return peer_labels[i].sev;
    return SEV_MEDIUM;
}

int
merge_str(struct mj *j, size_t at, const cJSON *obj, const char *key, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char what[160];

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v)) {
        (void)str_format(what, sizeof(what), "\"%s\" is not a string", key);
        return mj_fail(j, at, ERR_PARSE, what);
    }
    *out = v->valuestring;
    return 0;
}

int
merge_need(struct mj *j, size_t at, const cJSON *obj, const char *key, const char **out)
{
    char what[160];
    int rc = merge_str(j, at, obj, key, out);

    if (rc == 0 && (*out == NULL || **out == '\0')) {
        (void)str_format(what, sizeof(what), "no \"%s\"", key);
        return mj_fail(j, at, ERR_PARSE, what);
    }
    return rc;
}

int
merge_typed(struct mj *j, size_t at, const cJSON *obj, const char *key, int array,
            const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char what[160];

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (array ? !cJSON_IsArray(v) : !cJSON_IsObject(v)) {
        (void)str_format(what, sizeof(what), "\"%s\" is not an %s", key, array ? "array" : "object");
        return mj_fail(j, at, ERR_PARSE, what);
    }
    *out = v;
    return 0;
}

/* Item `e` of an array: the string itself, or the object's member `key`. */
static int
item_str(struct mj *j, size_t at, const cJSON *e, const char *key, const char **s)
{
    if (key != NULL) {
        if (!cJSON_IsObject(e))
            return mj_fail(j, at, ERR_PARSE, "an array item is not an object");
        return merge_str(j, at, e, key, s);
    }
    if (!cJSON_IsString(e))
        return mj_fail(j, at, ERR_PARSE, "an array item is not a string");
    *s = e->valuestring;
    return 0;
}

int
merge_join(struct mj *j, size_t at, const cJSON *arr, const char *key, const char *sep,
           struct buf *out)
{
    const cJSON *e;
    size_t kept = 0;

    cJSON_ArrayForEach(e, arr) {
        const char *s = NULL;
        int rc = item_str(j, at, e, key, &s);
        if (rc < 0)
            return rc;
        if (s == NULL || *s == '\0' || kept++ >= PEER_MAX_LIST)
            continue;
        if ((out->len > 0 && buf_append(out, sep, strlen(sep)) < 0) ||
            buf_append(out, s, strlen(s)) < 0)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

int
merge_layers(struct mj *j, size_t at, const cJSON *arr, const char *key, struct pkg_peer_report *r)
{
    const cJSON *e;
    int n = cJSON_GetArraySize(arr), nomem = 0;

    if (r->layers != NULL || n <= 0)
        return 0; /* the first list given counts */
    if (n > PEER_MAX_LAYERS)
        return mj_fail(j, at, ERR_LIMIT, "more than 4096 layers");
    if ((r->layers = calloc((size_t)n, sizeof(*r->layers))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(e, arr) {
        const char *s = NULL;
        int rc = item_str(j, at, e, key, &s);
        if (rc < 0)
            return rc;
        if (s == NULL || *s == '\0')
            return mj_fail(j, at, ERR_PARSE, "a layer without a digest");
        if ((r->layers[r->nlayers] = merge_clean_dup(s, PEER_MAX_FIELD, &nomem)) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        r->nlayers++;
    }
    return 0;
}

static void
vuln_free(struct pkg_peer_vuln *v)
{
    free(v->id);
    free(v->aliases);
    free(v->package);
    free(v->installed);
    free(v->fixed);
    free(v->purl);
    free(v->layer);
    free(v->type);
    free(v->path);
    free(v->title);
}

/* A peer's string as we keep it: control characters (a terminal escape in a title) as spaces,
 * at most `max` bytes, cut before a UTF-8 continuation byte. NULL in, NULL out. */
char *
merge_clean_dup(const char *s, size_t max, int *nomem)
{
    size_t n;
    char *d;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    if ((d = strndup(s, n)) == NULL) {
        *nomem = 1;
        return NULL;
    }
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

int
merge_add(struct pkg_peer_report *r, const struct pkg_peer_vuln *v)
{
    struct pkg_peer_vuln c;
    int nomem = 0;

    if (r->n >= PEER_MAX_VULNS)
        return err_set(ERR_LIMIT, "%s: more than %d results", r->file, PEER_MAX_VULNS);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct pkg_peer_vuln *nv = realloc(r->v, cap * sizeof(*nv));
        if (nv == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        r->v = nv;
        r->cap = cap;
    }
    c = (struct pkg_peer_vuln){merge_clean_dup(v->id, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->aliases, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->package, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->installed, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->fixed, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->purl, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->layer, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->type, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->path, PEER_MAX_FIELD, &nomem),
                               merge_clean_dup(v->title, 300, &nomem),
                               v->severity};
    if (nomem) {
        vuln_free(&c);
        return err_set(ERR_NOMEM, "out of memory");
    }
    r->v[r->n++] = c;
    return 0;
}

void
pkg_merge_free(struct pkg_peer_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        vuln_free(&r->v[i]);
    for (size_t i = 0; i < r->nlayers; i++)
        free(r->layers[i]);
    free(r->v);
    free(r->layers);
    free(r->file);
    free(r->artifact);
    memset(r, 0, sizeof(*r));
}

int
pkg_merge_parse(const char *name, const char *data, size_t len, struct pkg_peer_report *out)
{
    struct mj j = {data, len, 0, name, 0};
    char key[64];
    int first = 1, rc;

    memset(out, 0, sizeof(*out));
    if ((out->file = strdup(name)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = mj_object_begin(&j)) < 0)
        goto fail;
    while ((rc = mj_object_next(&j, &first, key, sizeof(key))) > 0) {
        size_t at = j.pos;
        enum pkg_peer_tool t = merge_trivy_key(key) ? PEER_TRIVY : merge_grype_key(key) ? PEER_GRYPE : 0;
        if (t != 0 && out->tool != 0 && t != out->tool) {
            rc = mj_fail(&j, at, ERR_PARSE, "has keys of both a Trivy and a Grype report");
            goto fail;
        }
        if (t != 0)
            out->tool = t;
        rc = 1;
        if (out->tool == PEER_TRIVY)
            rc = merge_trivy_member(&j, key, out);
        else if (out->tool == PEER_GRYPE)
            rc = merge_grype_member(&j, key, out);
        if (rc > 0) /* not a key we read (or the tool is not known yet: nothing depends on it) */
            rc = mj_skip(&j);
        if (rc < 0)
            goto fail;
    }
    if (rc < 0 || (rc = mj_end(&j)) < 0)
        goto fail;
    if (out->tool == 0) {
        rc = err_set(ERR_PARSE,
                     "%s: neither a Trivy nor a Grype JSON report (no \"Results\" or \"matches\")",
                     name);
        goto fail;
    }
    return 0;
fail:
    pkg_merge_free(out);
    return rc;
}

int
pkg_merge_load(const char *path, struct pkg_peer_report *out)
{
    struct stat st;
    void *map;
    int fd, rc;

    memset(out, 0, sizeof(*out));
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "--merge-report %s", path);
    if (fstat(fd, &st) < 0) {
        rc = err_set_errno(ERR_IO, "--merge-report %s", path);
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(ERR_UNSAFE, "--merge-report %s: not a regular file", path);
    }
    if ((size_t)st.st_size > PEER_MAX_FILE) {
        close(fd);
        return err_set(ERR_LIMIT, "--merge-report %s: %lld bytes, over the %zu MiB bound", path,
                       (long long)st.st_size, PEER_MAX_FILE >> 20);
    }
    if (st.st_size == 0) {
        close(fd);
        return err_set(ERR_PARSE, "%s:1:1: empty file, not a JSON report", path);
    }
    /* mapped, not read: the pages are the file's own and the kernel can drop them */
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return err_set_errno(ERR_IO, "--merge-report %s", path);
    (void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    rc = pkg_merge_parse(path, map, (size_t)st.st_size, out);
    munmap(map, (size_t)st.st_size);
    return rc;
}

int
pkg_merge_check_image(const struct pkg_peer_report *r, const struct pkg_merge_image *img)
{
    int same = r->nlayers == img->nlayers;

    for (size_t i = 0; same && i < r->nlayers; i++)
        same = strcmp(r->layers[i], img->layers[i]) == 0;
    if (r->nlayers > 0 && !same)
        return err_set(ERR_USAGE,
                       "--merge-report %s: a %s report of another image: its %zu layers (the "
                       "first %.19s...) are not the %zu of %s",
                       r->file, pkg_peer_name(r->tool), r->nlayers, r->layers[0], img->nlayers,
                       img->ref);
    if (r->nlayers == 0 && r->artifact != NULL && strcmp(r->artifact, img->ref) != 0)
        diag_warn("--merge-report %s: the report is of '%s', not '%s', and lists no layers to "
                  "compare; merged as a report of %s",
                  r->file, r->artifact, img->ref, img->ref);
    return 0;
}
