/* Unit tests of the Kubernetes scanner: where each kind keeps its pod template, how the pod's and
 * the container's securityContext combine (the container wins), annotations, pod-wide settings
 * reported once, init and ephemeral containers, image references, Secret values (decoded,
 * never shown), Compose's service merge, and the bounds (alias bomb, depth, malformed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

#include "common.h"
#include "compose.h"
#include "k8s.h"
#include "runtime.h"
#include "scanner.h"

static char tmpdir[256];
static char manifest[512];

static int
setup(void **state)
{
    (void)state;
    if (test_mkdtemp(tmpdir, sizeof(tmpdir), "test_k8s") < 0)
        return -1;
    snprintf(manifest, sizeof(manifest), "%s/m.yaml", tmpdir);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(tmpdir);
}

static int
scan(const char *yaml, struct findings *f)
{
    struct scanner_opts o;
    FILE *fp = fopen(manifest, "w");

    assert_non_null(fp);
    fputs(yaml, fp);
    fclose(fp);
    memset(&o, 0, sizeof(o));
    findings_init(f);
    return scanner_scan_k8s(manifest, &o, f);
}

static size_t
count(const struct findings *f, const char *rule)
{
    size_t n = 0;

    for (size_t i = 0; i < f->n; i++)
        n += strcmp(f->items[i].rule, rule) == 0;
    return n;
}

static const struct finding *
first(const struct findings *f, const char *rule)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].rule, rule) == 0)
            return &f->items[i];
    return NULL;
}

/* A pod that breaks no rule; POD(pod-level extra, container-level extra). */
#define POD_HEAD                                                                                  \
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"                                    \
    "  automountServiceAccountToken: false\n"                                                     \
    "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n"
#define CTR(name)                                                                                 \
    "    - name: " name "\n"                                                                      \
    "      image: r.example.test/a:1@sha256:aaaa\n"                                               \
    "      resources: {limits: {memory: 64Mi, cpu: 100m}}\n"                                      \
    "      livenessProbe: {exec: {command: [true]}}\n"                                            \
    "      securityContext:\n"                                                                    \
    "        allowPrivilegeEscalation: false\n"                                                   \
    "        readOnlyRootFilesystem: true\n"                                                      \
    "        capabilities: {drop: [ALL]}\n"                                                       \
    "        appArmorProfile: {type: RuntimeDefault}\n"

static void
test_clean_pod(void **state)
{
    struct findings f;
    (void)state;

    assert_int_equal(scan(POD_HEAD "  containers:\n" CTR("a"), &f), 0);
    for (size_t i = 0; i < f.n; i++)
        print_error("unexpected: %s %s\n", f.items[i].rule, f.items[i].message);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.ntargets, 1);
    assert_string_equal(f.targets[0].type, "k8s");
    findings_free(&f);
}

/* The container's securityContext wins over the pod's, key by key. */
static void
test_container_wins_over_pod(void **state)
{
    struct findings f;
    const struct finding *x;
    (void)state;

    /* Pod says non-root, the container says uid 0: root, reported at the container's key. */
    assert_int_equal(scan(POD_HEAD "  containers:\n" CTR("a") "        runAsUser: 0\n", &f), 0);
    assert_int_equal(count(&f, "RT003"), 1);
    x = first(&f, "RT003");
    assert_int_equal(x->line, 20);
    assert_non_null(strstr(x->message, "spec.containers[0].securityContext.runAsUser"));
    assert_int_equal(count(&f, "RT033"), 0);
    findings_free(&f);

    /* Pod runAsUser 0, container runAsUser 1000: fine. */
    assert_int_equal(scan("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                          "  automountServiceAccountToken: false\n"
                          "  securityContext: {runAsUser: 0, seccompProfile: {type: Localhost}}\n"
                          "  containers:\n" CTR("a") "        runAsUser: 1000\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT003"), 0);
    assert_int_equal(count(&f, "RT033"), 0);
    assert_int_equal(count(&f, "RT036"), 0);
    findings_free(&f);

    /* Container seccomp Unconfined beats the pod's RuntimeDefault. */
    assert_int_equal(scan(POD_HEAD "  containers:\n" CTR("a")
                                   "        seccompProfile: {type: Unconfined}\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT012"), 1);
    assert_int_equal(count(&f, "RT036"), 0);
    findings_free(&f);

    /* No runAsNonRoot anywhere and no runAsUser: RT033, not RT003. */
    assert_int_equal(scan("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                          "  automountServiceAccountToken: false\n"
                          "  securityContext: {seccompProfile: {type: RuntimeDefault}}\n"
                          "  containers:\n" CTR("a"),
                          &f),
                     0);
    assert_int_equal(count(&f, "RT033"), 1);
    assert_int_equal(count(&f, "RT003"), 0);
    assert_int_equal(first(&f, "RT033")->severity, SEV_HIGH);
    findings_free(&f);
}

