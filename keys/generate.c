/* generate: random secrets from a character set, drawn with randombytes_uniform so every
 * character is equally likely (no modulo bias). */
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "keys.h"

static const struct {
    const char *name;
    const char *chars;
} charsets[] = {
    {"alnum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
    {"alpha", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"},
    {"digits", "0123456789"},
    {"hex", "0123456789abcdef"},
    {"base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"},
    {"base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"},
    {"ascii", "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
              "abcdefghijklmnopqrstuvwxyz{|}~"},
};

int
keys_init(void)
{
    if (sodium_init() < 0)
        return err_set(ERR_CRYPTO, "libsodium could not be initialised");
    return 0;
}

static int
charset_set(struct keys_charset *out, const char *chars, size_t n)
{
    unsigned char seen[256] = {0};

    if (n == 0)
        return err_set(ERR_USAGE, "--charset: the custom set is empty");
    if (n < 2)
        return err_set(ERR_USAGE, "--charset: a set needs at least two characters");
    if (n > sizeof(out->chars))
        return err_set(ERR_USAGE, "--charset: too many characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)chars[i];
        if (seen[c])
            return err_set(ERR_USAGE,
                           "--charset: character '%c' appears twice in the custom set (it would "
                           "be drawn twice as often)",
                           c >= 0x20 && c < 0x7f ? c : '?');
        if (c < 0x20 || c == 0x7f)
            return err_set(ERR_USAGE, "--charset: control character 0x%02x in the custom set", c);
        seen[c] = 1;
    }
    memcpy(out->chars, chars, n);
    out->n = n;
    return 0;
}

int
keys_charset_parse(const char *spec, struct keys_charset *out)
{
    if (strncmp(spec, "custom:", 7) == 0)
        return charset_set(out, spec + 7, strlen(spec + 7));
    for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
        if (strcmp(spec, charsets[i].name) == 0)
            return charset_set(out, charsets[i].chars, strlen(charsets[i].chars));
    return err_set(ERR_USAGE,
                   "--charset: unknown set '%s' (alnum, alpha, digits, hex, base64, base64url, "
                   "ascii, custom:CHARS)",
                   spec);
}

int
keys_generate(const struct keys_charset *cs, size_t length, char *out)
{
    if (length == 0 || length > KEYS_GENERATE_MAX)
        return err_set(ERR_USAGE, "--length: %zu is not from 1 to %d", length, KEYS_GENERATE_MAX);
    if (cs->n < 2)
        return err_set(ERR_USAGE, "character set too small");
    for (size_t i = 0; i < length; i++)
        out[i] = cs->chars[randombytes_uniform((uint32_t)cs->n)];
    return 0;
}

double
keys_entropy_bits(const struct keys_charset *cs, size_t length)
{
    return (double)length * log2((double)cs->n);
}

void *
keys_alloc(size_t size)
{
    return sodium_malloc(size);
}

void
keys_free(void *p)
{
    sodium_free(p);
}

void
keys_wipe(void *p, size_t size)
{
    sodium_memzero(p, size);
}
