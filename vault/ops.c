/* ops: what the commands do to secrets: set, get, rm, rollback, rotate, list, history. Only the
 * entry being read or changed is parsed; listing parses each entry once. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault_internal.h"

static int
no_such(const char *name)
{
    return err_set(ERR_NOTFOUND, "no secret named '%s' (see `secrets list`)", name);
}

/* Stores `e` as NAME's new entry text. */
static int
entry_store(struct vault *v, const char *name, cJSON *e)
{
    char *json = cJSON_PrintUnformatted(e);

    if (json == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    return vault_entry_put(v, name, json);
}

static int
set_number(cJSON *e, const char *key, double val)
{
    cJSON *x = cJSON_GetObjectItemCaseSensitive(e, key);

    if (x != NULL) {
        cJSON_SetNumberValue(x, val);
        return 0;
    }
    return cJSON_AddNumberToObject(e, key, val) != NULL ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/* Decodes a version's base64 value into guarded memory. */
static int
decode_value(const cJSON *ver, struct vault_value *out)
{
    const char *b64 = cJSON_GetObjectItemCaseSensitive(ver, "value")->valuestring;
    size_t blen = strlen(b64), max = blen / 4 * 3 + 3, len = 0;

    out->data = keys_alloc(max + 1);
    if (out->data == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if (sodium_base642bin(out->data, max, b64, blen, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        vault_value_free(out);
        return err_set(ERR_PARSE, "vault is corrupted or was modified (bad value encoding)");
    }
    out->len = len;
    return 0;
}

static const cJSON *
find_version(const cJSON *e, int version)
{
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(e, "versions"), *x;

    if (version == 0)
        return cJSON_GetArrayItem(vs, cJSON_GetArraySize(vs) - 1);
    cJSON_ArrayForEach(x, vs) if ((int)cJSON_GetObjectItemCaseSensitive(x, "n")->valuedouble ==
                                  version) return x;
    return NULL;
}

static int
load(struct vault *v, const char *name, int allow_deleted, cJSON **e)
{
    int rc = vault_name_check(name);

    if (rc < 0)
        return rc;
    rc = vault_entry_parse(v, name, e);
    if (rc == ERR_NOTFOUND)
        return no_such(name);
    if (rc < 0)
        return rc;
    if (!allow_deleted && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*e, "deleted"))) {
        cJSON_Delete(*e);
        *e = NULL;
        return err_set(ERR_NOTFOUND, "secret '%s' was removed (its history is kept: `secrets "
                                     "history %s`; set it again to revive it)",
                       name, name);
    }
    return 0;
}

int
vault_get(struct vault *v, const char *name, int version, struct vault_value *out)
{
    const cJSON *ver;
    cJSON *e;
    int rc;

    out->data = NULL;
    out->len = 0;
    if ((rc = load(v, name, version != 0, &e)) < 0)
        return rc;
    ver = find_version(e, version);
    rc = ver == NULL ? err_set(ERR_NOTFOUND, "secret '%s' has no version %d (see `secrets history "
                                             "%s`)",
                               name, version, name)
                     : decode_value(ver, out);
    cJSON_Delete(e);
    return rc;
}

static int
apply_meta(cJSON *e, const struct vault_set_opts *o)
{
    cJSON *x;

    if (o == NULL)
        return 0;
    if (o->tags_given) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "tags");
        if (o->ntags > 0) {
            if ((x = cJSON_AddArrayToObject(e, "tags")) == NULL)
                return err_set(ERR_NOMEM, "out of memory");
            for (size_t i = 0; i < o->ntags; i++)
                cJSON_AddItemToArray(x, cJSON_CreateString(o->tags[i]));
        }
    }
    if (o->expires_given) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "expires");
        if (o->expires > 0 && cJSON_AddNumberToObject(e, "expires", (double)o->expires) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    if (o->rotate_given) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "rotate_after");
        if (o->rotate_after > 0 &&
            cJSON_AddNumberToObject(e, "rotate_after", (double)o->rotate_after) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    if (o->gen_charset != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "gen");
        if ((x = cJSON_AddObjectToObject(e, "gen")) == NULL ||
            cJSON_AddNumberToObject(x, "length", (double)o->gen_length) == NULL ||
            cJSON_AddStringToObject(x, "charset", o->gen_charset) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int
tags_check(const struct vault_set_opts *o)
{
    if (o == NULL || !o->tags_given)
        return 0;
    if (o->ntags > 32)
        return err_set(ERR_USAGE, "--tag: at most 32 tags");
    for (size_t i = 0; i < o->ntags; i++) {
        size_t n = strlen(o->tags[i]);
        if (n == 0 || n > 64 || strchr(o->tags[i], ',') != NULL)
            return err_set(ERR_USAGE, "--tag: a tag has 1 to 64 bytes and no comma");
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)o->tags[i][k] < 0x20 || o->tags[i][k] == 0x7f)
                return err_set(ERR_USAGE, "--tag: control character in a tag");
    }
    return 0;
}

