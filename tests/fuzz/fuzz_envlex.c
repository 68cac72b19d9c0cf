/* libFuzzer target for the .env lexer: any bytes lex without a crash, spans stay inside the
 * input, references inside values, and resolution and the portability scan terminate. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_cb(const struct env_portability *p, void *user)
{
    (void)p;
    (*(size_t *)user)++;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct env_file f;
    size_t nport = 0;

    if (env_lex((const char *)data, size, "fuzz.env", &f) != 0) {
        env_file_free(&f);
        return 0;
    }
    for (size_t i = 0; i < f.n; i++) {
        const struct env_entry *e = &f.entries[i];
        struct buf b = {0};
        if (e->value_span.end > size || e->key_span.end > size || e->stmt.start > e->stmt.end ||
            strlen(e->key) != e->key_len || e->key_len == 0)
            abort();
        for (size_t k = 0; k < e->nrefs; k++)
            if (e->refs[k].end > e->value_len || e->refs[k].name_start + e->refs[k].name_len >
                                                     e->value_len)
                abort();
        (void)env_resolve(&f, e, NULL, NULL, &b);
        buf_free(&b);
    }
    if (f.ndiags > ENV_MAX_DIAGS)
        abort();
    (void)env_portability_scan(&f, count_cb, &nport);
    env_file_free(&f);
    return 0;
}
