/* Unit tests of keys/: charsets, generation bounds, and a chi-square test of uniformity. */
#include <math.h>
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
#include <sodium.h>

#include "keys.h"

/* keys_generate draws every character with randombytes_uniform; keys/module.mk wraps that call
 * at link time (-Wl,--wrap) so a test can swap in a biased source. Off, it is the real one. */
uint32_t __real_randombytes_uniform(uint32_t upper_bound);
uint32_t __wrap_randombytes_uniform(uint32_t upper_bound);
static int biased_source;

uint32_t
__wrap_randombytes_uniform(uint32_t upper_bound)
{
    if (biased_source)
        return (randombytes_random() & 0xffu) % upper_bound;
    return __real_randombytes_uniform(upper_bound);
}

static void
test_charset_names(void **state)
{
    struct keys_charset cs;
    (void)state;
    assert_int_equal(keys_charset_parse("alnum", &cs), 0);
    assert_int_equal(cs.n, 62);
    assert_int_equal(keys_charset_parse("hex", &cs), 0);
    assert_int_equal(cs.n, 16);
    assert_int_equal(keys_charset_parse("ascii", &cs), 0);
    assert_int_equal(cs.n, 94);
    assert_null(memchr(cs.chars, ' ', cs.n));
    assert_int_equal(keys_charset_parse("base64url", &cs), 0);
    assert_non_null(memchr(cs.chars, '-', cs.n));
    assert_int_equal(keys_charset_parse("custom:ab", &cs), 0);
    assert_int_equal(cs.n, 2);
}

static void
test_charset_bad(void **state)
{
    struct keys_charset cs;
    (void)state;
    assert_int_equal(keys_charset_parse("nope", &cs), ERR_USAGE);
    assert_int_equal(keys_charset_parse("custom:", &cs), ERR_USAGE);
    assert_int_equal(keys_charset_parse("custom:a", &cs), ERR_USAGE);
    assert_int_equal(keys_charset_parse("custom:abcb", &cs), ERR_USAGE);
    assert_non_null(strstr(err_message(), "twice"));
    assert_int_equal(keys_charset_parse("custom:a\tb", &cs), ERR_USAGE);
}

static void
test_generate_bounds(void **state)
{
    struct keys_charset cs;
    char out[KEYS_GENERATE_MAX + 1];
    (void)state;
    assert_int_equal(keys_init(), 0);
    keys_charset_parse("digits", &cs);
    assert_int_equal(keys_generate(&cs, 0, out), ERR_USAGE);
    assert_int_equal(keys_generate(&cs, KEYS_GENERATE_MAX + 1, out), ERR_USAGE);
    assert_int_equal(keys_generate(&cs, KEYS_GENERATE_MAX, out), 0);
    for (size_t i = 0; i < KEYS_GENERATE_MAX; i++)
        assert_true(out[i] >= '0' && out[i] <= '9');
}

/* Chi-square over 10^6 draws. With k-1 degrees of freedom the statistic has mean k-1 and
 * standard deviation sqrt(2(k-1)); we fail beyond mean + 6 sd (p < 1e-8 for a fair source), so
 * a modulo-biased generator (e.g. byte % 62, where 8 characters come up 25% more often) fails. */
static double
chi_square(const char *spec)
{
    enum { N = 1000000 };
    struct keys_charset cs;
    static char out[N];
    unsigned long counts[256] = {0};
    double expected, chi = 0;

    assert_int_equal(keys_charset_parse(spec, &cs), 0);
    for (size_t off = 0; off < N; off += KEYS_GENERATE_MAX) {
        size_t n = N - off < KEYS_GENERATE_MAX ? N - off : KEYS_GENERATE_MAX;
        assert_int_equal(keys_generate(&cs, n, out + off), 0);
    }
    for (size_t i = 0; i < N; i++) {
        const char *p = memchr(cs.chars, out[i], cs.n);
        assert_non_null(p);
        counts[p - cs.chars]++;
    }
    expected = (double)N / (double)cs.n;
    for (size_t i = 0; i < cs.n; i++)
        chi += ((double)counts[i] - expected) * ((double)counts[i] - expected) / expected;
    return chi;
}