/* Appends a version holding value[0..len) to NAME (created when absent). */
static int
add_version(struct vault *v, const char *name, const void *value, size_t len,
            const struct vault_set_opts *o, const char *how, int *version)
{
    cJSON *e = NULL, *vs, *ver;
    char *b64 = NULL;
    size_t b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    double now = (double)time(NULL), n = 1;
    int rc;

    if ((rc = vault_name_check(name)) < 0 || (rc = tags_check(o)) < 0)
        return rc;
    if (len == 0)
        return err_set(ERR_USAGE, "the value is empty");
    if (len > VAULT_VALUE_MAX)
        return err_set(ERR_LIMIT, "the value is larger than %d bytes", VAULT_VALUE_MAX);
    rc = vault_entry_parse(v, name, &e);
    if (rc == ERR_NOTFOUND) {
        e = cJSON_CreateObject();
        if (e == NULL || cJSON_AddNumberToObject(e, "created", now) == NULL ||
            cJSON_AddArrayToObject(e, "versions") == NULL) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
        rc = set_number(e, "updated", now);
    }
    if (rc < 0)
        goto out;
    vs = cJSON_GetObjectItemCaseSensitive(e, "versions");
    if (cJSON_GetArraySize(vs) > 0)
        n = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(vs, cJSON_GetArraySize(vs) - 1),
                                             "n")
                ->valuedouble +
            1;
    while (cJSON_GetArraySize(vs) >= VAULT_VERSIONS_MAX)
        cJSON_DeleteItemFromArray(vs, 0);
    if ((b64 = keys_alloc(b64len)) == NULL) {
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
        goto out;
    }
    sodium_bin2base64(b64, b64len, value, len, sodium_base64_VARIANT_ORIGINAL);
    if ((ver = cJSON_CreateObject()) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    cJSON_AddItemToArray(vs, ver);
    if (cJSON_AddNumberToObject(ver, "n", n) == NULL ||
        cJSON_AddNumberToObject(ver, "at", now) == NULL ||
        cJSON_AddStringToObject(ver, "how", how) == NULL ||
        cJSON_AddStringToObject(ver, "value", b64) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(e, "deleted");
    if ((rc = set_number(e, "updated", now)) < 0 || (rc = apply_meta(e, o)) < 0)
        goto out;
    if ((rc = entry_store(v, name, e)) == 0 && version != NULL)
        *version = (int)n;
out:
    if (b64 != NULL)
        keys_free(b64);
    cJSON_Delete(e);
    return rc;
}

int
vault_set(struct vault *v, const char *name, const void *value, size_t len,
          const struct vault_set_opts *o, int *version)
{
    return add_version(v, name, value, len, o, o != NULL && o->how != NULL ? o->how : "set",
                       version);
}

int
vault_rm(struct vault *v, const char *name, int purge)
{
    cJSON *e;
    int rc;

    if ((rc = load(v, name, purge, &e)) < 0)
        return rc;
    if (purge) {
        cJSON_Delete(e);
        v->backup = VAULT_BACKUP_NEW; /* "for good": the backup must not keep the value */
        return vault_entry_put(v, name, NULL);
    }
    rc = cJSON_AddTrueToObject(e, "deleted") != NULL ? entry_store(v, name, e)
                                                     : err_set(ERR_NOMEM, "out of memory");
    cJSON_Delete(e);
    return rc;
}

int
vault_rollback(struct vault *v, const char *name, int to, int *version)
{
    struct vault_value val = {0};
    char how[32];
    int rc;

    if (to <= 0)
        return err_set(ERR_USAGE, "--to: a version number is 1 or more");
    if ((rc = vault_get(v, name, to, &val)) < 0)
        return rc;
    (void)str_format(how, sizeof(how), "rollback to %d", to);
    rc = add_version(v, name, val.data, val.len, NULL, how, version);
    vault_value_free(&val);
    return rc;
}

int
vault_rotate(struct vault *v, const char *name, long length, const char *charset, int *version)
{
    struct vault_set_opts o = {0};
    struct vault_value cur = {0};
    struct keys_charset cs;
    struct vault_info info;
    char *secret;
    cJSON *e;
    int rc;

    if ((rc = load(v, name, 0, &e)) < 0)
        return rc;
    rc = vault_entry_info(e, name, 0, &info);
    cJSON_Delete(e);
    if (rc < 0)
        return rc;
    if (charset == NULL)
        charset = info.gen_charset[0] ? info.gen_charset : "alnum";
    if (length == 0 && info.gen_length > 0)
        length = info.gen_length;
    if (length == 0) {
        /* Never generated here: keep the current length (32 when it is out of range). */
        if ((rc = vault_get(v, name, 0, &cur)) < 0)
            return rc;
        length = cur.len >= 16 && cur.len <= KEYS_GENERATE_MAX ? (long)cur.len : 32;
        vault_value_free(&cur);
    }
    if ((rc = keys_charset_parse(charset, &cs)) < 0)
        return rc;
    if ((secret = keys_alloc((size_t)length)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if ((rc = keys_generate(&cs, (size_t)length, secret)) == 0) {
        o.gen_charset = charset;
        o.gen_length = length;
        rc = add_version(v, name, secret, (size_t)length, &o, "rotate", version);
    }
    keys_free(secret);
    return rc;
}

void
vault_infos_free(struct vault_info *infos, size_t n)
{
    if (infos == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(infos[i].versions);
    free(infos);
}

static int
info_cmp(const void *a, const void *b)
{
    const struct vault_info *x = a, *y = b;

    return vault_name_cmp(x->name, strlen(x->name), y->name, strlen(y->name));
}

static int
list_one(struct vault *v, const char *name, int include_deleted, struct vault_info *infos,
         size_t *n)
{
    cJSON *e;
    int rc = vault_entry_parse(v, name, &e);

    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (include_deleted || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "deleted")))
        rc = vault_entry_info(e, name, 0, &infos[(*n)++]);
    cJSON_Delete(e);
    return rc;
}

int
vault_list(struct vault *v, int include_deleted, struct vault_info **out, size_t *n)
{
    struct vault_info *infos = calloc((size_t)vault_nrecords(v) + v->nchanges + 1, sizeof(*infos));
    char name[VAULT_NAME_MAX + 1];
    uint32_t at;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (infos == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    /* Every entry is read: one read and pass over the records rather than one per secret. */
    rc = vault_records_load_all(v);
    for (uint32_t i = 0; i < vault_nrecords(v) && rc == 0; i++) {
        const char *rn;
        size_t rl;
        vault_record_name(v, i, &rn, &rl);
        memcpy(name, rn, rl);
        name[rl] = '\0';
        rc = list_one(v, name, include_deleted, infos, n);
    }
    for (size_t c = 0; c < v->nchanges && rc == 0; c++)
        if (vault_record_find(v, v->changes[c].name, strlen(v->changes[c].name), &at) == 0)
            rc = list_one(v, v->changes[c].name, include_deleted, infos, n);
    if (rc < 0) {
        vault_infos_free(infos, *n);
        *n = 0;
        return rc;
    }
    qsort(infos, *n, sizeof(*infos), info_cmp);
    *out = infos;
    return 0;
}

int
vault_history(struct vault *v, const char *name, struct vault_info *out)
{
    cJSON *e;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = load(v, name, 1, &e)) < 0)
        return rc;
    rc = vault_entry_info(e, name, 1, out);
    cJSON_Delete(e);
    return rc;
}
