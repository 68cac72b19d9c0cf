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

/* Variable scopes: expansion of $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} and quote removal. */
struct df_var {
    const char *name;
    const char *value; /* NULL = declared without a value */
    int is_env;
};
struct df_scope {
    struct df_var *v;
    size_t n, cap;
    int *idx; /* open-addressing index of v by (name, is_env), 2*DF_MAX_VARS slots */
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
};
int df_config_init(struct df_config *c, const struct scanner_opts *o, const char *ctx_dir);
void df_config_free(struct df_config *c);

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
    int rc;              /* first error */
};

/* Rule table lookup and the one place findings are added (ignores, overrides, stage). */
const struct rule_meta *df_rule(const char *id);
size_t df_rule_count(void);
const struct rule_meta *df_rule_at(size_t i);
void df_report(struct df_ctx *c, const char *id, const struct df_instr *in, int line, int col,
               const struct finding_extra *extra, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Rule families. */
void df_rules_instr(struct df_ctx *c);   /* dockerfile_rules.c */
void df_rules_run(struct df_ctx *c);     /* dockerfile_run.c */
void df_rules_secrets(struct df_ctx *c); /* dockerfile_secrets.c */
void df_rules_context(struct df_ctx *c); /* dockerfile_context.c */

/* Helpers shared by the rule files. */
int df_secret_file_name(const char *path); /* private keys, .env, credential files */
/* `**` spans directories when dstar is set (.dockerignore); `*` never crosses '/'. */
int df_glob_match(const char *pat, const char *path, int dstar);
int df_world_writable(const char *mode);
/* A secret-like name with a literal value (not a placeholder, not already a detect hit). */
void df_secret_literal(struct df_ctx *c, const struct df_instr *in, const char *name,
                       const char *value, int line, int col, const char *where);
/* The detection engine, opened once per process; NULL (with a warning) if it cannot be. */
struct detect_engine *df_engine(void);

/* Scans a buffer as a Dockerfile (what scanner_scan_dockerfile does after reading). */
int dockerfile_scan_buffer(const char *path, const char *data, size_t len,
                           const struct scanner_opts *o, const char *ctx_dir,
                           struct findings *f);

#endif
