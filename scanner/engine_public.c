/* engine_public: the small part of the Engine API client that other commands use (`secrets
 * push`): open/close and the Swarm secrets endpoints. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "scanner.h"

struct scanner_engine {
    struct engine *e;
};

int
scanner_engine_open(struct scanner_engine **out)
{
    struct scanner_engine *se = calloc(1, sizeof(*se));
    int rc;

    *out = NULL;
    if (se == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = engine_open(&se->e)) < 0) {
        free(se);
        return rc;
    }
    *out = se;
    return 0;
}

void
scanner_engine_close(struct scanner_engine *se)
{
    if (se == NULL)
        return;
    engine_close(se->e);
    free(se);
}

int
scanner_engine_secret_exists(struct scanner_engine *se, const char *name)
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
    rc = engine_get_json(se->e, path, &j);
    cJSON_Delete(j);
    if (rc == ERR_NOTFOUND)
        return 0;
    return rc < 0 ? rc : 1;
}

int
scanner_engine_secret_create(struct scanner_engine *se, const char *name, const void *value,
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
    rc = engine_post_json(se->e, "/secrets/create", body, strlen(body), &reply);
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
