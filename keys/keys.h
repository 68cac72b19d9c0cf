/* keys: every byte of key material. Random secret generation now; guarded memory, the Argon2id
 * KDF, key slots and unlock sources (prompt, key file, environment, keyring) live here too. */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>

#include "common.h"

#define KEYS_GENERATE_MAX 4096

/* A character set for generated secrets: distinct bytes, at least two of them. */
struct keys_charset {
    char chars[256];
    size_t n;
};

/* Initialises libsodium (idempotent). ERR_CRYPTO when it cannot start. */
int keys_init(void);
/* Parses alnum|alpha|digits|hex|base64|base64url|ascii|custom:CHARS. ERR_USAGE on an unknown
 * name, an empty custom set, a one-character set or a duplicate character. */
int keys_charset_parse(const char *spec, struct keys_charset *out);
/* Fills out[0..length) with characters drawn uniformly from `cs` (randombytes_uniform: no
 * modulo bias). `out` should be guarded memory (keys_alloc). */
int keys_generate(const struct keys_charset *cs, size_t length, char *out);
/* Entropy of a generated secret in bits: length * log2(|cs|). */
double keys_entropy_bits(const struct keys_charset *cs, size_t length);

/* Guarded memory (sodium_malloc): guard pages, mlock, zeroed on free. NULL on failure. */
void *keys_alloc(size_t size);
void keys_free(void *p);
/* Zeroes memory in a way the compiler cannot remove. */
void keys_wipe(void *p, size_t size);

#endif
