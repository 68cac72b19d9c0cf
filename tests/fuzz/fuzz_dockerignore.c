/* libFuzzer target for .dockerignore matching (common/dockerignore.c, which the Dockerfile
 * scanner and `secrets validate` share): any pattern text, parsed once and matched against a
 * path taken from the input (after its first NUL) and fixed paths; each line also as a glob with
 * and without `**`. The answers agree between the one-shot and parsed forms; no crash, no hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const struct dockerignore *d, const char *text, size_t tlen, const char *path)
{
    int a = dockerignore_match(d, path), b = dockerignore_excludes(text, tlen, path);

    if ((a != 0 && a != 1) || a != b)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {".env", "app/.env", "a/b/c/d/.env.local", "secrets/x",
                                        "deep/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/x"};
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    const char *text = (const char *)data;
    struct dockerignore d;
    char path[512] = "";

    if (size > (64u << 10))
        return 0;
    memset(&d, 0, sizeof(d));
    if (dockerignore_parse(&d, text, tlen) < 0) {
        dockerignore_free(&d);
        return 0;
    }
    if (nul != NULL) {
        size_t plen = size - tlen - 1;
        if (plen >= sizeof(path))
            plen = sizeof(path) - 1;
        memcpy(path, nul + 1, plen);
        path[plen] = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (path[0] != '\0')
            check_path(&d, text, tlen, path);
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
        check_path(&d, text, tlen, fixed[i]);
    dockerignore_free(&d);
    /* the glob under it, one line of the text as the pattern (the first 8 lines) */
    const char *p = text, *end = text + tlen;
    for (int k = 0; k < 8 && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        char *pat = malloc(n + 1);
        if (pat == NULL)
            abort();
        memcpy(pat, p, n);
        pat[n] = '\0';
        for (int dstar = 0; dstar < 2; dstar++) {
            if (path[0] != '\0' && (unsigned)glob_match(pat, path, dstar) > 1)
                abort();
            if ((unsigned)glob_match(pat, fixed[k % 5], dstar) > 1)
                abort();
        }
        free(pat);
        p += n + 1;
    }
    return 0;
}
