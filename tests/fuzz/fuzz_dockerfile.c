/* fuzz_dockerfile: libFuzzer target for the Dockerfile parser, expansion and every rule family
 * (no build context), on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct findings f;

    if (size > (1u << 20))
        return 0;
    findings_init(&f);
    (void)dockerfile_scan_buffer("fuzz", (const char *)data, size, NULL, NULL, &f);
    findings_free(&f);
    return 0;
}
