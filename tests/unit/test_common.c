/* Unit tests of common/: errors, buffers, safe file I/O, the findings model and the three
 * renderers (the SARIF one checked by the real sarif-multitool). */
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
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

static char tmpdir[256];

static int
setup(void **state)
{
    (void)state;
    return test_mkdtemp(tmpdir, sizeof(tmpdir), "test_common");
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(tmpdir);
}

static void
path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

static void
test_error_model(void **state)
{
    (void)state;
    assert_int_equal(err_set(ERR_PARSE, "x.env:%d:%d: bad", 3, 7), ERR_PARSE);
    assert_string_equal(err_message(), "x.env:3:7: bad");
    errno = ENOENT;
    assert_int_equal(err_set_errno(ERR_IO, "open"), ERR_IO);
    assert_non_null(strstr(err_message(), "No such file"));
    assert_int_equal(err_exit_status(ERR_OK), 0);
    assert_int_equal(err_exit_status(ERR_AUTH), 2);
    assert_string_equal(err_strerror(ERR_LIMIT), "over a size or count limit");
}

/* ---- workq: items run anywhere, retire in submission order ---------------------------------- */
struct wq_item {
    size_t i;
    int ran;
};
struct wq_log {
    size_t order[200];
    size_t n;
    int errors_seen; /* retires told about an earlier error */
    size_t fail_at;  /* this item's retire fails; (size_t)-1 = none */
};

static void
wq_run(void *item, void *arg)
{
    struct wq_item *it = item;
    (void)arg;
    usleep((useconds_t)((it->i * 7919u) % 13u) * 100u); /* finish out of order */
    it->ran++;
}

static int
wq_retire(void *item, int rc, void *arg)
{
    struct wq_item *it = item;
    struct wq_log *log = arg;

    assert_int_equal(it->ran, 1);
    if (rc < 0) {
        log->errors_seen++;
        return 0;
    }
    log->order[log->n++] = it->i;
    return it->i == log->fail_at ? err_set(ERR_IO, "item %zu failed", it->i) : 0;
}

static void
test_workq_keeps_order(void **state)
{
    static struct wq_item items[200];
    const unsigned threads[] = {1, 2, 3, 8};
    (void)state;
    for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
        struct wq_log log;
        struct workq *q;
        memset(&log, 0, sizeof(log));
        log.fail_at = (size_t)-1;
        memset(items, 0, sizeof(items));
        assert_int_equal(workq_open(&q, threads[t], wq_run, wq_retire, &log), 0);
        for (size_t i = 0; i < 200; i++) {
            items[i].i = i;
            assert_int_equal(workq_submit(q, &items[i]), 0);
        }
        assert_int_equal(workq_close(q), 0);
        assert_int_equal(log.n, 200);
        for (size_t i = 0; i < 200; i++)
            assert_int_equal(log.order[i], i);
    }
    /* An error at item 50: nothing after it is reported, submit says so, close returns it. */
    for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
        struct wq_log log;
        struct workq *q;
        size_t sent = 0;
        memset(&log, 0, sizeof(log));
        log.fail_at = 50;
        memset(items, 0, sizeof(items));
        assert_int_equal(workq_open(&q, threads[t], wq_run, wq_retire, &log), 0);
        for (size_t i = 0; i < 200; i++) {
            items[i].i = i;
            sent++;
            if (workq_submit(q, &items[i]) < 0)
                break;
        }
        assert_int_equal(workq_close(q), ERR_IO);
        assert_string_equal(err_message(), "item 50 failed");
        assert_int_equal(log.n, 51);
        assert_int_equal(log.order[50], 50);
        assert_int_equal((size_t)log.errors_seen, sent - 51); /* in flight: freed, not reported */
        assert_true(sent <= 51 + WORKQ_DEPTH * threads[t]); /* at most the in-flight bound */
    }
    assert_true(workq_default_threads() >= 1 && workq_default_threads() <= WORKQ_MAX_THREADS);
}

