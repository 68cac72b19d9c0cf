/* vault: the encrypted secret store: file format (docs/vault-format.md), unlocking through the
 * key slots, per-secret versions and metadata, and locked, atomic, backed-up writes. */
#ifndef VAULT_H
#define VAULT_H

#include <stddef.h>

#include "common.h"
#include "keys.h"

#define VAULT_NAME_MAX     255
#define VAULT_VALUE_MAX    (1 << 20)   /* one secret's bytes */
#define VAULT_FILE_MAX     (256 << 20) /* a whole vault file */
#define VAULT_VERSIONS_MAX 50          /* per secret; the oldest is dropped beyond this */
#define VAULT_SLOTS_MAX    16
#define VAULT_ID_HEX       33
#define VAULT_MEMBER_NAME_MAX 64

struct vault;

/* Where the key comes from (first that works, in this order): the keyring cache, a key file,
 * SECRETS_PASSPHRASE_FILE, SECRETS_PASSPHRASE, the terminal prompt. */
struct vault_unlock {
    const char *key_file; /* --key-file: explicit, so the keyring is not asked first */
    int no_keyring;       /* --no-keyring (SECRETS_NO_KEYRING=1 too) */
    const char *identity; /* --identity F (SECRETS_IDENTITY_FILE too) */
};

enum vault_source {
    VAULT_SOURCE_NONE = 0,
    VAULT_SOURCE_KEYRING,
    VAULT_SOURCE_KEY_FILE,
    VAULT_SOURCE_PASSPHRASE, /* file, environment or prompt */
    VAULT_SOURCE_IDENTITY,   /* a member's identity file */
};

struct vault_create {
    struct keys_kdf_params kdf;
    const struct keys_passphrase *pass; /* NULL: no passphrase slot */
    const char *key_file;               /* NULL: no key-file slot */
};

/* --vault PATH, else $SECRETS_VAULT, else $XDG_DATA_HOME/secrets/vault.sv, else
 * ~/.local/share/secrets/vault.sv. */
int vault_path(const char *opt, char *out, size_t size);
/* Letters, digits and `._-/`; 1..255 bytes; no empty, `.` or `..` part. ERR_USAGE otherwise. */
int vault_name_check(const char *name);

/* Creates a new vault (directory 0700 when missing, file 0600); ERR_EXISTS when there is one. */
int vault_create(const char *path, const struct vault_create *c);

#define VAULT_OPEN_WRITE   0x1 /* take the writer lock first; vault_commit allowed */
#define VAULT_OPEN_SCRATCH 0x2 /* with WRITE: no lock file and no PATH.bak (a temp copy) */
#define VAULT_OPEN_ONE     0x4 /* a command on one secret: the index is authenticated at open,
                                * each record when it is read (format 3); without it, every
                                * record is read and authenticated at open */
/* Reads, unlocks and authenticates the vault (see VAULT_OPEN_ONE). Errors: ERR_NOTFOUND (no vault: the message
 * names `secrets init`), ERR_AUTH "wrong passphrase or key", ERR_PARSE "vault is corrupted or
 * was modified", ERR_LIMIT (hostile KDF parameters), ERR_UNAVAILABLE (no unlock source). */
int vault_open(const char *path, int flags, const struct vault_unlock *u, struct vault **out);
/* Writes the changes: temp file in the same directory, fsync, previous file kept as PATH.bak,
 * rename, directory fsync. */
int vault_commit(struct vault *v);
/* Wipes every key and plaintext byte and releases the lock. NULL is fine. */
void vault_close(struct vault *v);
const char *vault_id(const struct vault *v);
enum vault_source vault_unlocked_by(const struct vault *v);

/* ---- Secrets ----------------------------------------------------------------------------- */
struct vault_value {
    unsigned char *data; /* guarded memory */
    size_t len;
};
void vault_value_free(struct vault_value *val);

struct vault_set_opts {
    const char *const *tags; /* replaces the tags when tags_given */
    size_t ntags;
    int tags_given;
    long long expires; /* epoch seconds; 0 = none; only when expires_given */
    int expires_given;
    long rotate_after; /* days; 0 = none; only when rotate_given */
    int rotate_given;
    const char *gen_charset; /* set for generated values: remembered for rotate */
    long gen_length;
    const char *how; /* "set", "generate", ... shown by history */
};

/* New version of NAME (creating it, or reviving a removed one). `*version` gets its number. */
int vault_set(struct vault *v, const char *name, const void *value, size_t len,
              const struct vault_set_opts *o, int *version);
/* Version `version` of NAME (0 = current). ERR_NOTFOUND when absent or removed. */
int vault_get(struct vault *v, const char *name, int version, struct vault_value *out);
/* Marks NAME removed (history kept) or, with `purge`, deletes it and its history. */
int vault_rm(struct vault *v, const char *name, int purge);
/* A new version equal to version `to`. */
int vault_rollback(struct vault *v, const char *name, int to, int *version);
/* A new random version: `length`/`charset` when given (0/NULL), else those remembered from the
 * last generation, else the current value's length and alnum. */
int vault_rotate(struct vault *v, const char *name, long length, const char *charset, int *version);

