/* libFuzzer target for the Go build info reader (scanner/packages/gobin.c). The first byte picks
 * the way in: even, the bytes after it follow the 14-byte magic and go to the parser; odd, they
 * are an executable streamed through pkg_stream in chunks of (first byte) bytes, as a layer
 * hands them over (ELF headers, writable segments, the aligned magic, the capture). Every
 * package read is a Go module with a name and a version; nothing crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct pkg_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].kind != PKG_GO || l->v[i].name == NULL || l->v[i].version == NULL ||
            l->v[i].path == NULL)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l = {0};

    if (size < 1 || size > (4u << 20))
        return 0;
    if ((data[0] & 1) == 0) {
        uint8_t *d = malloc(size - 1 + 14);
        const char *why;
        if (d == NULL)
            return 0;
        memcpy(d, "\xff Go buildinf:", 14);
        memcpy(d + 14, data + 1, size - 1);
        int rc = pkg_go_buildinfo_parse(d, size - 1 + 14, "fuzz/bin", &l, &why);
        if (rc == -1 && why == NULL)
            abort();
        free(d);
    } else {
        size_t chunk = data[0] ? data[0] : 1;
        char warn[512];
        struct pkg_stream *s = pkg_stream_open("usr/bin/fuzz", 0755);
        if (s == NULL)
            abort();
        for (size_t at = 1; at < size; at += chunk)
            pkg_stream_feed(s, data + at, at + chunk <= size ? chunk : size - at);
        if (pkg_stream_close(s, &l, warn, sizeof(warn)) < 0)
            abort();
    }
    check(&l);
    pkg_list_free(&l);
    return 0;
}
