/* libFuzzer target for .dockerignore matching, both matchers: envcheck's over the whole pattern
 * text and the Dockerfile scanner's glob (`**`, classes) per line, against a path taken from the
 * input (after its first NUL) and against fixed paths; no crash, no hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"
#include "envcheck_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {".env", "app/.env", "a/b/c/d/.env.local", "secrets/x",
                                        "deep/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/x"};
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    char path[512] = "";
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
    /* the scanner's glob, one line of the text as the pattern (the first 8 lines) */
    const char *p = (const char *)data, *end = p + tlen;
    for (int k = 0; k < 8 && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        char *pat = malloc(n + 1);
        if (pat == NULL)
            abort();
        memcpy(pat, p, n);
        pat[n] = '\0';
        for (int dstar = 0; dstar < 2; dstar++) {
            if (path[0] != '\0' && nul != NULL && (unsigned)df_glob_match(pat, path, dstar) > 1)
                abort();
            if ((unsigned)df_glob_match(pat, fixed[k % 5], dstar) > 1)
                abort();
        }
        free(pat);
        p += n + 1;
    }
    return 0;
}