struct vault_version_info {
    int n;
    long long at;
    size_t len;
    char how[32];
};
struct vault_info {
    char name[VAULT_NAME_MAX + 1];
    long long created, updated, expires; /* expires 0 = none */
    long rotate_after;                   /* days, 0 = none */
    int deleted;
    int version; /* current */
    char tags[512]; /* comma-separated */
    char gen_charset[300];
    long gen_length;
    size_t nversions;
    struct vault_version_info *versions; /* oldest first; only from vault_history */
};
/* Every secret's metadata (never values), sorted by name. Free with vault_infos_free. */
int vault_list(struct vault *v, int include_deleted, struct vault_info **out, size_t *n);
void vault_infos_free(struct vault_info *infos, size_t n);
/* One secret's metadata and versions. */
int vault_history(struct vault *v, const char *name, struct vault_info *out);

/* Findings for secrets expired (VAULT001) or overdue for rotation (VAULT002) at `now`, and for
 * those that will be within `within_days` (VAULT003). */
int vault_check(struct vault *v, long long now, long within_days, struct findings *f);
/* The rules vault_check reports, one by one (NULL past the last). */
const struct rule_meta *vault_check_rule_at(size_t i);

/* ---- Keys -------------------------------------------------------------------------------- */
/* Replaces the passphrase slots with one for `pass` (NULL: keep them), adds a key-file slot for
 * `add_key_file` (created when missing), or drops every key-file slot. The data key is kept. */
int vault_passwd(struct vault *v, const struct keys_passphrase *pass,
                 const struct keys_kdf_params *kdf, const char *add_key_file,
                 int remove_key_files);
/* A new data key; every slot re-wrapped (each slot's own secret is needed) and every secret
 * re-encrypted. The keyring entry, now stale, is removed. */
int vault_rekey(struct vault *v);
/* Caches the data key in the OS keyring for `ttl` seconds (0 = until `secrets lock`). */
int vault_remember(struct vault *v, long ttl);
/* Removes the cached key of the vault at `path` (its id is read from the header). */
int vault_forget(const char *path);

/* ---- Members (vault/members.c): key slots sealing the data key to public keys ------------- */
struct vault_member {
    char name[VAULT_MEMBER_NAME_MAX + 1];
    enum keys_pk_type type;
    char recipient[KEYS_RECIPIENT_TEXT]; /* age1... or ssh-ed25519 AAAA... */
};
/* 1..64 bytes of letters, digits and `._-@`. ERR_USAGE otherwise. */
int vault_member_name_check(const char *name);
/* Adds NAME with the public key `recipient` (age1... or an ssh-ed25519 line) and commits.
 * ERR_EXISTS when the name or the key is already a member. */
int vault_member_add(struct vault *v, const char *name, const char *recipient);
/* Removes NAME, records the removal, and rekeys (vault_rekey: every slot's own secret is
 * needed). `readable` gets the names of the live secrets NAME could read (free with
 * vault_infos_free). ERR_NOTFOUND when NAME is not a member. */
int vault_member_rm(struct vault *v, const char *name, struct vault_info **readable, size_t *n);
/* The members, in slot order (header data; no secret). Free with free(). */
int vault_member_list(const struct vault *v, struct vault_member **out, size_t *n);
/* The removal records (name, time) kept for VAULT004. Free with free(). */
struct vault_removed {
    char name[VAULT_MEMBER_NAME_MAX + 1];
    long long at;
};
int vault_removed_list(const struct vault *v, struct vault_removed **out, size_t *n);

/* ---- The vault in git (vault/gitview.c, merge.c) ------------------------------------------ */
/* A text view of the open vault for `git diff`: members, then each secret's name, version count,
 * current version and dates; never a value. */
int vault_text_view(struct vault *v, struct buf *out);
/* Three-way merge of vault files: base `o`, ours `a` (rewritten in place with the result),
 * theirs `b`. Secrets changed on one side only are taken from it; a secret changed on both
 * sides differently is a conflict: ERR_EXISTS naming them, `a` left as it was. */
int vault_merge(const char *o, const char *a, const char *b, const struct vault_unlock *u);

/* ---- Secrets in use: files, export, import ----------------------------------------------- */
#define VAULT_SECRETFILE_NAME_MAX 200

/* How a Docker secret file is written (vault/secretfile.c). */
struct vault_secretfile {
    const char *dir; /* created 0700 (with missing parents) when absent */
    mode_t mode;     /* e.g. 0400 */
    uid_t uid;       /* (uid_t)-1: unchanged */
    gid_t gid;       /* (gid_t)-1: unchanged */
    int force;       /* replace an existing file atomically */
};
/* A plain file name: letters, digits and ._-, not starting with '.' or '-', at most
 * VAULT_SECRETFILE_NAME_MAX bytes. ERR_USAGE otherwise. */
int vault_secretfile_name_check(const char *name);
/* Opens `dir` component by component (openat, O_NOFOLLOW), creating missing ones 0700 when
 * `create`. A symlink anywhere gives ERR_UNSAFE. Returns the directory's fd. */