/* The deprecated annotations still count, and the field wins over them. */
static void
test_annotations(void **state)
{
    struct findings f;
    (void)state;

    assert_int_equal(scan("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                          "    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n"
                          "    container.apparmor.security.beta.kubernetes.io/b: localhost/x\n"
                          "spec:\n  automountServiceAccountToken: false\n"
                          "  securityContext: {runAsNonRoot: true}\n  containers:\n"
                          "    - name: b\n      image: r.example.test/a:1@sha256:aaaa\n"
                          "      resources: {limits: {memory: 64Mi, cpu: 100m}}\n"
                          "      livenessProbe: {exec: {command: [true]}}\n"
                          "      securityContext:\n"
                          "        allowPrivilegeEscalation: false\n"
                          "        readOnlyRootFilesystem: true\n"
                          "        capabilities: {drop: [ALL]}\n",
                          &f),
                     0);
    for (size_t i = 0; i < f.n; i++)
        print_error("unexpected: %s %s\n", f.items[i].rule, f.items[i].message);
    assert_int_equal(f.n, 0);
    findings_free(&f);

    assert_int_equal(scan("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                          "    container.seccomp.security.alpha.kubernetes.io/a: unconfined\n"
                          "spec:\n  containers:\n    - name: a\n      image: x\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT012"), 1);
    assert_int_equal(first(&f, "RT012")->line, 6);
    assert_int_equal(count(&f, "RT036"), 0);
    assert_int_equal(count(&f, "RT037"), 1);
    findings_free(&f);
}

/* Pod-wide settings are reported once per pod, on its first container; init and ephemeral
 * containers are checked too, without the settings they may not have. */
static void
test_pod_wide_once_and_other_containers(void **state)
{
    struct findings f;
    (void)state;

    assert_int_equal(scan(POD_HEAD "  hostNetwork: true\n  containers:\n" CTR("a") CTR("b")
                                   "  initContainers:\n" CTR("init")
                                   "        privileged: true\n"
                                   "  ephemeralContainers:\n"
                                   "    - name: debug\n      image: busybox:1.36@sha256:bbbb\n"
                                   "      securityContext: {allowPrivilegeEscalation: false,\n"
                                   "        readOnlyRootFilesystem: true,\n"
                                   "        capabilities: {drop: [ALL]},\n"
                                   "        appArmorProfile: {type: RuntimeDefault}}\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT007"), 1);
    assert_int_equal(count(&f, "RT001"), 1);
    assert_non_null(strstr(first(&f, "RT001")->message, "init container init"));
    /* The ephemeral container has no limits and no probe: not its fault. */
    assert_int_equal(count(&f, "RT019"), 0);
    assert_int_equal(count(&f, "RT023"), 0);
    findings_free(&f);

    /* A Job's container needs no liveness probe; a Deployment's does. */
    assert_int_equal(scan("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n"
                          "  template:\n    spec:\n      containers:\n"
                          "        - {name: a, image: x}\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT023"), 0);
    assert_int_equal(count(&f, "RT019"), 1);
    findings_free(&f);
    assert_int_equal(scan("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
                          "  template:\n    spec:\n      containers:\n"
                          "        - {name: a, image: x}\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "RT023"), 1);
    findings_free(&f);
}

static void
test_image_tags(void **state)
{
    char tag[64];
    (void)state;

    assert_string_equal(rt_image_tag("nginx", tag, sizeof(tag)), "");
    assert_string_equal(rt_image_tag("nginx:1.27", tag, sizeof(tag)), "1.27");
    assert_string_equal(rt_image_tag("reg.example:5000/team/app", tag, sizeof(tag)), "");
    assert_string_equal(rt_image_tag("reg.example:5000/team/app:v2", tag, sizeof(tag)), "v2");
    assert_null(rt_image_tag("app:latest@sha256:abcd", tag, sizeof(tag)));
    assert_string_equal(rt_image_tag(NULL, tag, sizeof(tag)), "");
}

/* Secret values: base64 decoded for the detector, never in a message; placeholders skipped. */
static void
test_secret_values(void **state)
{
    struct findings f;
    (void)state;

    /* "correct-horse-battery" in base64. */
    assert_int_equal(scan("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n"
                          "  pw: Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5\n  none: \"\"\n"
                          "stringData:\n  tpl: ${FROM_CI}\n  lit: zq-81-literal-value\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "K8S001"), 2);
    for (size_t i = 0; i < f.n; i++) {
        assert_null(strstr(f.items[i].message, "correct-horse"));
        assert_null(strstr(f.items[i].message, "Y29ycmVj"));
        assert_null(strstr(f.items[i].message, "zq-81-literal"));
        assert_non_null(f.items[i].secret_redacted);
        assert_non_null(f.items[i].secret_fingerprint);
    }
    assert_int_equal(first(&f, "K8S001")->line, 5);
    findings_free(&f);

    /* A ConfigMap: only secret-named literal keys (and detector hits). */
    assert_int_equal(scan("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
                          "  MODE: fast\n  SMTP_PASSWORD: s3cr3t-in-configmap\n"
                          "  PASSWORD_FILE: /run/secrets/pw\n",
                          &f),
                     0);
    assert_int_equal(count(&f, "K8S002"), 1);
    assert_int_equal(first(&f, "K8S002")->line, 6);
    findings_free(&f);
}

static void
test_hostile(void **state)
{
    struct findings f;
    char yaml[8192];
    size_t o = 0;
    (void)state;

    o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
                              "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                              "*a%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                              i - 1);
    assert_int_equal(scan(yaml, &f), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "alias"));
    findings_free(&f);

    o = (size_t)snprintf(yaml, sizeof(yaml), "kind: Pod\nspec: ");
    for (int i = 0; i < 100; i++)
        yaml[o++] = '[';
    yaml[o] = '\0';
    assert_int_equal(scan(yaml, &f), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "m.yaml:2:"));
    findings_free(&f);

    assert_int_equal(scan("kind: Pod\nspec: {containers: [\n", &f), ERR_PARSE);
    assert_non_null(strstr(err_message(), "m.yaml:"));
    findings_free(&f);

    /* Wrong shapes are errors with a position, never a crash. */
    assert_int_equal(scan("kind: Pod\nmetadata: {name: p}\nspec:\n  containers: oops\n", &f),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "m.yaml:4:15: spec.containers must be a list"));
    findings_free(&f);
    assert_int_equal(scan("kind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext:\n"
                          "        privileged: maybe\n",
                          &f),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "must be true or false"));
    findings_free(&f);
    /* Lists in Lists, bounded. */
    assert_int_equal(scan("kind: List\nitems:\n- kind: List\n  items:\n  - kind: List\n    items:\n"
                          "    - kind: List\n      items:\n      - kind: List\n        items: []\n",
                          &f),
                     ERR_LIMIT);
    findings_free(&f);
}

