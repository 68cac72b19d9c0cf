/* Unit tests of scanner/git/: the ignore-list parser (hostile lines included) and its matching,
 * --since dates, the binary and LFS rules, the object-id map. Whole repositories are tested end
 * to end in tests/e2e/test_git.sh, on repositories made by git. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gitscan_internal.h"

static const struct rule_meta gh = {"secret.github-pat", SEV_CRITICAL, "secret", "GitHub PAT", NULL,
                                    "gitleaks:github-pat,secretlint:@secretlint/x"};
static const struct rule_meta aws = {"secret.aws-access-key-id", SEV_CRITICAL, "secret", "AWS", NULL,
                                     "gitleaks:aws-access-token"};

#define C1 "0123456789abcdef0123456789abcdef01234567"
#define C2 "fedcba9876543210fedcba9876543210fedcba98"

static void
test_ignore_lines(void **state)
{
    static const char text[] = "# accepted findings\n"
                               "\n"
                               "   0123456789:src/a.env:secret.github-pat   \n"
                               C2 ":dir/with:colon.txt:aws-access-token:12\n"
                               "*:docs/*:*\n"
                               "notes.txt:github-pat\n";
    struct gs_ignores l = {NULL, 0, 0};

    (void)state;
    assert_int_equal(gs_ignore_parse(&l, text, sizeof(text) - 1, "list"), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[0].commit, "0123456789");
    assert_string_equal(l.v[0].path, "src/a.env");
    assert_string_equal(l.v[0].rule, "secret.github-pat");
    /* The path keeps its ':'; the line number is dropped (lines move, commits do not). */
    assert_string_equal(l.v[1].path, "dir/with:colon.txt");
    assert_string_equal(l.v[1].rule, "aws-access-token");
    assert_null(l.v[2].commit);
    assert_null(l.v[2].rule);
    assert_null(l.v[3].commit);

    /* Abbreviated commit, our rule id. */
    assert_true(gs_ignore_match(&l, C1, "src/a.env", &gh));
    assert_false(gs_ignore_match(&l, C1, "src/b.env", &gh));
    assert_false(gs_ignore_match(&l, C2, "src/a.env", &gh));
    /* gitleaks' rule id through the alias. */
    assert_true(gs_ignore_match(&l, C2, "dir/with:colon.txt", &aws));
    assert_false(gs_ignore_match(&l, C2, "dir/with:colon.txt", &gh));
    /* `*` is any commit and any rule; the path is exact (a star in it is a star, not a glob). */
    assert_true(gs_ignore_match(&l, C1, "docs/*", &aws));
    assert_false(gs_ignore_match(&l, C1, "docs/x", &aws));
    /* No commit: every commit. */
    assert_true(gs_ignore_match(&l, C2, "notes.txt", &gh));
    gs_ignore_free(&l);
}

static void
test_ignore_bad_lines(void **state)
{
    static const char *const bad[] = {"one-field", "path:", ":rule", C1 "::rule", "a\0b:c"};
    static const size_t len[] = {9, 5, 5, 46, 5}; /* the last one holds a NUL byte */

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gs_ignores l = {NULL, 0, 0};
        struct buf text = {0};
        assert_int_equal(buf_append(&text, "# ok\n", 5), 0);
        assert_int_equal(buf_append(&text, bad[i], len[i]), 0);
        assert_int_equal(gs_ignore_parse(&l, text.data, text.len, "bad.ignore"), ERR_PARSE);
        /* file:line in the message (the NUL byte is named for the whole file). */
        assert_non_null(strstr(err_message(), "bad.ignore"));
        if (i < 4)
            assert_non_null(strstr(err_message(), "bad.ignore:2:"));
        gs_ignore_free(&l);
        buf_free(&text);
    }
}

static void
test_dates(void **state)
{
    long long t;

    (void)state;
    assert_int_equal(gitscan_parse_date("2024-01-02", &t), 0);
    assert_int_equal(t, 1704153600LL);
    assert_int_equal(gitscan_parse_date("2024-01-02T03:04:05Z", &t), 0);
    assert_int_equal(t, 1704153600LL + 3 * 3600 + 4 * 60 + 5);
    assert_int_equal(gitscan_parse_date("2024-01-02T03:04+02:00", &t), 0);
    assert_int_equal(t, 1704153600LL + 3600 + 4 * 60);
    assert_int_equal(gitscan_parse_date("@1700000000", &t), 0);
    assert_int_equal(t, 1700000000LL);
    assert_int_equal(gitscan_parse_date("yesterday", &t), ERR_USAGE);
    assert_int_equal(gitscan_parse_date("2024-01-02x", &t), ERR_USAGE);
    assert_int_equal(gitscan_parse_date("@", &t), ERR_USAGE);
    assert_int_equal(gitscan_parse_date("@-5", &t), ERR_USAGE);
    assert_int_equal(gitscan_parse_date("2024-01-02T03:04+0a:00", &t), ERR_USAGE);
}

static void
test_binary_and_lfs(void **state)
{
    static const char lfs[] = "version https://git-lfs.github.com/spec/v1\n"
                              "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                              "size 12345\n";
    char big[9000];

    (void)state;
    assert_true(detect_content_is_binary("a\0b", 3));
    assert_false(detect_content_is_binary("text only", 9));
    /* As --path: only the first 8 KiB are sniffed. */
    memset(big, 'x', sizeof(big));
    big[8500] = '\0';
    assert_false(detect_content_is_binary(big, sizeof(big)));
    big[100] = '\0';
    assert_true(detect_content_is_binary(big, sizeof(big)));
    assert_true(gs_is_lfs_pointer(lfs, sizeof(lfs) - 1));
    assert_false(gs_is_lfs_pointer("version 1\n", 10));
    memset(big, 'x', sizeof(big));
    memcpy(big, lfs, sizeof(lfs) - 1);
    /* A "pointer" of 9,000 bytes is not one (the spec keeps them under 1 KiB). */
    assert_false(gs_is_lfs_pointer(big, sizeof(big)));
}

static void
test_map(void **state)
{
    struct gs_map m = {NULL, NULL, 0, 0};
    unsigned char key[20];
    int32_t v;

    (void)state;
    for (int32_t i = 1; i <= 50000; i++) {
        memset(key, 0, sizeof(key));
        memcpy(key, &i, sizeof(i));
        key[19] = 0x5a;
        assert_int_equal(gs_map_put(&m, key, i * 2), 0);
    }
    assert_int_equal(m.n, 50000);
    for (int32_t i = 1; i <= 50000; i++) {
        memset(key, 0, sizeof(key));
        memcpy(key, &i, sizeof(i));
        key[19] = 0x5a;
        assert_true(gs_map_get(&m, key, &v));
        assert_int_equal(v, i * 2);
    }
    key[19] = 0x5b;
    assert_false(gs_map_get(&m, key, &v));
    memset(key, 0, sizeof(key));
    assert_int_equal(gs_map_put(&m, key, 1), ERR_INTERNAL); /* the empty-slot key */
    gs_map_free(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ignore_lines),
        cmocka_unit_test(test_ignore_bad_lines),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_binary_and_lfs),
        cmocka_unit_test(test_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
