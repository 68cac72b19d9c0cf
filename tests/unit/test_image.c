/* Unit tests of the image scanner's internals: path cleaning, the string map, platform choice,
 * base-layer marking, the engine client's errors and escaping, and the layer walker with
 * whiteouts over tars built in memory with libarchive. */
#include <sys/socket.h>
#include <sys/un.h>

#include <archive.h>
#include <archive_entry.h>
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

#include "engine.h"
#include "image.h"

static void
test_clean_path(void **state)
{
    char out[IMG_MAX_PATH], deep[IMG_MAX_DEPTH * 2 + 8] = "";
    (void)state;
    assert_int_equal(layer_clean_path("a/./b//c/", out, sizeof(out)), 0);
    assert_string_equal(out, "a/b/c");
    assert_int_equal(layer_clean_path("/etc/passwd", out, sizeof(out)), 0);
    assert_string_equal(out, "etc/passwd");
    assert_int_equal(layer_clean_path("a/b/../c", out, sizeof(out)), 0);
    assert_string_equal(out, "a/c");
    assert_int_equal(layer_clean_path("./", out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(layer_clean_path("../etc/x", out, sizeof(out)), ERR_UNSAFE);
    assert_int_equal(layer_clean_path("a/../../x", out, sizeof(out)), ERR_UNSAFE);
    for (int i = 0; i < IMG_MAX_DEPTH + 1; i++)
        strcat(deep, "d/");
    assert_int_equal(layer_clean_path(deep, out, sizeof(out)), ERR_LIMIT);
    assert_int_equal(layer_clean_path("abcdef", out, 4), ERR_LIMIT);
}

static void
test_map(void **state)
{
    struct img_map m = {0};
    char key[32];
    size_t v;
    (void)state;
    for (size_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        assert_int_equal(img_map_put(&m, key, i), 0);
    }
    assert_int_equal(img_map_put(&m, "k7", 99), 0);
    assert_int_equal(m.n, 5000);
    assert_int_equal(img_map_get(&m, "k4999", &v), 1);
    assert_int_equal(v, 4999);
    assert_int_equal(img_map_get(&m, "k7", &v), 1);
    assert_int_equal(v, 99);
    assert_int_equal(img_map_get(&m, "nope", &v), 0);
    img_map_free(&m);
    assert_int_equal(img_map_get(&m, "k1", &v), 0);
}

static void
test_pick_platform(void **state)
{
    const char *doc =
        "{\"manifests\":["
        "{\"digest\":\"sha256:aa\",\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
        "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}},"
        "{\"digest\":\"sha256:a1\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
        "\"variant\":\"v8\"}},"
        "{\"digest\":\"sha256:a2\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
    cJSON *j = cJSON_Parse(doc);
    const cJSON *ms = cJSON_GetObjectItem(j, "manifests"), *m;
    int err;
    (void)state;
    m = image_pick_platform(ms, "linux/arm64", &err);
    assert_non_null(m);
    assert_string_equal(cJSON_GetObjectItem(m, "digest")->valuestring, "sha256:a1");
    m = image_pick_platform(ms, "linux/arm64/v8", &err);
    assert_string_equal(cJSON_GetObjectItem(m, "digest")->valuestring, "sha256:a1");
    m = image_pick_platform(ms, "linux/amd64", &err);
    assert_string_equal(cJSON_GetObjectItem(m, "digest")->valuestring, "sha256:a2");
    assert_null(image_pick_platform(ms, "linux/arm64/v7", &err));
    assert_int_equal(err, ERR_NOTFOUND);
    assert_non_null(strstr(err_message(), "linux/arm64, linux/amd64"));
    assert_null(image_pick_platform(ms, "linux", &err));
    assert_int_equal(err, ERR_USAGE);
    /* No --platform: this machine's, else the first real image (never the attestation). */
    m = image_pick_platform(ms, NULL, &err);
    assert_non_null(m);
    assert_string_not_equal(cJSON_GetObjectItem(m, "digest")->valuestring, "sha256:aa");
    cJSON_Delete(j);
}

static void
test_mark_base(void **state)
{
    const char *doc =
        "[{\"created_by\":\"/bin/sh -c #(nop) ADD file:1 in /\"},"
        "{\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"bash\\\"]\",\"empty_layer\":true},"
        "{\"created_by\":\"COPY . /app # buildkit\"},"
        "{\"created_by\":\"RUN make\"},"
        "{\"created_by\":\"CMD [\\\"app\\\"]\",\"empty_layer\":true}]";
    cJSON *h = cJSON_Parse(doc);
    int base[3] = {0};
    const char *by[3] = {0};
    (void)state;
    image_mark_base(h, 3, base, by);
    assert_int_equal(base[0], 1);
    assert_int_equal(base[1], 0);
    assert_int_equal(base[2], 0);
    assert_string_equal(by[1], "COPY . /app # buildkit");
    assert_string_equal(by[2], "RUN make");
    /* A history that does not match the layers names none of them. */
    memset(base, 0, sizeof(base));
    memset(by, 0, sizeof(by));
    image_mark_base(h, 2, base, by);
    assert_null(by[0]);
    assert_int_equal(base[0], 0);
    cJSON_Delete(h);
}

static void
test_engine_escape(void **state)
{
    char *s;
    (void)state;
    s = engine_escape("demo/app:v1");
    assert_string_equal(s, "demo/app:v1");
    free(s);
    s = engine_escape("a b?c#d%");
    assert_string_equal(s, "a%20b%3Fc%23d%25");
    free(s);
    /* a dot segment can never walk to another endpoint */
    s = engine_escape("../../containers/x");
    assert_null(strstr(s, "../"));
    free(s);
    s = engine_escape("reg.example/app@sha256:ab");
    assert_string_equal(s, "reg.example/app@sha256:ab");
    free(s);
}

static void
test_engine_errors(void **state)
{
    char dir[64], path[100], env[128];
    struct sockaddr_un sa;
    struct engine *e = NULL;
    int fd;
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "test_image"), 0);
    snprintf(path, sizeof(path), "%s/none.sock", dir);
    snprintf(env, sizeof(env), "unix://%s", path);
    setenv("DOCKER_HOST", env, 1);
    assert_int_equal(engine_open(&e), ERR_UNAVAILABLE);
    assert_null(e);
    assert_non_null(strstr(err_message(), path));
    assert_non_null(strstr(err_message(), "--image FILE.tar"));
    /* A socket file nobody listens on: refused. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    assert_int_equal(engine_open(&e), ERR_UNAVAILABLE);
    assert_non_null(strstr(err_message(), "refused"));
    assert_non_null(strstr(err_message(), path));
    unlink(path);
    /* A listener that never answers: the ping times out, and says so. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 4), 0);
    setenv("SCANNER_ENGINE_TIMEOUT", "1", 1);
    assert_int_equal(engine_open(&e), ERR_UNAVAILABLE);
    assert_non_null(strstr(err_message(), "did not answer"));
    assert_non_null(strstr(err_message(), "--image FILE.tar"));
    unsetenv("SCANNER_ENGINE_TIMEOUT");
    close(fd);
    unlink(path);
    setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
    assert_int_equal(engine_open(&e), ERR_UNAVAILABLE);
    assert_non_null(strstr(err_message(), "only unix://"));
    setenv("DOCKER_HOST", "unix://", 1);
    assert_int_equal(engine_open(&e), ERR_UNAVAILABLE);
    unsetenv("DOCKER_HOST");
    assert_int_equal(test_rmtree(dir), 0);
}

/* ---- layers built in memory ---------------------------------------------------------------- */

struct mem {
    char *data;
    size_t len;
    int done;
};

static ssize_t
mem_read(void *user, const void **buf)
{
    struct mem *m = user;
    if (m->done)
        return 0;
    m->done = 1;
    *buf = m->data;
    return (ssize_t)m->len;
}

/* entries: triples of path, mode (octal, with type), content; NULL path ends the list. */
static struct mem
make_tar(int gzip, const char *const *entries)
{
    static char out[1 << 20];
    size_t used = 0;
    struct archive *a = archive_write_new();
    struct mem m = {out, 0, 0};

    archive_write_set_format_pax_restricted(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    assert_int_equal(archive_write_open_memory(a, out, sizeof(out), &used), ARCHIVE_OK);
    for (size_t i = 0; entries[i] != NULL; i += 3) {
        struct archive_entry *e = archive_entry_new();
        size_t n = strlen(entries[i + 2]);
        archive_entry_set_pathname(e, entries[i]);
        archive_entry_set_mode(e, (mode_t)strtol(entries[i + 1], NULL, 8));
        archive_entry_set_size(e, (la_int64_t)n);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (n > 0)
            assert_int_equal(archive_write_data(a, entries[i + 2], n), (la_ssize_t)n);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    m.len = used;
    return m;
}

static size_t
count_rule(const struct findings *f, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += strcmp(f->items[i].rule, id) == 0;
    return n;
}

static const struct finding *
find_rule(const struct findings *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].rule, id) == 0)
            return &f->items[i];
    return NULL;
}

