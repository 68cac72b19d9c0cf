/* libFuzzer target for --merge-report (scanner/packages/merge*.c): any bytes as a Trivy or Grype
 * report are read (or refused with ERR_PARSE/ERR_LIMIT) without a crash; what is read folds into
 * a findings list that already holds one of our VULN001 findings, and renders as JSON and SARIF. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char l0[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    static char l1[] = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    char *const layers[] = {l0, l1};
    const int is_base[] = {1, 0};
    struct pkg_merge_image img = {"img:1", layers, is_base, 2, "debian", "12", 0, 0};
    struct finding_vuln ours = {"DEBIAN-CVE-2023-38545", NULL, "curl", "Debian:12",
                                "7.88.1-10+deb12u3", "7.88.1-10+deb12u4", NULL, l0, "scanner"};
    struct location loc = {"var/lib/dpkg/status", 0, 0, 0, 0, 0, l0, NULL};
    struct tool_info tool = {"scanner", "0", NULL};
    struct pkg_peer_report rep;
    struct findings f;
    struct buf out = {0};
    int rc;

    if (size > ((size_t)4 << 20))
        return 0;
    json_init();
    rc = pkg_merge_parse("fuzz.json", (const char *)data, size, &rep);
    if (rc != 0 && rc != ERR_PARSE && rc != ERR_LIMIT)
        abort();
    if (rc != 0)
        return 0;
    findings_init(&f);
    if (findings_add_target(&f, "image", "img:1") < 0 ||
        findings_add(&f, &pkg_rule_vuln, &loc, NULL, "ours") < 0 ||
        findings_set_vuln(&f, 0, &ours) < 0)
        abort();
    img.skip_base = (int)(size & 1);
    img.ignore_unfixed = (int)((size >> 1) & 1);
    (void)pkg_merge_check_image(&rep, &img);
    if (pkg_merge_fold(&f, 0, &rep, 1, &img) < 0)
        abort();
    if (f.n > 1 + rep.n)
        abort();
    if (report_write_json(&out, &f, &tool) < 0 || report_write_sarif(&out, &f, &tool) < 0)
        abort();
    buf_free(&out);
    findings_free(&f);
    pkg_merge_free(&rep);
    return 0;
}
