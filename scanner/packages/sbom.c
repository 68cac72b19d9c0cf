/* sbom: an image's packages as a CycloneDX 1.5 or SPDX 2.3 JSON document, with a purl for
 * every package and the layer that added it. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "packages.h"

int
sbom_format_parse(const char *name)
{
    if (strcmp(name, "cyclonedx") == 0)
        return SBOM_CYCLONEDX;
    if (strcmp(name, "spdx") == 0)
        return SBOM_SPDX;
    return -1;
}

static void
uuid4(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static void
now_utc(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static const char *
kind_name(enum pkg_kind k)
{
    static const char *const names[] = {"deb", "apk", "python", "npm", "go", "rpm"};
    return names[k];
}

static cJSON *
prop(const char *name, const char *value)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "value", value);
    return p;
}

static cJSON *
cyclonedx(const struct sbom_subject *s, const struct pkg_list *pkgs, const char *tool_version)
{
    cJSON *doc = cJSON_CreateObject(), *meta, *tools, *tc, *t, *comp, *comps;
    char uuid[37], ts[32], serial[64], purl[1024];

    uuid4(uuid);
    now_utc(ts);
    snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
    cJSON_AddStringToObject(doc, "bomFormat", "CycloneDX");
    cJSON_AddStringToObject(doc, "specVersion", "1.5");
    cJSON_AddStringToObject(doc, "serialNumber", serial);
    cJSON_AddNumberToObject(doc, "version", 1);
    meta = cJSON_AddObjectToObject(doc, "metadata");
    cJSON_AddStringToObject(meta, "timestamp", ts);
    tools = cJSON_AddObjectToObject(meta, "tools");
    tc = cJSON_AddArrayToObject(tools, "components");
    t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "type", "application");
    cJSON_AddStringToObject(t, "name", "scanner");
    cJSON_AddStringToObject(t, "version", tool_version);
    cJSON_AddItemToArray(tc, t);
    comp = cJSON_AddObjectToObject(meta, "component");
    cJSON_AddStringToObject(comp, "type", "container");
    cJSON_AddStringToObject(comp, "bom-ref", "image");
    cJSON_AddStringToObject(comp, "name", s->name);
    if (s->digest != NULL)
        cJSON_AddStringToObject(comp, "version", s->digest);
    comps = cJSON_AddArrayToObject(doc, "components");
    if (s->os_id != NULL && *s->os_id != '\0') {
        cJSON *os = cJSON_CreateObject();
        cJSON_AddStringToObject(os, "type", "operating-system");
        cJSON_AddStringToObject(os, "bom-ref", "os");
        cJSON_AddStringToObject(os, "name", s->os_id);
        if (s->os_version != NULL)
            cJSON_AddStringToObject(os, "version", s->os_version);
        cJSON_AddItemToArray(comps, os);
    }
    for (size_t i = 0; i < pkgs->n; i++) {
        const struct pkg *p = &pkgs->v[i];
        cJSON *c = cJSON_CreateObject(), *props;
        char ref[64], layer[16];
        snprintf(ref, sizeof(ref), "pkg-%zu", i);
        cJSON_AddStringToObject(c, "type", "library");
        cJSON_AddStringToObject(c, "bom-ref", ref);
        cJSON_AddStringToObject(c, "name", p->name);
        cJSON_AddStringToObject(c, "version", p->version);
        if (p->vendor != NULL)
            cJSON_AddStringToObject(c, "publisher", p->vendor);
        if (pkg_purl(p, s->os_id, s->os_version, purl, sizeof(purl)) == 0)
            cJSON_AddStringToObject(c, "purl", purl);
        props = cJSON_AddArrayToObject(c, "properties");
        cJSON_AddItemToArray(props, prop("secrets-suite:package:type", kind_name(p->kind)));
        cJSON_AddItemToArray(props, prop("secrets-suite:package:path", p->path));
        if (p->layer >= 0) {
            snprintf(layer, sizeof(layer), "%d", p->layer);
            cJSON_AddItemToArray(props, prop("secrets-suite:layer:index", layer));
        }
        if (p->source != NULL)
            cJSON_AddItemToArray(props, prop("secrets-suite:package:source", p->source));
        cJSON_AddItemToArray(comps, c);
    }
    return doc;
}

static cJSON *
spdx(const struct sbom_subject *s, const struct pkg_list *pkgs, const char *tool_version)
{
    cJSON *doc = cJSON_CreateObject(), *ci, *creators, *packages, *rels, *img;
    char uuid[37], ts[32], ns[128], tool[64], purl[1024];

    uuid4(uuid);
    now_utc(ts);
    cJSON_AddStringToObject(doc, "spdxVersion", "SPDX-2.3");
    cJSON_AddStringToObject(doc, "dataLicense", "CC0-1.0");
    cJSON_AddStringToObject(doc, "SPDXID", "SPDXRef-DOCUMENT");
    cJSON_AddStringToObject(doc, "name", s->name);
    snprintf(ns, sizeof(ns), "https://spdx.org/spdxdocs/secrets-suite-scanner-%s", uuid);
    cJSON_AddStringToObject(doc, "documentNamespace", ns);
    ci = cJSON_AddObjectToObject(doc, "creationInfo");
    cJSON_AddStringToObject(ci, "created", ts);
    creators = cJSON_AddArrayToObject(ci, "creators");
    snprintf(tool, sizeof(tool), "Tool: scanner-%s", tool_version);
    cJSON_AddItemToArray(creators, cJSON_CreateString(tool));
    packages = cJSON_AddArrayToObject(doc, "packages");
    img = cJSON_CreateObject();
    cJSON_AddStringToObject(img, "name", s->name);
    cJSON_AddStringToObject(img, "SPDXID", "SPDXRef-Image");
    if (s->digest != NULL)
        cJSON_AddStringToObject(img, "versionInfo", s->digest);
    cJSON_AddStringToObject(img, "downloadLocation", "NOASSERTION");
    cJSON_AddFalseToObject(img, "filesAnalyzed");
    cJSON_AddStringToObject(img, "primaryPackagePurpose", "CONTAINER");
    cJSON_AddItemToArray(packages, img);
    rels = cJSON_AddArrayToObject(doc, "relationships");
    {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "spdxElementId", "SPDXRef-DOCUMENT");
        cJSON_AddStringToObject(r, "relationshipType", "DESCRIBES");
        cJSON_AddStringToObject(r, "relatedSpdxElement", "SPDXRef-Image");
        cJSON_AddItemToArray(rels, r);
    }
    for (size_t i = 0; i < pkgs->n; i++) {
        const struct pkg *p = &pkgs->v[i];
        cJSON *c = cJSON_CreateObject(), *refs, *r;
        char id[64];
        snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i);
        cJSON_AddStringToObject(c, "name", p->name);
        cJSON_AddStringToObject(c, "SPDXID", id);
        cJSON_AddStringToObject(c, "versionInfo", p->version);
        cJSON_AddStringToObject(c, "downloadLocation", "NOASSERTION");
        cJSON_AddFalseToObject(c, "filesAnalyzed");
        cJSON_AddStringToObject(c, "sourceInfo", p->path);
        if (p->vendor != NULL) {
            char sup[300];
            if (str_format(sup, sizeof(sup), "Organization: %s", p->vendor) == 0)
                cJSON_AddStringToObject(c, "supplier", sup);
        }
        if (pkg_purl(p, s->os_id, s->os_version, purl, sizeof(purl)) == 0) {
            refs = cJSON_AddArrayToObject(c, "externalRefs");
            r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "referenceCategory", "PACKAGE-MANAGER");
            cJSON_AddStringToObject(r, "referenceType", "purl");
            cJSON_AddStringToObject(r, "referenceLocator", purl);
            cJSON_AddItemToArray(refs, r);
        }
        cJSON_AddItemToArray(packages, c);
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "spdxElementId", "SPDXRef-Image");
        cJSON_AddStringToObject(r, "relationshipType", "CONTAINS");
        cJSON_AddStringToObject(r, "relatedSpdxElement", id);
        cJSON_AddItemToArray(rels, r);
    }
    return doc;
}

int
sbom_render(struct buf *out, enum sbom_format fmt, const struct sbom_subject *subj,
            const struct pkg_list *pkgs, const char *tool_version)
{
    cJSON *doc = fmt == SBOM_SPDX ? spdx(subj, pkgs, tool_version)
                                  : cyclonedx(subj, pkgs, tool_version);
    char *text = doc != NULL ? cJSON_Print(doc) : NULL;
    int rc = 0;

    if (text == NULL)
        rc = err_set(ERR_NOMEM, "out of memory");
    else if (buf_append(out, text, strlen(text)) < 0 || buf_append(out, "\n", 1) < 0)
        rc = err_set(ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(doc);
    return rc;
}
