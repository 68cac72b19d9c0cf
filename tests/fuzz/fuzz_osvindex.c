/* libFuzzer target for the OSV index reader (scanner/packages/db_index.c): any bytes as an index
 * file are refused with ERR_PARSE or searched and read within their bounds, never a crash, an
 * out-of-bounds read or a hang. The fuzz build skips the checksums so inputs reach the tables. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pkg v[] = {
        {PKG_DEB, "libcurl4", "7.88.1-10+deb12u3", "curl", NULL, "s", 0},
        {PKG_PYPI, "requests", "2.28.1", NULL, NULL, "m", 0},
        {PKG_NPM, "minimist", "1.2.5", NULL, NULL, "p", 0},
        {PKG_APK, "libssl3", "3.1.4-r0", "openssl", NULL, "a", 0},
    };
    static const struct osv_want want[] = {{"Debian:12", "curl"},
                                           {"PyPI", "requests"},
                                           {"npm", "minimist"},
                                           {"Alpine:v3.19", "openssl"}};
    struct pkg_list pkgs = {v, sizeof(v) / sizeof(v[0]), sizeof(v) / sizeof(v[0])};
    struct pkg_matches m = {0};
    struct osv_index *ix = NULL;
    unsigned char *copy = malloc(size ? size : 1);

    if (copy == NULL)
        return 0;
    /* a private, aligned copy: the reader must not rely on the input's alignment either */
    if (size > 0)
        memcpy(copy, data, size);
    if (osv_index_open_mem(copy, size, NULL, &ix) >= 0 && ix != NULL) {
        (void)osv_index_match(ix, &pkgs, want, &m);
        for (size_t i = 0; i < m.n; i++)
            if (m.v[i].pkg >= pkgs.n || m.v[i].id == NULL)
                abort();
        pkg_matches_free(&m);
    }
    osv_index_close(ix);
    free(copy);
    return 0;
}
