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

cJSON *
json_list_array(const char *list)
{
    cJSON *arr = cJSON_CreateArray();
    const char *p = list;

    while (arr != NULL && p != NULL && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        if (len > 0) {
            char *s = strndup(p, len);
            if (s == NULL || !cJSON_AddItemToArray(arr, cJSON_CreateString(s))) {
                free(s);
                cJSON_Delete(arr);
                return NULL;
            }
            free(s);
        }
        p = end ? end + 1 : NULL;
    }
    return arr;
}
