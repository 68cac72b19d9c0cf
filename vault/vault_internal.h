/* vault_internal: the on-disk header, the binary payload index and the open vault's state,
 * shared by the vault module's files, its unit tests and its fuzz target. */
#ifndef VAULT_INTERNAL_H
#define VAULT_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include "vault.h"

/* Little-endian fields of the file (header, index, payload), read and written in one place. */
static inline uint16_t
vault_get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
vault_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
vault_get64(const unsigned char *p)
{
    return (uint64_t)vault_get32(p) | (uint64_t)vault_get32(p + 4) << 32;
}

static inline void
vault_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline void
vault_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
vault_put64(unsigned char *p, uint64_t v)
{
    vault_put32(p, (uint32_t)v);
    vault_put32(p + 4, (uint32_t)(v >> 32));
}

#define VAULT_MAGIC         "SECVAULT"
#define VAULT_FORMAT        3 /* written; versions 1 to 3 are read (1 and 2 migrated on write) */
#define VAULT_FORMAT_INDEXED 3 /* from this version: sealed index + one sealed record per secret */
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
/* Encodes `h` (checksum computed, h->len set) into `out`, as format VAULT_FORMAT. */
int vault_header_encode(struct vault_header *h, struct buf *out);
/* The same as format `version` (tests build version 2 files with it). */
int vault_header_encode_version(struct vault_header *h, unsigned version, struct buf *out);
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

/* Both index layouts (the v2 payload's and the v3 sealed index) start every row with name
 * offset (4) ‖ name length (4), so name lookups share one binary search. */
struct vault_index {
    const unsigned char *base;
    size_t len;
    uint32_t n;
    size_t row; /* VAULT_RECORD_BYTES or VAULT_ROW3_BYTES */
};
struct vault_record {
    const char *name;
    size_t name_len;
    const char *entry; /* the entry's JSON text */
    size_t entry_len;
};
/* 1 when NAME (not NUL-terminated) is a valid secret name. */
int vault_name_ok(const char *s, size_t len);
void vault_index_name(const struct vault_index *idx, uint32_t i, const char **name, size_t *len);
/* Checks every record's bounds, name and order in one pass, without parsing any entry. */
int vault_payload_index(const unsigned char *p, size_t len, struct vault_index *idx);
void vault_payload_record(const struct vault_index *idx, uint32_t i, struct vault_record *r);
/* Binary search; returns the record number or -1. */
long vault_payload_find(const struct vault_index *idx, const char *name, size_t name_len);
int vault_name_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Checks one entry's JSON (types, versions, values) as every reader relies on it. */
int vault_entry_check(const char *json, size_t len);

/* ---- Format 3 (docs/vault-format.md) --------------------------------------------------------
 * header ‖ root length (8) ‖ sealed root ‖ sealed chunks ‖ records. The root lists the index
 * chunks (each up to VAULT_CHUNK_ROWS consecutive names, in order) with the first name of each;
 * a chunk lists its secrets' records. A lookup decrypts the root, one chunk and one record.
 * root plaintext = "SVT3" ‖ chunk count (4) ‖ rows ‖ names; a root row = first name offset (4)
 *   ‖ first name length (4) ‖ chunk offset (8) ‖ chunk length (4) ‖ secrets in it (4) ‖ its
 *   records' start (8) ‖ their total length (8) ‖ the chunk's tag (16)
 * chunk = nonce (24) ‖ ciphertext ‖ tag (16), associated data "SVC3" ‖ vault id ‖ chunk
 *   number (4); plaintext = "SVI3" ‖ count (4) ‖ rows ‖ names; a row = name offset (4) ‖ name
 *   length (4) ‖ record offset in the file (8) ‖ record length (4) ‖ 0 (4) ‖ record's tag (16)
 * record = nonce (24) ‖ ciphertext of the entry's JSON ‖ tag (16), associated data "SVR3" ‖
 *   vault id ‖ name.
 * Chunks tile the file after the root, records tile the rest, both in name order. */
#define VAULT_ROOT_MAGIC    "SVT3"
#define VAULT_INDEX_MAGIC   "SVI3"
#define VAULT_ROOT_ROW_BYTES 56
#define VAULT_ROW3_BYTES    40
#define VAULT_CHUNK_ROWS    256
#define VAULT_LENFIELD      8
#define VAULT_REC_OVERHEAD  (KEYS_NONCE_BYTES + KEYS_TAG_BYTES)
#define VAULT_REC_AD_MAGIC  "SVR3"
#define VAULT_CHUNK_AD_MAGIC "SVC3"

struct vault_root_row {
    uint64_t off; /* the chunk, in the file */
    uint32_t len;
    uint32_t count;
    uint64_t rec_start, rec_len; /* its records, in the file */
    const unsigned char *tag;
    const char *first;
    size_t first_len;
};
struct vault_row3 {
    uint64_t off; /* the record, in the file */
    uint32_t len; /* nonce ‖ ciphertext ‖ tag */
    const unsigned char *tag;
};
/* Checks the root: rows, first names (valid, in order), chunks tiling [data_start, ...) and
 * their records tiling the rest up to file_size. ERR_PARSE "vault is corrupted ..." else. */
