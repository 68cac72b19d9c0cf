/* entry: one secret's record inside the payload: a small JSON object with its metadata and its
 * versions (values base64-encoded), checked before use and turned into vault_info for listing. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault_internal.h"

#define TAGS_MAX    32
#define TAG_LEN_MAX 64

static int
bad(const char *why)
{
    return err_set(ERR_PARSE, "vault is corrupted or was modified (entry: %s)", why);
}

static int
is_int(const cJSON *x, double min, double max)
{
    return cJSON_IsNumber(x) && x->valuedouble >= min && x->valuedouble <= max &&
           x->valuedouble == (double)(long long)x->valuedouble;
}

/* Checks an already parsed entry; used on every entry any command reads. */
static int
entry_check_obj(const cJSON *e)
{
    const cJSON *vs, *x, *tags, *gen;
    double last = 0;
    int n = 0;

    if (!cJSON_IsObject(e))
        return bad("not an object");
    if (!is_int(cJSON_GetObjectItemCaseSensitive(e, "created"), 0, 1e13) ||
        !is_int(cJSON_GetObjectItemCaseSensitive(e, "updated"), 0, 1e13))
        return bad("bad times");
    if ((x = cJSON_GetObjectItemCaseSensitive(e, "expires")) != NULL && !is_int(x, 0, 1e13))
        return bad("bad expiry");
    if ((x = cJSON_GetObjectItemCaseSensitive(e, "rotate_after")) != NULL && !is_int(x, 0, 36500))
        return bad("bad rotate_after");
    if ((x = cJSON_GetObjectItemCaseSensitive(e, "deleted")) != NULL && !cJSON_IsBool(x))
        return bad("bad deleted flag");
    tags = cJSON_GetObjectItemCaseSensitive(e, "tags");
    if (tags != NULL) {
        if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) > TAGS_MAX)
            return bad("bad tags");
        cJSON_ArrayForEach(x, tags) if (!cJSON_IsString(x) || strlen(x->valuestring) == 0 ||
                                         strlen(x->valuestring) > TAG_LEN_MAX) return bad("bad "
                                                                                          "tag");
    }
    gen = cJSON_GetObjectItemCaseSensitive(e, "gen");
    if (gen != NULL) {
        x = cJSON_GetObjectItemCaseSensitive(gen, "charset");
        if (!is_int(cJSON_GetObjectItemCaseSensitive(gen, "length"), 1, KEYS_GENERATE_MAX) ||
            !cJSON_IsString(x) || strlen(x->valuestring) >= 300)
            return bad("bad generator settings");
    }
    vs = cJSON_GetObjectItemCaseSensitive(e, "versions");
    if (!cJSON_IsArray(vs))
        return bad("no versions");
    cJSON_ArrayForEach(x, vs)
    {
        const cJSON *vnum = cJSON_GetObjectItemCaseSensitive(x, "n");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(x, "value");
        const cJSON *how = cJSON_GetObjectItemCaseSensitive(x, "how");
        if (!is_int(vnum, last + 1, 2e9) || !is_int(cJSON_GetObjectItemCaseSensitive(x, "at"), 0, 1e13))
            return bad("bad version number or time");
        if (!cJSON_IsString(val) || strlen(val->valuestring) > (VAULT_VALUE_MAX / 3 + 1) * 4)
            return bad("bad value");
        if (how != NULL && (!cJSON_IsString(how) || strlen(how->valuestring) >= 32))
            return bad("bad version note");
        last = vnum->valuedouble;
        if (++n > VAULT_VERSIONS_MAX)
            return bad("too many versions");
    }
    return n == 0 ? bad("no versions") : 0;
}

int
vault_entry_check(const char *json, size_t len)
{
    cJSON *e = cJSON_ParseWithLength(json, len);
    int rc;

    if (e == NULL)
        return bad("not JSON");
    rc = entry_check_obj(e);
    cJSON_Delete(e);
    return rc;
}

/* Parses the entry of NAME. 0 and *out set, ERR_NOTFOUND (no message) when absent. */
int
vault_entry_parse(const struct vault *v, const char *name, cJSON **out)
{
    const char *json;
    size_t len;
    int rc;

    *out = NULL;
    if ((rc = vault_entry_lookup(v, name, &json, &len)) < 0)
        return rc;
    if (rc == 0)
        return ERR_NOTFOUND;
    *out = cJSON_ParseWithLength(json, len);
    if (*out == NULL)
        return bad("not JSON");
    if ((rc = entry_check_obj(*out)) < 0) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

static long long
num(const cJSON *e, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, key);

    return cJSON_IsNumber(x) ? (long long)x->valuedouble : 0;
}

int
vault_entry_info(const cJSON *e, const char *name, int with_versions, struct vault_info *out)
{
    const cJSON *x, *vs = cJSON_GetObjectItemCaseSensitive(e, "versions");
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(e, "gen");
    size_t off = 0, i = 0;

    memset(out, 0, sizeof(*out));
    (void)str_format(out->name, sizeof(out->name), "%s", name);
    out->created = num(e, "created");
    out->updated = num(e, "updated");
    out->expires = num(e, "expires");
    out->rotate_after = (long)num(e, "rotate_after");
    out->deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "deleted"));
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "tags"))
    {
        int n = snprintf(out->tags + off, sizeof(out->tags) - off, "%s%s", off ? "," : "",
                         x->valuestring);
        if (n < 0 || (size_t)n >= sizeof(out->tags) - off)
            break;
        off += (size_t)n;
    }
    if (gen != NULL) {
        out->gen_length = (long)num(gen, "length");
        (void)str_format(out->gen_charset, sizeof(out->gen_charset), "%s",
                         cJSON_GetObjectItemCaseSensitive(gen, "charset")->valuestring);
    }
    out->nversions = (size_t)cJSON_GetArraySize(vs);
    out->version = (int)num(cJSON_GetArrayItem(vs, (int)out->nversions - 1), "n");
    if (!with_versions)
        return 0;
    out->versions = calloc(out->nversions, sizeof(*out->versions));
    if (out->versions == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(x, vs)
    {
        struct vault_version_info *vi = &out->versions[i++];
        const cJSON *how = cJSON_GetObjectItemCaseSensitive(x, "how");
        size_t b64 = strlen(cJSON_GetObjectItemCaseSensitive(x, "value")->valuestring);
        const char *s = cJSON_GetObjectItemCaseSensitive(x, "value")->valuestring;
        vi->n = (int)num(x, "n");
        vi->at = num(x, "at");
        /* Length from the base64 text: 3 bytes per 4 characters, minus the padding. */
        vi->len = b64 / 4 * 3 - (b64 >= 1 && s[b64 - 1] == '=') - (b64 >= 2 && s[b64 - 2] == '=');
        (void)str_format(vi->how, sizeof(vi->how), "%s", cJSON_IsString(how) ? how->valuestring : "set");
    }
    return 0;
}
