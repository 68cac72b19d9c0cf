/* dockerfile: the parsed form of a Dockerfile (instructions with exact spans, stages,
 * expanded values) and what the parser, the rules and the tests share (scanner/dockerfile/). */
#ifndef SCANNER_DOCKERFILE_H
#define SCANNER_DOCKERFILE_H

#include <stddef.h>

#include "common.h"
#include "scanner.h"

/* Bounds that keep hostile input cheap: past them the parser records a problem and stops
 * reading more of that kind, it never aborts. */
#define DF_MAX_FILE      (8u << 20) /* default read limit */
#define DF_MAX_INSTRS    200000
#define DF_MAX_HEREDOCS  16  /* per instruction */
#define DF_MAX_VARS      4096 /* per scope */
#define DF_MAX_STAGES    1024
#define DF_MAX_WORDS     100000 /* per instruction, and per RUN for the shell analysis */
/* Variable expansion: `ARG A2=${A1}${A1}` doubles a value per line, so 64 short lines would ask
 * for 2^64 bytes. One expanded value, and all of a Dockerfile's together, stop at these. */
#define DF_MAX_EXPANDED       (64u << 10)
#define DF_MAX_EXPANDED_TOTAL (16u << 20)

enum df_kind {
    DF_UNKNOWN = 0,
    DF_FROM,
    DF_RUN,
    DF_CMD,
    DF_LABEL,
    DF_MAINTAINER,
    DF_EXPOSE,
    DF_ENV,
    DF_ADD,
    DF_COPY,
    DF_ENTRYPOINT,
    DF_VOLUME,
    DF_USER,
    DF_WORKDIR,
    DF_ARG,
    DF_ONBUILD,
    DF_STOPSIGNAL,
    DF_HEALTHCHECK,
    DF_SHELL,
};

/* Memory of one parse: freed at once. */
struct df_arena {
    struct df_block *head;
    int failed;
};
void *df_alloc(struct df_arena *a, size_t n);
char *df_strndup(struct df_arena *a, const char *s, size_t n);

/* A word of an instruction's arguments. `off` is a byte offset into the instruction's joined
 * text; df_pos() turns it into a line and column of the file. */
struct df_word {
    const char *raw;  /* as written, quotes kept */
    const char *text; /* quotes and escapes removed, not expanded */
    const char *x;    /* expanded where the builder expands, else == text */
    size_t off;
    size_t len;       /* of raw */
};

struct df_flag {
    const char *name;  /* without the leading "--" */
    const char *value; /* NULL for a bare flag */
    size_t off;
};

struct df_heredoc {
    const char *delim;
    int strip_tabs;   /* <<- */
    int quoted;       /* no expansion */
    int terminated;
    const char *body; /* lines joined with \n, CR removed */
    size_t body_len;
    int line;         /* line of the first body line */
};

/* A key=value pair of ENV, ARG or LABEL. */
struct df_kv {
    const char *key;
    const char *value;  /* quotes removed, not expanded; NULL when none (ARG NAME) */
    const char *xvalue; /* expanded */
    size_t key_off, value_off;
    int literal;        /* no variable reference in the value */
};

struct df_seg {
    size_t text_off; /* offset in the joined text */
    size_t file_off; /* offset of the same byte in the file */
};

struct df_instr {
    enum df_kind kind;
    const char *keyword; /* as written */
    int line, col, end_line;
    const char *text;    /* arguments, continuation lines joined, comment lines removed */
    size_t text_len;
    size_t text_base;    /* offset of text inside the segments' joined text (ONBUILD) */
    const struct df_seg *segs;
    size_t nsegs;
    struct df_word *words;
    size_t nwords;
    size_t first_arg;    /* index of the first word after the flags */
    size_t args_off;     /* offset in text of the first argument */
    struct df_flag *flags;
    size_t nflags;
    int json;            /* exec form */
    const char **jargs;
    size_t njargs;
    struct df_heredoc *heredocs;
    size_t nheredocs;
    struct df_kv *kvs;   /* ENV, ARG, LABEL */
    size_t nkvs;
    struct df_instr *sub; /* ONBUILD's instruction */
    int stage;           /* index, -1 before the first FROM */
    const char *ignore;  /* ids from a pragma on the line before, comma-separated */
};

struct df_stage {
    const char *name;    /* lower-cased AS name or NULL */
    const char *image;   /* base reference, expanded */
    int base_stage;      /* index of the stage it is built FROM, or -1 */
    int in_final;        /* the final stage or one it is built on */
    size_t from;         /* instruction index of FROM */
    size_t end;          /* one past the last instruction */
};

