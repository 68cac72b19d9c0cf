/* engine secrets: the Swarm secrets endpoints (`secrets push`): does a secret exist, create one.
 * The value is base64-encoded into the request body, which is wiped after the call. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine.h"

int
engine_secret_exists(struct engine *e, const char *name)
{
    char path[600];
    char *esc = engine_escape(name);
    cJSON *j = NULL;
    int rc;

    if (esc == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    rc = str_format(path, sizeof(path), "/secrets/%s", esc);
    free(esc);
    if (rc < 0)
        return err_set(ERR_LIMIT, "secret name too long");
    rc = engine_get_json(e, path, &j);
    cJSON_Delete(j);
    if (rc == ERR_NOTFOUND)
        return 0;
    return rc < 0 ? rc : 1;
}

int
engine_secret_create(struct engine *e, const char *name, const void *value,
                     size_t len, const char *label_key, const char *label_value,
                     char *id, size_t idsize)
{
    size_t b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len), *body = NULL;
    cJSON *req = cJSON_CreateObject(), *labels, *reply = NULL;
    const cJSON *jid;
    int rc = 0;

    if (id != NULL && idsize > 0)
        id[0] = '\0';
    if (b64 == NULL || req == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    sodium_bin2base64(b64, b64len, value, len, sodium_base64_VARIANT_ORIGINAL);
    labels = cJSON_AddObjectToObject(req, "Labels");
    if (cJSON_AddStringToObject(req, "Name", name) == NULL ||
        cJSON_AddStringToObject(req, "Data", b64) == NULL || labels == NULL ||
        (label_key != NULL && cJSON_AddStringToObject(labels, label_key, label_value) == NULL) ||
        (body = cJSON_PrintUnformatted(req)) == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = engine_post_json(e, "/secrets/create", body, strlen(body), &reply);
    jid = cJSON_GetObjectItemCaseSensitive(reply, "ID");
    if (rc == 0 && cJSON_IsString(jid) && id != NULL)
        (void)str_format(id, idsize, "%s", jid->valuestring);
out:
    if (body != NULL) {
        sodium_memzero(body, strlen(body));
        cJSON_free(body);
    }
    cJSON_Delete(req); /* json_init's hooks wipe the blocks */
    cJSON_Delete(reply);
    if (b64 != NULL) {
        sodium_memzero(b64, b64len);
        free(b64);
    }
    return rc;
}