int vault_secretfile_open_dir(const char *dir, int create);
/* Writes DIR/NAME with exactly `len` bytes, mode and owner applied on the open fd; O_EXCL
 * (ERR_EXISTS when present) unless o->force (then a temp file and rename). Never follows a
 * symlink (ERR_UNSAFE); nothing half-written on error. */
int vault_secretfile_write(const struct vault_secretfile *o, const char *name, const void *data,
                           size_t len);

/* Export (vault/export.c). The CLI gathers the values; these render them. */
enum vault_export_format {
    VAULT_EXPORT_ENV = 0, /* KEY="..." lines that env_lex and Compose read back exactly */
    VAULT_EXPORT_JSON,    /* {"name": "value"}; UTF-8 values only */
    VAULT_EXPORT_COMPOSE, /* a secrets: block (file: DIR/NAME) and the service's secrets: list */
    VAULT_EXPORT_K8S,     /* a Kubernetes Secret, base64 data */
};
struct vault_export_item {
    const char *name;
    const unsigned char *data;
    size_t len;
};
struct vault_export_opts {
    const char *dir;           /* compose: where the files are */
    const char *service;       /* compose: the service in the snippet */
    const char *k8s_name;      /* k8s metadata.name */
    const char *k8s_namespace; /* NULL: none */
};
/* NAME as a variable: bytes outside [A-Za-z0-9_] become '_', '_' before a leading digit. */
int vault_export_env_key(const char *name, char *out, size_t size);
/* NAME as a file name / Compose or k8s key: '/' becomes '_', then vault_secretfile_name_check. */
int vault_export_file_name(const char *name, char *out, size_t size);
/* Appends the rendering to `out` (it may hold values: buf_free wipes it). ERR_USAGE for a value
 * the format cannot carry (NUL in env, non-UTF-8 in JSON) or a bad k8s name. */
int vault_export_render(enum vault_export_format fmt, const struct vault_export_item *items,
                        size_t n, const struct vault_export_opts *o, struct buf *out);

/* Import (vault/import.c): pairs read from a file, every name checked before anything is
 * written. A repeated name keeps its last value (as Compose does). */
#define VAULT_IMPORT_F_NO_VALUE 0x1 /* `KEY` alone in a .env file */
#define VAULT_IMPORT_F_REFS     0x2 /* the value has ${VAR} references: stored as written */
struct vault_import_item {
    char *name;
    unsigned char *data; /* wiped on free */
    size_t len;
    int line; /* 0 for JSON */
    unsigned flags;
};
struct vault_import {
    struct vault_import_item *items;
    size_t n;
};
/* Through env_lex: the first parse error (or NUL line) stops with ERR_PARSE "path:line:col: ...";
 * a key that is not a vault name is ERR_PARSE with its line. */
int vault_import_env(const char *path, struct vault_import *out);
/* A JSON object of strings (values with \u0000 are cut there: cJSON strings). */
int vault_import_json(const char *path, struct vault_import *out);
/* The same from text already in memory; `label` names it in messages. */
int vault_import_json_text(const char *label, const char *text, size_t len,
                           struct vault_import *out);
/* A SOPS file (any format SOPS reads) decrypted by the `sops` command with the user's age keys
 * (`identity`, when given, is handed to it as SOPS_AGE_KEY_FILE), as a flat JSON object of
 * strings. SOPS values are AES-256-GCM with 256-bit nonces, which libsodium cannot open, so the
 * real `sops` does it; ERR_UNAVAILABLE with what to install when it is not there. */
int vault_import_sops(const char *path, const char *identity, struct vault_import *out);
/* A pass(1) store: every DIR/NAME.gpg decrypted by `gpg --batch --decrypt` with the user's own
 * keys (agent, GNUPGHOME), stored as NAME with the file's whole content (one trailing newline
 * dropped). Symlinks are not followed; at most 10,000 entries, 16 levels. A name that is not a
 * vault name, or a file gpg cannot decrypt, stops with the file's path; nothing is imported. */
int vault_import_pass(const char *dir, struct vault_import *out);
void vault_import_free(struct vault_import *im);
enum { VAULT_IMPORT_NEW = 0, VAULT_IMPORT_UPDATE = 1, VAULT_IMPORT_SAME = 2 };
/* How `it` compares with the vault; `*current` gets the current version (0 when new). */
int vault_import_status(struct vault *v, const struct vault_import_item *it, int *current);

/* `secrets run` (vault/run.c): the secrets to hand over, read from the open vault (every secret
 * with `all`, and each envs[i] "VAR=NAME"), checked (variable names, collisions, NUL bytes in
 * environment values). The vault may be closed once this returns. */
struct vault_run;
int vault_run_prepare(struct vault *v, int all, char *const *envs, size_t nenv, int as_files,
                      struct vault_run **out);
/* Runs cmd (PATH search, no shell) with them in its environment, or as files on a tmpfs named
 * by VAR_FILE (removed afterwards, also on SIGINT/SIGTERM/SIGHUP, which are forwarded). Returns
 * the program's exit status (128+N for signal N), or a negative ERR_*. */
int vault_run_exec(struct vault_run *r, char **cmd);
void vault_run_free(struct vault_run *r);

#endif
