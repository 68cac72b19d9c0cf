/* unlock: the order in which a vault's data key is looked for: the keyring cache, a key file,
 * a member's identity file, SECRETS_PASSPHRASE_FILE, SECRETS_PASSPHRASE, then the terminal prompt. A source that is absent
 * or unavailable passes to the next; a source that is present but wrong is an error. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault_internal.h"

static int
has_kind(const struct vault *v, int kind)
{
    for (size_t i = 0; i < v->hdr.nslots; i++)
        if (v->hdr.slots[i].kind == kind)
            return 1;
    return 0;
}

static int
wrong(void)
{
    return err_set(ERR_AUTH, "wrong passphrase or key");
}

static int
try_keyring(struct vault *v)
{
    unsigned char check[16];
    int rc = keys_keyring_lookup(v->id_hex, v->key);

    if (rc == ERR_NOTFOUND) {
        if (strstr(err_message(), "expired") != NULL)
            diag_note("%s", err_message());
        return 0;
    }
    if (rc < 0) {
        diag_note("%s; trying the next unlock source", err_message());
        return 0;
    }
    keys_key_check(v->key, v->hdr.id, sizeof(v->hdr.id), check);
    if (memcmp(check, v->hdr.check, sizeof(check)) == 0)
        return 1;
    diag_note("keyring: the cached key no longer opens this vault (re-keyed?); removing it");
    (void)keys_keyring_clear(v->id_hex);
    return 0;
}

static int
try_key_file(struct vault *v, const char *path)
{
    int rc;

    if (!has_kind(v, VAULT_SLOT_KEY_FILE))
        return err_set(ERR_AUTH, "wrong passphrase or key (this vault has no key-file slot)");
    if (v->keyfile == NULL && (v->keyfile = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if ((rc = keys_keyfile_read(path, v->keyfile)) < 0)
        return rc;
    for (size_t i = 0; i < v->hdr.nslots; i++)
        if (v->hdr.slots[i].kind == VAULT_SLOT_KEY_FILE &&
            vault_slot_open(&v->hdr, &v->hdr.slots[i], NULL, v->keyfile, v->key) == 0)
            return 1;
    return wrong();
}

/* Every member slot sealed to this identity's X25519 key is tried. */
static int
try_identity(struct vault *v, const char *path)
{
    struct keys_identity id;
    struct vault_member_slot ms;
    unsigned char x[KEYS_PK_BYTES], *m;
    int rc, matched = 0;

    if (!has_kind(v, VAULT_SLOT_MEMBER))
        return err_set(ERR_AUTH, "wrong passphrase or key (this vault has no members; "
                                 "`secrets member add` adds them)");
    if ((rc = keys_identity_read(path, &id)) < 0)
        return rc;
    if ((m = keys_alloc(VAULT_MEMBER_SEALED)) == NULL) {
        keys_identity_free(&id);
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    }
    rc = err_set(ERR_AUTH, "wrong passphrase or key (this identity is not a member of this "
                           "vault)");
    for (size_t i = 0; i < v->hdr.nslots; i++) {
        if (v->hdr.slots[i].kind != VAULT_SLOT_MEMBER ||
            vault_slot_member_decode(&v->hdr.slots[i], &ms) < 0 ||
            keys_recipient_x25519(ms.type, ms.pk, x) < 0 || sodium_memcmp(x, id.pk, sizeof(x)) != 0)
            continue;
        matched = 1;
        if (keys_seal_open(&id, ms.sealed, VAULT_MEMBER_SEALED, m) == 0 &&
            sodium_memcmp(m, v->hdr.id, 16) == 0) {
            memcpy(v->key, m + 16, KEYS_KEY_BYTES);
            rc = 0;
            break;
        }
    }
    if (rc < 0 && matched)
        rc = err_set(ERR_PARSE, "vault is corrupted or was modified (the member slot of this "
                                "identity does not open)");
    keys_free(m);
    keys_identity_free(&id);
    return rc;
}

