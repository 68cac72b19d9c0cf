/* vault_internal: the on-disk header, the binary payload index and the open vault's state,
 * shared by the vault module's files, its unit tests and its fuzz target. */
#ifndef VAULT_INTERNAL_H
#define VAULT_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include "vault.h"

#define VAULT_MAGIC         "SECVAULT"
#define VAULT_FORMAT        2 /* written; versions 1 and 2 are read (1 is migrated on write) */
#define VAULT_FORMAT_MIN    1
#define VAULT_SLOT_AD_VERSION 1 /* the version field of a slot's associated data, fixed */
#define VAULT_FIXED_BYTES   52 /* magic .. key check */
#define VAULT_CHECKSUM      32
#define VAULT_HEADER_MAX    65536
#define VAULT_SLOT_BODY_MAX 4096

enum vault_slot_kind {
    VAULT_SLOT_PASSPHRASE = 1,
    VAULT_SLOT_KEY_FILE   = 2,
    VAULT_SLOT_MEMBER     = 3, /* a member: the data key sealed to their X25519 key */
    VAULT_SLOT_REMOVED    = 4, /* removed members (name, time), for VAULT004; at most one */
    /* readers skip kinds they do not know. */
};
struct vault_slot;
struct vault_header;
#define VAULT_MEMBER_SEALED (16 + KEYS_KEY_BYTES + KEYS_SEAL_OVERHEAD) /* id ‖ key, sealed */

/* A member slot's fields, decoded (pointers into the slot's body). */
struct vault_member_slot {
    enum keys_pk_type type;
    char name[VAULT_MEMBER_NAME_MAX + 1];
    const unsigned char *pk; /* the key as given (X25519 or Ed25519), 32 bytes */
    const unsigned char *sealed;
};
/* Decodes and checks a member slot. ERR_PARSE "vault is corrupted ..." when malformed. */
int vault_slot_member_decode(const struct vault_slot *s, struct vault_member_slot *out);
/* Fills a member slot for NAME sealing `key` (with the vault id) to the recipient. */
int vault_slot_make_member(const struct vault_header *h, const char *name, enum keys_pk_type type,
                           const unsigned char *pk, const unsigned char *key,
                           struct vault_slot *s);
/* A removal record: NAME removed at `at` (epoch seconds). */
struct vault_removal {
    long long at;
    char name[VAULT_MEMBER_NAME_MAX + 1];
};
#define VAULT_REMOVALS_MAX 48 /* 48 * 73 bytes fit a slot body */
/* Decodes the removal slot (`n` records). ERR_PARSE when malformed. */
int vault_slot_removed_decode(const struct vault_slot *s, struct vault_removal *out, size_t *n);
int vault_slot_make_removed(const struct vault_removal *r, size_t n, struct vault_slot *s);
#define VAULT_KDF_ARGON2ID13 1
#define VAULT_SLOT_PASS_BYTES                                                                  \
    (4 + 8 + 8 + KEYS_SALT_BYTES + KEYS_NONCE_BYTES + KEYS_WRAPPED_BYTES)
#define VAULT_SLOT_KEYFILE_BYTES (KEYS_NONCE_BYTES + KEYS_WRAPPED_BYTES)

struct vault_slot {
    uint16_t kind;
    uint16_t len;
    unsigned char body[VAULT_SLOT_BODY_MAX];
};

struct vault_header {
    uint16_t version;
    uint16_t flags;
    unsigned char id[16];
    unsigned char check[16];
    size_t nslots;
    struct vault_slot slots[VAULT_SLOTS_MAX];
    unsigned char nonce[KEYS_NONCE_BYTES];
    size_t len; /* bytes of header on disk, checksum included */
};

/* A passphrase slot's fields, decoded. */
struct vault_pass_slot {
    struct keys_kdf_params kdf;
    unsigned char salt[KEYS_SALT_BYTES];
    unsigned char nonce[KEYS_NONCE_BYTES];
    unsigned char wrapped[KEYS_WRAPPED_BYTES];
};

/* Parses and checks a header (magic, version, lengths, checksum, KDF bounds). ERR_PARSE "vault
 * is corrupted or was modified" or ERR_LIMIT; never reads past `len`. */
int vault_header_parse(const unsigned char *data, size_t len, struct vault_header *h);
/* Encodes `h` (checksum computed, h->len set) into `out`. */
int vault_header_encode(struct vault_header *h, struct buf *out);
int vault_slot_pass_decode(const struct vault_slot *s, struct vault_pass_slot *out);
/* Associated data binding a slot to its vault: magic, format, id, kind and the slot's
 * parameters (its bytes before the nonce). */
size_t vault_slot_ad(const struct vault_header *h, const struct vault_slot *s, unsigned char *ad,
                     size_t size);
/* Fills a slot wrapping `key`: passphrase (kdf, pass) or key file (keyfile bytes). */
int vault_slot_make_pass(const struct vault_header *h, const struct keys_passphrase *pass,
                         const struct keys_kdf_params *kdf, const unsigned char *key,
                         struct vault_slot *s);
