/* Unit tests of the secrets-in-use parts of vault/: the .env rendering read back by env_lex for
 * every byte and for random values, JSON and k8s refusals, file names, and the secret-file
 * writer against existing files and symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

#include "envcheck.h"
#include "vault.h"

static void
env_round_trip(const unsigned char *v, size_t len)
{
    struct vault_export_item it = {"K_1", v, len};
    struct vault_export_opts o = {0};
    struct buf out = {0};
    struct env_file f;

    assert_int_equal(vault_export_render(VAULT_EXPORT_ENV, &it, 1, &o, &out), 0);
    memset(&f, 0, sizeof(f));
    assert_int_equal(env_lex(out.data, out.len, NULL, &f), 0);
    assert_int_equal(f.nerrors, 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.entries[0].key, "K_1");
    assert_int_equal(f.entries[0].value_len, len);
    assert_memory_equal(f.entries[0].value, v, len);
    env_file_free(&f);
    buf_free(&out);
}

static void
test_env_every_byte(void **state)
{
    unsigned char v[3];

    (void)state;
    for (int c = 1; c < 256; c++) {
        v[0] = 'a';
        v[1] = (unsigned char)c;
        v[2] = 'z';
        env_round_trip(v + 1, 1);
        env_round_trip(v, 3);
    }
}

static void
test_env_random_values(void **state)
{
    static const unsigned char alphabet[] = "ab $${}#\"'\\\n\r\t =`;:-{";
    unsigned char v[64];

    (void)state;
    srand(7);
    for (int i = 0; i < 3000; i++) {
        size_t len = (size_t)(rand() % 63) + 1;
        for (size_t j = 0; j < len; j++)
            v[j] = (i & 1) ? (unsigned char)(rand() % 255 + 1)
                           : alphabet[rand() % (int)(sizeof(alphabet) - 1)];
        env_round_trip(v, len);
    }
}

static void
test_env_nul_and_json_utf8_refused(void **state)
{
    struct vault_export_item nul = {"n", (const unsigned char *)"a\0b", 3};
    struct vault_export_item bad = {"b", (const unsigned char *)"\xc0\xaf", 2};
    struct vault_export_item ok = {"o", (const unsigned char *)"\x01\"\xe2\x82\xac", 5};
    struct vault_export_opts o = {"./s", "app", "bad_name", NULL};
    struct buf out = {0};

    (void)state;
    assert_int_equal(vault_export_render(VAULT_EXPORT_ENV, &nul, 1, &o, &out), ERR_USAGE);
    assert_int_equal(vault_export_render(VAULT_EXPORT_JSON, &bad, 1, &o, &out), ERR_USAGE);
    assert_int_equal(vault_export_render(VAULT_EXPORT_JSON, &nul, 1, &o, &out), ERR_USAGE);
    buf_free(&out);
    assert_int_equal(vault_export_render(VAULT_EXPORT_JSON, &ok, 1, &o, &out), 0);
    assert_non_null(strstr(out.data, "\"o\": \"\\u0001\\\"\xe2\x82\xac\""));
    buf_free(&out);
    assert_int_equal(vault_export_render(VAULT_EXPORT_K8S, &ok, 1, &o, &out), ERR_USAGE);
    buf_free(&out);
}

static void
test_names(void **state)
{
    static const char *const bad[] = {"", "-x", ".x", "..", "a/b", "a b", "a\nb", "é"};
    char long_name[VAULT_SECRETFILE_NAME_MAX + 2], out[300];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(vault_secretfile_name_check(bad[i]), ERR_USAGE);
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(vault_secretfile_name_check(long_name), ERR_USAGE);
    long_name[VAULT_SECRETFILE_NAME_MAX] = '\0';
    assert_int_equal(vault_secretfile_name_check(long_name), 0);
    assert_int_equal(vault_secretfile_name_check("db-password.v2_x"), 0);
    assert_int_equal(vault_export_file_name("app/db", out, sizeof(out)), 0);
    assert_string_equal(out, "app_db");
    assert_int_equal(vault_export_env_key("9app/db-pw.x", out, sizeof(out)), 0);
    assert_string_equal(out, "_9app_db_pw_x");
}

static void
test_secretfile_writer(void **state)
{
    char dir[64], sub[128], target[160], victim[160], buf[16];
    struct vault_secretfile o = {sub, 0400, (uid_t)-1, (gid_t)-1, 0};
    struct stat st;
    ino_t ino;
    int fd;

    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "test_inuse"), 0);
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    snprintf(target, sizeof(target), "%s/tok", sub);
    assert_int_equal(vault_secretfile_write(&o, "tok", "x\0y", 3), 0);
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0400);
    assert_int_equal(st.st_size, 3);
    ino = st.st_ino;
    assert_int_equal(vault_secretfile_write(&o, "tok", "new", 3), ERR_EXISTS);
    o.force = 1;
    o.mode = 0440;
    assert_int_equal(vault_secretfile_write(&o, "tok", "new", 3), 0);
    assert_int_equal(stat(target, &st), 0);
    assert_true(st.st_ino != ino);
    assert_int_equal(st.st_mode & 07777, 0440);
    fd = open(target, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "new", 3);
    close(fd);
    /* a symlink at the target, with and without --force */
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    fd = open(victim, O_WRONLY | O_CREAT, 0600);
    close(fd);
    snprintf(target, sizeof(target), "%s/lnk", sub);
    assert_int_equal(symlink(victim, target), 0);
    assert_int_equal(vault_secretfile_write(&o, "lnk", "evil", 4), ERR_UNSAFE);
    o.force = 0;
    assert_int_equal(vault_secretfile_write(&o, "lnk", "evil", 4), ERR_UNSAFE);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 0);
    /* a symlinked parent */
    snprintf(target, sizeof(target), "%s/a/c", dir);
    assert_int_equal(symlink(sub, target), 0);
    o.dir = target;
    assert_int_equal(vault_secretfile_write(&o, "z", "evil", 4), ERR_UNSAFE);
    assert_int_equal(vault_secretfile_write(&o, "../z", "evil", 4), ERR_USAGE);
    assert_int_equal(test_rmtree(dir), 0);
}

static void
test_import_env_errors(void **state)
{
    char path[] = "/tmp/inuse-env.XXXXXX";
    struct vault_import im;
    int fd = mkstemp(path);
    static const char text[] = "A=1\nA=2\nB='x y'\nC=\"oops\n";

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    assert_int_equal(vault_import_env(path, &im), ERR_PARSE);
    assert_non_null(strstr(err_message(), ":4:"));
    assert_null(im.items);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, text, 16), 16);
    close(fd);
    assert_int_equal(vault_import_env(path, &im), 0);
    assert_int_equal(im.n, 2);
    assert_string_equal(im.items[0].name, "A");
    assert_memory_equal(im.items[0].data, "2", 1);
    assert_int_equal(im.items[1].len, 3);
    vault_import_free(&im);
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_every_byte),
        cmocka_unit_test(test_env_random_values),
        cmocka_unit_test(test_env_nul_and_json_utf8_refused),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_secretfile_writer),
        cmocka_unit_test(test_import_env_errors),
    };
    assert_int_equal(keys_init(), 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