static void
test_diag_capture(void **state)
{
    struct buf b = {0}, *old;
    (void)state;
    diag_set_program("unit");
    old = diag_capture(&b);
    assert_null(old);
    diag_warn("x.txt: cannot open: %s", "denied");
    diag_note("n %d", 2);
    assert_ptr_equal(diag_capture(old), &b);
    assert_string_equal(b.data, "unit: warning: x.txt: cannot open: denied\nunit: note: n 2\n");
    buf_free(&b);
}

static void
test_buf_and_format(void **state)
{
    struct buf b = {0};
    char small[4];
    (void)state;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%d,", i), 0);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(b.data[b.len], '\0');
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(str_format(small, sizeof(small), "%s", "abc"), 0);
    assert_int_equal(str_format(small, sizeof(small), "%s", "abcd"), ERR_LIMIT);
}

static void
test_read_limits_and_symlinks(void **state)
{
    char p[300], link[300];
    struct buf b = {0};
    (void)state;
    path_in(p, sizeof(p), "data");
    assert_int_equal(file_write_new(p, "hello", 5, 0600), 0);
    assert_int_equal(file_read_all(p, 100, 0, &b), 0);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    buf_free(&b);
    assert_int_equal(file_read_all(p, 4, 0, &b), ERR_LIMIT);
    buf_free(&b);
    path_in(link, sizeof(link), "link");
    assert_int_equal(symlink(p, link), 0);
    assert_int_equal(file_read_all(link, 100, FILE_READ_NOFOLLOW, &b), ERR_UNSAFE);
    buf_free(&b);
    assert_int_equal(file_read_all(tmpdir, 100, 0, &b), ERR_IO);
    buf_free(&b);
    path_in(p, sizeof(p), "missing");
    assert_int_equal(file_read_all(p, 100, 0, &b), ERR_NOTFOUND);
    buf_free(&b);
}

static void
test_create_exclusive_mode(void **state)
{
    char p[300];
    struct stat st;
    int fd;
    mode_t old = umask(0);
    (void)state;
    path_in(p, sizeof(p), "excl");
    fd = file_create_excl(p, 0400);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0400);
    assert_int_equal(file_create_excl(p, 0600), ERR_EXISTS);
    umask(old);
}

static void
test_atomic_replace(void **state)
{
    char p[300], link[300], cmd[400];
    struct buf b = {0};
    struct stat st;
    (void)state;
    path_in(p, sizeof(p), "atomic");
    assert_int_equal(file_write_atomic(p, "one", 3, 0600), 0);
    assert_int_equal(file_write_atomic(p, "two!", 4, 0640), 0);
    assert_int_equal(file_read_all(p, 100, 0, &b), 0);
    assert_string_equal(b.data, "two!");
    buf_free(&b);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(file_write_new(p, "x", 1, 0600), ERR_EXISTS);
    /* Refuses to write through a symlink, and leaves the target alone. */
    path_in(link, sizeof(link), "atomic-link");
    assert_int_equal(symlink(p, link), 0);
    assert_int_equal(file_write_atomic(link, "evil", 4, 0600), ERR_UNSAFE);
    assert_int_equal(file_read_all(p, 100, 0, &b), 0);
    assert_string_equal(b.data, "two!");
    buf_free(&b);
    /* No temp files are left behind. */
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q tmp-", tmpdir);
    assert_int_not_equal(system(cmd), 0);
    /* A missing directory is an error, not a crash. */
    path_in(p, sizeof(p), "no/such/dir/file");
    assert_int_equal(file_write_atomic(p, "x", 1, 0600), ERR_IO);
}

