/* envcheck_internal: what the module's files share and its tests may call: the rule table's
 * indices, the options, one validation's context and the helpers each rule family uses. */
#ifndef ENVCHECK_INTERNAL_H
#define ENVCHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "envcheck.h"

/* Recognises a reference at s[i] ('$'): `${NAME}`, `${NAME<op>arg}` or `$NAME`. Returns its
 * length (0 when none) and fills `r` with offsets into s. */
size_t env_ref_scan(const char *s, size_t n, size_t i, struct env_ref *r);

/* Reads and lexes `path` as env_lex_file does, but hands the entries to `cb` at most `chunk`
 * at a time: during the call out->entries[0 .. out->n) are the next statements of the file
 * (their strings and refs are wiped after it); out->data, nlines, has_bom, diags (complete only
 * once lexing is over) stay for the whole file. Memory stays bounded by the chunk on files of a
 * million lines. A negative cb return stops. The caller frees `out` with env_file_free. */
typedef int (*env_chunk_fn)(struct env_file *f, void *user);
int env_lex_file_chunked(const char *path, size_t chunk, env_chunk_fn cb, void *user,
                         struct env_file *out);

/* malloc/calloc for big buffers: on transparent huge pages when the kernel offers them on
 * request (free() releases them as usual). */
void *envcheck_big_alloc(size_t n);
void *envcheck_big_calloc(size_t n, size_t size);

/* Rule indices: the order of the table in rules.c. */
enum envcheck_rule {
    R_SYNTAX = 0,
    R_BOM,
    R_CRLF,
    R_ENCODING,
    R_PORTABILITY,
    R_WEAK,
    R_SHORT,
    R_PLAINTEXT,
    R_COMMITTED_KEY,
    R_PLACEHOLDER,
    R_GIT_TRACKED,
    R_GIT_HISTORY,
    R_GIT_NOT_IGNORED,
    R_DOCKERIGNORE,
    R_PERM_READ,
    R_PERM_WRITE,
    R_BACKUP,
    R_EXAMPLE_MISSING,
    R_EXAMPLE_EXTRA,
    R_DUPLICATED_KEY,
    R_LOWERCASE_KEY,
    R_INCORRECT_DELIMITER,
    R_LEADING_CHARACTER,
    R_KEY_WITHOUT_VALUE,
    R_QUOTE_CHARACTER,
    R_SPACE_CHARACTER,
    R_SUBSTITUTION_KEY,
    R_TRAILING_WHITESPACE,
    R_UNORDERED_KEY,
    R_VALUE_WITHOUT_QUOTES,
    R_EXTRA_BLANK_LINE,
    R_ENDING_BLANK_LINE,
    R_SCHEMA,
    R_COUNT
};
/* The last of dotenv-linter's rules (R_DUPLICATED_KEY .. R_LAST_LINT): what its control
 * comments may switch off. */
#define R_LAST_LINT R_ENDING_BLANK_LINE

extern const struct rule_meta envcheck_rules[R_COUNT];
extern const char *const envcheck_rule_names[R_COUNT];
/* Index of a rule by id ("ENV100") or name ("weak-value"), case-insensitive; -1 if none. */
int envcheck_rule_find(const char *name, size_t len);

#define ENVCHECK_MAX_SECRET_NAMES 64

struct envcheck_config {
    unsigned char disabled[R_COUNT];
    int severity[R_COUNT]; /* -1: the rule's default */
    size_t min_length;     /* short-value threshold (characters) */
    double min_bits;       /* zxcvbn estimate below this is weak */
    char *example;         /* --env-example; NULL: `.env.example` beside the file */
    int no_example;
    char *secret_names[ENVCHECK_MAX_SECRET_NAMES]; /* extra name parts, upper case */
    size_t nsecret_names;
    struct envcheck_schema *schema; /* --schema (dotenv-linter's JSON), or NULL */
    size_t max_per_rule;   /* findings listed per rule and file; the rest are counted */
    size_t max_per_file;   /* findings listed per file, all rules together */
};

/* Defaults of the caps (INI `max_findings_per_rule`, `max_findings`): far above any real file,
 * low enough that a hostile one cannot make the report huge. */
#define ENVCHECK_MAX_PER_RULE 20000u
#define ENVCHECK_MAX_PER_FILE 50000u

/* The keys of the file being validated, by statement number (keys.c). */
struct envcheck_keyslot {
    uint32_t first; /* first statement with the key + 1; 0: empty slot */
    uint32_t last;  /* last statement with it */
};
struct envcheck_keys {
    const char *data;   /* the file */
    uint32_t *off;      /* statement -> offset of its key in data */
    uint32_t *line;     /* statement -> line */
    uint16_t *len;      /* statement -> key length (at most ENV_MAX_KEY_LEN) */
    unsigned char *flag; /* statement -> KF_* (UnorderedKey, replayed at the end) */
    size_t n, cap;
    struct envcheck_keyslot *s; /* open addressing, power of two */
    size_t scap;
};
#define KF_MEMBER    0x1 /* in an UnorderedKey group */
#define KF_RESET     0x2 /* a new group starts before it */
#define KF_UNORDERED 0x4 /* smaller than a key above it in its group */
int envcheck_keys_init(struct envcheck_keys *k, const char *data, size_t max_statements);
void envcheck_keys_free(struct envcheck_keys *k);
void envcheck_keys_drop_set(struct envcheck_keys *k); /* frees the hash set only */
/* Adds the next statement; returns the first statement with the same key, or -1. */
long envcheck_keys_add(struct envcheck_keys *k, const struct env_entry *e);
const struct envcheck_keyslot *envcheck_keys_find(const struct envcheck_keys *k,
                                                  const char *name, size_t len);
