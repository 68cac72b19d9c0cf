/* kdf: Argon2id passphrase stretching with parameters bounded before any work, so a vault file
 * with hostile parameters is refused at once instead of hanging or exhausting the machine. */
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"

int
keys_kdf_level_parse(const char *name, struct keys_kdf_params *out)
{
    if (strcmp(name, "interactive") == 0) {
        out->opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
        out->memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
    } else if (strcmp(name, "moderate") == 0) {
        out->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
        out->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
    } else if (strcmp(name, "sensitive") == 0) {
        out->opslimit = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
        out->memlimit = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
    } else {
        return err_set(ERR_USAGE, "--kdf: unknown level '%s' (interactive, moderate, sensitive)",
                       name);
    }
    return 0;
}

int
keys_kdf_check(const struct keys_kdf_params *p)
{
    if (p->opslimit < KEYS_KDF_OPSLIMIT_MIN || p->opslimit > KEYS_KDF_OPSLIMIT_MAX)
        return err_set(ERR_LIMIT,
                       "KDF opslimit %llu is outside the accepted range %d..%d; refusing to "
                       "derive a key with it",
                       p->opslimit, KEYS_KDF_OPSLIMIT_MIN, KEYS_KDF_OPSLIMIT_MAX);
    if (p->memlimit < KEYS_KDF_MEMLIMIT_MIN || p->memlimit > KEYS_KDF_MEMLIMIT_MAX)
        return err_set(ERR_LIMIT,
                       "KDF memlimit %llu bytes is outside the accepted range %llu..%llu (64 GiB); "
                       "refusing to derive a key with it",
                       p->memlimit, KEYS_KDF_MEMLIMIT_MIN, KEYS_KDF_MEMLIMIT_MAX);
    return 0;
}

_Static_assert(KEYS_KDF_OPSLIMIT_SAFE == crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE &&
                   KEYS_KDF_MEMLIMIT_SAFE == crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE,
               "the safe bound is libsodium's sensitive preset");

static int allow_expensive;

void
keys_kdf_allow_expensive(int allow)
{
    allow_expensive = allow;
}

/* Physical memory in bytes (0 when unknown: then only the other bounds apply). */
static unsigned long long
machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

    if (pages <= 0 || size <= 0)
        return 0;
    return (unsigned long long)pages * (unsigned long long)size;
}

int
keys_kdf_check_cost(const struct keys_kdf_params *p)
{
    unsigned long long mem = machine_memory();
    int rc;

    if ((rc = keys_kdf_check(p)) < 0)
        return rc;
    if (mem != 0 && p->memlimit > mem)
        return err_set(ERR_LIMIT,
                       "the KDF parameters ask for %llu MiB of memory, more than this machine "
                       "has (%llu MiB); refusing to derive a key with them",
                       p->memlimit >> 20, mem >> 20);
    if (!allow_expensive &&
        (p->opslimit > KEYS_KDF_OPSLIMIT_SAFE || p->memlimit > KEYS_KDF_MEMLIMIT_SAFE))
        return err_set(ERR_LIMIT,
                       "the KDF parameters (opslimit %llu, memlimit %llu MiB) are above the "
                       "`sensitive` preset (opslimit %llu, %llu MiB): a vault from someone else "
                       "could use them to exhaust this machine; pass --allow-expensive-kdf if "
                       "you trust this vault",
                       p->opslimit, p->memlimit >> 20, KEYS_KDF_OPSLIMIT_SAFE,
                       KEYS_KDF_MEMLIMIT_SAFE >> 20);
    return 0;
}

int
keys_kdf_derive(const char *pass, size_t passlen, const unsigned char salt[KEYS_SALT_BYTES],
                const struct keys_kdf_params *p, unsigned char out[KEYS_KEY_BYTES])
{
    int rc;

    if ((rc = keys_kdf_check_cost(p)) < 0)
        return rc;
    if (crypto_pwhash(out, KEYS_KEY_BYTES, pass, passlen, salt, p->opslimit, (size_t)p->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(ERR_NOMEM, "Argon2id could not allocate %llu MiB of memory",
                       p->memlimit >> 20);
    return 0;
}