int
vault_kdf_check_slots(const struct vault *v)
{
    struct vault_pass_slot ps;
    int rc;

    for (size_t i = 0; i < v->hdr.nslots; i++) {
        if (v->hdr.slots[i].kind != VAULT_SLOT_PASSPHRASE)
            continue;
        if ((rc = vault_slot_pass_decode(&v->hdr.slots[i], &ps)) < 0 ||
            (rc = keys_kdf_check_cost(&ps.kdf)) < 0)
            return rc;
    }
    return 0;
}

/* Tries every passphrase slot with v->pass. */
static int
try_pass(struct vault *v)
{
    int rc;

    for (size_t i = 0; i < v->hdr.nslots; i++) {
        if (v->hdr.slots[i].kind != VAULT_SLOT_PASSPHRASE)
            continue;
        rc = vault_slot_open(&v->hdr, &v->hdr.slots[i], &v->pass, NULL, v->key);
        if (rc == 0)
            return 1;
        if (rc != ERR_AUTH)
            return rc;
    }
    return wrong();
}

int
vault_unlock_key(struct vault *v)
{
    const char *kf = v->unlock.key_file, *env_kf = getenv("SECRETS_KEY_FILE");
    const char *nk = getenv("SECRETS_NO_KEYRING"), *idf;
    int rc;

    if ((v->key = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    /* An explicit --key-file or --identity is the user's choice for this command: the cache is
     * not asked. */
    if (kf == NULL && v->unlock.identity == NULL && !v->unlock.no_keyring && !(nk != NULL && strcmp(nk, "1") == 0) &&
        try_keyring(v) == 1) {
        v->source = VAULT_SOURCE_KEYRING;
        return 0;
    }
    if (kf == NULL && v->unlock.identity == NULL && env_kf != NULL && env_kf[0] != '\0')
        kf = env_kf;
    /* --key-file "" says: no key file this time (SECRETS_KEY_FILE ignored), ask for the passphrase. */
    if (kf != NULL && kf[0] != '\0') {
        if ((rc = try_key_file(v, kf)) < 0)
            return rc;
        v->source = VAULT_SOURCE_KEY_FILE;
        return 0;
    }
    idf = v->unlock.identity;
    /* SECRETS_IDENTITY_FILE, exported for team vaults, is not an error for a vault without
     * members: the next source is asked. An explicit --identity is. */
    if (idf == NULL && v->unlock.key_file == NULL && has_kind(v, VAULT_SLOT_MEMBER))
        idf = getenv("SECRETS_IDENTITY_FILE");
    if (idf != NULL && idf[0] != '\0') {
        if ((rc = try_identity(v, idf)) < 0)
            return rc;
        v->source = VAULT_SOURCE_IDENTITY;
        return 0;
    }
    if (!has_kind(v, VAULT_SLOT_PASSPHRASE)) {
        if (has_kind(v, VAULT_SLOT_MEMBER))
            return err_set(ERR_UNAVAILABLE, "this vault opens with a member's identity (or a "
                                            "key file): pass --identity F or set "
                                            "SECRETS_IDENTITY_FILE");
        return err_set(ERR_UNAVAILABLE, "this vault opens with a key file only: pass --key-file F "
                                        "or set SECRETS_KEY_FILE");
    }
    /* A hostile file is refused before the prompt, not after minutes of Argon2id. */
    if ((rc = vault_kdf_check_slots(v)) < 0)
        return rc;
    rc = keys_passphrase_from_env("SECRETS", &v->pass);
    if (rc == 0)
        rc = keys_passphrase_prompt("Vault passphrase: ", 0, &v->pass);
    if (rc < 0)
        return rc;
    if ((rc = try_pass(v)) < 0)
        return rc;
    v->source = VAULT_SOURCE_PASSPHRASE;
    return 0;
}
