/* libFuzzer target for .dockerignore matching (envcheck): any pattern text against a path taken
 * from the input (after its first NUL) and against fixed paths; no crash, no hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {".env", "app/.env", "a/b/c/d/.env.local", "secrets/x",
                                        "deep/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/x"};
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    char path[512];
    int r;

    if (size > (64u << 10))
        return 0;
    if (nul != NULL) {
        size_t plen = size - tlen - 1;
        if (plen >= sizeof(path))
            plen = sizeof(path) - 1;
        memcpy(path, nul + 1, plen);
        path[plen] = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (path[0] != '\0') {
            r = envcheck_dockerignore_excludes((const char *)data, tlen, path);
            if (r != 0 && r != 1)
                abort();
        }
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
        r = envcheck_dockerignore_excludes((const char *)data, tlen, fixed[i]);
        if (r != 0 && r != 1)
            abort();
    }
    return 0;
}