static void
test_uniform_alnum(void **state)
{
    double chi = chi_square("alnum"), k = 61;
    (void)state;
    print_message("chi-square alnum: %.1f (df %.0f, limit %.1f)\n", chi, k, k + 6 * sqrt(2 * k));
    assert_true(chi < k + 6 * sqrt(2 * k));
}

static void
test_uniform_ascii(void **state)
{
    double chi = chi_square("ascii"), k = 93;
    (void)state;
    print_message("chi-square ascii: %.1f (df %.0f, limit %.1f)\n", chi, k, k + 6 * sqrt(2 * k));
    assert_true(chi < k + 6 * sqrt(2 * k));
}

/* The statistic must be able to fail on the project's own generator: with its source of
 * randomness swapped for a modulo-biased one (a byte modulo 62, where 8 characters come up 25%
 * more often), keys_generate's output is rejected. */
static void
test_chi_square_rejects_biased_generator(void **state)
{
    double chi, k = 61;
    (void)state;
    biased_source = 1;
    chi = chi_square("alnum");
    biased_source = 0;
    print_message("chi-square alnum, biased source: %.1f (limit %.1f)\n", chi,
                  k + 6 * sqrt(2 * k));
    assert_true(chi > k + 6 * sqrt(2 * k));
}

static void
test_entropy(void **state)
{
    struct keys_charset cs;
    (void)state;
    keys_charset_parse("hex", &cs);
    assert_true(fabs(keys_entropy_bits(&cs, 32) - 128.0) < 1e-9);
}

static void
test_guarded_memory_wiped(void **state)
{
    char buf[64];
    (void)state;
    memset(buf, 'S', sizeof(buf));
    keys_wipe(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    char *p = keys_alloc(32);
    assert_non_null(p);
    keys_free(p);
}

static void
test_kdf_levels_and_bounds(void **state)
{
    struct keys_kdf_params p;
    unsigned char salt[KEYS_SALT_BYTES] = {1}, out[KEYS_KEY_BYTES];
    (void)state;
    assert_int_equal(keys_kdf_level_parse("interactive", &p), 0);
    assert_int_equal(keys_kdf_check(&p), 0);
    assert_int_equal(keys_kdf_level_parse("moderate", &p), 0);
    assert_int_equal(p.memlimit, 256ULL << 20);
    assert_int_equal(keys_kdf_level_parse("sensitive", &p), 0);
    assert_int_equal(keys_kdf_check(&p), 0);
    assert_int_equal(keys_kdf_level_parse("fast", &p), ERR_USAGE);
    p.opslimit = KEYS_KDF_OPSLIMIT_MAX + 1;
    p.memlimit = 1 << 20;
    assert_int_equal(keys_kdf_check(&p), ERR_LIMIT);
    /* refused before any work: a derive with 2^40 bytes returns at once */
    p.opslimit = 2;
    p.memlimit = 1ULL << 40;
    assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, out), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "64 GiB"));
    /* the sensitive preset is the most allowed without keys_kdf_allow_expensive */
    assert_int_equal(keys_kdf_level_parse("sensitive", &p), 0);
    assert_int_equal(keys_kdf_check_cost(&p), 0);
    p.opslimit++;
    assert_int_equal(keys_kdf_check_cost(&p), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "--allow-expensive-kdf"));
    p.opslimit--;
    p.memlimit++;
    assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, out), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "sensitive"));
    keys_kdf_allow_expensive(1);
    assert_int_equal(keys_kdf_check_cost(&p), 0);
    /* never more memory than the machine has, allowed or not */
    p.memlimit = (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE) + 4096;
    if (p.memlimit <= KEYS_KDF_MEMLIMIT_MAX) {
        assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, out), ERR_LIMIT);
        assert_non_null(strstr(err_message(), "more than this machine has"));
    }
    keys_kdf_allow_expensive(0);
    /* deterministic for the same inputs, different for another salt */
    unsigned char a[KEYS_KEY_BYTES], b[KEYS_KEY_BYTES];
    p.opslimit = 1;
    p.memlimit = KEYS_KDF_MEMLIMIT_MIN;
    assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, a), 0);
    assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, b), 0);
    assert_memory_equal(a, b, sizeof(a));
    salt[0] = 2;
    assert_int_equal(keys_kdf_derive("pw", 2, salt, &p, b), 0);
    assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_wrap_unwrap(void **state)
{
    unsigned char kek[KEYS_KEY_BYTES], key[KEYS_KEY_BYTES], out[KEYS_KEY_BYTES];
    unsigned char nonce[KEYS_NONCE_BYTES], wrapped[KEYS_WRAPPED_BYTES];
    const unsigned char ad[] = "vault-id";
    (void)state;
    keys_random(kek, sizeof(kek));
    keys_random(key, sizeof(key));
    assert_int_equal(keys_wrap(kek, ad, sizeof(ad), key, nonce, wrapped), 0);
    assert_int_equal(keys_unwrap(kek, ad, sizeof(ad), nonce, wrapped, out), 0);
    assert_memory_equal(key, out, sizeof(key));
    /* another associated data (another vault) or a changed byte: refused, output zeroed */
    assert_int_equal(keys_unwrap(kek, ad, sizeof(ad) - 1, nonce, wrapped, out), ERR_AUTH);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);
    wrapped[5] ^= 1;
    assert_int_equal(keys_unwrap(kek, ad, sizeof(ad), nonce, wrapped, out), ERR_AUTH);
    assert_string_equal(err_message(), "wrong passphrase or key");
}