static void
test_mkdirs(void **state)
{
    char p[300];
    struct stat st;
    (void)state;
    path_in(p, sizeof(p), "a/b/c");
    assert_int_equal(file_mkdirs(p, 0700), 0);
    assert_int_equal(file_mkdirs(p, 0700), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    path_in(p, sizeof(p), "data");
    assert_int_equal(file_mkdirs(p, 0700), ERR_UNSAFE);
}

static const struct rule_meta rule_a = {"TEST001", SEV_HIGH, "secret", "A secret", "Remove it",
                                        "DL3000,CKV_DOCKER_1"};
static const struct rule_meta rule_b = {"TEST002", SEV_LOW, "hygiene", "Hygiene", NULL, NULL};
static const struct rule_meta rule_gl = {"secret.github-pat", SEV_CRITICAL, "secret", "GitHub token",
                                         NULL, "gitleaks:github-pat,secretlint:x"};

static void
make_findings(struct findings *f)
{
    struct location loc = {"Dockerfile", 7, 3, 0, 0, -1, NULL, NULL};
    struct finding_extra ex = {0};

    findings_init(f);
    assert_int_equal(findings_add_target(f, "dockerfile", "Dockerfile"), 0);
    ex.secret_redacted = "AKIA…(20 chars)";
    ex.secret_fingerprint = "fp0123456789abcdef";
    assert_int_equal(findings_add(f, &rule_a, &loc, &ex, "ENV %s holds a secret", "API_KEY"), 0);
    loc.line = 2;
    assert_int_equal(findings_add(f, &rule_b, &loc, NULL, "minor thing"), 0);
    loc.line = 2;
    ex = (struct finding_extra){0};
    ex.override_severity = 1;
    ex.severity = SEV_CRITICAL;
    assert_int_equal(findings_add(f, &rule_b, &loc, &ex, "escalated"), 0);
}

static void
test_findings_model(void **state)
{
    struct findings f;
    (void)state;
    make_findings(&f);
    assert_int_equal(f.n, 3);
    findings_sort(&f);
    assert_int_equal(f.items[0].line, 2);
    assert_int_equal(f.items[0].severity, SEV_CRITICAL);
    assert_string_equal(f.items[2].rule, "TEST001");
    assert_string_equal(f.items[2].target, "Dockerfile");
    assert_int_equal(findings_count_at_least(&f, SEV_HIGH), 2);
    assert_int_equal(findings_count_at_least(&f, SEV_INFO), 3);
    findings_filter_min(&f, SEV_MEDIUM);
    assert_int_equal(f.n, 2);
    findings_free(&f);
    assert_int_equal(severity_parse("medium"), SEV_MEDIUM);
    assert_int_equal(severity_parse("severe"), -1);
}

static void
test_text_report(void **state)
{
    struct findings f;
    struct buf b = {0};
    (void)state;
    make_findings(&f);
    findings_sort(&f);
    assert_int_equal(report_write_text(&b, &f, 0), 0);
    assert_non_null(strstr(b.data, "Dockerfile:7:3: high: [TEST001] ENV API_KEY holds a secret "
                                   "(secret AKIA…(20 chars))\n"));
    assert_non_null(strstr(b.data, "Dockerfile:2:3: critical: [TEST002] escalated\n"));
    assert_non_null(strstr(b.data, "3 findings: 1 critical, 1 high, 0 medium, 1 low, 0 info\n"));
    assert_null(strstr(b.data, "\033["));
    buf_free(&b);
    assert_int_equal(report_write_text(&b, &f, 1), 0);
    assert_non_null(strstr(b.data, "\033["));
    buf_free(&b);
    findings_free(&f);
}

/* The JSON writer escapes what JSON needs and keeps every other byte: a message, a path and a
 * commit subject holding every byte from 1 to 255 read back the same through cJSON. */
static void
test_json_report_every_byte(void **state)
{
    struct findings f;
    struct buf b = {0};
    struct tool_info tool = {"scanner", "1.2.3", NULL};
    struct finding_vcs vcs = {0};
    char all[256];
    struct location loc = {NULL, 3000000, 1, 0, 0, -1, NULL, NULL};
    cJSON *root, *x;
    (void)state;
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    loc.path = all;
    findings_init(&f);
    assert_int_equal(findings_add_target(&f, "path", all), 0);
    assert_int_equal(findings_add_msg(&f, &rule_a, &loc, NULL, all), 0);
    vcs.commit = "0123456789abcdef0123456789abcdef01234567";
    vcs.subject = all;
    vcs.commits = 3000000000L; /* past an int: written as cJSON writes a double */
    assert_int_equal(findings_set_vcs(&f, 0, &vcs), 0);
    assert_int_equal(report_write_json(&b, &f, &tool), 0);
    assert_null(strchr(b.data, '\001')); /* control characters escaped */
    assert_non_null(strstr(b.data, "\\u0001\\u0002"));
    root = cJSON_Parse(b.data);
    assert_non_null(root);
    x = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "location"), "path")->valuestring,
                        all);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "location"), "line")->valueint,
                     3000000);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "git"), "subject")->valuestring,
                        all);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "git"), "commits")->valuedouble ==
                3000000000.0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "git"), "at_head")));
    cJSON_Delete(root);
    buf_free(&b);
    findings_free(&f);
}

