/* libFuzzer target for the RPM header blob parser (scanner/packages/rpm_header.c), which reads
 * every row of an image's rpmdb: any bytes; whatever it accepts, each string it returns lies
 * inside the input and ends with a NUL there. No crash, no read past the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *s, const uint8_t *d, size_t n)
{
    if (s == NULL)
        return;
    if ((const uint8_t *)s < d || (const uint8_t *)s >= d + n ||
        memchr(s, '\0', n - (size_t)((const uint8_t *)s - d)) == NULL)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_rpm_hdr h;
    const char *why;
    /* a private copy of exactly `size` bytes, so ASan sees any read past it */
    uint8_t *d = malloc(size ? size : 1);

    if (d == NULL)
        return 0;
    memcpy(d, data, size);
    if (pkg_rpm_header_parse(d, size, &h, &why) == 0) {
        if (h.name == NULL || h.version == NULL)
            abort();
        inside(h.name, d, size);
        inside(h.version, d, size);
        inside(h.release, d, size);
        inside(h.arch, d, size);
        inside(h.sourcerpm, d, size);
        inside(h.vendor, d, size);
    } else if (why == NULL) {
        abort();
    }
    free(d);
    return 0;
}
