/* libFuzzer target for baselines (detect/baseline.c): any bytes as a baseline file filter a
 * small set of findings (or fail with ERR_PARSE/ERR_LIMIT) without a crash; what is left is a
 * subset that renders back as a baseline. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rule_meta rules[] = {
    {"secret.github-pat", SEV_CRITICAL, "secret", "GitHub token", "revoke it", NULL},
    {"DF001", SEV_HIGH, "user", "root user", "add USER", "DL3002"},
};

static const char *
scratch(const uint8_t *data, size_t size)
{
    static char path[64];
    FILE *fp;

    if (path[0] == '\0')
        snprintf(path, sizeof(path), "/tmp/fuzz_baseline.%d.json", (int)getpid());
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
    static const char fp[] = "4f2a6c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f";
    struct findings f;
    struct finding_extra x;
    struct location loc = {"app/.env", 3, 7, 0, 0, -1, NULL, NULL};
    struct buf out = {0};
    size_t before;
    int rc;

    if (size > (1u << 20))
        return 0;
    json_init();
    findings_init(&f);
    memset(&x, 0, sizeof(x));
    x.secret_fingerprint = fp;
    x.secret_redacted = "ghp_…(40 chars)";
    if (findings_add(&f, &rules[0], &loc, &x, "token in %s", "app/.env") < 0 ||
        findings_add(&f, &rules[1], &loc, NULL, "runs as root") < 0 ||
        findings_add(&f, &rules[1], NULL, NULL, "no location") < 0)
        abort();
    before = f.n;
    rc = detect_baseline_filter(&f, scratch(data, size));
    if (rc != 0 && rc != ERR_PARSE && rc != ERR_LIMIT)
        abort();
    if (f.n > before)
        abort();
    if (detect_baseline_render(&f, &out) < 0)
        abort();
    buf_free(&out);
    findings_free(&f);
    return 0;
}
