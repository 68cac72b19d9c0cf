/* image_resolve: turns what the readers collected into one image: manifest.json (docker save)
 * or index.json -> manifest (OCI, --platform for multi-arch), the config, the layers in order
 * with their digests, the history entry that made each and which ones are the base image's. */
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define MAX_INDEX_DEPTH 4

/* "sha256:HEX" -> "blobs/sha256/HEX", refusing anything but a plain algorithm and encoding. */
static int
digest_to_blob(const char *digest, char *out, size_t size)
{
    const char *colon = digest != NULL ? strchr(digest, ':') : NULL;
    size_t alen;

    if (colon == NULL)
        return err_set(ERR_PARSE, "bad digest '%.80s'", digest != NULL ? digest : "(none)");
    alen = (size_t)(colon - digest);
    if (alen == 0 || alen > 16 || strlen(colon + 1) == 0 || strlen(colon + 1) > 128)
        return err_set(ERR_PARSE, "bad digest '%.80s'", digest);
    for (const char *p = digest; p < colon; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' ||
              *p == '_' || *p == '-'))
            return err_set(ERR_PARSE, "bad digest algorithm in '%.80s'", digest);
    for (const char *p = colon + 1; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '=' || *p == '_' || *p == '-'))
            return err_set(ERR_PARSE, "bad digest encoding in '%.80s'", digest);
    return str_format(out, size, "blobs/%.*s/%s", (int)alen, digest, colon + 1);
}

static int
load_json(struct img_ctx *c, const char *name, cJSON **out)
{
    const struct buf *b = img_ctx_json(c, name);
    int rc;

    *out = NULL;
    if (b == NULL && c->fetch != NULL) {
        if ((rc = c->fetch(c, name, 0)) < 0)
            return rc;
        b = img_ctx_json(c, name);
    }
    if (b == NULL)
        return err_set(ERR_PARSE, "%s: %s is missing from the image", c->source, name);
    *out = cJSON_ParseWithLength(b->data, b->len);
    if (*out == NULL)
        return err_set(ERR_PARSE, "%s: %s is not valid JSON", c->source, name);
    return 0;
}

static int
get_layer(struct img_ctx *c, const char *name, struct img_layer **out)
{
    int rc;

    *out = img_ctx_layer(c, name);
    if (*out == NULL && c->fetch != NULL) {
        if ((rc = c->fetch(c, name, 1)) < 0)
            return rc;
        *out = img_ctx_layer(c, name);
    }
    if (*out == NULL && img_map_get(&c->unknown, name, NULL))
        return err_set(ERR_PARSE, "%s: layer %s is not a tar, gzip or zstd stream (corrupt "
                                  "archive?)",
                       c->source, name);
    if (*out == NULL)
        return err_set(ERR_PARSE, "%s: layer %s is listed in the manifest but missing from the "
                                  "image",
                       c->source, name);
    return 0;
}

static const char *
host_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "arm";
#elif defined(__i386__)
    return "386";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__powerpc64__)
    return "ppc64le";
#else
    return "";
#endif
}

static const char *
str_item(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
platform_matches(const cJSON *m, const char *os, const char *arch, const char *variant)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "platform");
    const char *mo = str_item(p, "os"), *ma = str_item(p, "architecture"),
               *mv = str_item(p, "variant");

    if (mo == NULL || ma == NULL || strcmp(mo, os) != 0 || strcmp(ma, arch) != 0)
        return 0;
    return variant == NULL || (mv != NULL && strcmp(mv, variant) == 0);
}