/* SARIF: one run per target name in the order they came (a target listed twice is one run with
 * the findings of both), a target that failed before it was listed gets its own run, and a
 * rule's level is the highest of its results in that run only. */
static void
test_sarif_runs(void **state)
{
    struct findings f;
    struct buf b = {0};
    struct tool_info tool = {"scanner", "1.2.3", NULL};
    struct location loc = {"x", 1, 1, 0, 0, -1, NULL, NULL};
    struct finding_extra ex = {0};
    static const char *const want[] = {"b", "a", "c"};
    cJSON *root, *runs, *run, *rule;
    (void)state;
    findings_init(&f);
    assert_int_equal(findings_add_target(&f, "dockerfile", "b"), 0);
    assert_int_equal(findings_add_target(&f, "dockerfile", "a"), 0);
    assert_int_equal(findings_add_target(&f, "dockerfile", "b"), 0);
    ex.target = "b";
    assert_int_equal(findings_add_msg(&f, &rule_b, &loc, &ex, "one"), 0);
    ex.target = "a";
    ex.override_severity = 1;
    ex.severity = SEV_CRITICAL;
    assert_int_equal(findings_add_msg(&f, &rule_b, &loc, &ex, "two"), 0);
    ex.target = "b";
    ex.override_severity = 0;
    assert_int_equal(findings_add_msg(&f, &rule_b, &loc, &ex, "three"), 0);
    assert_int_equal(findings_add_error(&f, "c", "cannot read"), 0);
    assert_int_equal(report_write_sarif(&b, &f, &tool), 0);
    root = cJSON_Parse(b.data);
    assert_non_null(root);
    runs = cJSON_GetObjectItem(root, "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 3);
    for (int i = 0; i < 3; i++) {
        char id[64];
        run = cJSON_GetArrayItem(runs, i);
        snprintf(id, sizeof(id), "scanner/%s/%s/", i == 2 ? "target" : "dockerfile", want[i]);
        assert_string_equal(
            cJSON_GetObjectItem(cJSON_GetObjectItem(run, "automationDetails"), "id")->valuestring,
            id);
    }
    run = cJSON_GetArrayItem(runs, 0); /* b: two results, its rule at b's own level */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(run, "results")), 2);
    rule = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver");
    rule = cJSON_GetArrayItem(cJSON_GetObjectItem(rule, "rules"), 0);
    rule = cJSON_GetObjectItem(rule, "defaultConfiguration");
    assert_string_equal(cJSON_GetObjectItem(rule, "level")->valuestring, "note");
    run = cJSON_GetArrayItem(runs, 1); /* a: one critical result */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(run, "results")), 1);
    run = cJSON_GetArrayItem(runs, 2); /* c: no result, a failed invocation */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(run, "results")), 0);
    run = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "invocations"), 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(run, "executionSuccessful")));
    cJSON_Delete(root);
    buf_free(&b);
    findings_free(&f);
}

