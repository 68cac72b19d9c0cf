/* libFuzzer target: an engine's container inspect document (untrusted JSON) through cJSON, the
 * runtime description and the runtime rules. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct runtime_desc d;
    struct findings f;
    cJSON *doc;

    if (!init) {
        json_init();
        diag_set_quiet(1);
        init = 1;
    }
    doc = cJSON_ParseWithLength((const char *)data, size);
    if (doc == NULL)
        return 0;
    runtime_desc_init(&d, RT_CONTAINER);
    findings_init(&f);
    if (container_describe(doc, "fuzz", &d) == 0)
        (void)runtime_check(&d, NULL, 0, &f);
    findings_free(&f);
    runtime_desc_free(&d);
    cJSON_Delete(doc);
    return 0;
}
