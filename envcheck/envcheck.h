/* envcheck: the strict `.env` lexer (Compose env_file semantics, docs/env-grammar.md), the
 * portability analysis against other dialects, and the validation rules of `secrets validate`. */
#ifndef ENVCHECK_H
#define ENVCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* Largest .env file env_lex_file reads (bytes). */
#define ENV_MAX_FILE_SIZE (64u * 1024u * 1024u)

/* A range in the lexed data. Offsets are bytes from the start of the data given to env_lex
 * (a UTF-8 BOM included); `end` is one past the last byte. Lines and columns are 1-based and
 * count bytes; `end_column` is one past the last character (as SARIF's endColumn), and on line 1
 * columns start after a BOM. */
struct env_span {
    uint32_t start, end; /* 32 bits: files are at most ENV_MAX_FILE_SIZE; a smaller entry is
                            less memory to touch on big files */
    int line, column;
    int end_line, end_column;
};

enum env_quote {
    ENV_QUOTE_NONE = 0, /* unquoted: trimmed, ` #` starts a comment, interpolated */
    ENV_QUOTE_SINGLE,   /* '...': literal except \' ; never interpolated */
    ENV_QUOTE_DOUBLE,   /* "...": escapes \n \r \t \\ \" \$ ...; interpolated; may span lines */
};

/* Entry flags. */
#define ENV_F_EXPORT     0x0001u /* had the `export ` prefix */
#define ENV_F_NO_EQUALS  0x0002u /* `KEY` alone: Compose takes it from the environment */
#define ENV_F_COLON      0x0004u /* YAML style `KEY: value` */
#define ENV_F_COMMENT    0x0008u /* an inline comment follows the value */
#define ENV_F_MULTILINE  0x0010u /* the quoted value spans lines */
#define ENV_F_ESCAPES    0x0020u /* a backslash escape was decoded (\n, \", \' in '...', ...) */
#define ENV_F_REFS       0x0040u /* the value has ${VAR} or $VAR references (see refs) */
#define ENV_F_DOLLAR_ESC 0x0080u /* `$$` or `\$` gave a literal `$` */
#define ENV_F_CRLF       0x0100u /* the statement's line ends with CRLF */
#define ENV_F_EMPTY      0x0200u /* `KEY=` with nothing (or only a comment) after `=` */
#define ENV_F_BAD_REF    0x0400u /* a `${` without a valid name or closing `}` (kept as text;
                                    Compose refuses the file) */

/* A variable reference found in a value: recognised, never executed or expanded here.
 * Offsets index the entry's decoded `value`, where the reference text is kept verbatim. */
struct env_ref {
    size_t start, end;          /* the whole `${...}` or `$NAME` in value */
    size_t name_start, name_len; /* the variable name in value */
    char op[3];                 /* "", ":-", "-", ":?", "?", ":+", "+" */
    size_t arg_start, arg_end;  /* the default / error / alternate text in value (may hold
                                   nested references, left as text) */
    int braced;                 /* ${NAME...} rather than $NAME */
};

/* One `KEY=VALUE` statement. Strings are NUL-terminated copies owned by the env_file. */
struct env_entry {
    char *key;
    size_t key_len;
    char *value;      /* quotes removed, escapes decoded, `$$` -> `$`, references verbatim;
                         "" for KEY alone. May hold secrets: env_file_free wipes it. */
    size_t value_len; /* value may contain NUL only via nothing: no escape produces it */
    enum env_quote quote;
    unsigned flags;   /* ENV_F_* */
    struct env_span stmt;  /* from the first non-blank byte (or `export`) to the end of the
                              value or its closing quote (comment excluded) */
    struct env_span key_span;
    struct env_span value_span; /* raw value text in the file, quotes included; empty span
                                   just after `=` when there is no value */
    struct env_ref *refs;
    size_t nrefs;
};

enum env_diag_kind {
    ENV_DIAG_ERROR = 0, /* a statement that could not be parsed (it is skipped) */
    ENV_DIAG_BOM,       /* a UTF-8 byte order mark at the start (tolerated) */
    ENV_DIAG_CRLF,      /* CRLF line endings (tolerated); reported once, at the first one */
    ENV_DIAG_NUL,       /* a NUL byte (line skipped) */
    ENV_DIAG_UTF8,      /* invalid UTF-8 in a line (tolerated; docker run rejects it) */
};

/* A problem found while lexing. The message never contains value text. */
struct env_diag {
    enum env_diag_kind kind;
    int line, column;
    char message[160];
};

struct env_file {
    char *path;   /* as given to env_lex; "<stdin>" for "-", "<input>" for NULL */
    char *data;   /* owned copy of the lexed bytes, NUL-terminated (wiped on free) */
    size_t len;
    int has_bom;
    int nlines;   /* physical lines (a last line without newline counts) */
    size_t ncrlf; /* lines ending in CRLF */
    struct env_entry *entries;
    size_t n;
    struct env_diag *diags;
    size_t ndiags;
    size_t nerrors; /* diags of kind ENV_DIAG_ERROR (all of them, kept or not) */
    /* storage behind entries' strings and refs: owned, wiped by env_file_free */
    char *strings;
    size_t strings_cap; /* bytes of it in use */
    struct env_ref *refs_all;
};

/* Bounds on hostile input: diags kept (the rest only counted), entries per file. */
#define ENV_MAX_DIAGS   1000u
#define ENV_MAX_ENTRIES 2000000u
/* A quoted value may span at most this many lines (a PEM bundle fits); an opening quote not
 * closed by then is an unterminated value, and lexing goes on at the next line. */
