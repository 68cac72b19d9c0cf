/* libFuzzer target: Kubernetes manifests from memory: every document through the bounded YAML
 * loader, object dispatch (List items, pod templates of every kind), each container's runtime
 * description and rules, and the Secret / ConfigMap rules (base64 decoding included). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect.h"
#include "k8s.h"
#include "scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static struct detect_engine *det;
    struct compose_file cf;
    struct scanner_opts o;
    struct findings f;
    size_t containers = 0;

    if (!init) {
        json_init();
        diag_set_quiet(1);
        if (detect_open(&det) < 0)
            det = NULL;
        init = 1;
    }
    if (size > (1u << 20))
        return 0;
    memset(&cf, 0, sizeof(cf));
    memset(&o, 0, sizeof(o));
    cf.path = "fuzz.yaml";
    cf.max_file = 1 << 20;
    cf.budget = COMPOSE_WORK_BUDGET;
    findings_init(&f);
    (void)k8s_scan_data(&cf, (const char *)data, size, det, &o, &f, &containers);
    findings_free(&f);
    return 0;
}