static void
test_walk_whiteouts(void **state)
{
    static const char *const l0[] = {
        "root/.git-credentials", "0100600", "https://ci:hunter2hunter2@git.example.test\n",
        "etc/app/", "040755", "",
        "etc/app/keep.conf", "0100644", "a=1\n",
        "etc/app/gone.conf", "0100644", "b=2\n",
        "usr/bin/tool", "0104755", "#!/bin/sh\n",
        "home/u/.npmrc", "0100600", "//registry.npmjs.org/:_authToken=abcd1234abcd1234\n",
        "etc/app/.pypirc", "0100600", "[pypi]\npassword = pypi-secret-value-123\n",
        "srv/drop/", "040777", "",
        "tmp/", "041777", "",
        NULL,
    };
    static const char *const l1[] = {
        "root/.wh..git-credentials", "0100644", "",
        "etc/app/.wh..wh..opq", "0100644", "",
        "etc/app/new.conf", "0100644", "c=3\n",
        "usr/bin/.wh.tool", "0100644", "",
        "home/u/.npmrc", "0100600", "registry=https://registry.example.test/\n",
        NULL,
    };
    struct scanner_opts o;
    struct img_ctx c;
    struct img_resolved r;
    struct findings f;
    struct mem m0, m1;
    char *digests[2] = {"sha256:00", "sha256:11"};
    const char *by[2] = {"ADD rootfs", "RUN cleanup"};
    int base[2] = {0, 0};
    struct img_layer *layers[2];
    const struct finding *x;
    (void)state;

    memset(&o, 0, sizeof(o));
    img_ctx_init(&c, &o, NULL);
    c.source = strdup("mem");
    m0 = make_tar(1, l0);
    assert_int_equal(layer_walk(&c, "blobs/sha256/00", mem_read, &m0), 0);
    m1 = make_tar(0, l1);
    assert_int_equal(layer_walk(&c, "blobs/sha256/11", mem_read, &m1), 0);
    layers[0] = img_ctx_layer(&c, "sha256:00");
    layers[1] = img_ctx_layer(&c, "blobs/sha256/11");
    assert_non_null(layers[0]);
    assert_non_null(layers[1]);

    memset(&r, 0, sizeof(r));
    r.nlayers = 2;
    r.layers = layers;
    r.digests = digests;
    r.created_by = by;
    r.shown_by = (char **)by;
    r.is_base = base;
    findings_init(&f);
    assert_int_equal(image_check_layers(&r, &c, &f, "mem"), 0);
    /* the credential added in layer 0 and whited out in layer 1: critical, both layers named */
    x = find_rule(&f, "IMG020");
    assert_non_null(x);
    assert_int_equal(x->severity, SEV_CRITICAL);
    assert_int_equal(x->layer_index, 0);
    assert_non_null(strstr(x->message, "deleted in layer 1"));
    assert_non_null(strstr(x->message, "RUN cleanup"));
    assert_null(strstr(x->message, "hunter2"));
    /* .npmrc overwritten without its token, .pypirc hidden by the opaque etc/app: 3 in all */
    assert_int_equal(count_rule(&f, "IMG020"), 3);
    for (size_t i = 0; i < f.n; i++) {
        if (strcmp(f.items[i].rule, "IMG020") != 0)
            continue;
        if (strcmp(f.items[i].path, "home/u/.npmrc") == 0)
            assert_non_null(strstr(f.items[i].message, "overwritten in layer 1"));
        else
            assert_non_null(strstr(f.items[i].message, "deleted in layer 1"));
    }
    /* the setuid tool was deleted, so only the world-writable dir remains; /tmp is sticky */
    assert_int_equal(count_rule(&f, "IMG016"), 0);
    assert_int_equal(count_rule(&f, "IMG017"), 1);
    assert_string_equal(find_rule(&f, "IMG017")->path, "srv/drop");
    findings_free(&f);

    /* --skip-base with layer 0 as base: nothing from it */
    base[0] = 1;
    o.skip_base = 1;
    findings_init(&f);
    assert_int_equal(image_check_layers(&r, &c, &f, "mem"), 0);
    assert_int_equal(f.n, 0);
    findings_free(&f);
    img_ctx_free(&c);
}