struct df_problem {
    int line, col;
    const char *msg;
};

struct df_mount_secret {
    const char *id;
    int line;
};

struct dockerfile {
    struct df_arena arena;
    const char *path;     /* as shown in findings */
    const char *data;     /* the file, BOM removed, NUL bytes replaced */
    size_t len;
    size_t *line_starts;  /* file offsets */
    size_t nlines;
    char escape;
    const char *syntax, *check;
    struct df_instr *instrs;
    size_t n, cap;
    struct df_stage *stages;
    size_t nstages;
    struct df_problem *problems;
    size_t nproblems, pcap;
    const char *global_ignore; /* "# hadolint global ignore=" ids */
};

/* Parses `len` bytes (any bytes). Returns 0, or ERR_NOMEM; syntax trouble becomes problems. */
int dockerfile_parse(struct dockerfile *df, const char *path, const char *data, size_t len);
void dockerfile_free(struct dockerfile *df);
/* Stages, scopes and expansion (after parse). */
int dockerfile_resolve(struct dockerfile *df);
/* File position of byte `off` of an instruction's text. */
void df_pos(const struct dockerfile *df, const struct df_instr *in, size_t off, int *line, int *col);
/* Line and column of a file offset. */
void df_file_pos(const struct dockerfile *df, size_t file_off, int *line, int *col);
const char *df_kind_name(enum df_kind k);
int df_problem(struct dockerfile *df, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const struct df_flag *df_flag_get(const struct df_instr *in, const char *name);

/* The one shell-word tokenizer (words.c): reads the word at t[*pos] into `out` (room for n
 * bytes), quotes removed, `esc` escaping the next character outside single quotes; returns its
 * length and moves *pos past it. In `shell` mode the word also ends at ; & | CR and newline
 * outside quotes and $( ), and an escaped newline is dropped. *open_q: an unterminated quote. */
size_t df_word_next(const char *t, size_t n, size_t *pos, char esc, int shell, char *out,
                    char *open_q);

/* Variable scopes: expansion of $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} and quote removal. */
struct df_var {
    const char *name;
    const char *value; /* NULL = declared without a value */
    int is_env;
};
struct df_scope {
    struct df_var *v;
    size_t n, cap;
    int *idx; /* open-addressing index of v by (name, is_env), nslots = 2 * cap slots */
    size_t nslots;
};
const struct df_var *df_scope_get(const struct df_scope *s, const char *name, size_t len);
int df_scope_set(struct df_arena *a, struct df_scope *s, const char *name, const char *value,
                 int is_env);
/* Expands `raw` (quotes processed) in scope `s`; *unresolved set when a variable was unknown. */
char *df_expand(struct df_arena *a, const struct df_scope *s, const char *raw, char escape,
                int *unresolved);

/* An image reference split into parts (all arena strings, "" when absent). */
struct df_image {
    const char *registry; /* "" = Docker Hub */
    const char *repo;     /* e.g. "library/python" stays "python" */
    const char *tag;
    const char *digest;
    int official;         /* Docker Hub, no namespace or library/ */
};
void df_image_parse(struct df_arena *a, const char *ref, struct df_image *out);
/* End-of-life date (YYYY-MM-DD) of a base image when known and past `today`; NULL otherwise. */
const char *df_image_eol(struct df_arena *a, const struct df_image *img, const char *today,
                         char *what, size_t whatsz);

/* Options after config merging. */
struct df_config {
    char **disabled;       /* ids or aliases */
    size_t ndisabled;
    struct {
        char *id;
        enum severity sev;
    } *overrides;
    size_t noverrides;
    char **trusted;        /* registries (Docker Hub official images are trusted when empty) */
    size_t ntrusted;
    int trusted_set;
    int *ports;
    size_t nports;
    int ports_set;
    char today[11];
    struct {
        char *name, *type; /* .hadolint.yaml label-schema: text|url|email|rfc3339|spdx|hash|semver */
    } *labels;
    size_t nlabels;
    int strict_labels;
};
int df_config_init(struct df_config *c, const struct scanner_opts *o, const char *ctx_dir);
void df_config_free(struct df_config *c);
/* The label schema of `.hadolint.yaml` in the context directory or the working directory. */
int df_labels_load(struct df_config *c, const char *ctx_dir);
/* --config FILE.yaml: hadolint's config file instead of .scanner.ini (missing: an error). */
int df_labels_load_file(struct df_config *c, const char *path);
/* The same from a buffer (any bytes, at most 1 MiB): label-schema, strict-labels, ignored,
 * trustedRegistries; what it does not understand is skipped. */
int df_hadolint_yaml_parse(struct df_config *c, const char *text, size_t len);

/* Helpers of the instruction rules (rules.c). */
struct df_ctx;
void df_word_pos(struct df_ctx *c, const struct df_instr *in, size_t w, int *l, int *col);
/* A port or range of EXPOSE (not a variable): 1 and its bounds, else 0. */
int df_expose_range(const char *x, long *lo, long *hi);
/* Arguments of an instruction in exec (JSON) or shell form, after the flags. */
int df_nargs_json_or_words(const struct df_instr *in);
const char *df_arg_at(const struct df_instr *in, size_t i);

/* Each top-level instruction: EACH_INSTR(c, i, in) { ... in->kind ... } */
#define EACH_INSTR(c, i, in) \
    for (size_t i = 0; i < (c)->df->n; i++) \
        for (const struct df_instr *in = &(c)->df->instrs[i]; in != NULL; in = NULL)

/* Scan context shared by the rules. */
struct detect_engine;
struct df_ctx {
    struct dockerfile *df;
    struct findings *f;
    const struct df_config *cfg;
    const struct scanner_opts *o;
    struct detect_engine *engine;
    const char *ctx_dir; /* build context, NULL for stdin without --context */
    const char *path_override; /* location path for findings in context files */
    size_t first;        /* f->items[first..]: this Dockerfile's findings (the rest: earlier files) */
    int rc;              /* first error */
};

/* The rule table (catalog.c): one row per rule, its metadata and the check that reports it.
 * A NULL check means a pass reports the rule: secrets.c (DF003, DF004, DF016), context.c (DF005,
 * DF007, DF027) or a RUN program handler in run.c. Code names a row as DF_RULE(DF012): an id
 * that is not in the table does not compile. */
struct df_rule {
    struct rule_meta meta;
    void (*check)(struct df_ctx *c, const struct rule_meta *r);
};
enum df_rule_index {
    DFR_DF000, DFR_DF001, DFR_DF002, DFR_DF003, DFR_DF004, DFR_DF005, DFR_DF006, DFR_DF007,
    DFR_DF010, DFR_DF011, DFR_DF012, DFR_DF013, DFR_DF014, DFR_DF015, DFR_DF016, DFR_DF020,
    DFR_DF021, DFR_DF022, DFR_DF023, DFR_DF024, DFR_DF025, DFR_DF026, DFR_DF027, DFR_DF030,
    DFR_DF031, DFR_DF032, DFR_DF033, DFR_DF034, DFR_DF035, DFR_DF036, DFR_DF037, DFR_DF038,
    DFR_DF039, DFR_DF040, DFR_DF041, DFR_DF042, DFR_DF043, DFR_DF044, DFR_DF045, DFR_DF046,
    DFR_DF047, DFR_DF048, DFR_DF049, DFR_DF051, DFR_DF052, DFR_DF053, DFR_DF054, DFR_DF055,
    DFR_DF056, DFR_DF057, DFR_DF058, DFR_DF059, DFR_DF060, DFR_DF061,
    DFR_DF062, DFR_DF063, DFR_DF064, DFR_DF065, DFR_DF066, DFR_DF067,
    DFR_DF050,
    DFR_COUNT
};
extern const struct df_rule df_rules[DFR_COUNT];
#define DF_RULE(id) (&df_rules[DFR_##id].meta)
size_t df_rule_count(void);
const struct rule_meta *df_rule_at(size_t i);
/* The one place findings are added (ignore pragmas, disabled ids, severity overrides). */
void df_report(struct df_ctx *c, const struct rule_meta *r, const struct df_instr *in, int line,
               int col, const struct finding_extra *extra, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The same for a finding that is one case of a rule with several hadolint equivalents: `dl`
 * (comma-separated DL ids) replaces the row's DL aliases, the others stay; ignore pragmas
 * match what is left. DF032 for pip: df_report_as(c, DF_RULE(DF032), "DL3013", ...). */
void df_report_as(struct df_ctx *c, const struct rule_meta *r, const char *dl,
                  const struct df_instr *in, int line, int col, const struct finding_extra *extra,
                  const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Checks of the rows (rules.c). */
void df_check_syntax(struct df_ctx *c, const struct rule_meta *r);
void df_check_root_user(struct df_ctx *c, const struct rule_meta *r);
void df_check_latest_tag(struct df_ctx *c, const struct rule_meta *r);
void df_check_insecure_run(struct df_ctx *c, const struct rule_meta *r);
void df_check_sensitive_port(struct df_ctx *c, const struct rule_meta *r);
void df_check_copy_chmod(struct df_ctx *c, const struct rule_meta *r);
void df_check_tls_env(struct df_ctx *c, const struct rule_meta *r);
void df_check_add_url(struct df_ctx *c, const struct rule_meta *r);
void df_check_healthcheck(struct df_ctx *c, const struct rule_meta *r);
void df_check_trusted_registry(struct df_ctx *c, const struct rule_meta *r);
void df_check_eol_base(struct df_ctx *c, const struct rule_meta *r);
void df_check_debug_mode(struct df_ctx *c, const struct rule_meta *r);
void df_check_add_local(struct df_ctx *c, const struct rule_meta *r);
void df_check_digest_pin(struct df_ctx *c, const struct rule_meta *r);
void df_check_maintainer(struct df_ctx *c, const struct rule_meta *r);
void df_check_workdir_relative(struct df_ctx *c, const struct rule_meta *r);
void df_check_duplicate_cmd(struct df_ctx *c, const struct rule_meta *r);
void df_check_copy_from(struct df_ctx *c, const struct rule_meta *r);
void df_check_duplicate_stage(struct df_ctx *c, const struct rule_meta *r);
void df_check_shell_form(struct df_ctx *c, const struct rule_meta *r);
void df_check_port_range(struct df_ctx *c, const struct rule_meta *r);
void df_check_copy_dest_slash(struct df_ctx *c, const struct rule_meta *r);
void df_check_first_instr(struct df_ctx *c, const struct rule_meta *r);
void df_check_onbuild(struct df_ctx *c, const struct rule_meta *r);
void df_check_system_dir(struct df_ctx *c, const struct rule_meta *r);
void df_check_consecutive_run(struct df_ctx *c, const struct rule_meta *r);
void df_check_env_self(struct df_ctx *c, const struct rule_meta *r);
void df_check_copy_no_workdir(struct df_ctx *c, const struct rule_meta *r);
void df_check_build_secrets(struct df_ctx *c, const struct rule_meta *r);
void df_check_label_key(struct df_ctx *c, const struct rule_meta *r);
void df_check_label_schema(struct df_ctx *c, const struct rule_meta *r);
void df_check_platform_redundant(struct df_ctx *c, const struct rule_meta *r);
void df_check_user_numeric(struct df_ctx *c, const struct rule_meta *r);
void df_check_copy_root(struct df_ctx *c, const struct rule_meta *r);
void df_check_inline_ignore(struct df_ctx *c, const struct rule_meta *r);
void df_check_debug_port(struct df_ctx *c, const struct rule_meta *r);
void df_check_stage_root(struct df_ctx *c, const struct rule_meta *r);

/* Passes that report several rows at once. */
void df_rules_run(struct df_ctx *c);     /* run.c: RUN commands, one handler per program */
void df_rules_secrets(struct df_ctx *c); /* secrets.c */
void df_rules_context(struct df_ctx *c); /* context.c: the build context */
/* Build contexts are walked and read once per run (per directory and .dockerignore); a caller
 * that changes a context's files between scans in one process resets the cache first. */
void dockerfile_context_cache_reset(void);
void df_rules_checks(struct df_ctx *c);  /* rules.c: the check of every row that has one */

/* Helpers shared by the rule files. */
int df_secret_file_name(const char *path); /* private keys, .env, credential files */
/* A secret-like name with a literal value (not a placeholder, not already a detect hit):
 * reports DF004/DF016; returns 1 when the value is a secret (reported here or by the engine). */
int df_secret_literal(struct df_ctx *c, const struct df_instr *in, const char *name,
                       const char *value, int line, int col, const char *where);
/* The detection engine, opened once per process; NULL (with a warning) if it cannot be. */
struct detect_engine *df_engine(void);

/* Scans a buffer as a Dockerfile (what scanner_scan_dockerfile does after reading). */
int dockerfile_scan_buffer(const char *path, const char *data, size_t len,
                           const struct scanner_opts *o, const char *ctx_dir,
                           struct findings *f);

#endif
