/* json: cJSON set-up. The vault's plaintext payload passes through cJSON, so every block it
 * frees is wiped first. */
#include <cjson/cJSON.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void
json_free_wiped(void *p)
{
    if (p != NULL)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

void
json_init(void)
{
    cJSON_Hooks hooks = {malloc, json_free_wiped};
    cJSON_InitHooks(&hooks);
}

const char *
json_list_next(const char **cursor, size_t *len)
{
    const char *p = *cursor;

    while (p != NULL && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        *cursor = end ? end + 1 : NULL;
        if (n > 0) {
            *len = n;
            return p;
        }
        p = *cursor;
    }
    *cursor = NULL;
    return NULL;
}

cJSON *
json_list_array(const char *list)
{
    cJSON *arr = cJSON_CreateArray();
    const char *item;
    size_t len;

    while (arr != NULL && (item = json_list_next(&list, &len)) != NULL) {
        char *s = strndup(item, len);
        if (s == NULL || !cJSON_AddItemToArray(arr, cJSON_CreateString(s))) {
            free(s);
            cJSON_Delete(arr);
            return NULL;
        }
        free(s);
    }
    return arr;
}
