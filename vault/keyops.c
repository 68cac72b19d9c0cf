/* keyops: key management of an open vault: new passphrase or key file slots (same data key),
 * a new data key (rekey), and the keyring cache of the data key. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

int
vault_passwd(struct vault *v, const struct keys_passphrase *pass,
             const struct keys_kdf_params *kdf, const char *add_key_file, int remove_key_files)
{
    struct vault_header *h = malloc(sizeof(*h));
    unsigned char *kf = NULL;
    size_t n = 0, known = 0;
    int rc = 0;

    if (h == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *h = v->hdr;
    h->nslots = 0;
    for (size_t i = 0; i < v->hdr.nslots; i++) {
        const struct vault_slot *s = &v->hdr.slots[i];
        if ((s->kind == VAULT_SLOT_PASSPHRASE && pass != NULL) ||
            (s->kind == VAULT_SLOT_KEY_FILE && remove_key_files))
            continue;
        h->slots[n++] = *s;
    }
    h->nslots = n;
    if (pass != NULL) {
        if (h->nslots >= VAULT_SLOTS_MAX) {
            rc = err_set(ERR_LIMIT, "a vault has at most %d key slots", VAULT_SLOTS_MAX);
            goto out;
        }
        if ((rc = vault_slot_make_pass(h, pass, kdf, v->key, &h->slots[h->nslots])) < 0)
            goto out;
        h->nslots++;
    }
    if (add_key_file != NULL) {
        if (h->nslots >= VAULT_SLOTS_MAX) {
            rc = err_set(ERR_LIMIT, "a vault has at most %d key slots", VAULT_SLOTS_MAX);
            goto out;
        }
        if (access(add_key_file, F_OK) != 0) {
            if ((rc = keys_keyfile_create(add_key_file)) < 0)
                goto out;
            diag_note("created key file %s (32 random bytes, mode 0600); keep a copy somewhere "
                      "safe",
                      add_key_file);
        }
        if ((kf = keys_alloc(KEYS_KEY_BYTES)) == NULL) {
            rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
            goto out;
        }
        if ((rc = keys_keyfile_read(add_key_file, kf)) < 0 ||
            (rc = vault_slot_make_keyfile(h, kf, v->key, &h->slots[h->nslots])) < 0)
            goto out;
        h->nslots++;
    }
    for (size_t i = 0; i < h->nslots; i++)
        known += h->slots[i].kind == VAULT_SLOT_PASSPHRASE ||
                 h->slots[i].kind == VAULT_SLOT_KEY_FILE || h->slots[i].kind == VAULT_SLOT_MEMBER;
    if (known == 0) {
        rc = err_set(ERR_USAGE, "refusing to leave the vault without a passphrase or key-file "
                                "slot (or a member): it could never be opened again");
        goto out;
    }
    v->hdr = *h;
    rc = vault_commit(v);
out:
    if (kf != NULL)
        keys_free(kf);
    free(h);
    return rc;
}

/* The secrets of every slot, checked against the current data key before anything changes. */
static int
rekey_gather(struct vault *v)
{
    const char *kfpath = v->unlock.key_file ? v->unlock.key_file : getenv("SECRETS_KEY_FILE");
    unsigned char *probe = keys_alloc(KEYS_KEY_BYTES);
    int rc = 0;

    if (probe == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    rc = vault_kdf_check_slots(v);
    for (size_t i = 0; i < v->hdr.nslots && rc == 0; i++) {
        const struct vault_slot *s = &v->hdr.slots[i];
        if (s->kind == VAULT_SLOT_PASSPHRASE) {
            if (v->pass.data == NULL) {
                rc = keys_passphrase_from_env("SECRETS", &v->pass);
                if (rc == 0)
                    rc = keys_passphrase_prompt("Vault passphrase: ", 0, &v->pass);
                if (rc < 0)
                    break;
                rc = 0;
            }
            rc = vault_slot_open(&v->hdr, s, &v->pass, NULL, probe);
        } else if (s->kind == VAULT_SLOT_KEY_FILE) {
            if (v->keyfile == NULL) {
                if (kfpath == NULL || kfpath[0] == '\0') {
                    rc = err_set(ERR_USAGE, "rekey re-wraps every slot: this vault has a key-file "
                                            "slot, so pass --key-file F too");
                    break;
                }
                if ((v->keyfile = keys_alloc(KEYS_KEY_BYTES)) == NULL) {
                    rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
                    break;
                }
                if ((rc = keys_keyfile_read(kfpath, v->keyfile)) < 0)
                    break;
            }
            rc = vault_slot_open(&v->hdr, s, NULL, v->keyfile, probe);
            if (rc == ERR_AUTH)
                rc = err_set(ERR_USAGE, "rekey re-wraps every slot, and key-file slot %zu does "
                                        "not open with the key file given; remove other key "
                                        "files first (`secrets passwd --remove-key-files`)",
                             i + 1);
        } else if (s->kind == VAULT_SLOT_MEMBER || s->kind == VAULT_SLOT_REMOVED) {
            continue; /* re-wrapped with the member's public key; no secret needed */
        } else {
            rc = err_set(ERR_USAGE, "key slot %zu is of kind %u, unknown to this version; "
                                    "cannot re-wrap it",
                         i + 1, s->kind);
        }
        if (rc == 0 && sodium_memcmp(probe, v->key, KEYS_KEY_BYTES) != 0)
            rc = err_set(ERR_PARSE, "vault is corrupted or was modified (slots disagree)");
    }
    keys_free(probe);
    return rc;
}

int
vault_rekey_header(struct vault *v, struct vault_header *h)
{
    struct vault_pass_slot ps;
    struct vault_member_slot ms;
    unsigned char *newkey, *oldkey;
    int rc;

    /* Every record is encrypted afresh under the new key: read them all with the old one. */
    if ((rc = rekey_gather(v)) < 0 || (rc = vault_records_load_all(v)) < 0)
        return rc;
    if ((newkey = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    keys_random(newkey, KEYS_KEY_BYTES);
    for (size_t i = 0; i < h->nslots && rc == 0; i++) {
        struct vault_slot *s = &h->slots[i];
        if (s->kind == VAULT_SLOT_PASSPHRASE) {
            rc = vault_slot_pass_decode(s, &ps);
            if (rc == 0)
                rc = vault_slot_make_pass(h, &v->pass, &ps.kdf, newkey, s);
        } else if (s->kind == VAULT_SLOT_KEY_FILE) {
            rc = vault_slot_make_keyfile(h, v->keyfile, newkey, s);
        } else if (s->kind == VAULT_SLOT_MEMBER) {
            struct vault_slot *ns = malloc(sizeof(*ns));
            rc = ns == NULL ? err_set(ERR_NOMEM, "out of memory") : vault_slot_member_decode(s, &ms);
            if (rc == 0)
                rc = vault_slot_make_member(h, ms.name, ms.type, ms.pk, newkey, ns);
            if (rc == 0)
                *s = *ns;
            free(ns);
        }
    }
    if (rc == 0) {
        oldkey = v->key;
        v->key = newkey;
        v->hdr = *h;
        v->backup = VAULT_BACKUP_NEW; /* the previous file opens with the old key */
        v->reseal = 1;
        rc = vault_commit(v);
        v->reseal = 0;
        if (rc < 0) {
            /* Nothing was replaced: the file on disk still opens with the old key. */
            v->key = oldkey;
            keys_free(newkey);
        } else {
            keys_free(oldkey);
            (void)keys_keyring_clear(v->id_hex);
        }
    } else {
        keys_free(newkey);
    }
    return rc;
}

int
vault_rekey(struct vault *v)
{
    struct vault_header *h;
    int rc;

    if ((h = malloc(sizeof(*h))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *h = v->hdr;
    rc = vault_rekey_header(v, h);
    free(h);
    return rc;
}

int
vault_remember(struct vault *v, long ttl)
{
    return keys_keyring_store(v->id_hex, v->path, v->key, ttl);
}

int
vault_forget(const char *path)
{
    struct buf file = {0};
    struct vault_header *h = malloc(sizeof(*h));
    char id[VAULT_ID_HEX];
    int rc;

    if (h == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    rc = file_read_all(path, VAULT_FILE_MAX, FILE_READ_NOFOLLOW, &file);
    if (rc == ERR_NOTFOUND)
        rc = err_set(ERR_NOTFOUND, "no vault at %s; create one with `secrets init`", path);
    if (rc == 0)
        rc = vault_header_parse((unsigned char *)file.data, file.len, h);
    if (rc == 0) {
        sodium_bin2hex(id, sizeof(id), h->id, sizeof(h->id));
        rc = keys_keyring_clear(id);
    }
    buf_free(&file);
    free(h);
    return rc;
}
