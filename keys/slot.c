/* slot: wrapping the vault's data key under key-encryption keys (XChaCha20-Poly1305), the key
 * file's wrapping key and the data key's check value. */
#include <sodium.h>

#include "keys.h"

void
keys_random(void *out, size_t n)
{
    randombytes_buf(out, n);
}

int
keys_wrap(const unsigned char kek[KEYS_KEY_BYTES], const unsigned char *ad, size_t adlen,
          const unsigned char key[KEYS_KEY_BYTES], unsigned char nonce[KEYS_NONCE_BYTES],
          unsigned char wrapped[KEYS_WRAPPED_BYTES])
{
    unsigned long long clen = 0;

    randombytes_buf(nonce, KEYS_NONCE_BYTES);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped, &clen, key, KEYS_KEY_BYTES, ad, adlen,
                                                   NULL, nonce, kek) != 0 ||
        clen != KEYS_WRAPPED_BYTES)
        return err_set(ERR_CRYPTO, "cannot wrap the data key");
    return 0;
}

int
keys_unwrap(const unsigned char kek[KEYS_KEY_BYTES], const unsigned char *ad, size_t adlen,
            const unsigned char nonce[KEYS_NONCE_BYTES],
            const unsigned char wrapped[KEYS_WRAPPED_BYTES], unsigned char key[KEYS_KEY_BYTES])
{
    unsigned long long mlen = 0;

    if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &mlen, NULL, wrapped, KEYS_WRAPPED_BYTES,
                                                   ad, adlen, nonce, kek) != 0) {
        sodium_memzero(key, KEYS_KEY_BYTES);
        return err_set(ERR_AUTH, "wrong passphrase or key");
    }
    return 0;
}

void
keys_keyfile_kek(const unsigned char keyfile[KEYS_KEY_BYTES], unsigned char kek[KEYS_KEY_BYTES])
{
    static const unsigned char ctx[] = "secrets-vault key file v1";

    crypto_generichash(kek, KEYS_KEY_BYTES, keyfile, KEYS_KEY_BYTES, ctx, sizeof(ctx) - 1);
}

void
keys_key_check(const unsigned char key[KEYS_KEY_BYTES], const unsigned char *id, size_t idlen,
               unsigned char out[16])
{
    crypto_generichash_state st;
    static const unsigned char label[] = "secrets-vault key check v1";

    crypto_generichash_init(&st, key, KEYS_KEY_BYTES, 16);
    crypto_generichash_update(&st, label, sizeof(label) - 1);
    crypto_generichash_update(&st, id, idlen);
    crypto_generichash_final(&st, out, 16);
    sodium_memzero(&st, sizeof(st));
}
