/* keys: every byte of key material: random secret generation, guarded memory, the Argon2id KDF,
 * key slots and unlock sources (prompt, key file, environment, OS keyring). */
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
/* Large guarded buffers (megabytes): locked, not dumped, fenced, wiped on free, on huge pages.
 * Free with keys_free_large only. NULL on failure. */
void *keys_alloc_large(size_t size);
void keys_free_large(void *p);
/* Zeroes memory in a way the compiler cannot remove. */
void keys_wipe(void *p, size_t size);

/* ---- Argon2id KDF -------------------------------------------------------------------------
 * Parameters read from a vault file are untrusted: keys_kdf_check bounds them before any work,
 * so a hostile file cannot make us allocate 1 TiB or loop for an hour. */
#define KEYS_KEY_BYTES         32
#define KEYS_SALT_BYTES        16
#define KEYS_KDF_OPSLIMIT_MIN  1
#define KEYS_KDF_OPSLIMIT_MAX  20
#define KEYS_KDF_MEMLIMIT_MIN  8192ULL
#define KEYS_KDF_MEMLIMIT_MAX  (64ULL << 30)
/* Without keys_kdf_allow_expensive(1), nothing above libsodium's `sensitive` preset. */
#define KEYS_KDF_OPSLIMIT_SAFE 4ULL
#define KEYS_KDF_MEMLIMIT_SAFE (1ULL << 30)
#define KEYS_PASSPHRASE_MAX    1024

struct keys_kdf_params {
    unsigned long long opslimit;
    unsigned long long memlimit; /* bytes */
};

/* interactive|moderate|sensitive -> libsodium's Argon2id presets. ERR_USAGE otherwise. */
int keys_kdf_level_parse(const char *name, struct keys_kdf_params *out);
/* ERR_LIMIT (with a message naming the bound) unless MIN <= opslimit/memlimit <= MAX: the
 * format's sanity bounds, checked when a header is read. */
int keys_kdf_check(const struct keys_kdf_params *p);
/* Lets parameters above the `sensitive` preset through (--allow-expensive-kdf); process-wide. */
void keys_kdf_allow_expensive(int allow);
/* ERR_LIMIT, answered at once, when deriving with `p` would cost more than allowed: above the
 * `sensitive` preset (unless allowed) or more memory than the machine has (always). */
int keys_kdf_check_cost(const struct keys_kdf_params *p);
/* Argon2id(passphrase, salt) -> out[KEYS_KEY_BYTES]; checks the bounds and the cost first. */
int keys_kdf_derive(const char *pass, size_t passlen, const unsigned char salt[KEYS_SALT_BYTES],
                    const struct keys_kdf_params *p, unsigned char out[KEYS_KEY_BYTES]);

/* ---- Key slots: one data key wrapped by many key-encryption keys ---------------------------- */
#define KEYS_NONCE_BYTES   24 /* XChaCha20-Poly1305 */
#define KEYS_TAG_BYTES     16
#define KEYS_WRAPPED_BYTES (KEYS_KEY_BYTES + KEYS_TAG_BYTES)

/* Seals `key` under `kek` with a fresh random nonce; `ad` binds the slot to its vault. */
int keys_wrap(const unsigned char kek[KEYS_KEY_BYTES], const unsigned char *ad, size_t adlen,
              const unsigned char key[KEYS_KEY_BYTES], unsigned char nonce[KEYS_NONCE_BYTES],
              unsigned char wrapped[KEYS_WRAPPED_BYTES]);
/* ERR_AUTH when `kek` is not the one that wrapped it (or a byte changed). */
int keys_unwrap(const unsigned char kek[KEYS_KEY_BYTES], const unsigned char *ad, size_t adlen,
                const unsigned char nonce[KEYS_NONCE_BYTES],
                const unsigned char wrapped[KEYS_WRAPPED_BYTES], unsigned char key[KEYS_KEY_BYTES]);
/* Key-encryption key of a key file's 32 bytes (domain-separated BLAKE2b). */
void keys_keyfile_kek(const unsigned char keyfile[KEYS_KEY_BYTES], unsigned char kek[KEYS_KEY_BYTES]);
/* A short keyed check value proving a data key opens a vault without decrypting it. */
void keys_key_check(const unsigned char key[KEYS_KEY_BYTES], const unsigned char *id, size_t idlen,
                    unsigned char out[16]);
/* Fills `out` with random bytes. */
void keys_random(void *out, size_t n);

/* ---- Unlock sources --------------------------------------------------------------------------
 * A passphrase lives in guarded memory; keys_passphrase_free wipes it. */
struct keys_passphrase {
    char *data; /* keys_alloc'd, NUL-terminated */
    size_t len;
};
void keys_passphrase_free(struct keys_passphrase *p);
/* Copies `len` bytes into guarded memory. Rejects empty, over-long and NUL-containing input. */
int keys_passphrase_set(struct keys_passphrase *p, const char *s, size_t len, const char *origin);
/* From the environment: SECRETS_PASSPHRASE_FILE, then SECRETS_PASSPHRASE (a warning unless
 * SECRETS_PASSPHRASE_NOWARN=1). `prefix` is "SECRETS" or "SECRETS_NEW" (passwd). Returns 1 when
 * found, 0 when neither is set, negative on error (unreadable file, empty). */
int keys_passphrase_from_env(const char *prefix, struct keys_passphrase *out);
/* No-echo prompt on /dev/tty; `confirm` asks twice. ERR_UNAVAILABLE when there is no terminal. */
int keys_passphrase_prompt(const char *prompt, int confirm, struct keys_passphrase *out);
/* Reads a key file: exactly 32 bytes, a regular file, not a symlink. Warns when group/other can
 * read it. */