int vault_slot_make_keyfile(const struct vault_header *h, const unsigned char *keyfile,
                            const unsigned char *key, struct vault_slot *s);
/* Tries to open slot `s`: passphrase (pass != NULL) or key file (keyfile != NULL). */
int vault_slot_open(const struct vault_header *h, const struct vault_slot *s,
                    const struct keys_passphrase *pass, const unsigned char *keyfile,
                    unsigned char *key);

/* ---- Payload: "SVP1", count, sorted index of 16-byte records, then names and entries ------ */
#define VAULT_PAYLOAD_MAGIC "SVP1"
#define VAULT_PAYLOAD_HEAD  8
#define VAULT_RECORD_BYTES  16

struct vault_index {
    const unsigned char *base;
    size_t len;
    uint32_t n;
};
struct vault_record {
    const char *name;
    size_t name_len;
    const char *entry; /* the entry's JSON text */
    size_t entry_len;
};
/* Checks every record's bounds, name and order in one pass, without parsing any entry. */
int vault_payload_index(const unsigned char *p, size_t len, struct vault_index *idx);
void vault_payload_record(const struct vault_index *idx, uint32_t i, struct vault_record *r);
/* Binary search; returns the record number or -1. */
long vault_payload_find(const struct vault_index *idx, const char *name, size_t name_len);
int vault_name_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Checks one entry's JSON (types, versions, values) as every reader relies on it. */
int vault_entry_check(const char *json, size_t len);

/* A changed entry waiting for vault_commit: JSON text, or NULL when purged. */
struct vault_change {
    char *name;
    char *json;
};

/* What PATH.bak holds after a commit: the previous file (the default), or the new one when the
 * previous must not survive (rekey: it opens with the old key; purge: it holds the value). */
enum vault_backup { VAULT_BACKUP_PREVIOUS = 0, VAULT_BACKUP_NEW };

struct vault {
    char path[PATH_MAX];
    int lock_fd;
    int writable;
    enum vault_source source;
    struct vault_unlock unlock;
    struct vault_header hdr;
    unsigned char *key;   /* guarded */
    unsigned char *mem;   /* guarded: the file, its body decrypted in place */
    unsigned char *plain; /* the payload, inside mem */
    size_t plain_len;
    struct vault_index idx;
    struct vault_change *changes;
    size_t nchanges, cchanges;
    int dirty;
    enum vault_backup backup;
    struct keys_passphrase pass; /* the passphrase that unlocked it, if one did */
    unsigned char *keyfile;      /* guarded; the key file that unlocked it, if one did */
    char id_hex[VAULT_ID_HEX];
    int scratch; /* VAULT_OPEN_SCRATCH: no lock file, no backup (merge driver temp files) */
};

/* Adds an imported pair (name checked; a repeated name replaces the earlier one). */
int vault_import_add(struct vault_import *im, const char *path, int line, const char *name,
                     const void *data, size_t len);

/* keys_kdf_check_cost for every passphrase slot: called before a passphrase is asked for. */
int vault_kdf_check_slots(const struct vault *v);
/* The entry text of NAME, from the pending changes or the payload. 1 found, 0 absent. */
int vault_entry_lookup(const struct vault *v, const char *name, const char **json, size_t *len);
/* Records a pending change (takes ownership of json, which may be NULL for purge). */
int vault_entry_put(struct vault *v, const char *name, char *json);
struct cJSON;
/* Parses and checks NAME's entry: 0, ERR_NOTFOUND (no message) or ERR_PARSE. */
int vault_entry_parse(const struct vault *v, const char *name, struct cJSON **out);
/* Metadata of a checked entry; `with_versions` fills out->versions (calloc'd). */
int vault_entry_info(const struct cJSON *e, const char *name, int with_versions,
                     struct vault_info *out);
/* Authenticates and decrypts the body of file[0..len) in place: the payload is then at
 * file + h->len. ERR_PARSE "vault is corrupted or was modified" when any byte changed. */
int vault_body_open(const struct vault_header *h, unsigned char *file, size_t len,
                    const unsigned char *key, size_t *plain_len);
/* Finds the data key through the unlock sources, in order (vault.h); sets v->key, v->source. */
int vault_unlock_key(struct vault *v);
/* Re-wraps every slot of `h` to `newkey` (member slots need only their public key), then
 * installs it and commits; see vault_rekey. */
int vault_rekey_header(struct vault *v, struct vault_header *h);
/* Bytes the encoded header of `h` takes. */
size_t vault_header_size(const struct vault_header *h);
/* mem = [header room][payload][tag room]: encodes the header (fresh nonce, key check) and
 * encrypts the payload in place with the header as associated data. */
int vault_seal(struct vault_header *h, const unsigned char *key, unsigned char *mem,
               size_t plain_len);

#endif