static void
test_walk_hostile(void **state)
{
    static const char *const esc[] = {"../../etc/evil", "0100644", "x", NULL};
    static const char *const deep_ok[] = {"a/b/../c", "0100644", "x", NULL};
    struct scanner_opts o;
    struct img_ctx c;
    struct mem m;
    char junk[600];
    (void)state;

    memset(&o, 0, sizeof(o));
    img_ctx_init(&c, &o, NULL);
    c.source = strdup("mem");
    m = make_tar(0, esc);
    assert_int_equal(layer_walk(&c, "l1", mem_read, &m), ERR_UNSAFE);
    assert_non_null(strstr(err_message(), "escapes"));
    m = make_tar(0, deep_ok);
    assert_int_equal(layer_walk(&c, "l2", mem_read, &m), 0);
    assert_string_equal(img_ctx_layer(&c, "l2")->entries[0].path, "a/c");
    /* truncated gzip */
    m = make_tar(1, deep_ok);
    m.len /= 2;
    assert_true(layer_walk(&c, "l3", mem_read, &m) < 0);
    /* garbage */
    memset(junk, 'A', sizeof(junk));
    m.data = junk;
    m.len = sizeof(junk);
    m.done = 0;
    assert_int_equal(layer_walk(&c, "l4", mem_read, &m), ERR_PARSE);
    /* empty layer: fine */
    m.len = 0;
    m.done = 0;
    assert_int_equal(layer_walk(&c, "l5", mem_read, &m), 0);
    img_ctx_free(&c);
}

static void
test_name_rules(void **state)
{
    int s;
    (void)state;
    assert_ptr_equal(layer_name_rule("home/u/.aws/credentials", &s), &img_rule_cred_file);
    assert_int_equal(s, 1);
    assert_ptr_equal(layer_name_rule("root/.ssh/id_ed25519", &s), &img_rule_private_key);
    assert_null(layer_name_rule("root/.ssh/id_ed25519.pub", &s));
    assert_ptr_equal(layer_name_rule("app/.env.production", &s), &img_rule_env_file);
    assert_null(layer_name_rule("app/.env.example", &s));
    assert_ptr_equal(layer_name_rule("root/.bash_history", &s), &img_rule_history_file);
    assert_int_equal(s, 0);
    assert_null(layer_name_rule("usr/share/doc/credentials.txt", &s));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_path),      cmocka_unit_test(test_map),
        cmocka_unit_test(test_pick_platform),   cmocka_unit_test(test_mark_base),
        cmocka_unit_test(test_engine_escape),   cmocka_unit_test(test_engine_errors),
        cmocka_unit_test(test_walk_whiteouts),  cmocka_unit_test(test_walk_hostile),
        cmocka_unit_test(test_name_rules),
    };
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
