/* allow: inline suppression. A line carrying `secrets:allow` (ours), `gitleaks:allow` or
 * `pragma: allowlist secret` is skipped; `secrets:allow-next-line` and
 * `pragma: allowlist nextline secret` on the line before skip the next line. */
#include <string.h>

#include "detect.h"
#include "detect_internal.h"

/* Lines longer than this are searched only this far either side of the secret. */
#define ALLOW_REACH 4096

static int
has(const char *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle)) != NULL;
}

int
detect_line_allowed(const char *data, size_t len, size_t start, size_t end)
{
    size_t ls = start, le = end, floor = start > ALLOW_REACH ? start - ALLOW_REACH : 0;
    size_t ceil = len - end > ALLOW_REACH ? end + ALLOW_REACH : len;

    while (ls > floor && data[ls - 1] != '\n')
        ls--;
    while (le < ceil && data[le] != '\n')
        le++;
    if (has(data + ls, le - ls, "secrets:allow") || has(data + ls, le - ls, "gitleaks:allow") ||
        has(data + ls, le - ls, "pragma: allowlist secret"))
        return 1;
    if (ls > 0 && data[ls - 1] == '\n') {
        size_t pe = ls - 1, ps = pe, pfloor = pe > ALLOW_REACH ? pe - ALLOW_REACH : 0;
        while (ps > pfloor && data[ps - 1] != '\n')
            ps--;
        if (has(data + ps, pe - ps, "secrets:allow-next-line") ||
            has(data + ps, pe - ps, "pragma: allowlist nextline secret"))
            return 1;
    }
    return 0;
}