static void
test_json_report_contract(void **state)
{
    struct findings f;
    struct buf b = {0};
    struct tool_info tool = {"scanner", "1.2.3", NULL};
    cJSON *root, *x, *loc;
    const char *fp;
    (void)state;
    make_findings(&f);
    findings_sort(&f);
    assert_int_equal(report_write_json(&b, &f, &tool), 0);
    root = cJSON_Parse(b.data);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "tool"), "version")->valuestring,
                        "1.2.3");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "targets"), 0), "type")
            ->valuestring,
        "dockerfile");
    x = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 2);
    assert_string_equal(cJSON_GetObjectItem(x, "rule")->valuestring, "TEST001");
    assert_string_equal(cJSON_GetObjectItem(x, "severity")->valuestring, "high");
    assert_string_equal(cJSON_GetObjectItem(x, "category")->valuestring, "secret");
    assert_string_equal(cJSON_GetObjectItem(x, "title")->valuestring, "A secret");
    assert_string_equal(cJSON_GetObjectItem(x, "remediation")->valuestring, "Remove it");
    assert_string_equal(cJSON_GetObjectItem(x, "target")->valuestring, "Dockerfile");
    loc = cJSON_GetObjectItem(x, "location");
    assert_string_equal(cJSON_GetObjectItem(loc, "path")->valuestring, "Dockerfile");
    assert_int_equal(cJSON_GetObjectItem(loc, "line")->valueint, 7);
    assert_int_equal(cJSON_GetObjectItem(loc, "column")->valueint, 3);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x, "aliases")), 2);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "aliases"), 1)->valuestring,
                        "CKV_DOCKER_1");
    /* The in-run value fingerprint never reaches a report: the report one is 64 hex digits of
     * rule, place and label, the same at finding level and in "secret". */
    fp = cJSON_GetObjectItem(cJSON_GetObjectItem(x, "secret"), "fingerprint")->valuestring;
    assert_int_equal(strlen(fp), 64);
    assert_int_equal(strspn(fp, "0123456789abcdef"), 64);
    assert_string_equal(cJSON_GetObjectItem(x, "fingerprint")->valuestring, fp);
    assert_null(strstr(b.data, "fp0123456789abcdef"));
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "critical")->valueint, 1);
    cJSON_Delete(root);
    buf_free(&b);
    findings_free(&f);
}

