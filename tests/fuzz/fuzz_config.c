/* libFuzzer target for the INI settings reader (common/config.c) and the validate settings
 * built on it: any bytes load or fail with ERR_PARSE/ERR_USAGE/ERR_LIMIT, never crash or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "envcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_keys(void *user, const char *section, const char *key, const char *value)
{
    if (section == NULL || key == NULL || value == NULL)
        abort();
    (*(size_t *)user)++;
    /* a handler that refuses one key: the error path gives path:line */
    if (strcmp(key, "stop") == 0)
        return err_set(ERR_USAGE, "stop");
    return 0;
}

/* inih reads a path: the input goes through one scratch file, rewritten each run. */
static const char *
scratch(const uint8_t *data, size_t size)
{
    static char path[64];
    FILE *fp;

    if (path[0] == '\0')
        snprintf(path, sizeof(path), "/tmp/fuzz_config.%d.ini", (int)getpid());
    if ((fp = fopen(path, "wb")) == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, fp) != size)
        abort();
    fclose(fp);
    return path;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct envcheck_config *cfg;
    const char *path;
    size_t n = 0;
    int rc;

    diag_set_quiet(1);
    if (size > (CONFIG_MAX_BYTES + 16))
        return 0;
    path = scratch(data, size);
    rc = config_load(path, count_keys, &n);
    if (rc != 0 && rc != ERR_PARSE && rc != ERR_USAGE && rc != ERR_LIMIT)
        abort();
    if ((cfg = envcheck_config_new()) == NULL)
        abort();
    (void)envcheck_config_load(cfg, path);
    envcheck_config_free(cfg);
    return 0;
}