int vault_root_parse(const unsigned char *p, size_t len, uint64_t data_start, uint64_t file_size,
                     struct vault_index *root);
void vault_root_row(const struct vault_index *root, uint32_t k, struct vault_root_row *r);
/* Checks a chunk's plaintext against its root row: `count` rows, names valid, in order, the
 * first one `first`, all below `next` (the next chunk's first name, NULL for the last), and
 * records tiling [rec_start, rec_start + rec_len) exactly. */
int vault_chunk_parse(const unsigned char *p, size_t len, const struct vault_root_row *rr,
                      const char *next, size_t next_len, struct vault_index *idx);
void vault_index3_row(const struct vault_index *idx, uint32_t i, struct vault_row3 *r);
/* Associated data of NAME's record: "SVR3" ‖ vault id ‖ name. Returns its length. */
size_t vault_record_ad(const unsigned char *id, const char *name, size_t name_len,
                       unsigned char *ad);
/* Associated data of chunk k: "SVC3" ‖ vault id ‖ k. Returns its length (24). */
size_t vault_chunk_ad(const unsigned char *id, uint32_t k, unsigned char *ad);

/* What the writer puts in a format 3 file, one per secret, sorted by name: the entry's JSON
 * (encrypted afresh) or, unchanged, its record's bytes copied from the old file as they are. */
struct vault_item {
    const char *name;
    size_t name_len;
    const char *json; /* NULL: copy rec_len bytes at src_off of the build's src_fd */
    size_t json_len;
    uint64_t src_off;
    size_t rec_len;
    const unsigned char *tag; /* the copied record's tag */
};
struct vault_build {
    struct vault_header *h; /* gets a fresh nonce and the key check */
    const unsigned char *key;
    const struct vault_item *items;
    size_t n;
    int src_fd;
    uint64_t size; /* set by vault_file_fill: the file's length */
};
/* A file_fill_fn: writes a whole format 3 file to fd (header, root length, sealed root, sealed
 * chunks, records); unchanged records are copied file to file, never through a buffer. */
int vault_file_fill(int fd, void *build);

/* The secrets of an open vault whatever its format. Format 3 chunks and records are read and
 * authenticated on first use. find: 1 and *i set, 0 absent, < 0 damage. name and row: of a
 * secret whose chunk is loaded (found, or after vault_records_load_index). */
uint32_t vault_nrecords(const struct vault *v);
int vault_record_find(const struct vault *v, const char *name, size_t name_len, uint32_t *i);
void vault_record_name(const struct vault *v, uint32_t i, const char **name, size_t *len);
void vault_record_row(const struct vault *v, uint32_t i, struct vault_row3 *r);
int vault_record_entry(const struct vault *v, uint32_t i, const char **json, size_t *len);
/* Reads and authenticates every chunk (every name), in one read. */
int vault_records_load_index(struct vault *v);
/* Every chunk and every record (list, check, merge, rekey, and vault_open by default). */
int vault_records_load_all(struct vault *v);
/* Sets up the per-chunk and per-record state after the root is parsed. */
int vault_records_init(struct vault *v);
/* Frees what was decrypted. */
void vault_records_free(struct vault *v);

struct vault_chunk {
    unsigned char *mem; /* guarded, or NULL inside v->chunk_bulk */
    struct vault_index idx;
    int loaded;
    uint32_t base;    /* number of the chunk's first secret */
    uint32_t singles; /* its records read one by one (each its own guarded block) */
};
struct vault_ent {
    unsigned char *mem; /* guarded, or NULL when inside v->bulk */
    const char *json;
    size_t len;
};

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
    unsigned char *mem;   /* guarded: format 1-2, the file, its body decrypted in place;
                           * format 3, the index, decrypted in place */
    unsigned char *plain; /* the payload (1-2) or the index plaintext (3), inside mem */
    size_t plain_len;
    struct vault_index idx;
    unsigned format;      /* the version of the file as read */
    int fd;               /* format 3: the file, open for reading records */
    uint64_t file_size;
    struct vault_index root; /* format 3: the root, in mem */
    uint32_t nrec;           /* format 3: secrets in the file */
    struct vault_chunk *chunks;
    unsigned char *chunk_bulk; /* guarded: every chunk, decrypted */
    struct vault_ent *ents; /* format 3: per record, its decrypted entry once read */
    unsigned char *bulk;    /* guarded: every record, decrypted (vault_records_load_all) */
    int reseal;             /* the data key changes: every record is encrypted afresh */
    struct vault_change *changes;
    size_t nchanges, cchanges;
    size_t *chash, chash_cap; /* change number + 1 by name hash; 0 empty */
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
/* The entry text of NAME, from the pending changes or the file. 1 found, 0 absent, < 0 a
 * record that does not authenticate. */
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
/* Format 2's writer, kept for the tests that make a version 2 file to migrate: mem = [header
 * room][payload][tag room]: encodes the header (fresh nonce, key check) as version 2 and
 * encrypts the payload in place with the header as associated data. */
int vault_seal_v2(struct vault_header *h, const unsigned char *key, unsigned char *mem,
               size_t plain_len);

#endif