static void
test_keyfile_and_env_passphrase(void **state)
{
    char dir[40], path[64], link[64], pwfile[64];
    unsigned char key[KEYS_KEY_BYTES];
    struct keys_passphrase p = {0};
    FILE *f;
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "test_keys"), 0);
    snprintf(path, sizeof(path), "%s/k", dir);
    snprintf(link, sizeof(link), "%s/l", dir);
    snprintf(pwfile, sizeof(pwfile), "%s/pw", dir);
    assert_int_equal(keys_keyfile_create(path), 0);
    assert_int_equal(keys_keyfile_create(path), ERR_EXISTS);
    assert_int_equal(keys_keyfile_read(path, key), 0);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(keys_keyfile_read(link, key), ERR_UNSAFE);
    assert_int_equal(keys_keyfile_read(dir, key), ERR_UNSAFE);
    f = fopen(pwfile, "w");
    fputs("secret phrase\r\n", f);
    fclose(f);
    setenv("TKEYS_PASSPHRASE_FILE", pwfile, 1);
    assert_int_equal(keys_passphrase_from_env("TKEYS", &p), 1);
    assert_int_equal(p.len, 13);
    assert_string_equal(p.data, "secret phrase");
    keys_passphrase_free(&p);
    assert_null(p.data);
    unsetenv("TKEYS_PASSPHRASE_FILE");
    assert_int_equal(keys_passphrase_from_env("TKEYS", &p), 0);
    setenv("TKEYS_PASSPHRASE", "", 1);
    assert_int_equal(keys_passphrase_from_env("TKEYS", &p), ERR_USAGE);
    unsetenv("TKEYS_PASSPHRASE");
    assert_int_equal(test_rmtree(dir), 0);
}

/* Guarded memory is zeroed by keys_wipe: read back after the wipe, byte by byte. */
static void
test_guarded_key_wiped_in_place(void **state)
{
    unsigned char *k = keys_alloc(KEYS_KEY_BYTES);
    (void)state;
    assert_non_null(k);
    keys_random(k, KEYS_KEY_BYTES);
    keys_wipe(k, KEYS_KEY_BYTES);
    for (size_t i = 0; i < KEYS_KEY_BYTES; i++)
        assert_int_equal(k[i], 0);
    keys_free(k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_charset_names),   cmocka_unit_test(test_charset_bad),
        cmocka_unit_test(test_generate_bounds), cmocka_unit_test(test_uniform_alnum),
        cmocka_unit_test(test_uniform_ascii),   cmocka_unit_test(test_chi_square_rejects_biased_generator),
        cmocka_unit_test(test_entropy),         cmocka_unit_test(test_guarded_memory_wiped),
        cmocka_unit_test(test_kdf_levels_and_bounds), cmocka_unit_test(test_wrap_unwrap),
        cmocka_unit_test(test_keyfile_and_env_passphrase),
        cmocka_unit_test(test_guarded_key_wiped_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
