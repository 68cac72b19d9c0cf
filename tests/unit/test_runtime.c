/* Unit tests of the runtime checks: every rule both ways on Compose services written to a temp
 * directory, the same rules on container inspect documents, the parsers' helpers, and the bounds
 * (alias bomb, deep nesting, malformed and binary input). Live containers: tests/e2e. */
#include <sys/stat.h>

#include <cjson/cJSON.h>
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
#include "container.h"
#include "runtime.h"
#include "scanner.h"

static char tmpdir[256];
static char compose_path[512];

static int
setup(void **state)
{
    (void)state;
    if (test_mkdtemp(tmpdir, sizeof(tmpdir), "test_runtime") < 0)
        return -1;
    snprintf(compose_path, sizeof(compose_path), "%s/docker-compose.yml", tmpdir);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(tmpdir);
}

static void
write_file(const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    unlink(path);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Scans `yaml` as docker-compose.yml (with an optional .env) and returns the scan's code. */
static int
scan_compose(const char *yaml, const char *dotenv, const char *service, struct findings *f)
{
    struct scanner_opts o;
    char path[512];

    memset(&o, 0, sizeof(o));
    o.service = service;
    write_file("docker-compose.yml", yaml);
    snprintf(path, sizeof(path), "%s/.env", tmpdir);
    unlink(path);
    if (dotenv != NULL)
        write_file(".env", dotenv);
    findings_init(f);
    return scanner_scan_compose(compose_path, &o, f);
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

/* A service that breaks no runtime rule; cases below add one problem to it. */
#define HARD                                                                                    \
    "    image: app:1\n"                                                                        \
    "    user: \"1000:1000\"\n"                                                                 \
    "    read_only: true\n"                                                                     \
    "    cap_drop: [ALL]\n"                                                                     \
    "    security_opt: [\"no-new-privileges:true\"]\n"                                          \
    "    mem_limit: 256m\n"                                                                     \
    "    cpus: 0.5\n"                                                                           \
    "    pids_limit: 100\n"                                                                     \
    "    healthcheck:\n"                                                                        \
    "      test: [\"CMD\", \"/app/healthcheck\"]\n"

/* One case: extra YAML under the hardened service, the rule expected, and how many. */
struct rule_case {
    const char *extra;
    const char *rule;
    size_t n;
    int severity; /* -1: do not check */
};

static void
run_cases(const struct rule_case *cases, size_t ncases)
{
    for (size_t i = 0; i < ncases; i++) {
        struct findings f;
        char yaml[4096];
        /* First: a look-up takes the first of duplicate keys (security_opt, cap_drop...). */
        snprintf(yaml, sizeof(yaml), "services:\n  app:\n%s" HARD, cases[i].extra);
        assert_int_equal(scan_compose(yaml, NULL, NULL, &f), 0);
        if (count(&f, cases[i].rule) != cases[i].n) {
            print_error("case %zu (%s): %zu findings of %s, expected %zu\n", i, cases[i].extra,
                        count(&f, cases[i].rule), cases[i].rule, cases[i].n);
            for (size_t j = 0; j < f.n; j++)
                print_error("  %s %s\n", f.items[j].rule, f.items[j].message);
            fail();
        }
        if (cases[i].n > 0 && cases[i].severity >= 0)
            assert_int_equal(first(&f, cases[i].rule)->severity, cases[i].severity);
        findings_free(&f);
    }
}

static void
test_hardened_is_clean(void **state)
{
    struct findings f;
    (void)state;

    assert_int_equal(scan_compose("services:\n  app:\n" HARD
                                  "    ports: [\"127.0.0.1:8443:8443\"]\n"
                                  "    secrets: [db_password]\n"
                                  "    volumes: [\"./data:/data\", \"/etc/localtime:/etc/localtime:ro\"]\n"
                                  "    environment:\n"
                                  "      DB_PASSWORD_FILE: /run/secrets/db_password\n"
                                  "      LOG_LEVEL: info\n"
                                  "secrets:\n  db_password:\n    file: ./db.txt\n",
                                  NULL, NULL, &f),
                     0);
    for (size_t i = 0; i < f.n; i++)
        print_error("unexpected: %s %s\n", f.items[i].rule, f.items[i].message);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.ntargets, 1);
    assert_string_equal(f.targets[0].type, "compose");
    findings_free(&f);
}

static void
test_critical_rules(void **state)
{
    static const struct rule_case cases[] = {
        {"    privileged: true\n", "RT001", 1, SEV_CRITICAL},
        {"    privileged: false\n", "RT001", 0, -1},
        {"    volumes: [\"/var/run/docker.sock:/var/run/docker.sock:ro\"]\n", "RT002", 1, SEV_CRITICAL},
        {"    volumes: [\"/var/run:/host-run\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/run:/run\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/run/containerd/containerd.sock:/c.sock\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/run/crio/crio.sock:/crio.sock\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/run/user/1000/podman/podman.sock:/p.sock\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/run/user/1000:/u\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/srv/x/docker.sock:/var/run/x.sock\"]\n", "RT002", 1, -1},
        {"    volumes: [\"/tmp/whatever:/var/run/docker.sock\"]\n", "RT002", 1, -1},
        {"    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n"
         "        target: /d.sock\n", "RT002", 1, -1},
        {"    volumes: [\"/srv/data:/data\", \"dockersock:/var/lib/x\"]\n", "RT002", 0, -1},
        {"    volumes: [\"/run/secrets-ish:/s\"]\n", "RT002", 0, -1},
        {"    environment:\n      AWS_ACCESS_KEY_ID: AKIAZ7QRSTUVWXYZ2345\n", "RT004", 1, SEV_CRITICAL},
        {"    environment:\n      - DB_PASSWORD=hunter2-but-longer\n", "RT004", 1, SEV_CRITICAL},
        {"    environment:\n      DB_PASSWORD_FILE: /run/secrets/db\n", "RT004", 0, -1},
        {"    environment:\n      LOG_LEVEL: debug\n", "RT004", 0, -1},
        {"    environment:\n      GPG_KEY: 7169605F62C751356D054A26A821E680E5FA6305\n", "RT004", 0, -1},
        {"    environment:\n      GPG_KEY: not-a-fingerprint-but-a-passphrase\n", "RT004", 1, -1},
    };
    (void)state;
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_root_user(void **state)
{
    static const char *const root_users[] = {"root", "0", "\"0:0\"", "root:staff"};
    (void)state;

    for (size_t i = 0; i < sizeof(root_users) / sizeof(root_users[0]); i++) {
        struct findings f;
        char yaml[256];
        snprintf(yaml, sizeof(yaml), "services:\n  app:\n    image: a\n    user: %s\n",
                 root_users[i]);
        assert_int_equal(scan_compose(yaml, NULL, NULL, &f), 0);
        assert_int_equal(count(&f, "RT003"), 1);
        assert_int_equal(first(&f, "RT003")->severity, SEV_CRITICAL);
        assert_int_equal(first(&f, "RT003")->line, 4);
        assert_int_equal(first(&f, "RT003")->column, 5);
        findings_free(&f);
    }
    {
        /* No user: the image decides; reported lower, at the service's key. */
        struct findings f;
        assert_int_equal(scan_compose("services:\n  app:\n    image: a\n", NULL, NULL, &f), 0);
        assert_int_equal(count(&f, "RT003"), 1);
        assert_int_equal(first(&f, "RT003")->severity, SEV_HIGH);
        assert_int_equal(first(&f, "RT003")->line, 2);
        assert_int_equal(first(&f, "RT003")->column, 3);
        findings_free(&f);
    }
}

static void
test_high_rules(void **state)
{
    static const struct rule_case cases[] = {
        {"    volumes: [\"/etc:/host/etc\"]\n", "RT005", 1, SEV_HIGH},
        {"    volumes: [\"/etc:/host/etc:ro\"]\n", "RT005", 1, SEV_MEDIUM},
        {"    volumes: [\"/:/host\"]\n", "RT005", 1, SEV_HIGH},
        {"    volumes: [\"/proc:/p\", \"/sys:/s:ro\", \"/boot:/b\", \"/dev:/d\", \"/root:/r\"]\n",
         "RT005", 5, -1},
        {"    volumes: [\"/var/lib/docker:/vld\"]\n", "RT005", 1, -1},
        {"    volumes: [\"/etc/localtime:/etc/localtime:ro\"]\n", "RT005", 0, -1},
        {"    volumes: [\"/etcetera:/x\", \"/srv:/srv\"]\n", "RT005", 0, -1},
        {"    cap_add: [SYS_ADMIN, CAP_NET_ADMIN, sys_ptrace, SYS_MODULE, DAC_READ_SEARCH, ALL]\n",
         "RT006", 6, SEV_HIGH},
        {"    cap_add: [SYS_NICE]\n", "RT006", 1, SEV_LOW},
        {"    cap_add: [NET_BIND_SERVICE]\n", "RT006", 0, -1},
        {"    network_mode: host\n", "RT007", 1, SEV_HIGH},
        {"    network_mode: none\n", "RT007", 0, -1},
        {"    pid: host\n", "RT008", 1, SEV_HIGH},
        {"    pid: \"service:db\"\n", "RT008", 0, -1},
        {"    ipc: host\n", "RT009", 1, SEV_HIGH},
        {"    ipc: shareable\n", "RT009", 0, -1},
        {"    uts: host\n", "RT010", 1, SEV_HIGH},
        {"    userns_mode: host\n", "RT011", 1, SEV_HIGH},
        {"    security_opt: [\"seccomp:unconfined\", \"no-new-privileges:true\"]\n", "RT012", 1, SEV_HIGH},
        {"    security_opt: [\"seccomp=unconfined\", \"no-new-privileges:true\"]\n", "RT012", 1, -1},
        {"    security_opt: [\"seccomp=/etc/profile.json\", \"no-new-privileges:true\"]\n", "RT012", 0, -1},
        {"    security_opt: [\"apparmor=unconfined\", \"no-new-privileges\"]\n", "RT013", 1, SEV_HIGH},
        {"    security_opt: [\"label:disable\", \"no-new-privileges\"]\n", "RT013", 1, -1},
        {"    security_opt: [\"apparmor=docker-default\", \"no-new-privileges\"]\n", "RT013", 0, -1},
        {"    ports: [\"5432:5432\"]\n", "RT014", 1, SEV_HIGH},
        {"    ports: [\"0.0.0.0:2222:22\"]\n", "RT014", 1, -1},
        {"    ports: [\"6379\"]\n", "RT014", 1, -1},
        {"    ports: [\"2370-2380:8000-8010\"]\n", "RT014", 1, -1},
        {"    ports:\n      - target: 27017\n        published: \"27017\"\n", "RT014", 1, -1},
        {"    ports: [\"127.0.0.1:5432:5432\", \"[::1]:6379:6379\"]\n", "RT014", 0, -1},
        {"    ports:\n      - target: 3306\n        published: 3306\n        host_ip: 127.0.0.1\n",
         "RT014", 0, -1},
        {"    ports: [\"8080:80\"]\n", "RT014", 0, -1},
        {"    devices: [\"/dev/kmsg:/dev/kmsg\", \"/dev/sda:/dev/xvda:rwm\"]\n", "RT015", 2, SEV_HIGH},
        {"    device_cgroup_rules: [\"c 1:3 mr\"]\n", "RT015", 1, -1},
        {"    security_opt: [\"systempaths=unconfined\", \"no-new-privileges:true\"]\n", "RT016", 1, SEV_HIGH},
    };
    (void)state;
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_medium_low_rules(void **state)
{
    /* These start from a service missing one hardening setting each. */
    static const struct {
        const char *yaml;
        const char *rule;
        size_t n;
    } cases[] = {
        {"    cap_drop: [NET_RAW]\n", "RT017", 1},
        {"    cap_drop: [all]\n", "RT017", 0},
        {"    read_only: false\n", "RT018", 1},
        {"    read_only: true\n", "RT018", 0},
        {"    mem_limit: 0\n", "RT019", 1},
        {"    deploy:\n      resources:\n        limits:\n          memory: 512M\n", "RT019", 0},
        {"    cpus: 0\n", "RT020", 1},
        {"    deploy:\n      resources:\n        limits:\n          cpus: '0.50'\n", "RT020", 0},
        {"    cpu_quota: 50000\n", "RT020", 0},
        {"    pids_limit: -1\n", "RT021", 1},
        {"    deploy:\n      resources:\n        limits:\n          pids: 64\n", "RT021", 0},
        {"    security_opt: [\"no-new-privileges:false\"]\n", "RT022", 1},
        {"    security_opt: [\"no-new-privileges=true\"]\n", "RT022", 0},
        {"    healthcheck:\n      disable: true\n", "RT023", 1},
        {"    healthcheck:\n      test: [\"NONE\"]\n", "RT023", 1},
        {"    healthcheck:\n      test: curl -f http://localhost/\n", "RT023", 0},
        {"    logging:\n      driver: none\n", "RT024", 1},
        {"    logging:\n      driver: json-file\n", "RT024", 0},
        {"    volumes:\n      - type: bind\n        source: ./x\n        target: /x\n"
         "        bind:\n          propagation: rshared\n", "RT026", 1},
        {"    volumes: [\"./x:/x:shared\"]\n", "RT026", 1},
        {"    volumes: [\"./x:/x:rslave\"]\n", "RT026", 0},
        {"    cgroup: host\n", "RT027", 1},
        {"    cgroup: private\n", "RT027", 0},
        {"    restart: always\n", "RT028", 1},
        {"    restart: unless-stopped\n", "RT028", 1},
        {"    restart: on-failure\n", "RT028", 1},
        {"    restart: on-failure:5\n", "RT028", 0},
        {"    restart: \"no\"\n", "RT028", 0},
        {"    deploy:\n      restart_policy:\n        condition: any\n", "RT028", 1},
        {"    deploy:\n      restart_policy:\n        condition: on-failure\n        max_attempts: 3\n",
         "RT028", 0},
        {"    network_mode: bridge\n", "RT029", 1},
        {"    networks: [backend]\n", "RT029", 0},
        {"    ports: [\"127.0.0.1:80:8080\"]\n", "RT030", 1},
        {"    ports: [\"127.0.0.1:8080:80\"]\n", "RT030", 0},
        {"    ports: [\"8080:80\"]\n", "RT031", 1},
        {"    ports: [\"5432:5432\"]\n", "RT031", 0}, /* RT014's, not twice */
        {"    cgroup_parent: /custom\n", "RT032", 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct findings f;
        char yaml[4096];
        /* The case's key comes first: a look-up takes the first of duplicate keys, so it
         * replaces the hardened service's own setting. */
        snprintf(yaml, sizeof(yaml), "services:\n  app:\n%s" HARD, cases[i].yaml);
        assert_int_equal(scan_compose(yaml, NULL, NULL, &f), 0);
        if (count(&f, cases[i].rule) != cases[i].n) {
            print_error("case %zu (%s): %zu of %s, expected %zu\n", i, cases[i].yaml,
                        count(&f, cases[i].rule), cases[i].rule, cases[i].n);
            fail();
        }
        findings_free(&f);
    }
}

static void
test_env_sources(void **state)
{
    struct findings f;
    const struct finding *x;
    char path[600];
    (void)state;

    write_file("app.env", "# app settings\nLOG_LEVEL=info\nSECRET_KEY=django-insecure-9f8e7d6c5b4a\n"
                          "API_TOKEN\n");
    assert_int_equal(scan_compose("services:\n  app:\n" HARD
                                  "    env_file: [app.env]\n"
                                  "    environment:\n"
                                  "      DB_PASSWORD: ${DB_PASSWORD}\n"
                                  "      REDIS_PASSWORD: ${REDIS_PASSWORD:-}\n"
                                  "      SMTP_PASSWORD:\n"
                                  "      URL: http://${HOST:-localhost}/x\n",
                                  "DB_PASSWORD=from-dotenv-value-123\n", NULL, &f),
                     0);
    /* env_file: a literal secret, located in the env file itself. */
    assert_int_equal(count(&f, "RT004"), 1);
    x = first(&f, "RT004");
    snprintf(path, sizeof(path), "%s/app.env", tmpdir);
    assert_string_equal(x->path, path);
    assert_int_equal(x->line, 3);
    assert_int_equal(x->column, 1);
    assert_non_null(x->secret_redacted);
    assert_null(strstr(x->message, "django-insecure"));
    /* ${DB_PASSWORD} from .env, ${REDIS_PASSWORD} unset, SMTP_PASSWORD pass-through, API_TOKEN
     * bare in the env_file: all should be Compose secrets. */
    assert_int_equal(count(&f, "RT025"), 4);
    findings_free(&f);

    /* A provider token is caught by its value whatever the name, even via interpolation. */
    assert_int_equal(scan_compose("services:\n  app:\n" HARD
                                  "    environment:\n      SOMETHING: ${KEYID}\n",
                                  "KEYID=AKIAZ7QRSTUVWXYZ2345\n", NULL, &f),
                     0);
    assert_int_equal(count(&f, "RT004"), 1);
    assert_null(strstr(first(&f, "RT004")->message, "AKIAZ7QRSTUVWXYZ2345"));
    findings_free(&f);
}

static void
test_locations_and_merges(void **state)
{
    struct findings f;
    const struct finding *x;
    (void)state;

    assert_int_equal(scan_compose("x-risky: &risky\n"
                                  "  privileged: true\n"
                                  "  cap_add: [SYS_ADMIN]\n"
                                  "services:\n"
                                  "  web:\n"
                                  "    <<: *risky\n"
                                  HARD
                                  "  db:\n"
                                  "    <<: [*risky]\n"
                                  "    privileged: false\n"
                                  HARD,
                                  NULL, NULL, &f),
                     0);
    /* web inherits both; db overrides privileged but inherits cap_add. */
    assert_int_equal(count(&f, "RT001"), 1);
    x = first(&f, "RT001");
    assert_int_equal(x->line, 2);
    assert_int_equal(x->column, 3);
    assert_non_null(strstr(x->message, "service web"));
    assert_non_null(strstr(x->message, "services.web.privileged"));
    assert_int_equal(count(&f, "RT006"), 2);
    findings_free(&f);

    /* --service picks one; an unknown one is an error. */
    assert_int_equal(scan_compose("services:\n  a:\n    privileged: true\n  b:\n" HARD, NULL, "b",
                                  &f),
                     0);
    assert_int_equal(f.n, 0);
    findings_free(&f);
    assert_int_equal(scan_compose("services:\n  a:\n    image: x\n", NULL, "nope", &f),
                     ERR_NOTFOUND);
    assert_non_null(strstr(err_message(), "nope"));
    findings_free(&f);
}

static void
test_interpolation(void **state)
{
    struct compose_vars v = {NULL, 0, 0};
    struct buf out = {NULL, 0, 0};
    int flags;
    static const struct {
        const char *in, *want;
        int flags;
    } ok[] = {
        {"plain", "plain", 0},
        {"$$HOME", "$HOME", 0},
        {"${A}", "alpha", INTERP_USED},
        {"$A-x", "alpha-x", INTERP_USED},
        {"${E:-d}", "d", INTERP_USED},
        {"${E-d}", "", INTERP_USED},
        {"${U-d}", "d", INTERP_USED},
        {"${U}", "", INTERP_USED | INTERP_UNSET},
        {"${U:?must be set}", "", INTERP_USED | INTERP_UNSET},
        {"${A:+yes}", "yes", INTERP_USED},
        {"${E:+yes}", "", INTERP_USED},
        {"${E+yes}", "yes", INTERP_USED},
        {"${U:-${A}}", "alpha", INTERP_USED},
        {"${U:-${U2:-deep}}", "deep", INTERP_USED},
    };
    static const char *const bad[] = {"${A", "$", "a $1", "${1A}", "${A!x}", "${}"};
    (void)state;

    assert_int_equal(compose_vars_set(&v, "A", 1, "alpha", 5, 1), 0);
    assert_int_equal(compose_vars_set(&v, "E", 1, "", 0, 2), 0);
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(compose_interpolate(&v, ok[i].in, strlen(ok[i].in), &out, &flags, "t"), 0);
        assert_string_equal(out.data, ok[i].want);
        assert_int_equal(flags, ok[i].flags);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(compose_interpolate(&v, bad[i], strlen(bad[i]), &out, &flags, "f:1:2"),
                         ERR_PARSE);
    assert_non_null(strstr(err_message(), "f:1:2"));
    /* Nesting is bounded. */
    assert_int_equal(compose_interpolate(&v, "${a:-${b:-${c:-${d:-${e:-${f:-x}}}}}}", 38, &out,
                                         &flags, "t"),
                     ERR_LIMIT);
    buf_free(&out);
    compose_vars_free(&v);
}

static void
test_specs(void **state)
{
    struct rt_port p;
    char ip[64], proto[16], a[256], b[256], o[64];
    (void)state;

    memset(&p, 0, sizeof(p));
    assert_int_equal(compose_port_parse("127.0.0.1:8080:80/udp", &p, ip, sizeof(ip), proto,
                                        sizeof(proto)),
                     0);
    assert_string_equal(ip, "127.0.0.1");
    assert_string_equal(proto, "udp");
    assert_int_equal(p.host_port, 8080);
    assert_int_equal(p.container_port, 80);
    assert_int_equal(compose_port_parse("[::1]:6001:6001", &p, ip, sizeof(ip), proto, sizeof(proto)), 0);
    assert_string_equal(ip, "::1");
    assert_int_equal(compose_port_parse("127.0.0.1::5000", &p, ip, sizeof(ip), proto, sizeof(proto)), 0);
    assert_int_equal(p.host_port, 0);
    assert_int_equal(p.container_port, 5000);
    assert_int_equal(compose_port_parse("9090-9091:8080-8081", &p, ip, sizeof(ip), proto, sizeof(proto)), 0);
    assert_int_equal(p.host_port_end, 9091);
    assert_int_equal(compose_port_parse("http", &p, ip, sizeof(ip), proto, sizeof(proto)), ERR_PARSE);
    assert_int_equal(compose_port_parse("1:99999", &p, ip, sizeof(ip), proto, sizeof(proto)), ERR_PARSE);

    assert_int_equal(compose_volume_split("/a:/b:ro,z", a, sizeof(a), b, sizeof(b), o, sizeof(o)), 0);
    assert_string_equal(a, "/a");
    assert_string_equal(b, "/b");
    assert_string_equal(o, "ro,z");
    assert_int_equal(compose_volume_split("/data", a, sizeof(a), b, sizeof(b), o, sizeof(o)), 0);
    assert_string_equal(a, "");
    assert_string_equal(b, "/data");
}

static void
test_paths_users_caps(void **state)
{
    char out[256];
    const char *sock = NULL;
    (void)state;

    rt_path_normalise("//var/./run/../run//docker.sock/", out, sizeof(out));
    assert_string_equal(out, "/var/run/docker.sock");
    rt_path_normalise("/../..", out, sizeof(out));
    assert_string_equal(out, "/");
    assert_int_equal(rt_path_exposes_socket("/var/run/docker.sock", &sock), 2);
    assert_int_equal(rt_path_exposes_socket("/var/run", &sock), 1);
    assert_string_equal(sock, "/var/run/docker.sock");
    assert_int_equal(rt_path_exposes_socket("/", NULL), 1);
    assert_int_equal(rt_path_exposes_socket("/var/runx", NULL), 0);
    assert_int_equal(rt_path_exposes_socket("/home/u/.docker/run/docker.sock", NULL), 2);
    assert_string_equal(rt_path_sensitive("/etc/ssl"), "/etc");
    assert_null(rt_path_sensitive("/etcd"));
    assert_null(rt_path_sensitive("/srv"));
    assert_true(rt_user_is_root(""));
    assert_true(rt_user_is_root("0:0"));
    assert_true(rt_user_is_root("root:www"));
    assert_false(rt_user_is_root("1000"));
    assert_false(rt_user_is_root("rootless"));
    assert_false(rt_user_is_root("10"));
    rt_cap_name(" cap_sys_admin", out, sizeof(out));
    assert_string_equal(out, "SYS_ADMIN");
    assert_true(rt_port_is_sensitive(22));
    assert_false(rt_port_is_sensitive(8080));
}

static void
expect_error(const char *yaml, int code, const char *needle)
{
    struct findings f;
    int rc = scan_compose(yaml, NULL, NULL, &f);

    if (rc != code || strstr(err_message(), needle) == NULL) {
        print_error("got %d '%s', expected %d with '%s'\n", rc, err_message(), code, needle);
        fail();
    }
    findings_free(&f);
}

static void
test_hostile_yaml(void **state)
{
    struct buf b = {NULL, 0, 0};
    (void)state;

    /* Billion laughs: nine levels of nine aliases. */
    buf_printf(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        buf_printf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i,
                   i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    buf_printf(&b, "services:\n  app:\n    image: x\n");
    expect_error(b.data, ERR_LIMIT, "alias");
    b.len = 0;
    for (int i = 0; i < 200; i++)
        buf_append(&b, "[", 1);
    expect_error(b.data, ERR_LIMIT, "deeper than");
    b.len = 0;
    for (int i = 0; i < 200; i++)
        buf_printf(&b, "%*sk:\n", i * 2, "");
    expect_error(b.data, ERR_LIMIT, "deeper than");
    buf_free(&b);

    expect_error("services:\n  app:\n    image: [unclosed\n", ERR_PARSE, "docker-compose.yml:");
    expect_error("services:\n  app:\n\timage: x\n", ERR_PARSE, "invalid YAML");
    expect_error("services: *nowhere\n", ERR_PARSE, "nowhere");
    expect_error("- just\n- a list\n", ERR_PARSE, "must be a mapping");
    expect_error("version: '3'\n", ERR_PARSE, "no `services:`");
    expect_error("", ERR_PARSE, "empty");
    expect_error("services:\n  app:\n    environment:\n      A: ${UNCLOSED\n", ERR_PARSE,
                 "docker-compose.yml:4:10");
    expect_error("services:\n  app:\n    ports: [\"http\"]\n", ERR_PARSE, "invalid port");
    expect_error("services:\n  app:\n    cap_add: {a: b}\n", ERR_PARSE, "must be a list");
    expect_error("services:\n  app: [1, 2]\n", ERR_PARSE, "must be a mapping");
    expect_error("services:\n  app:\n    image: \"\\xff\"\n\x01\n", ERR_PARSE, "YAML");
}

static void
test_hostile_files(void **state)
{
    struct findings f;
    struct scanner_opts o;
    char path[600], target[600];
    FILE *fp;
    (void)state;

    /* Binary: a NUL byte. */
    snprintf(path, sizeof(path), "%s/bin.yml", tmpdir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fwrite("services:\0\x01\x02", 1, 13, fp);
    fclose(fp);
    memset(&o, 0, sizeof(o));
    findings_init(&f);
    assert_int_equal(scanner_scan_compose(path, &o, &f), ERR_PARSE);
    findings_free(&f);

    /* Over the size bound. */
    o.max_file_size = 16;
    findings_init(&f);
    write_file("big.yml", "services:\n  app:\n    image: something-long\n");
    snprintf(path, sizeof(path), "%s/big.yml", tmpdir);
    assert_int_equal(scanner_scan_compose(path, &o, &f), ERR_LIMIT);
    findings_free(&f);

    /* Missing file. */
    o.max_file_size = 0;
    findings_init(&f);
    snprintf(path, sizeof(path), "%s/absent.yml", tmpdir);
    assert_int_equal(scanner_scan_compose(path, &o, &f), ERR_NOTFOUND);
    findings_free(&f);

    /* An env_file that is a symlink (to a file outside the project) is refused. */
    write_file("outside.env", "X=1\n");
    snprintf(path, sizeof(path), "%s/link.env", tmpdir);
    snprintf(target, sizeof(target), "%s/outside.env", tmpdir);
    unlink(path);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(scan_compose("services:\n  app:\n    env_file: link.env\n", NULL, NULL, &f),
                     ERR_UNSAFE);
    findings_free(&f);

    /* A malformed env_file names its own file and line. */
    write_file("bad.env", "OK=1\nBAD=\"unterminated\n");
    assert_int_equal(scan_compose("services:\n  app:\n    env_file: bad.env\n", NULL, NULL, &f),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "bad.env:2"));
    findings_free(&f);

    /* A missing env_file is a warning, not a failure; required: false is silent. */
    assert_int_equal(scan_compose("services:\n  app:\n    env_file:\n      - path: none.env\n"
                                  "        required: false\n",
                                  NULL, NULL, &f),
                     0);
    findings_free(&f);
}

/* A Docker-shaped inspect document with every risky setting, and a hardened one. */
static const char risky_inspect[] =
    "{\"Name\": \"/risky\", \"Image\": \"sha256:abc\", \"AppArmorProfile\": \"unconfined\","
    " \"Config\": {\"User\": \"\", \"Image\": \"demo:1\","
    "   \"Env\": [\"PATH=/usr/bin\", \"API_TOKEN=tok-1234567890abcdef\","
    "             \"AWS_KEY=AKIAZ7QRSTUVWXYZ2345\"]},"
    " \"HostConfig\": {\"Privileged\": true, \"NetworkMode\": \"host\", \"PidMode\": \"host\","
    "   \"IpcMode\": \"host\", \"UTSMode\": \"host\", \"UsernsMode\": \"host\","
    "   \"CgroupnsMode\": \"host\", \"CgroupParent\": \"/x\","
    "   \"CapAdd\": [\"SYS_ADMIN\", \"CAP_SYS_PTRACE\"], \"CapDrop\": null,"
    "   \"SecurityOpt\": [\"seccomp=unconfined\", \"label=disable\", \"systempaths=unconfined\"],"
    "   \"ReadonlyRootfs\": false, \"Memory\": 0, \"NanoCpus\": 0, \"PidsLimit\": null,"
    "   \"LogConfig\": {\"Type\": \"none\"},"
    "   \"RestartPolicy\": {\"Name\": \"always\", \"MaximumRetryCount\": 0},"
    "   \"Devices\": [{\"PathOnHost\": \"/dev/mem\", \"PathInContainer\": \"/dev/mem\"}],"
    "   \"PublishAllPorts\": true,"
    "   \"PortBindings\": {\"22/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"22\"}],"
    "                     \"8080/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"8080\"}]}},"
    " \"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/run\", \"Destination\": \"/run\", \"RW\": true,"
    "              \"Propagation\": \"rshared\"},"
    "             {\"Type\": \"bind\", \"Source\": \"/etc\", \"Destination\": \"/e\", \"RW\": false},"
    "             {\"Type\": \"volume\", \"Source\": \"/var/lib/docker/volumes/v/_data\","
    "              \"Destination\": \"/v\", \"RW\": true}],"
    " \"NetworkSettings\": {\"Networks\": {}}}";

static const char hard_inspect[] =
    "{\"Name\": \"/hard\", \"Config\": {\"User\": \"1000\", \"Env\": [\"PATH=/bin\"],"
    "   \"Healthcheck\": {\"Test\": [\"CMD-SHELL\", \"true\"]}},"
    " \"HostConfig\": {\"Privileged\": false, \"NetworkMode\": \"appnet\", \"PidMode\": \"\","
    "   \"CapDrop\": [\"AUDIT_WRITE\", \"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\","
    "     \"KILL\", \"MKNOD\", \"NET_RAW\", \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\","
    "     \"SYS_CHROOT\"], \"CapAdd\": [\"NET_BIND_SERVICE\"],"
    "   \"SecurityOpt\": [\"no-new-privileges\"], \"ReadonlyRootfs\": true,"
    "   \"Memory\": 268435456, \"NanoCpus\": 500000000, \"PidsLimit\": 100,"
    "   \"LogConfig\": {\"Type\": \"json-file\"}, \"RestartPolicy\": {\"Name\": \"on-failure\","
    "   \"MaximumRetryCount\": 5},"
    "   \"PortBindings\": {\"8443/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"8443\"}]}},"
    " \"Mounts\": [], \"NetworkSettings\": {\"Networks\": {\"appnet\": {}}}}";

static void
describe_and_check(const char *json, struct findings *f)
{
    struct runtime_desc d;
    cJSON *doc = cJSON_Parse(json);

    assert_non_null(doc);
    runtime_desc_init(&d, RT_CONTAINER);
    assert_int_equal(container_describe(doc, "fallback", &d), 0);
    cJSON_Delete(doc);
    findings_init(f);
    assert_int_equal(runtime_check(&d, NULL, 0, f), 0);
    runtime_desc_free(&d);
}

static void
test_container_inspect(void **state)
{
    struct findings f;
    static const char *const expected[] = {
        "RT001", "RT002", "RT003", "RT004", "RT005", "RT006", "RT007", "RT008", "RT009",
        "RT010", "RT011", "RT012", "RT013", "RT014", "RT015", "RT016", "RT017", "RT018",
        "RT019", "RT020", "RT021", "RT022", "RT023", "RT024", "RT026", "RT027", "RT028",
        "RT030", "RT031", "RT032",
    };
    const struct finding *x;
    (void)state;

    describe_and_check(risky_inspect, &f);
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        if (count(&f, expected[i]) == 0) {
            print_error("missing %s\n", expected[i]);
            fail();
        }
    assert_int_equal(count(&f, "RT025"), 0); /* Compose only */
    /* Names: without a detection engine, API_TOKEN is caught by its name only. */
    x = first(&f, "RT004");
    assert_string_equal(x->container, "risky");
    assert_null(x->path);
    assert_non_null(strstr(x->message, "Config.Env"));
    assert_null(strstr(x->message, "tok-1234567890abcdef"));
    assert_non_null(strstr(first(&f, "RT001")->message, "HostConfig.Privileged"));
    /* The volume's path under /var/lib/docker is not a bind of it. */
    assert_int_equal(count(&f, "RT005"), 1);
    findings_free(&f);

    describe_and_check(hard_inspect, &f);
    for (size_t i = 0; i < f.n; i++)
        print_error("unexpected: %s %s\n", f.items[i].rule, f.items[i].message);
    assert_int_equal(f.n, 0);
    findings_free(&f);

    /* Docker's default bridge, and Podman's. */
    describe_and_check("{\"HostConfig\": {\"NetworkMode\": \"default\"}}", &f);
    assert_int_equal(count(&f, "RT029"), 1);
    assert_string_equal(first(&f, "RT029")->container, "fallback");
    findings_free(&f);
    describe_and_check("{\"HostConfig\": {\"NetworkMode\": \"bridge\"}, \"NetworkSettings\": "
                       "{\"Networks\": {\"podman\": {}}}}",
                       &f);
    assert_int_equal(count(&f, "RT029"), 1);
    findings_free(&f);

    /* Not an object: an error, not a clean result. */
    {
        struct runtime_desc d;
        cJSON *arr = cJSON_Parse("[1]");
        runtime_desc_init(&d, RT_CONTAINER);
        assert_int_equal(container_describe(arr, "x", &d), ERR_PARSE);
        runtime_desc_free(&d);
        cJSON_Delete(arr);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hardened_is_clean),
        cmocka_unit_test(test_critical_rules),
        cmocka_unit_test(test_root_user),
        cmocka_unit_test(test_high_rules),
        cmocka_unit_test(test_medium_low_rules),
        cmocka_unit_test(test_env_sources),
        cmocka_unit_test(test_locations_and_merges),
        cmocka_unit_test(test_interpolation),
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_paths_users_caps),
        cmocka_unit_test(test_hostile_yaml),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_container_inspect),
    };
    json_init();
    diag_set_quiet(1);
    return cmocka_run_group_tests(tests, setup, teardown);
}