/* A failed target is stated by every renderer, after the findings that were kept. */
static void
test_failed_run_in_every_format(void **state)
{
    struct findings f;
    struct buf b = {0};
    struct tool_info tool = {"scanner", "1.2.3", NULL};
    cJSON *root, *inv, *e, *runs, *run;
    const char *last;
    int failed = 0;
    (void)state;
    make_findings(&f);
    assert_int_equal(findings_add_error(&f, "img.tar", "img.tar: not a tar archive"), 0);
    assert_int_equal(findings_add_error(&f, "web", "engine unreachable"), 0);
    findings_sort(&f);
    assert_int_equal(report_write_text(&b, &f, 0), 0);
    assert_null(strstr(b.data, "no findings"));
    assert_non_null(strstr(b.data, "3 findings"));
    assert_non_null(strstr(b.data, "scan failed: img.tar: not a tar archive\n"));
    last = b.data + b.len - 1;
    while (last > b.data && last[-1] != '\n')
        last--;
    assert_string_equal(last, "scan failed: web: engine unreachable\n");
    buf_free(&b);
    assert_int_equal(report_write_json(&b, &f, &tool), 0);
    root = cJSON_Parse(b.data);
    assert_string_equal(cJSON_GetObjectItem(root, "status")->valuestring, "error");
    e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "errors"), 1);
    assert_string_equal(cJSON_GetObjectItem(e, "target")->valuestring, "web");
    assert_string_equal(cJSON_GetObjectItem(e, "message")->valuestring, "engine unreachable");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "findings")), 3);
    cJSON_Delete(root);
    buf_free(&b);
    assert_int_equal(report_write_sarif(&b, &f, &tool), 0);
    root = cJSON_Parse(b.data);
    /* One run per target: Dockerfile's succeeded, img.tar's and web's did not. */
    runs = cJSON_GetObjectItem(root, "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 3);
    cJSON_ArrayForEach(run, runs)
    {
        inv = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "invocations"), 0);
        if (cJSON_IsFalse(cJSON_GetObjectItem(inv, "executionSuccessful"))) {
            failed++;
            assert_int_equal(
                cJSON_GetArraySize(cJSON_GetObjectItem(inv, "toolExecutionNotifications")), 1);
        } else {
            assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(run, "results")), 3);
        }
    }
    assert_int_equal(failed, 2);
    cJSON_Delete(root);
    buf_free(&b);
    findings_free(&f);
    /* Without errors: "ok", and the text report is unchanged. */
    findings_init(&f);
    assert_int_equal(report_write_text(&b, &f, 0), 0);
    assert_string_equal(b.data, "no findings\n");
    buf_free(&b);
    assert_int_equal(report_write_json(&b, &f, &tool), 0);
    root = cJSON_Parse(b.data);
    assert_string_equal(cJSON_GetObjectItem(root, "status")->valuestring, "ok");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "errors")), 0);
    cJSON_Delete(root);
    buf_free(&b);
}

/* The ignore-file readers: what they take, and file:line errors for what they refuse. */
static int
read_one(const char *name, const char *text,
         int (*reader)(struct config_ignores *, const char *), struct config_ignores *ci)
{
    char p[300];

    path_in(p, sizeof(p), name);
    unlink(p);
    assert_int_equal(file_write_new(p, text, strlen(text), 0600), 0);
    config_ignores_init(ci);
    return reader(ci, p);
}