const cJSON *
image_pick_platform(const cJSON *manifests, const char *platform, int *err)
{
    char os[64] = "linux", arch[64], variant[64];
    const char *want_variant = NULL;
    const cJSON *m, *first = NULL;
    int n = 0;

    *err = 0;
    snprintf(arch, sizeof(arch), "%s", host_arch());
    if (platform != NULL) {
        variant[0] = '\0';
        if (sscanf(platform, "%63[^/]/%63[^/]/%63s", os, arch, variant) < 2) {
            *err = err_set(ERR_USAGE, "--platform %s: expected OS/ARCH[/VARIANT]", platform);
            return NULL;
        }
        if (variant[0] != '\0')
            want_variant = variant;
    }
    cJSON_ArrayForEach(m, manifests) {
        const char *ref = str_item(cJSON_GetObjectItemCaseSensitive(m, "annotations"),
                                   "vnd.docker.reference.type");
        if (!cJSON_IsObject(m) || (ref != NULL && strcmp(ref, "attestation-manifest") == 0))
            continue; /* buildx provenance, not an image */
        n++;
        if (first == NULL)
            first = m;
        if (platform_matches(m, os, arch, want_variant))
            return m;
    }
    /* One image without platform data, or no --platform and nothing for this machine. */
    if (first != NULL && (n == 1 || platform == NULL))
        return first;
    if (first == NULL) {
        *err = err_set(ERR_PARSE, "the image index lists no manifest");
        return NULL;
    }
    char avail[512] = "";
    size_t o = 0;
    cJSON_ArrayForEach(m, manifests) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "platform");
        int w = snprintf(avail + o, sizeof(avail) - o, "%s%s/%s", o ? ", " : "",
                         str_item(p, "os") ? str_item(p, "os") : "?",
                         str_item(p, "architecture") ? str_item(p, "architecture") : "?");
        if (w < 0 || (size_t)w >= sizeof(avail) - o)
            break;
        o += (size_t)w;
    }
    *err = err_set(ERR_NOTFOUND, "no image for platform %s in the index (available: %s)",
                   platform, avail);
    return NULL;
}