int keys_keyfile_read(const char *path, unsigned char out[KEYS_KEY_BYTES]);
/* Creates a new key file of 32 random bytes, mode 0600, O_EXCL. */
int keys_keyfile_create(const char *path);

/* ---- OS keyring cache (Secret Service through libsecret) ------------------------------------
 * Keyed by the vault id (hex). A cache, never the only copy. Every call is bounded by a timeout
 * (SECRETS_KEYRING_TIMEOUT_MS, default 3000) and fails fast without a session bus. Errors:
 * ERR_UNAVAILABLE (no bus, daemon absent, locked, timed out) with a one-line message. */
/* 0 and `key` filled; ERR_NOTFOUND when nothing is cached or the entry expired (then removed). */
int keys_keyring_lookup(const char *vault_id, unsigned char key[KEYS_KEY_BYTES]);
/* Stores `key`; `ttl_seconds` > 0 makes lookups ignore (and remove) it after that long. */
int keys_keyring_store(const char *vault_id, const char *path,
                       const unsigned char key[KEYS_KEY_BYTES], long ttl_seconds);
/* 0 when an entry was removed, ERR_NOTFOUND when there was none. */
int keys_keyring_clear(const char *vault_id);

/* ---- Identities and recipients (keys/bech32.c, identity.c, recipient.c) ----------------------
 * An identity is an X25519 secret key; its recipient (public key) wraps vault keys with sealed
 * boxes. Text forms are age's: recipients `age1...` (bech32, HRP "age"), identities
 * `AGE-SECRET-KEY-1...`. ssh-ed25519 keys are accepted too, converted to X25519 by libsodium. */
#define KEYS_BECH32_MAX     120 /* characters of a bech32 string we read or write */
#define KEYS_PK_BYTES       32
#define KEYS_IDENTITY_MAX   16384 /* bytes of an identity file */
#define KEYS_RECIPIENT_TEXT 256
#define KEYS_SEAL_OVERHEAD  48 /* crypto_box_SEALBYTES */
#define KEYS_IDENTITY_HRP   "age-secret-key-"
#define KEYS_RECIPIENT_HRP  "age"

enum keys_pk_type {
    KEYS_PK_X25519      = 1, /* an age-style X25519 key */
    KEYS_PK_SSH_ED25519 = 2, /* an ssh-ed25519 key, converted to X25519 */
};
struct keys_identity {
    unsigned char *sk; /* guarded: the X25519 secret key */
    unsigned char pk[KEYS_PK_BYTES];
    enum keys_pk_type type;
    unsigned char raw_pk[KEYS_PK_BYTES]; /* the public key as given (Ed25519 for ssh) */
};
/* BIP-173 bech32: `upper` writes upper case (identities). ERR_LIMIT when `out` is too small. */
int keys_bech32_encode(const char *hrp, const unsigned char *data, size_t len, int upper,
                       char *out, size_t size);
/* Decodes s[0..slen): the lower-cased prefix into `hrp`, the data into `data` (at most `max`).
 * ERR_PARSE on a bad character, mixed case, bad checksum or padding. */
int keys_bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpsize, unsigned char *data,
                       size_t max, size_t *len);
/* A recipient: `age1...` or an authorized_keys line `ssh-ed25519 AAAA... [comment]`. Fills the
 * type, the key as given and its X25519 form. ERR_PARSE with a message saying what is wrong. */
int keys_recipient_parse(const char *text, enum keys_pk_type *type,
                         unsigned char raw[KEYS_PK_BYTES], unsigned char x25519[KEYS_PK_BYTES]);
/* The ed25519 key of an SSH wire-format public key blob (string type, string key). */
int keys_ssh_blob_key(const unsigned char *b, size_t n, unsigned char raw[KEYS_PK_BYTES]);
/* The text of a recipient (age1... or `ssh-ed25519 AAAA...`). */
int keys_recipient_format(enum keys_pk_type type, const unsigned char raw[KEYS_PK_BYTES],
                          char *out, size_t size);
/* The X25519 form of a recipient's key as given. */
int keys_recipient_x25519(enum keys_pk_type type, const unsigned char raw[KEYS_PK_BYTES],
                          unsigned char x25519[KEYS_PK_BYTES]);
/* A new identity in `path` (O_EXCL|O_NOFOLLOW, mode 0600); `pub` gets its age1... text. */
int keys_identity_create(const char *path, char *pub, size_t pubsize);
/* Reads an identity file: `AGE-SECRET-KEY-1...` (comments `#` allowed) or an unencrypted
 * OpenSSH ed25519 private key. Refused (ERR_UNSAFE) when group or others can read it or it is a
 * symlink; ERR_PARSE "path:line: ..." when malformed. */
int keys_identity_read(const char *path, struct keys_identity *id);
/* The same from text mem[0..len) (mem[len] must be NUL); `path` names it in messages. */
int keys_identity_parse(const char *path, const char *mem, size_t len, struct keys_identity *id);
void keys_identity_free(struct keys_identity *id);
/* Sealed box (crypto_box_seal) of m[0..mlen) to `pk`: c gets mlen + KEYS_SEAL_OVERHEAD bytes. */
int keys_seal(const unsigned char pk[KEYS_PK_BYTES], const unsigned char *m, size_t mlen,
              unsigned char *c);
/* Opens a sealed box with `id`; ERR_AUTH when it was not sealed to it or a byte changed. */
int keys_seal_open(const struct keys_identity *id, const unsigned char *c, size_t clen,
                   unsigned char *m);

#endif