static void
test_ignore_files(void **state)
{
    struct config_ignores ci;
    struct findings f;
    struct location loc = {"src/app.env", 3, 1, 0, 0, -1, NULL, NULL};
    struct ignore_list il;
    (void)state;

    assert_int_equal(read_one("h.yaml",
                              "ignored:\n  - DL3002\n  - DL9999\nfailure-threshold: warning\n"
                              "trustedRegistries: [docker.io, ghcr.io]\nother: {a: [1, 2]}\n",
                              config_ignores_read_hadolint, &ci),
                     0);
    assert_int_equal(ci.list.nids, 2);
    assert_string_equal(ci.list.ids[0], "DL3002");
    assert_int_equal(ci.sources[1].line, 3);
    assert_int_equal(ci.fail_on, SEV_MEDIUM);
    assert_int_equal(ci.ntrusted, 2);
    config_ignores_free(&ci);
    /* Hostile or wrong YAML: path:line, never a crash. */
    assert_int_equal(read_one("h.yaml", "ignored: DL3002\n", config_ignores_read_hadolint, &ci),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "h.yaml:1: a list was expected"));
    config_ignores_free(&ci);
    assert_int_equal(read_one("h.yaml", "a: &x [1]\nignored: *x\n", config_ignores_read_hadolint, &ci),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "aliases are not accepted"));
    config_ignores_free(&ci);
    assert_int_equal(read_one("h.yaml", "a: [[[[[[[[[[1]]]]]]]]]]\n", config_ignores_read_hadolint, &ci),
                     ERR_LIMIT);
    config_ignores_free(&ci);
    assert_int_equal(read_one("h.yaml", "failure-threshold: severe\n", config_ignores_read_hadolint, &ci),
                     ERR_PARSE);
    assert_non_null(strstr(err_message(), "h.yaml:1: failure-threshold 'severe'"));
    config_ignores_free(&ci);
    /* .trivyignore: AVD- prefix and the short DSnnn form map to our alias spelling. */
    assert_int_equal(read_one("t", "# c\nAVD-DS-0002 exp:2030-01-01\n\nDS005 # why\n",
                              config_ignores_read_trivy, &ci),
                     0);
    assert_int_equal(ci.list.nids, 2);
    assert_string_equal(ci.list.ids[0], "DS-0002");
    assert_string_equal(ci.list.ids[1], "DS-0005");
    assert_int_equal(ci.sources[1].line, 4);
    config_ignores_free(&ci);
    {
        char p[300];
        path_in(p, sizeof(p), "t0");
        assert_int_equal(file_write_new(p, "DS002\n\0x\n", 9, 0600), 0);
        config_ignores_init(&ci);
        assert_int_equal(config_ignores_read_trivy(&ci, p), ERR_PARSE);
        assert_non_null(strstr(err_message(), "NUL byte"));
        config_ignores_free(&ci);
    }
    /* .gitleaksignore: with and without the commit; a broken line is path:line. */
    assert_int_equal(read_one("g",
                              "0123456789012345678901234567890123456789:src/app.env:github-pat:3\n"
                              "./a:b.txt:generic-api-key:12\n",
                              config_ignores_read_gitleaks, &ci),
                     0);
    assert_int_equal(ci.list.nat, 2);
    assert_string_equal(ci.list.at[0].path, "src/app.env");
    assert_string_equal(ci.list.at[1].path, "a:b.txt");
    assert_int_equal(ci.list.at[1].line, 12);
    assert_int_equal(ci.list.nids, 0); /* entries, not ids */
    /* The filter drops the finding the entry names (rule by its gitleaks alias), nothing else. */
    findings_init(&f);
    assert_int_equal(findings_add(&f, &rule_gl, &loc, NULL, "token"), 0);
    loc.line = 4;
    assert_int_equal(findings_add(&f, &rule_gl, &loc, NULL, "token"), 0);
    il = ci.list;
    il.no_inline = 1;
    assert_int_equal(findings_apply_ignores(&f, &il), 1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].line, 4);
    findings_free(&f);
    config_ignores_free(&ci);
    assert_int_equal(read_one("g", "src/app.env:3\n", config_ignores_read_gitleaks, &ci), ERR_PARSE);
    assert_non_null(strstr(err_message(), "g:1: not a gitleaks fingerprint"));
    config_ignores_free(&ci);
}

static const char bad_sarif[] =
    "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},"
    "\"results\":[{\"ruleId\":\"a\",\"level\":\"fatal\"}]}]}";

/* The SARIF log is validated by the real @microsoft/sarif-multitool (tests/package.json). */
static void
test_sarif_validates(void **state)
{
    struct findings f;
    struct tool_info tool = {"scanner", "1.2.3", "https://example.invalid/suite"};
    struct location loc = {"layer/etc/my key.pem", 0, 0, 0, 0, 2, "sha256:abcdef0123", NULL};
    struct finding_extra ex = {0};
    char p[300], out[300], cmd[2400];
    const char *root = getenv("ROOT");
    (void)state;
    make_findings(&f);
    ex.secret_redacted = "----…(1679 chars)";
    ex.secret_fingerprint = "ffee";
    assert_int_equal(findings_add(&f, &rule_a, &loc, &ex, "private key in a layer"), 0);
    findings_sort(&f);
    path_in(p, sizeof(p), "report.sarif");
    path_in(out, sizeof(out), "validation.sarif");
    assert_int_equal(report_write_file(p, REPORT_SARIF, &f, &tool), 0);
    findings_free(&f);
    /* Two validators: the official SARIF 2.1.0 JSON schema (tests/sarif-validate.js, ajv) and
     * Microsoft's sarif-multitool (whose npm wrapper re-splits arguments through /bin/sh, so the
     * bundled binary is called directly). Each must run, and report nothing at error level. */
    snprintf(cmd, sizeof(cmd),
             "r=%s/tests; node \"$r/sarif-validate.js\" '%s' || exit 1; "
             "v=$r/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool; "
             "[ -x \"$v\" ] || { echo 'sarif-multitool missing (make deps)'; exit 1; }; "
             "\"$v\" validate '%s' --rule-kind 'Gh;Sarif' -o '%s' --log ForceOverwrite >/dev/null 2>&1 || exit 1; "
             "[ -s '%s' ] || exit 1; "
             "if grep -q '\"level\": *\"error\"' '%s'; then cat '%s'; exit 1; fi",
             root ? root : ".", p, p, out, out, out, out);
    assert_int_equal(system(cmd), 0);
    /* The schema validator can fail: a log with a bad level and no message is rejected. */
    path_in(p, sizeof(p), "bad.sarif");
    assert_int_equal(file_write_new(p, bad_sarif, strlen(bad_sarif), 0600), 0);
    snprintf(cmd, sizeof(cmd), "node %s/tests/sarif-validate.js '%s' 2>/dev/null",
             root ? root : ".", p);
    assert_int_not_equal(system(cmd), 0);
}

