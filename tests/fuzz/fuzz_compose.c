/* libFuzzer target: a Compose document from memory through the bounded YAML loader, every
 * service's description and the runtime rules; the same bytes through the interpolator. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compose.h"
#include "scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct compose_file cf;
    struct scanner_opts o;
    struct findings f;
    struct buf out = {NULL, 0, 0};
    int flags;

    if (!init) {
        json_init();
        diag_set_quiet(1);
        init = 1;
    }
    if (size > (1u << 20))
        return 0;
    memset(&cf, 0, sizeof(cf));
    memset(&o, 0, sizeof(o));
    cf.path = "fuzz.yml";
    /* No .env and no env_file can be found under a directory that does not exist. */
    strcpy(cf.dir, "/nonexistent-fuzz-compose-dir");
    cf.max_file = 1 << 16;
    cf.budget = COMPOSE_WORK_BUDGET;
    findings_init(&f);
    (void)compose_scan_data(&cf, (const char *)data, size, &o, &f);
    findings_free(&f);

    (void)compose_vars_set(&cf.vars, "A", 1, "alpha", 5, 1);
    (void)compose_interpolate(&cf.vars, (const char *)data, size, &out, &flags, "fuzz");
    compose_vars_free(&cf.vars);
    buf_free(&out);
    return 0;
}