void envcheck_keys_prefetch(const struct envcheck_keys *k, const struct env_entry *e);

/* A `# dotenv-linter:off/on` comment: its line and the lint rules off after it (bit r). */
struct envcheck_control {
    int line;
    unsigned long long off;
};

/* Statements per chunk of the lexer in a validation (memory stays bounded on huge files). */
#define ENVCHECK_CHUNK 4096u

/* One validation run over one file. */
struct envcheck_ctx {
    const struct envcheck_config *cfg;
    const struct env_file *f;
    struct findings *out;
    const char *path;
    int is_example;       /* the file is itself an example/template */
    int is_stdin;         /* read from "-": no file checks */
    uint32_t *line_off;   /* line_off[l] = offset of line l (1-based), line_off[nlines+1] = len
                             (32 bits: files are at most ENV_MAX_FILE_SIZE) */
    int nlines;
    unsigned char *in_value; /* in_value[l]: line l is inside a multi-line value (not its first) */
    int has_ignore;          /* the file holds "secrets:ignore" somewhere */
    struct envcheck_control *ctl; /* dotenv-linter control comments, in line order */
    size_t nctl;
    size_t listed[R_COUNT];  /* findings added per rule */
    size_t listed_total;
    size_t dropped[R_COUNT]; /* findings over a cap: counted, summed up at the end */
    int dropped_sev[R_COUNT]; /* the highest severity among them */
    /* across the lexer's chunks */
    const char *given_path;  /* as given ("-" for stdin) */
    int ready, lexed;        /* the first chunk's set-up is done; every chunk is through */
    size_t diags_done;       /* the lexer's diagnostics already turned into findings */
    size_t base;             /* statement number of f->entries[0] */
    struct envcheck_keys keys;
    size_t group_start;      /* UnorderedKey: first statement of the group */
    long group_max;          /* its greatest key's statement, or -1 */
    int prev_end_line;       /* last line of the previous statement */
    void *engine;            /* the detection engine, opened once */
    unsigned char *schema_seen;
    struct envcheck_example *example; /* the example file, when compared */
};

/* Adds one "N more" finding per rule that went over a cap (at the rule's highest dropped
 * severity, so that --fail-on sees what was not listed). */
int envcheck_emit_summaries(struct envcheck_ctx *c);

/* Adds a finding for rule `r` unless it is disabled or an ignore comment covers the line.
 * `secret`/`secret_len` (may be NULL) give the redacted preview; the message never holds it. */
int envcheck_emit(struct envcheck_ctx *c, enum envcheck_rule r, int line, int column,
                  const char *secret, size_t secret_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The same with a caller's extra (a detector's redaction and fingerprint, a severity). */
int envcheck_emit_extra(struct envcheck_ctx *c, enum envcheck_rule r, int line, int column,
                        const struct finding_extra *extra, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
int envcheck_enabled(const struct envcheck_ctx *c, enum envcheck_rule r);

/* Redacted preview: at most 4 leading characters (fewer for short values) and the length. */
void envcheck_redact(const char *s, size_t n, char *out, size_t outsz);

/* dotenv-linter control comments (control.c): read them; is rule r off at `line`; is there
 * one strictly between two lines (it starts a new UnorderedKey group)? */
int envcheck_control_load(struct envcheck_ctx *c);
int envcheck_control_off(const struct envcheck_ctx *c, enum envcheck_rule r, int line);
int envcheck_control_between(const struct envcheck_ctx *c, int from_line, int to_line);

/* dotenv-linter's schema (schema.c): load (ERR_PARSE with the path on a bad one), free, and
 * the ENV213 check. */
struct envcheck_schema;
int envcheck_schema_load(const char *path, struct envcheck_schema **out);
void envcheck_schema_free(struct envcheck_schema *s);
int envcheck_check_schema(struct envcheck_ctx *c);       /* per chunk */
int envcheck_check_schema_final(struct envcheck_ctx *c);

/* Rule families (one file each). Those marked "per chunk" see the statements of one chunk of
 * the lexer (c->f->entries, numbered from c->base); their "final" part runs once at the end. */
int envcheck_check_syntax(struct envcheck_ctx *c);
int envcheck_check_portability(struct envcheck_ctx *c);
int envcheck_check_hygiene(struct envcheck_ctx *c);     /* per chunk */
void envcheck_hygiene_close(struct envcheck_ctx *c);
int envcheck_check_lint(struct envcheck_ctx *c);       /* per chunk */
int envcheck_check_lint_final(struct envcheck_ctx *c);
/* example: load it (0 and nothing to compare when there is none beside the file), per chunk,
 * final, free */
int envcheck_example_open(struct envcheck_ctx *c, const char *example_path, int explicit_path);
int envcheck_check_example(struct envcheck_ctx *c);
int envcheck_check_example_final(struct envcheck_ctx *c);
void envcheck_example_close(struct envcheck_ctx *c);
int envcheck_check_files(struct envcheck_ctx *c);

/* Hygiene helpers, exposed for tests. */
int envcheck_name_is_secret(const struct envcheck_config *cfg, const char *name, size_t len);
int envcheck_is_placeholder(const char *v, size_t n);
int envcheck_is_denylisted(const char *v, size_t n);
int envcheck_is_repetitive(const char *v, size_t n);
/* .dockerignore matching (patterns of one file, last match wins): 1 excluded, 0 not. */
int envcheck_dockerignore_excludes(const char *ignore_text, size_t len, const char *relpath);
/* Does a Dockerfile copy its whole context (COPY . / ADD .)? */
int envcheck_dockerfile_copies_context(const char *text, size_t len);

#endif