/* git_toplevel finds the work tree without running git where it can: in every layout it must
 * answer what `git rev-parse --show-toplevel` answers (worktrees, nested repositories, inside
 * .git, bare repositories, no repository at all). */
static void
test_git_toplevel_matches_git(void **state)
{
    static const char *const dirs[] = {
        "",          "plain",    "plain/sub",     "repo",  "repo/a/b", "repo/.git",
        "repo/.git/refs", "repo/inner", "repo/inner/x", "wt",  "wt/d",     "bare.git",
        "bare.git/refs",  NULL};
    char cmd[2048], dir[1024], ours[1024], theirs[1024];

    (void)state;
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && mkdir -p plain/sub repo/a/b && git init -q repo && git init -q repo/inner "
             "&& mkdir -p repo/inner/x && git init -q --bare bare.git && "
             "git -C repo -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m a "
             "&& git -C repo worktree add -q ../wt && mkdir -p wt/d",
             tmpdir);
    assert_int_equal(system(cmd), 0);
    for (const char *const *d = dirs; *d != NULL; d++) {
        FILE *p;
        size_t n;
        int rc;

        snprintf(dir, sizeof(dir), "%s/%s", tmpdir, *d);
        rc = git_toplevel(dir, ours, sizeof(ours));
        snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --show-toplevel 2>/dev/null", dir);
        p = popen(cmd, "r");
        assert_non_null(p);
        n = fread(theirs, 1, sizeof(theirs) - 1, p);
        theirs[n] = '\0';
        theirs[strcspn(theirs, "\n")] = '\0';
        if (pclose(p) != 0) {
            if (rc == 0)
                fail_msg("%s: git finds no work tree, git_toplevel says %s", *d, ours);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: git says %s, git_toplevel finds none", *d, theirs);
        if (strcmp(ours, theirs) != 0)
            fail_msg("%s: git says %s, git_toplevel %s", *d, theirs, ours);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_model),
        cmocka_unit_test(test_git_toplevel_matches_git),
        cmocka_unit_test(test_buf_and_format),
        cmocka_unit_test(test_read_limits_and_symlinks),
        cmocka_unit_test(test_create_exclusive_mode),
        cmocka_unit_test(test_atomic_replace),
        cmocka_unit_test(test_mkdirs),
        cmocka_unit_test(test_findings_model),
        cmocka_unit_test(test_text_report),
        cmocka_unit_test(test_json_report_contract),
        cmocka_unit_test(test_json_report_every_byte),
        cmocka_unit_test(test_sarif_runs),
        cmocka_unit_test(test_sarif_validates),
        cmocka_unit_test(test_failed_run_in_every_format),
        cmocka_unit_test(test_ignore_files),
        cmocka_unit_test(test_workq_keeps_order),
        cmocka_unit_test(test_diag_capture),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
