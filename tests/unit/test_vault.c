/* Unit tests of vault/: names, header and payload parsing against hostile input (truncation,
 * every byte flipped, out-of-bound KDF parameters), versions and history, and proof that no
 * freed heap block still holds a secret. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "vault_internal.h"

/* ---- free() wrapper: every block is read just before it goes back to the allocator ---------- */
void __real_free(void *p);
void __wrap_free(void *p);
static const char *watch[2];
static size_t watch_len[2];
static int leaked_blocks;

void
__wrap_free(void *p)
{
    if (p != NULL) {
        size_t n = malloc_usable_size(p);
        for (int w = 0; w < 2; w++)
            if (watch[w] != NULL && n >= watch_len[w] && memmem(p, n, watch[w], watch_len[w]))
                leaked_blocks++;
    }
    __real_free(p);
}

static char dir[64];
static char path[128], keyfile[128];

static int
setup(void **state)
{
    struct vault_create c = {0};
    (void)state;
    assert_int_equal(keys_init(), 0);
    json_init();
    snprintf(dir, sizeof(dir), "/tmp/test_vault.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/v.sv", dir);
    snprintf(keyfile, sizeof(keyfile), "%s/k.key", dir);
    c.key_file = keyfile;
    assert_int_equal(vault_create(path, &c), 0);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct vault *
open_rw(void)
{
    struct vault_unlock u = {keyfile, 1};
    struct vault *v = NULL;
    assert_int_equal(vault_open(path, VAULT_OPEN_WRITE, &u, &v), 0);
    return v;
}

static void
test_names(void **state)
{
    static const char *good[] = {"a", "db/password", "A.b_c-d/e.f", "x..y", ".hidden/x"};
    static const char *bad[] = {"", "/a", "a/", "a//b", "..", "a/../b", ".", "a/./b", "a b",
                                "a\tb", "a\\b", "ä", "a:b", "a*b"};
    char longname[300];
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        assert_int_equal(vault_name_check(good[i]), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(vault_name_check(bad[i]), ERR_USAGE);
    memset(longname, 'a', sizeof(longname));
    longname[VAULT_NAME_MAX] = '\0';
    assert_int_equal(vault_name_check(longname), 0);
    longname[VAULT_NAME_MAX] = 'a';
    longname[VAULT_NAME_MAX + 1] = '\0';
    assert_int_equal(vault_name_check(longname), ERR_USAGE);
}

static void
test_set_get_history_limit(void **state)
{
    struct vault *v = open_rw();
    struct vault_value val;
    struct vault_info info;
    char value[32];
    int version = 0;
    (void)state;
    for (int i = 1; i <= VAULT_VERSIONS_MAX + 5; i++) {
        snprintf(value, sizeof(value), "value-%d", i);
        assert_int_equal(vault_set(v, "svc/token", value, strlen(value), NULL, &version), 0);
        assert_int_equal(version, i);
    }
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    v = open_rw();
    assert_int_equal(vault_get(v, "svc/token", 0, &val), 0);
    assert_memory_equal(val.data, "value-55", 8);
    vault_value_free(&val);
    /* the oldest five versions were dropped */
    assert_int_equal(vault_get(v, "svc/token", 5, &val), ERR_NOTFOUND);
    assert_int_equal(vault_get(v, "svc/token", 6, &val), 0);
    assert_memory_equal(val.data, "value-6", 7);
    vault_value_free(&val);
    assert_int_equal(vault_history(v, "svc/token", &info), 0);
    assert_int_equal(info.nversions, VAULT_VERSIONS_MAX);
    assert_int_equal(info.version, 55);
    assert_int_equal(info.versions[0].n, 6);
    free(info.versions);
    assert_int_equal(vault_get(v, "nothere", 0, &val), ERR_NOTFOUND);
    assert_int_equal(vault_set(v, "bad/../name", "x", 1, NULL, NULL), ERR_USAGE);
    assert_int_equal(vault_set(v, "empty", "", 0, NULL, NULL), ERR_USAGE);
    vault_close(v);
}

/* Every heap block freed while a secret goes in, comes out and the vault closes is read at
 * free(): none may still hold the secret or its base64 form (cJSON and buf wipe on free). */
static void
test_freed_memory_is_wiped(void **state)
{
    static const char secret[] = "WIPE-ME-0123456789abcdef";
    char b64[64];
    struct vault *v = open_rw();
    struct vault_value val;
    struct vault_info *infos;
    size_t n;
    (void)state;
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)secret, strlen(secret),
                      sodium_base64_VARIANT_ORIGINAL);
    watch[0] = secret;
    watch_len[0] = strlen(secret);
    watch[1] = b64;
    watch_len[1] = strlen(b64);
    leaked_blocks = 0;
    assert_int_equal(vault_set(v, "wipe/me", secret, strlen(secret), NULL, NULL), 0);
    assert_int_equal(vault_set(v, "wipe/me", "other", 5, NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    v = open_rw();
    assert_int_equal(vault_get(v, "wipe/me", 1, &val), 0);
    assert_memory_equal(val.data, secret, strlen(secret));
    vault_value_free(&val);
    assert_int_equal(vault_list(v, 1, &infos, &n), 0);
    vault_infos_free(infos, n);
    assert_int_equal(vault_rollback(v, "wipe/me", 1, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    watch[0] = watch[1] = NULL;
    assert_int_equal(leaked_blocks, 0);

    /* The detector itself works: a block freed without wiping is caught. */
    {
        /* Through a volatile pointer: a direct free() would let the compiler drop the copy. */
        static void (*volatile release)(void *) = free;
        static char *volatile sink;
        sink = malloc(64);
        assert_non_null(sink);
        watch[0] = secret;
        memcpy(sink, secret, strlen(secret));
        release(sink);
        watch[0] = NULL;
        assert_int_equal(leaked_blocks, 1);
        leaked_blocks = 0;
    }
}

static unsigned char *
slurp(const char *p, size_t *len)
{
    struct buf b = {0};
    unsigned char *out;
    assert_int_equal(file_read_all(p, VAULT_FILE_MAX, 0, &b), 0);
    out = malloc(b.len + 1);
    memcpy(out, b.data, b.len);
    *len = b.len;
    buf_free(&b);
    return out;
}

static void
spit(const char *p, const unsigned char *data, size_t len)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* A vault with a passphrase slot and a key-file slot: every byte flipped in turn, and every
 * truncation, is refused with a "corrupted" or "wrong key" error, in-process. */
static void
test_every_flip_and_truncation(void **state)
{
    char p2[160], pass_env[] = "pw";
    struct keys_passphrase pass = {0};
    struct vault_create c = {0};
    struct vault_unlock u = {keyfile, 1};
    struct vault *v;
    unsigned char *orig, *copy;
    size_t len;
    (void)state;
    snprintf(p2, sizeof(p2), "%s/two.sv", dir);
    assert_int_equal(keys_passphrase_set(&pass, pass_env, 2, "test"), 0);
    keys_kdf_level_parse("interactive", &c.kdf);
    c.kdf.memlimit = KEYS_KDF_MEMLIMIT_MIN; /* fast: the slot's bytes matter, not its cost */
    c.kdf.opslimit = 1;
    c.pass = &pass;
    c.key_file = keyfile;
    assert_int_equal(vault_create(p2, &c), 0);
    keys_passphrase_free(&pass);
    assert_int_equal(vault_open(p2, VAULT_OPEN_WRITE, &u, &v), 0);
    assert_int_equal(vault_set(v, "a", "secret-a", 8, NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    orig = slurp(p2, &len);
    copy = malloc(len);
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, orig, len);
        copy[i] ^= 0x01;
        spit(p2, copy, len);
        int rc = vault_open(p2, 0, &u, &v);
        if (rc == 0)
            fail_msg("flip at byte %zu of %zu not detected", i, len);
        assert_true(rc == ERR_PARSE || rc == ERR_AUTH || rc == ERR_LIMIT);
    }
    for (size_t n = 0; n < len; n++) {
        spit(p2, orig, n);
        assert_int_not_equal(vault_open(p2, 0, &u, &v), 0);
    }
    spit(p2, orig, len);
    assert_int_equal(vault_open(p2, 0, &u, &v), 0);
    vault_close(v);
    free(copy);
    free(orig);
}

/* Opslimit/memlimit over the bounds: refused by the parser, before any Argon2id work. */
static void
test_hostile_kdf_refused_fast(void **state)
{
    struct vault_header h;
    struct vault_slot *s;
    struct buf out = {0};
    struct timespec t0, t1;
    static const struct {
        uint64_t ops, mem;
        int rc;
    } cases[] = {
        {21, 1 << 20, ERR_LIMIT},
        {0xffffffffffffffffULL, 1 << 20, ERR_LIMIT},
        {2, (64ULL << 30) + 1, ERR_LIMIT},
        {2, 1ULL << 62, ERR_LIMIT},
        {0, 1 << 20, ERR_LIMIT},
        {2, 4096, ERR_LIMIT},
        {20, 4ULL << 30, 0},
    };
    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
        memset(&h, 0, sizeof(h));
        h.nslots = 1;
        s = &h.slots[0];
        s->kind = VAULT_SLOT_PASSPHRASE;
        s->len = VAULT_SLOT_PASS_BYTES;
        s->body[0] = VAULT_KDF_ARGON2ID13;
        for (int i = 0; i < 8; i++) {
            s->body[4 + i] = (unsigned char)(cases[k].ops >> (8 * i));
            s->body[12 + i] = (unsigned char)(cases[k].mem >> (8 * i));
        }
        out.len = 0;
        assert_int_equal(vault_header_encode(&h, &out), 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(vault_header_parse((unsigned char *)out.data, out.len, &h), cases[k].rc);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 50);
        if (cases[k].rc != 0)
            assert_non_null(strstr(err_message(), "outside the accepted range"));
    }
    buf_free(&out);
}

/* A future slot kind (3: public-key recipient) is skipped by this reader. */
static void
test_unknown_slot_kind_skipped(void **state)
{
    struct vault_header h;
    struct buf out = {0};
    (void)state;
    memset(&h, 0, sizeof(h));
    h.nslots = 2;
    h.slots[0].kind = 3;
    h.slots[0].len = 100;
    h.slots[1].kind = VAULT_SLOT_KEY_FILE;
    h.slots[1].len = VAULT_SLOT_KEYFILE_BYTES;
    assert_int_equal(vault_header_encode(&h, &out), 0);
    assert_int_equal(vault_header_parse((unsigned char *)out.data, out.len, &h), 0);
    assert_int_equal(h.nslots, 2);
    assert_int_equal(h.slots[0].kind, 3);
    /* a version from the future is refused with a clear message */
    out.data[8] = 2;
    assert_int_equal(vault_header_parse((unsigned char *)out.data, out.len, &h), ERR_PARSE);
    buf_free(&out);
}

static void
put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void
test_payload_index_hostile(void **state)
{
    unsigned char p[256];
    struct vault_index idx;
    struct vault_record r;
    const char *e = "{}";
    (void)state;
    memset(p, 0, sizeof(p));
    memcpy(p, "SVP1", 4);
    put32(p + 4, 2);
    /* names at 40 ("a") and 41 ("b"), entries at 42 */
    put32(p + 8, 40), put32(p + 12, 1), put32(p + 16, 42), put32(p + 20, 2);
    put32(p + 24, 41), put32(p + 28, 1), put32(p + 32, 42), put32(p + 36, 2);
    p[40] = 'a', p[41] = 'b';
    memcpy(p + 42, e, 2);
    assert_int_equal(vault_payload_index(p, 44, &idx), 0);
    assert_int_equal(vault_payload_find(&idx, "b", 1), 1);
    assert_int_equal(vault_payload_find(&idx, "c", 1), -1);
    vault_payload_record(&idx, 0, &r);
    assert_int_equal(r.name_len, 1);
    /* out of order */
    p[40] = 'b', p[41] = 'a';
    assert_int_equal(vault_payload_index(p, 44, &idx), ERR_PARSE);
    p[40] = 'a', p[41] = 'b';
    /* duplicate */
    p[41] = 'a';
    assert_int_equal(vault_payload_index(p, 44, &idx), ERR_PARSE);
    p[41] = 'b';
    /* out of bounds, truncated, huge count, bad name */
    put32(p + 36, 0xfffffff0u);
    assert_int_equal(vault_payload_index(p, 44, &idx), ERR_PARSE);
    put32(p + 36, 2);
    assert_int_equal(vault_payload_index(p, 43, &idx), ERR_PARSE);
    put32(p + 4, 0xffffffffu);
    assert_int_equal(vault_payload_index(p, 44, &idx), ERR_PARSE);
    put32(p + 4, 2);
    p[41] = '/';
    assert_int_equal(vault_payload_index(p, 44, &idx), ERR_PARSE);
    /* entries: wrong types and bounds are refused */
    assert_int_equal(vault_entry_check("{}", 2), ERR_PARSE);
    assert_int_equal(vault_entry_check("[", 1), ERR_PARSE);
    assert_int_equal(vault_entry_check("{\"created\":1,\"updated\":1,\"versions\":[]}", 39),
                     ERR_PARSE);
    {
        const char *ok = "{\"created\":1,\"updated\":1,\"versions\":[{\"n\":1,\"at\":1,\"value\":"
                         "\"eA==\"}]}";
        const char *dup = "{\"created\":1,\"updated\":1,\"versions\":[{\"n\":1,\"at\":1,\"value\":"
                          "\"eA==\"},{\"n\":1,\"at\":1,\"value\":\"eA==\"}]}";
        assert_int_equal(vault_entry_check(ok, strlen(ok)), 0);
        assert_int_equal(vault_entry_check(dup, strlen(dup)), ERR_PARSE);
    }
}

static void
test_wrong_key_and_missing(void **state)
{
    char other[160], missing[160];
    struct vault_unlock u = {other, 1};
    struct vault *v;
    (void)state;
    snprintf(other, sizeof(other), "%s/other.key", dir);
    assert_int_equal(keys_keyfile_create(other), 0);
    assert_int_equal(vault_open(path, 0, &u, &v), ERR_AUTH);
    assert_string_equal(err_message(), "wrong passphrase or key");
    snprintf(missing, sizeof(missing), "%s/missing.sv", dir);
    assert_int_equal(vault_open(missing, 0, &u, &v), ERR_NOTFOUND);
    assert_non_null(strstr(err_message(), "secrets init"));
    assert_int_equal(vault_create(path, &(struct vault_create){.key_file = keyfile}), ERR_EXISTS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_set_get_history_limit),
        cmocka_unit_test(test_freed_memory_is_wiped),
        cmocka_unit_test(test_every_flip_and_truncation),
        cmocka_unit_test(test_hostile_kdf_refused_fast),
        cmocka_unit_test(test_unknown_slot_kind_skipped),
        cmocka_unit_test(test_payload_index_hostile),
        cmocka_unit_test(test_wrong_key_and_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