#define ENV_MAX_QUOTE_LINES 1000u
/* Longest key and value (raw bytes) kept; a longer one is a syntax error and its statement is
 * skipped, so a huge line is never copied (the vault takes values up to 1 MiB too). */
#define ENV_MAX_KEY_LEN   1024u
#define ENV_MAX_VALUE_LEN (1u << 20)

/* Lexes `len` bytes of `data` (need not be NUL-terminated) into `out`, which the caller frees
 * with env_file_free (also on error). Parse errors do not stop the lexer: each is recorded in
 * out->diags with its line and column, the statement is skipped, and lexing goes on at the next
 * line. Returns 0 (even with parse errors: check out->nerrors), or ERR_NOMEM / ERR_LIMIT. */
int env_lex(const char *data, size_t len, const char *path, struct env_file *out);
/* Reads `path` (no symlink followed, at most ENV_MAX_FILE_SIZE bytes) and lexes it. */
int env_lex_file(const char *path, struct env_file *out);
/* Wipes values and data, frees everything, leaves `f` empty. */
void env_file_free(struct env_file *f);

/* The last entry for `key` (Compose: a later line overrides an earlier one), or NULL. */
const struct env_entry *env_file_get(const struct env_file *f, const char *key);

/* Resolves an entry's value the way Compose does: references are replaced by `lookup` (the
 * process environment first in Compose) or else by earlier keys of the same file; `${V:-d}`,
 * `${V-d}`, `${V:+a}`, `${V+a}` honoured; `${V:?e}` / `${V?e}` unset give ERR_NOTFOUND (message
 * names the variable, never a value). Nested defaults are resolved to a bounded depth. `KEY`
 * alone resolves to lookup("KEY") (or ""). `lookup` may be NULL; it returns NULL when unset.
 * Appends the result to `out`. */
typedef const char *(*env_lookup_fn)(const char *name, void *user);
int env_resolve(const struct env_file *f, const struct env_entry *e, env_lookup_fn lookup,
                void *user, struct buf *out);

/* ---- Portability: how the other readers differ ------------------------------------------- */
enum env_dialect {
    ENV_DIALECT_COMPOSE = 0, /* the reference (compose-go) */
    ENV_DIALECT_DOCKER_RUN,  /* docker run --env-file */
    ENV_DIALECT_BASH,        /* set -a; . file */
    ENV_DIALECT_PYTHON,      /* python-dotenv */
    ENV_DIALECT_NODE,        /* motdotla/dotenv */
    ENV_DIALECT_COUNT,
};
const char *env_dialect_name(enum env_dialect d);

/* One difference: which readers disagree with Compose on a statement, and how. */
struct env_portability {
    const char *id;       /* short id of the trigger, e.g. "hash-no-space" */
    unsigned dialects;    /* bit (1u << env_dialect) per reader that differs */
    int line, column;
    char message[384];    /* names the readers and what each does; never value text */
};
typedef int (*env_portability_fn)(const struct env_portability *p, void *user);
/* Calls `cb` for every difference in `f` (file-level ones too: BOM, CRLF, parse errors). */
int env_portability_scan(const struct env_file *f, env_portability_fn cb, void *user);

/* ---- Validation (`secrets validate`) ----------------------------------------------------- */
struct envcheck_config;

/* Rule table (for docs, SARIF and the config's rule names). */
size_t envcheck_rule_count(void);
const struct rule_meta *envcheck_rule_at(size_t i);

/* Options; create with envcheck_config_new (defaults), adjust, free. */
struct envcheck_config *envcheck_config_new(void);
void envcheck_config_free(struct envcheck_config *c);
/* Reads the `[validate]` section of an INI file (see docs/rules.md). */
int envcheck_config_load(struct envcheck_config *c, const char *ini_path);
/* Setters used by the CLI and the INI loader; ERR_USAGE on an unknown rule/name/value. */
int envcheck_config_set(struct envcheck_config *c, const char *name, const char *value);
int envcheck_config_disable(struct envcheck_config *c, const char *rule_id, int disabled);
int envcheck_config_severity(struct envcheck_config *c, const char *rule_id, enum severity s);
void envcheck_config_example(struct envcheck_config *c, const char *example_path);

/* Validates one .env file: lexes it, then every enabled rule (syntax, portability, hygiene,
 * lint, the example comparison, and the file checks: git, permissions, .dockerignore, backup
 * copies). Adds a target and findings to `out` (parse errors are findings too, rule ENV001).
 * Returns the number of statements that could not be parsed (0 for a well-formed file), or a
 * negative ERR_* when the file cannot be read (ERR_NOTFOUND, ERR_UNSAFE for a symlink or a
 * non-regular file, ERR_LIMIT, ERR_IO). */
int envcheck_validate(const struct envcheck_config *c, const char *path, struct findings *out);

/* `secrets validate --fix`: rewrites what is mechanical (key case, order within groups,
 * quotes, blanks, duplicates, blank lines, final newline) and checks by lexing the result that
 * every key keeps its value. dry_run: appends a unified diff to `report` (values of
 * secret-named keys redacted) and writes nothing; else writes `path.bak` (the original, same
 * mode) and replaces `path` atomically, and appends a line to `report`. Returns 1 when there
 * was something to fix, 0 when not, or a negative ERR_* (a file with ENV001 errors is refused
 * with ERR_PARSE: nothing is written). */
int envcheck_fix(const struct envcheck_config *c, const char *path, int dry_run,
                 struct buf *report);

/* Strength of a candidate secret in bits (zxcvbn); exposed for tests. */
double envcheck_strength_bits(const char *value);

#endif
