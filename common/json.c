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
