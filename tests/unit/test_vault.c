/* Unit tests of vault/: names, header and payload parsing against hostile input (truncation,
 * every byte flipped, out-of-bound KDF parameters), versions and history, and proof that no
 * freed heap block still holds a secret. */
#include <sys/stat.h>

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

#include "helper.h"
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
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "test_vault"), 0);
    snprintf(path, sizeof(path), "%s/v.sv", dir);
    snprintf(keyfile, sizeof(keyfile), "%s/k.key", dir);
    c.key_file = keyfile;
    assert_int_equal(vault_create(path, &c), 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(dir);
}

static struct vault *
open_rw(void)
{
    struct vault_unlock u = {keyfile, 1, NULL};
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
    struct vault_unlock u = {keyfile, 1, NULL};
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

/* A future slot kind (kinds 3 and 4 are members and removals since format 2; 99 is unknown) is
 * skipped by this reader. */
static void
test_unknown_slot_kind_skipped(void **state)
{
    struct vault_header h;
    struct buf out = {0};
    (void)state;
    memset(&h, 0, sizeof(h));
    h.nslots = 2;
    h.slots[0].kind = 99;
    h.slots[0].len = 100;
    h.slots[1].kind = VAULT_SLOT_KEY_FILE;
    h.slots[1].len = VAULT_SLOT_KEYFILE_BYTES;
    assert_int_equal(vault_header_encode(&h, &out), 0);
    assert_int_equal(vault_header_parse((unsigned char *)out.data, out.len, &h), 0);
    assert_int_equal(h.nslots, 2);
    assert_int_equal(h.slots[0].kind, 99);
    /* a version from the future is refused with a clear message */
    out.data[8] = VAULT_FORMAT + 1;
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
    struct vault_unlock u = {other, 1, NULL};
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


/* ---- Team vaults: bech32, identities, member slots ---------------------------------------- */

/* Round trip, and every single character replaced by every other bech32 character is caught by
 * the checksum (BCH codes detect any one substitution). */
static void
test_bech32_detects_every_substitution(void **state)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    unsigned char data[32], back[40];
    char text[KEYS_BECH32_MAX], hrp[KEYS_BECH32_MAX], copy[KEYS_BECH32_MAX];
    size_t n = 0, len;
    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 37 + 11);
    assert_int_equal(keys_bech32_encode("age", data, sizeof(data), 0, text, sizeof(text)), 0);
    len = strlen(text);
    assert_int_equal(len, 3 + 1 + 52 + 6);
    assert_int_equal(keys_bech32_decode(text, len, hrp, sizeof(hrp), back, sizeof(back), &n), 0);
    assert_string_equal(hrp, "age");
    assert_int_equal(n, sizeof(data));
    assert_memory_equal(back, data, sizeof(data));
    for (size_t i = 4; i < len; i++) {
        for (size_t c = 0; c < 32; c++) {
            if (cs[c] == text[i])
                continue;
            memcpy(copy, text, len + 1);
            copy[i] = cs[c];
            if (keys_bech32_decode(copy, len, hrp, sizeof(hrp), back, sizeof(back), &n) == 0)
                fail_msg("substitution at %zu not detected", i);
        }
    }
    /* upper case is the same string; mixed case, a bad character, a short string are not */
    for (size_t i = 0; i < len; i++)
        copy[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i]);
    assert_int_equal(keys_bech32_decode(copy, len, hrp, sizeof(hrp), back, sizeof(back), &n), 0);
    copy[len - 1] = text[len - 1];
    if (text[len - 1] >= 'a')
        assert_int_equal(keys_bech32_decode(copy, len, hrp, sizeof(hrp), back, sizeof(back), &n),
                         ERR_PARSE);
    memcpy(copy, text, len + 1);
    copy[10] = 'b'; /* not in the alphabet */
    assert_int_equal(keys_bech32_decode(copy, len, hrp, sizeof(hrp), back, sizeof(back), &n),
                     ERR_PARSE);
    assert_int_equal(keys_bech32_decode("age1qqqq", 8, hrp, sizeof(hrp), back, sizeof(back), &n),
                     ERR_PARSE);
    /* the data must fit */
    assert_int_equal(keys_bech32_decode(text, len, hrp, sizeof(hrp), back, 16, &n), ERR_PARSE);
}