/* Compose's merge of a later layer over an earlier one. */
static void
test_compose_merge(void **state)
{
    struct runtime_desc a, b;
    struct rt_mount *m;
    struct rt_env *e;
    (void)state;

    runtime_desc_init(&a, RT_COMPOSE);
    runtime_desc_init(&b, RT_COMPOSE);
    a.name = rt_strdup(&a, "web", (size_t)-1);
    a.privileged.set = a.privileged.on = 1;
    m = rt_list_add(&a.mounts, sizeof(*m));
    m->target = rt_strdup(&a, "/data", (size_t)-1);
    m->source = rt_strdup(&a, "/srv/data", (size_t)-1);
    e = rt_list_add(&a.env, sizeof(*e));
    e->name = rt_strdup(&a, "MODE", (size_t)-1);
    e->value = rt_strdup(&a, "a", (size_t)-1);

    b.privileged.set = 1; /* privileged: false */
    m = rt_list_add(&b.mounts, sizeof(*m));
    m->target = rt_strdup(&b, "/data", (size_t)-1);
    m->source = rt_strdup(&b, "/etc", (size_t)-1);
    m->host_path = 1;
    m = rt_list_add(&b.mounts, sizeof(*m));
    m->target = rt_strdup(&b, "/logs", (size_t)-1);
    e = rt_list_add(&b.env, sizeof(*e));
    e->name = rt_strdup(&b, "MODE", (size_t)-1);
    e->value = rt_strdup(&b, "b", (size_t)-1);

    assert_int_equal(compose_desc_merge(&a, &b, 0), 0);
    runtime_desc_free(&b);
    assert_int_equal(a.privileged.on, 0);
    assert_int_equal(a.mounts.n, 2);
    assert_string_equal(RT_AT(a.mounts, struct rt_mount, 0)->source, "/etc");
    assert_int_equal(a.env.n, 1);
    assert_string_equal(RT_AT(a.env, struct rt_env, 0)->value, "b");
    runtime_desc_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_pod),
        cmocka_unit_test(test_container_wins_over_pod),
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_pod_wide_once_and_other_containers),
        cmocka_unit_test(test_image_tags),
        cmocka_unit_test(test_secret_values),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_compose_merge),
    };

    json_init();
    diag_set_quiet(1);
    return cmocka_run_group_tests(tests, setup, teardown);
}