static int
is_index_type(const char *mt)
{
    return mt != NULL && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
                          strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

static int
alloc_layers(struct img_resolved *r, size_t n)
{
    r->nlayers = n;
    r->layers = calloc(n ? n : 1, sizeof(*r->layers));
    r->digests = calloc(n ? n : 1, sizeof(*r->digests));
    r->created_by = calloc(n ? n : 1, sizeof(*r->created_by));
    r->shown_by = calloc(n ? n : 1, sizeof(*r->shown_by));
    r->is_base = calloc(n ? n : 1, sizeof(*r->is_base));
    if (r->layers == NULL || r->digests == NULL || r->created_by == NULL || r->shown_by == NULL || r->is_base == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

/* Docker's manifest.json: [{"Config": path, "Layers": [paths]}]. */
static int
resolve_docker(struct img_ctx *c, struct img_resolved *r, const cJSON *doc, char ***names)
{
    const cJSON *entry = cJSON_GetArrayItem(doc, 0), *layers;
    const char *config = str_item(entry, "Config");
    char clean[IMG_MAX_PATH];
    int rc, n;

    if (!cJSON_IsArray(doc) || entry == NULL || config == NULL)
        return err_set(ERR_PARSE, "%s: manifest.json: expected [{\"Config\": ..., \"Layers\": "
                                  "[...]}]",
                       c->source);
    if (cJSON_GetArraySize(doc) > 1)
        diag_note("%s: manifest.json lists %d images; scanning the first", c->source,
                  cJSON_GetArraySize(doc));
    if ((rc = layer_clean_path(config, clean, sizeof(clean))) < 0)
        return img_err_wrap(rc, "%s: manifest.json Config", c->source);
    if ((rc = load_json(c, clean, &r->config)) < 0)
        return rc;
    layers = cJSON_GetObjectItemCaseSensitive(entry, "Layers");
    n = cJSON_GetArraySize(layers);
    if (!cJSON_IsArray(layers) || n > IMG_MAX_LAYERS)
        return err_set(ERR_PARSE, "%s: manifest.json: Layers must be an array of at most %d "
                                  "paths",
                       c->source, IMG_MAX_LAYERS);
    if ((rc = alloc_layers(r, (size_t)n)) < 0)
        return rc;
    *names = calloc((size_t)n + 1, sizeof(**names));
    if (*names == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const cJSON *l = cJSON_GetArrayItem(layers, i);
        if (!cJSON_IsString(l))
            return err_set(ERR_PARSE, "%s: manifest.json: Layers[%d] is not a string", c->source, i);
        if ((rc = layer_clean_path(l->valuestring, clean, sizeof(clean))) < 0)
            return img_err_wrap(rc, "%s: manifest.json Layers[%d]", c->source, i);
        if (((*names)[i] = strdup(clean)) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* OCI: index.json -> (nested indexes) -> manifest -> config + layer digests. */
static int
resolve_oci(struct img_ctx *c, struct img_resolved *r, cJSON *index, char ***names)
{
    cJSON *doc = index, *owned = NULL, *manifest = NULL;
    char blob[IMG_MAX_PATH];
    const cJSON *layers;
    int rc = 0, n, depth;

    for (depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(doc, "manifests"), *m;
        if (!cJSON_IsArray(ms)) {
            rc = err_set(ERR_PARSE, "%s: image index without a manifests array", c->source);
            goto out;
        }
        m = image_pick_platform(ms, c->opts != NULL ? c->opts->platform : NULL, &rc);
        if (m == NULL) {
            rc = img_err_wrap(rc, "%s", c->source);
            goto out;
        }
        if ((rc = digest_to_blob(str_item(m, "digest"), blob, sizeof(blob))) < 0) {
            rc = img_err_wrap(rc, "%s: index", c->source);
            goto out;
        }
        cJSON *next = NULL;
        if ((rc = load_json(c, blob, &next)) < 0)
            goto out;
        cJSON_Delete(owned);
        owned = next;
        doc = next;
        const char *mt = str_item(m, "mediaType");
        if (mt == NULL)
            mt = str_item(next, "mediaType");
        if (!is_index_type(mt) && cJSON_GetObjectItemCaseSensitive(next, "manifests") == NULL) {
            manifest = next;
            break;
        }
    }
    if (manifest == NULL) {
        rc = err_set(ERR_LIMIT, "%s: image indexes nested deeper than %d", c->source,
                     MAX_INDEX_DEPTH);
        goto out;
    }
    if ((rc = digest_to_blob(str_item(cJSON_GetObjectItemCaseSensitive(manifest, "config"),
                                      "digest"),
                             blob, sizeof(blob))) < 0) {
        rc = img_err_wrap(rc, "%s: manifest config", c->source);
        goto out;
    }
    if ((rc = load_json(c, blob, &r->config)) < 0)
        goto out;
    layers = cJSON_GetObjectItemCaseSensitive(manifest, "layers");
    n = cJSON_GetArraySize(layers);
    if (!cJSON_IsArray(layers) || n > IMG_MAX_LAYERS) {
        rc = err_set(ERR_PARSE, "%s: manifest: layers must be an array of at most %d", c->source,
                     IMG_MAX_LAYERS);
        goto out;
    }
    if ((rc = alloc_layers(r, (size_t)n)) < 0)
        goto out;
    *names = calloc((size_t)n + 1, sizeof(**names));
    if (*names == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *l = cJSON_GetArrayItem(layers, i);
        if ((rc = digest_to_blob(str_item(l, "digest"), blob, sizeof(blob))) < 0) {
            rc = img_err_wrap(rc, "%s: manifest layers[%d]", c->source, i);
            goto out;
        }
        if (((*names)[i] = strdup(blob)) == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
    }
out:
    cJSON_Delete(owned);
    return rc;
}

static int
history_empty(const cJSON *h)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "empty_layer"));
}

static int
is_cmd(const char *cb)
{
    if (cb == NULL)
        return 0;
    while (*cb == ' ')
        cb++;
    return strncmp(cb, "CMD", 3) == 0 || strstr(cb, "#(nop)  CMD") != NULL ||
           strstr(cb, "#(nop) CMD") != NULL;
}

void
image_mark_base(const cJSON *history, size_t nlayers, int *is_base, const char **created_by)
{
    int n = cJSON_GetArraySize(history), i, base_end = -1;
    size_t li = 0, nonempty = 0;

    if (!cJSON_IsArray(history))
        return;
    for (i = 0; i < n; i++)
        if (!history_empty(cJSON_GetArrayItem(history, i)))
            nonempty++;
    /* The history names its layers only when it has one entry per layer. */
    if (nonempty == nlayers) {
        for (i = 0; i < n && li < nlayers; i++) {
            const cJSON *h = cJSON_GetArrayItem(history, i);
            if (!history_empty(h))
                created_by[li++] = str_item(h, "created_by");
        }
    }
    /* The base image ends at its CMD: walking back past this image's own trailing metadata,
     * the first empty CMD entry is the base's (the heuristic Trivy uses too). */
    i = n - 1;
    while (i >= 0 && history_empty(cJSON_GetArrayItem(history, i)))
        i--;
    for (; i >= 0; i--) {
        const cJSON *h = cJSON_GetArrayItem(history, i);
        if (history_empty(h) && is_cmd(str_item(h, "created_by"))) {
            base_end = i;
            break;
        }
    }
    if (base_end < 0 || nonempty != nlayers)
        return;
    li = 0;
    for (i = 0; i < base_end && li < nlayers; i++)
        if (!history_empty(cJSON_GetArrayItem(history, i)))
            is_base[li++] = 1;
}

int
image_resolve(struct img_ctx *c, struct img_resolved *r)
{
    cJSON *top = NULL;
    char **names = NULL;
    const cJSON *diff_ids, *rootfs;
    int rc;

    memset(r, 0, sizeof(*r));
    if (img_ctx_json(c, "manifest.json") != NULL) {
        if ((rc = load_json(c, "manifest.json", &top)) == 0)
            rc = resolve_docker(c, r, top, &names);
    } else {
        if ((rc = load_json(c, "index.json", &top)) == 0)
            rc = resolve_oci(c, r, top, &names);
    }
    if (rc < 0)
        goto out;
    if (!cJSON_IsObject(r->config)) {
        rc = err_set(ERR_PARSE, "%s: the image config is not a JSON object", c->source);
        goto out;
    }
    rootfs = cJSON_GetObjectItemCaseSensitive(r->config, "rootfs");
    diff_ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
    for (size_t i = 0; i < r->nlayers; i++) {
        const cJSON *d = cJSON_GetArrayItem(diff_ids, (int)i);
        char canon[IMG_MAX_PATH + 32];
        if ((rc = get_layer(c, names[i], &r->layers[i])) < 0)
            goto out;
        /* DiffIDs name the uncompressed layer: the same in docker save, OCI and the engine, so
         * one image gives the same findings whatever its format. */
        if (cJSON_GetArraySize(diff_ids) == (int)r->nlayers && cJSON_IsString(d))
            snprintf(canon, sizeof(canon), "%s", d->valuestring);
        else if (strncmp(names[i], "blobs/", 6) == 0 && strchr(names[i] + 6, '/') != NULL)
            snprintf(canon, sizeof(canon), "%.*s:%s",
                     (int)(strchr(names[i] + 6, '/') - (names[i] + 6)), names[i] + 6,
                     strchr(names[i] + 6, '/') + 1);
        else
            snprintf(canon, sizeof(canon), "%s", names[i]);
        if ((r->digests[i] = strdup(canon)) == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    image_mark_base(cJSON_GetObjectItemCaseSensitive(r->config, "history"), r->nlayers,
                    r->is_base, r->created_by);
    for (size_t i = 0; i < r->nlayers; i++)
        if (r->created_by[i] != NULL &&
            (r->shown_by[i] = image_history_redact(c, r->created_by[i])) == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
out:
    if (names != NULL)
        for (size_t i = 0; names[i] != NULL; i++)
            free(names[i]);
    free(names);
    cJSON_Delete(top);
    return rc;
}

void
image_resolved_free(struct img_resolved *r)
{
    for (size_t i = 0; r->digests != NULL && i < r->nlayers; i++)
        free(r->digests[i]);
    for (size_t i = 0; r->shown_by != NULL && i < r->nlayers; i++)
        free(r->shown_by[i]);
    free(r->shown_by);
    free(r->digests);
    free(r->layers);
    free(r->created_by);
    free(r->is_base);
    cJSON_Delete(r->config);
    memset(r, 0, sizeof(*r));
}
