/* libFuzzer target for the export renderers: any value renders in every format without a crash,
 * and the .env rendering of a value without NUL lexes back to exactly the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vault_export_item it = {"db/pass-word", data, size};
    struct vault_export_opts o = {"./s", "app", "app-secrets", "prod"};
    struct buf out = {0};
    struct env_file f;
    int rc;

    if (keys_init() != 0)
        abort();
    for (int fmt = VAULT_EXPORT_JSON; fmt <= VAULT_EXPORT_K8S; fmt++) {
        (void)vault_export_render((enum vault_export_format)fmt, &it, 1, &o, &out);
        buf_free(&out);
    }
    rc = vault_export_render(VAULT_EXPORT_ENV, &it, 1, &o, &out);
    if (rc != 0) {
        if (size > 0 && memchr(data, '\0', size) == NULL)
            abort(); /* only a NUL byte may be refused */
        buf_free(&out);
        return 0;
    }
    memset(&f, 0, sizeof(f));
    if (env_lex(out.data, out.len, NULL, &f) != 0 || f.nerrors != 0 || f.n != 1 ||
        f.entries[0].value_len != size || (size > 0 && memcmp(f.entries[0].value, data, size) != 0))
        abort();
    env_file_free(&f);
    buf_free(&out);
    return 0;
}