static void
make_identity(const char *name, char *idpath, size_t size, char *pub, size_t pubsize)
{
    snprintf(idpath, size, "%s/%s.id", dir, name);
    unlink(idpath);
    assert_int_equal(keys_identity_create(idpath, pub, pubsize), 0);
}

/* Three members; one removed: the data key changes, their identity no longer opens the vault,
 * the others' still do, and the removal is recorded for VAULT004. */
static void
test_members_add_remove_rekey(void **state)
{
    char p3[160], ids[3][160], pubs[3][KEYS_RECIPIENT_TEXT];
    const char *names[3] = {"alice", "bob", "carol"};
    struct vault_unlock ku = {keyfile, 1, NULL}, iu[3];
    struct vault_create c = {0};
    struct vault_member *m;
    struct vault_removed *r;
    struct vault_info *readable;
    struct vault_value val = {0};
    struct vault *v;
    unsigned char oldkey[KEYS_KEY_BYTES];
    size_t n, nr;
    struct findings f;
    (void)state;
    snprintf(p3, sizeof(p3), "%s/team.sv", dir);
    c.key_file = keyfile;
    assert_int_equal(vault_create(p3, &c), 0);
    for (int i = 0; i < 3; i++) {
        make_identity(names[i], ids[i], sizeof(ids[i]), pubs[i], sizeof(pubs[i]));
        iu[i] = (struct vault_unlock){NULL, 1, ids[i]};
        assert_int_equal(vault_open(p3, VAULT_OPEN_WRITE, &ku, &v), 0);
        assert_int_equal(vault_member_add(v, names[i], pubs[i]), 0);
        vault_close(v);
    }
    assert_int_equal(vault_open(p3, VAULT_OPEN_WRITE, &iu[1], &v), 0);
    assert_int_equal(vault_unlocked_by(v), VAULT_SOURCE_IDENTITY);
    assert_int_equal(vault_set(v, "db/pw", "hunter22", 8, NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    assert_int_equal(vault_open(p3, 0, &iu[2], &v), 0);
    assert_int_equal(vault_member_list(v, &m, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(m[1].name, "bob");
    assert_string_equal(m[1].recipient, pubs[1]);
    free(m);
    memcpy(oldkey, v->key, KEYS_KEY_BYTES);
    vault_close(v);
    /* the same name or key again */
    assert_int_equal(vault_open(p3, VAULT_OPEN_WRITE, &ku, &v), 0);
    assert_int_equal(vault_member_add(v, "bob", pubs[0]), ERR_EXISTS);
    assert_int_equal(vault_member_add(v, "bob2", pubs[1]), ERR_EXISTS);
    assert_int_equal(vault_member_rm(v, "nobody", &readable, &nr), ERR_NOTFOUND);
    assert_int_equal(vault_member_rm(v, "bob", &readable, &nr), 0);
    assert_int_equal(nr, 1);
    assert_string_equal(readable[0].name, "db/pw");
    vault_infos_free(readable, nr);
    vault_close(v);
    assert_int_equal(vault_open(p3, 0, &iu[1], &v), ERR_AUTH);
    assert_int_equal(vault_open(p3, 0, &iu[0], &v), 0);
    assert_memory_not_equal(v->key, oldkey, KEYS_KEY_BYTES);
    assert_int_equal(vault_get(v, "db/pw", 0, &val), 0);
    assert_memory_equal(val.data, "hunter22", 8);
    vault_value_free(&val);
    assert_int_equal(vault_removed_list(v, &r, &nr), 0);
    assert_int_equal(nr, 1);
    assert_string_equal(r[0].name, "bob");
    free(r);
    findings_init(&f);
    assert_int_equal(vault_check(v, (long long)time(NULL), 0, &f), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.items[0].rule, "VAULT004");
    findings_free(&f);
    vault_close(v);
}

/* A vault with a member slot: every byte flipped in turn is refused when opened with the
 * member's identity (the slot's name and key are bound by the header checksum and the body's
 * associated data, the sealed key by its tag and the vault id inside it). */
static void
test_member_vault_every_flip(void **state)
{
    char p4[160], idp[160], pub[KEYS_RECIPIENT_TEXT];
    struct vault_unlock ku = {keyfile, 1, NULL}, iu = {NULL, 1, NULL};
    struct vault_create c = {0};
    struct vault *v;
    unsigned char *orig, *copy;
    size_t len;
    (void)state;
    snprintf(p4, sizeof(p4), "%s/flip-team.sv", dir);
    c.key_file = keyfile;
    assert_int_equal(vault_create(p4, &c), 0);
    make_identity("flipper", idp, sizeof(idp), pub, sizeof(pub));
    iu.identity = idp;
    assert_int_equal(vault_open(p4, VAULT_OPEN_WRITE, &ku, &v), 0);
    assert_int_equal(vault_member_add(v, "flipper", pub), 0);
    vault_close(v);
    assert_int_equal(vault_open(p4, VAULT_OPEN_WRITE, &iu, &v), 0);
    assert_int_equal(vault_set(v, "a", "secret-a", 8, NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    orig = slurp(p4, &len);
    copy = malloc(len);
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, orig, len);
        copy[i] ^= 0x01;
        spit(p4, copy, len);
        int rc = vault_open(p4, 0, &iu, &v);
        if (rc == 0)
            fail_msg("flip at byte %zu of %zu not detected", i, len);
        assert_true(rc == ERR_PARSE || rc == ERR_AUTH);
    }
    spit(p4, orig, len);
    assert_int_equal(vault_open(p4, 0, &iu, &v), 0);
    vault_close(v);
    free(copy);
    free(orig);
}

/* Member and removal slots from a hostile file: every malformed shape is refused. */
static void
test_member_slots_hostile(void **state)
{
    struct vault_header h;
    struct vault_slot s;
    struct vault_member_slot ms;
    struct vault_removal rr[VAULT_REMOVALS_MAX], one = {5, "bob"};
    unsigned char key[KEYS_KEY_BYTES] = {1}, pk[KEYS_PK_BYTES];
    size_t n;
    (void)state;
    memset(&h, 0, sizeof(h));
    keys_random(pk, sizeof(pk));
    crypto_scalarmult_base(pk, key);
    assert_int_equal(vault_slot_make_member(&h, "ok.name@x", KEYS_PK_X25519, pk, key, &s), 0);
    assert_int_equal(vault_slot_member_decode(&s, &ms), 0);
    assert_string_equal(ms.name, "ok.name@x");
    assert_int_equal(vault_slot_make_member(&h, "bad name", KEYS_PK_X25519, pk, key, &s),
                     ERR_USAGE);
    assert_int_equal(vault_slot_make_member(&h, "ok", KEYS_PK_X25519, pk, key, &s), 0);
    s.len--;
    assert_int_equal(vault_slot_member_decode(&s, &ms), ERR_PARSE);
    s.len++;
    s.body[0] = 7; /* unknown key type */
    assert_int_equal(vault_slot_member_decode(&s, &ms), ERR_PARSE);
    s.body[0] = KEYS_PK_X25519;
    s.body[1] = 0; /* empty name */
    assert_int_equal(vault_slot_member_decode(&s, &ms), ERR_PARSE);
    s.body[1] = 2;
    s.body[2] = '/';
    assert_int_equal(vault_slot_member_decode(&s, &ms), ERR_PARSE);
    s.body[2] = '\0';
    assert_int_equal(vault_slot_member_decode(&s, &ms), ERR_PARSE);
    /* removal records */
    assert_int_equal(vault_slot_make_removed(&one, 1, &s), 0);
    assert_int_equal(vault_slot_removed_decode(&s, rr, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rr[0].at, 5);
    for (uint16_t l = 0; l < s.len; l++) {
        struct vault_slot t = s;
        t.len = l;
        assert_int_equal(vault_slot_removed_decode(&t, rr, &n), ERR_PARSE);
    }
    s.body[0] = 0xff; /* count over the bound */
    assert_int_equal(vault_slot_removed_decode(&s, rr, &n), ERR_PARSE);
    /* two members with one name, through the header parser */
    {
        struct buf out = {0};
        memset(&h, 0, sizeof(h));
        h.nslots = 2;
        assert_int_equal(vault_slot_make_member(&h, "dup", KEYS_PK_X25519, pk, key, &h.slots[0]), 0);
        assert_int_equal(vault_slot_make_member(&h, "dup", KEYS_PK_X25519, pk, key, &h.slots[1]), 0);
        assert_int_equal(vault_header_encode(&h, &out), 0);
        assert_int_equal(vault_header_parse((unsigned char *)out.data, out.len, &h), ERR_PARSE);
        buf_free(&out);
    }
}

/* Recipients and identities from hostile text. */
static void
test_recipients_and_identities_hostile(void **state)
{
    enum keys_pk_type t;
    unsigned char raw[KEYS_PK_BYTES], x[KEYS_PK_BYTES];
    char idp[160], pub[KEYS_RECIPIENT_TEXT], bad[160];
    struct keys_identity id;
    FILE *f;
    (void)state;
    make_identity("h", idp, sizeof(idp), pub, sizeof(pub));
    assert_int_equal(keys_recipient_parse(pub, &t, raw, x), 0);
    assert_int_equal(t, KEYS_PK_X25519);
    assert_int_equal(keys_identity_read(idp, &id), 0);
    assert_memory_equal(id.pk, x, KEYS_PK_BYTES);
    keys_identity_free(&id);
    assert_int_equal(keys_recipient_parse("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", &t, raw, x),
                     ERR_PARSE);
    /* an ssh-ed25519 line whose blob says another type */
    assert_int_equal(keys_recipient_parse("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ", &t, raw, x),
                     ERR_PARSE);
    assert_int_equal(keys_recipient_parse("ssh-ed25519 !!!", &t, raw, x), ERR_PARSE);
    assert_int_equal(keys_recipient_parse("", &t, raw, x), ERR_PARSE);
    /* the right checksum on the wrong prefix */
    assert_int_equal(keys_bech32_encode("agf", raw, sizeof(raw), 0, bad, sizeof(bad)), 0);
    assert_int_equal(keys_recipient_parse(bad, &t, raw, x), ERR_PARSE);
    /* identity files: group-readable refused, truncated, empty */
    chmod(idp, 0640);
    assert_int_equal(keys_identity_read(idp, &id), ERR_UNSAFE);
    snprintf(bad, sizeof(bad), "%s/bad.id", dir);
    for (int k = 0; k < 3; k++) {
        static const char *const texts[] = {"# only a comment\n", "AGE-SECRET-KEY-1QQQ\n",
                                            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"};
        unlink(bad);
        f = fopen(bad, "w");
        assert_non_null(f);
        fputs(texts[k], f);
        fclose(f);
        chmod(bad, 0600);
        assert_int_equal(keys_identity_read(bad, &id), ERR_PARSE);
        assert_non_null(strstr(err_message(), ":1:"));
    }
}


/* ---- Format 3: the index, tampering, migration, torn files ------------------------------- */

#define IDX_N 600 /* three index chunks */

/* A fresh vault at P with IDX_N secrets "s/NNNN" = "value-NNNN" (all the same length). */
static void
make_indexed(const char *p)
{
    struct vault_create c = {0};
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault *v;
    char name[32], value[32];

    unlink(p);
    c.key_file = keyfile;
    assert_int_equal(vault_create(p, &c), 0);
    assert_int_equal(vault_open(p, VAULT_OPEN_WRITE, &u, &v), 0);
    for (int i = 0; i < IDX_N; i++) {
        snprintf(name, sizeof(name), "s/%04d", i);
        snprintf(value, sizeof(value), "value-%04d", i);
        assert_int_equal(vault_set(v, name, value, strlen(value), NULL, NULL), 0);
    }
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
}

/* Where NAME's record is in the file at P (through the index, as a reader finds it). */
static void
record_at(const char *p, const char *name, struct vault_row3 *row)
{
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault *v;
    uint32_t i;

    assert_int_equal(vault_open(p, VAULT_OPEN_ONE, &u, &v), 0);
    assert_int_equal(vault_record_find(v, name, strlen(name), &i), 1);
    vault_record_row(v, i, row);
    vault_close(v);
}

/* 0 when NAME reads back as its value; the error code otherwise. */
static int
get_one(const char *p, const char *name)
{
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault_value val = {0};
    struct vault *v;
    char want[32];
    int rc;

    if ((rc = vault_open(p, VAULT_OPEN_ONE, &u, &v)) < 0)
        return rc;
    rc = vault_get(v, name, 0, &val);
    vault_close(v);
    snprintf(want, sizeof(want), "value-%s", name + 2);
    if (rc == 0 && (val.len != strlen(want) || memcmp(val.data, want, val.len) != 0))
        rc = ERR_INTERNAL;
    vault_value_free(&val);
    return rc;
}

static int
open_whole(const char *p)
{
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault *v;
    int rc = vault_open(p, 0, &u, &v);

    if (rc == 0)
        vault_close(v);
    return rc;
}

/* A reader decrypts the root, one chunk and one record; every change to a record is still
 * caught: flipped, swapped with another, replaced by an older copy of itself, dropped, or the
 * file cut short. The whole-file open (list, check) catches each as well. */
static void
test_index_tamper(void **state)
{
    char p3[160];
    unsigned char *orig, *copy, *old;
    struct vault_row3 a, b, c;
    size_t len, oldlen;
    (void)state;
    snprintf(p3, sizeof(p3), "%s/idx.sv", dir);
    make_indexed(p3);
    assert_int_equal(open_whole(p3), 0);
    assert_int_equal(get_one(p3, "s/0007"), 0);
    assert_int_equal(get_one(p3, "s/0599"), 0);
    assert_int_equal(get_one(p3, "s/9999"), ERR_NOTFOUND);
    record_at(p3, "s/0007", &a);
    record_at(p3, "s/0008", &b);
    record_at(p3, "s/0500", &c);
    assert_int_equal(a.len, b.len);
    orig = slurp(p3, &len);
    copy = malloc(len);

    /* a flipped byte in a record: that secret fails, others read, the whole-file open fails */
    for (size_t at = a.off; at < a.off + a.len; at += 7) {
        memcpy(copy, orig, len);
        copy[at] ^= 0x40;
        spit(p3, copy, len);
        assert_int_equal(get_one(p3, "s/0007"), ERR_PARSE);
        assert_non_null(strstr(err_message(), "corrupted or was modified"));
        assert_int_equal(get_one(p3, "s/0500"), 0);
        assert_int_equal(open_whole(p3), ERR_PARSE);
    }
    /* two records swapped */
    memcpy(copy, orig, len);
    memcpy(copy + a.off, orig + b.off, a.len);
    memcpy(copy + b.off, orig + a.off, a.len);
    spit(p3, copy, len);
    assert_int_equal(get_one(p3, "s/0007"), ERR_PARSE);
    assert_int_equal(get_one(p3, "s/0008"), ERR_PARSE);
    assert_int_equal(open_whole(p3), ERR_PARSE);
    /* a record dropped: the index no longer matches the file */
    memcpy(copy, orig, a.off);
    memcpy(copy + a.off, orig + a.off + a.len, len - a.off - a.len);
    spit(p3, copy, len - a.len);
    assert_int_equal(get_one(p3, "s/0500"), ERR_PARSE);
    assert_non_null(strstr(err_message(), "corrupted or was modified"));
    /* an older copy of the same record (same key, same name) put back in place */
    spit(p3, orig, len);
    {
        struct vault_unlock u = {keyfile, 1, NULL};
        struct vault *v;
        /* purged and set again: a new record of the same length, in the same place */
        assert_int_equal(vault_open(p3, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &u, &v), 0);
        assert_int_equal(vault_rm(v, "s/0007", 1), 0);
        assert_int_equal(vault_set(v, "s/0007", "value-0007", 10, NULL, NULL), 0);
        assert_int_equal(vault_commit(v), 0);
        vault_close(v);
    }
    old = orig;
    oldlen = len;
    orig = slurp(p3, &len);
    copy = realloc(copy, len);
    record_at(p3, "s/0007", &b);
    assert_int_equal(get_one(p3, "s/0007"), 0);
    assert_int_equal(len, oldlen);
    assert_int_equal(b.off, a.off);
    assert_int_equal(b.len, a.len);
    assert_memory_not_equal(orig + b.off, old + a.off, a.len);
    memcpy(copy, orig, len);
    memcpy(copy + b.off, old + a.off, a.len);
    spit(p3, copy, len);
    assert_int_equal(get_one(p3, "s/0007"), ERR_PARSE);
    assert_int_equal(open_whole(p3), ERR_PARSE);
    /* every cut of the file is refused */
    for (size_t n = 0; n < len; n += (n < 4096 ? 1 : 997)) {
        spit(p3, orig, n);
        assert_int_not_equal(get_one(p3, "s/0500"), 0);
    }
    /* a flipped byte in an index chunk: its secrets fail, the other chunks' read */
    {
        struct vault_unlock u = {keyfile, 1, NULL};
        struct vault *v;
        struct vault_root_row rr;
        spit(p3, orig, len);
        assert_int_equal(vault_open(p3, VAULT_OPEN_ONE, &u, &v), 0);
        assert_int_equal(v->root.n, (IDX_N + VAULT_CHUNK_ROWS - 1) / VAULT_CHUNK_ROWS);
        vault_root_row(&v->root, 0, &rr);
        vault_close(v);
        memcpy(copy, orig, len);
        copy[rr.off + rr.len / 2] ^= 0x01;
        spit(p3, copy, len);
        assert_int_equal(get_one(p3, "s/0007"), ERR_PARSE);
        assert_int_equal(get_one(p3, "s/0500"), 0);
        assert_int_equal(open_whole(p3), ERR_PARSE);
    }
    spit(p3, orig, len);
    assert_int_equal(open_whole(p3), 0);
    free(old);
    free(orig);
    free(copy);
}

static void
put64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A version 2 file, written as version 2 wrote it (SVP1 payload sealed under the header), is
 * read, and written back as version 3 at the first write with every secret kept; the backup
 * is the version 2 file. */
static void
test_migrate_v2_to_v3(void **state)
{
    char p2[160], bak[170];
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault_create c = {0};
    struct vault *v;
    struct vault_value val;
    const char *json;
    size_t jlen, hlen, plen;
    char *entry;
    unsigned char *mem, *file;
    size_t flen;
    (void)state;
    snprintf(p2, sizeof(p2), "%s/old2.sv", dir);
    snprintf(bak, sizeof(bak), "%s.bak", p2);
    unlink(p2);
    c.key_file = keyfile;
    assert_int_equal(vault_create(p2, &c), 0);
    /* a real entry's text, from the current code */
    assert_int_equal(vault_open(p2, VAULT_OPEN_WRITE, &u, &v), 0);
    assert_int_equal(vault_set(v, "mig/a", "migrated-value", 14, NULL, NULL), 0);
    assert_int_equal(vault_entry_lookup(v, "mig/a", &json, &jlen), 1);
    entry = strndup(json, jlen);
    /* payload: "SVP1" ‖ 1 ‖ record ‖ name ‖ entry, sealed as format 2 */
    hlen = vault_header_size(&v->hdr);
    plen = VAULT_PAYLOAD_HEAD + VAULT_RECORD_BYTES + 5 + jlen;
    mem = calloc(1, hlen + plen + KEYS_TAG_BYTES);
    memcpy(mem + hlen, "SVP1", 4);
    put32(mem + hlen + 4, 1);
    put32(mem + hlen + 8, VAULT_PAYLOAD_HEAD + VAULT_RECORD_BYTES);
    put32(mem + hlen + 12, 5);
    put32(mem + hlen + 16, VAULT_PAYLOAD_HEAD + VAULT_RECORD_BYTES + 5);
    put32(mem + hlen + 20, (uint32_t)jlen);
    memcpy(mem + hlen + VAULT_PAYLOAD_HEAD + VAULT_RECORD_BYTES, "mig/a", 5);
    memcpy(mem + hlen + VAULT_PAYLOAD_HEAD + VAULT_RECORD_BYTES + 5, entry, jlen);
    assert_int_equal(vault_seal_v2(&v->hdr, v->key, mem, plen), 0);
    vault_close(v);
    spit(p2, mem, hlen + plen + KEYS_TAG_BYTES);
    assert_int_equal(mem[8], 2);
    /* read as version 2 */
    assert_int_equal(vault_open(p2, VAULT_OPEN_ONE, &u, &v), 0);
    assert_int_equal(v->format, 2);
    assert_int_equal(vault_get(v, "mig/a", 0, &val), 0);
    assert_memory_equal(val.data, "migrated-value", 14);
    vault_value_free(&val);
    vault_close(v);
    /* a flipped byte in the version 2 body is still caught */
    mem[hlen + 3] ^= 1;
    spit(p2, mem, hlen + plen + KEYS_TAG_BYTES);
    assert_int_equal(open_whole(p2), ERR_PARSE);
    mem[hlen + 3] ^= 1;
    spit(p2, mem, hlen + plen + KEYS_TAG_BYTES);
    /* the first write migrates */
    assert_int_equal(vault_open(p2, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &u, &v), 0);
    assert_int_equal(vault_set(v, "mig/b", "second", 6, NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
    file = slurp(p2, &flen);
    assert_int_equal(file[8], VAULT_FORMAT);
    free(file);
    file = slurp(bak, &flen);
    assert_int_equal(flen, hlen + plen + KEYS_TAG_BYTES);
    assert_memory_equal(file, mem, flen);
    free(file);
    assert_int_equal(vault_open(p2, 0, &u, &v), 0);
    assert_int_equal(v->format, VAULT_FORMAT);
    assert_int_equal(vault_get(v, "mig/a", 0, &val), 0);
    assert_memory_equal(val.data, "migrated-value", 14);
    vault_value_free(&val);
    assert_int_equal(vault_get(v, "mig/b", 0, &val), 0);
    assert_memory_equal(val.data, "second", 6);
    vault_value_free(&val);
    vault_close(v);
    free(entry);
    free(mem);
}

/* A writer killed mid-write leaves a torn temp file next to the vault: readers never look at
 * it, the vault keeps every committed secret, and the next writer removes it. A torn index
 * length or root (the file itself cut or grown) is refused, never half-read. */
static void
test_torn_temp_ignored(void **state)
{
    char p3[160], tmp[200];
    unsigned char *orig, *copy;
    size_t len;
    struct stat st;
    (void)state;
    snprintf(p3, sizeof(p3), "%s/torn.sv", dir);
    snprintf(tmp, sizeof(tmp), "%s/.torn.sv.tmp-0123456789ab", dir);
    make_indexed(p3);
    orig = slurp(p3, &len);
    spit(tmp, orig, len / 2); /* the new file, half written */
    assert_int_equal(get_one(p3, "s/0001"), 0);
    assert_int_equal(open_whole(p3), 0);
    {
        struct vault_unlock u = {keyfile, 1, NULL};
        struct vault *v;
        assert_int_equal(vault_open(p3, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &u, &v), 0);
        assert_int_equal(vault_set(v, "s/0001", "value-0001", 10, NULL, NULL), 0);
        assert_int_equal(vault_commit(v), 0);
        vault_close(v);
    }
    assert_int_equal(stat(tmp, &st), -1);
    for (int i = 0; i < IDX_N; i += 37) {
        char name[16];
        snprintf(name, sizeof(name), "s/%04d", i);
        assert_int_equal(get_one(p3, name), 0);
    }
    /* bytes appended after the last record, or a huge index length: refused */
    copy = malloc(len + 16);
    memcpy(copy, orig, len);
    memset(copy + len, 0, 16);
    spit(p3, copy, len + 16);
    assert_int_equal(get_one(p3, "s/0001"), ERR_PARSE);
    {
        struct vault_header h;
        assert_int_equal(vault_header_parse(orig, len, &h), 0);
        memcpy(copy, orig, len);
        put64le(copy + h.len, (uint64_t)len * 2);
        spit(p3, copy, len);
        assert_int_equal(get_one(p3, "s/0001"), ERR_PARSE);
        put64le(copy + h.len, 3);
        spit(p3, copy, len);
        assert_int_equal(get_one(p3, "s/0001"), ERR_PARSE);
    }
    free(copy);
    free(orig);
}

static void
set_one(const char *p, const char *name, const char *value)
{
    struct vault_unlock u = {keyfile, 1, NULL};
    struct vault *v;

    assert_int_equal(vault_open(p, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &u, &v), 0);
    assert_int_equal(vault_set(v, name, value, strlen(value), NULL, NULL), 0);
    assert_int_equal(vault_commit(v), 0);
    vault_close(v);
}

/* A write reuses the old backup's file for the new vault only when it is a regular file of
 * ours with no other name: a backup hard-linked elsewhere, or replaced by a symlink, is left
 * as it is; the backup is the previous file every time. */
static void
test_backup_reuse_is_safe(void **state)
{
    char p3[160], bak[170], other[170], target[170];
    unsigned char *before, *after, *prev;
    size_t lb, la, lp;
    (void)state;
    snprintf(p3, sizeof(p3), "%s/reuse.sv", dir);
    snprintf(bak, sizeof(bak), "%s.bak", p3);
    snprintf(other, sizeof(other), "%s/other-name.sv", dir);
    snprintf(target, sizeof(target), "%s/target", dir);
    make_indexed(p3);
    set_one(p3, "s/0001", "value-0001");
    for (int round = 0; round < 3; round++) {
        prev = slurp(p3, &lp);
        set_one(p3, "s/0002", "value-0002");
        after = slurp(bak, &la);
        assert_int_equal(la, lp);
        assert_memory_equal(after, prev, lp);
        free(after);
        free(prev);
    }
    /* hard-linked elsewhere: that file keeps its bytes */
    unlink(other);
    assert_int_equal(link(bak, other), 0);
    before = slurp(other, &lb);
    set_one(p3, "s/0003", "value-0003");
    after = slurp(other, &la);
    assert_int_equal(la, lb);
    assert_memory_equal(after, before, lb);
    free(before);
    free(after);
    /* a symlink in its place: its target keeps its bytes */
    spit(target, (const unsigned char *)"not a vault", 11);
    unlink(bak);
    assert_int_equal(symlink(target, bak), 0);
    set_one(p3, "s/0004", "value-0004");
    after = slurp(target, &la);
    assert_int_equal(la, 11);
    assert_memory_equal(after, "not a vault", 11);
    free(after);
    assert_int_equal(get_one(p3, "s/0004"), 0);
    assert_int_equal(get_one(bak, "s/0003"), 0);
    assert_int_equal(get_one(p3, "s/0599"), 0);
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
        cmocka_unit_test(test_bech32_detects_every_substitution),
        cmocka_unit_test(test_members_add_remove_rekey),
        cmocka_unit_test(test_member_slots_hostile),
        cmocka_unit_test(test_member_vault_every_flip),
        cmocka_unit_test(test_recipients_and_identities_hostile),
        cmocka_unit_test(test_index_tamper),
        cmocka_unit_test(test_migrate_v2_to_v3),
        cmocka_unit_test(test_torn_temp_ignored),
        cmocka_unit_test(test_backup_reuse_is_safe),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
