/* common: error values and diagnostics, safe file I/O, the findings model and its renderers,
 * INI config and cJSON set-up. Every other module builds on this header and nothing else here. */
#ifndef COMMON_H
#define COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- Error model -------------------------------------------------------------------------
 * Library functions return 0 (or a non-negative count/fd) on success and a negative ERR_* on
 * failure, after recording a message with err_set(). Only cli/ prints it and exits. */
enum err_code {
    ERR_OK          = 0,
    ERR_USAGE       = -1,  /* bad option or value */
    ERR_IO          = -2,  /* read/write/open failed */
    ERR_PARSE       = -3,  /* malformed input */
    ERR_NOMEM       = -4,
    ERR_EXISTS      = -5,  /* refusing to overwrite */
    ERR_NOTFOUND    = -6,  /* no such file, key, image ... */
    ERR_LIMIT       = -7,  /* input over a size, count or depth bound */
    ERR_CRYPTO      = -8,  /* crypto library failure */
    ERR_AUTH        = -9,  /* wrong passphrase / key, or tampered data */
    ERR_UNAVAILABLE = -10, /* daemon, keyring or engine unreachable */
    ERR_UNSAFE      = -11, /* symlink, bad permissions, path escape */
    ERR_INTERNAL    = -12,
};

/* Records a message (printf-style) for the current thread and returns `code`. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like err_set, appending ": strerror(errno)". */
int err_set_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message recorded (never NULL; "" when none). */
const char *err_message(void);
/* A short fixed description of a code. */
const char *err_strerror(int code);
/* Exit status for a code: 0 for ERR_OK, 2 for every error. */
int err_exit_status(int code);

/* ---- Diagnostics (stderr) ---------------------------------------------------------------- */
void diag_set_program(const char *name);
const char *diag_program(void);
void diag_set_quiet(int quiet); /* suppresses notes and warnings, never errors */
int diag_is_quiet(void);
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A worker thread's messages, kept to print in order: while `b` is set (NULL ends it) this
 * thread's notes, warnings and errors are appended to it (returns the buffer set before);
 * diag_replay writes them to stderr. */
struct buf;
struct buf *diag_capture(struct buf *b);
void diag_replay(const struct buf *b);

/* ---- Growable byte buffer ---------------------------------------------------------------- */
struct buf {
    char *data; /* always NUL-terminated when len > 0 or after buf_append */
    size_t len;
    size_t cap;
};
int buf_append(struct buf *b, const void *data, size_t len);
/* Room for `extra` more bytes and a NUL (cap grows; len is unchanged). */
int buf_reserve(struct buf *b, size_t extra);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Zeroes the contents before freeing (buffers may hold secrets). */
void buf_free(struct buf *b);

/* ---- Ordered work queue (--jobs): common/workq.c ------------------------------------------
 * The submitter hands items in, in enumeration order; `threads` workers call run(item, arg) in
 * any order; the submitter calls retire(item, rc, arg) for every item strictly in submission
 * order (inside workq_submit or workq_drain), where rc is the first error an earlier retire
 * returned (0 if none): the item is then only freed. At most WORKQ_DEPTH x threads items are in flight.
 * Fewer than two threads: each item runs and retires inside workq_submit, no thread started. */
#define WORKQ_MAX_THREADS 256
#define WORKQ_DEPTH 8 /* items in flight per thread */
typedef void (*workq_run_fn)(void *item, void *arg);
typedef int (*workq_retire_fn)(void *item, int rc, void *arg);
struct workq;
int workq_open(struct workq **q, unsigned threads, workq_run_fn run, workq_retire_fn retire,
               void *arg);
/* Returns the first retire error so far (stop submitting then), else 0. */
int workq_submit(struct workq *q, void *item);
/* Waits for and retires every item in flight; the first retire error, else 0. */
int workq_drain(struct workq *q);
/* Drains, stops the threads and frees the queue. */
int workq_close(struct workq *q);
/* The default --jobs: the online cores, at most WORKQ_MAX_THREADS. */
unsigned workq_default_threads(void);

/* ---- Safe file I/O ----------------------------------------------------------------------- */
#define FILE_READ_NOFOLLOW 0x1 /* refuse when the last component is a symlink */

/* Reads a whole regular file of at most `max` bytes into `out` (NUL-terminated). "-" is stdin.
 * Errors: ERR_NOTFOUND, ERR_IO, ERR_LIMIT (too big), ERR_UNSAFE (symlink with NOFOLLOW,
 * not a regular file). */
int file_read_all(const char *path, size_t max, int flags, struct buf *out);
/* Creates a new file with O_CREAT|O_EXCL|O_NOFOLLOW and `mode` at open time. Returns the fd. */
int file_create_excl(const char *path, mode_t mode);
/* Writes all bytes, retrying on EINTR and short writes. */
int file_write_fd(int fd, const void *data, size_t len);
/* Atomic replace: temp file in the same directory (O_EXCL, `mode`), write, fsync, rename over
 * `path`, fsync the directory. Refuses when `path` is a symlink. Nothing half-written on error. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Like file_write_atomic but fails with ERR_EXISTS when `path` exists. */
int file_write_new(const char *path, const void *data, size_t len, mode_t mode);
/* Either of them with the temp file's content written by `fill` (which may pwrite, and copy
 * from another file without a buffer): 0, or < 0 with the error set. */
typedef int (*file_fill_fn)(int fd, void *arg);
/* fsync of a directory, so a rename in it survives a crash. */
int file_sync_dir(const char *dir);
int file_write_atomic_with(const char *path, mode_t mode, int must_be_new, file_fill_fn fill,
                           void *arg);
/* Creates a directory (and missing parents) with `mode`; ok when it exists as a directory. */
int file_mkdirs(const char *path, mode_t mode);

/* ---- Findings model ---------------------------------------------------------------------- */
enum severity {
    SEV_INFO = 0,
    SEV_LOW,
    SEV_MEDIUM,
    SEV_HIGH,
    SEV_CRITICAL,
};
/* A --fail-on threshold above every severity: nothing fails the run (`--fail-on none`). */
#define SEV_NONE 5
const char *severity_name(enum severity s);
/* Parses "critical|high|medium|low|info"; returns -1 when unknown. */
int severity_parse(const char *name);

/* Where a finding is. Strings may be NULL; line/column 0 = unknown. */
struct location {
    const char *path;      /* file on disk, or the file's path inside an image layer */
    int line;
    int column;
    int end_line;
    int end_column;
    int layer_index;       /* -1 when not in an image layer */
    const char *layer;     /* layer digest */
    const char *container; /* container id or name */
};

/* Static description of a rule: lives in the rule tables of the modules. */
struct rule_meta {
    const char *id;          /* stable id, e.g. "DF001" or "secret.aws-access-key-id" */
    enum severity severity;  /* default severity */
    const char *category;    /* "secret", "user", "supply-chain", "runtime", "hygiene", ... */
    const char *title;       /* one line */
    const char *remediation; /* how to fix */
    const char *aliases;     /* comma-separated ids in other tools, or NULL */
    const char *description; /* optional: why it matters (SARIF fullDescription); NULL = the
                              * title and remediation. Last, so positional rows need not set it. */
};

/* One finding; strings are owned copies (findings_add duplicates them). */
struct finding {
    char *rule;
    enum severity severity;
    char *category;
    char *title;
    char *message;
    char *remediation;
    char *aliases; /* comma-separated */
    char *target;  /* the scanned target's name */
    char *path;
    int line, column, end_line, end_column;
    int layer_index;
    char *layer;
    char *container;
    char *secret_redacted;    /* NULL unless a secret finding */
    char *secret_fingerprint; /* NULL unless a secret finding; in-run only, never printed */
    char *label;              /* a secret's name on its line (no value), for report fingerprints */
    char *description;        /* the rule's description, or NULL */
    struct finding_vcs *vcs;  /* NULL unless found in a version-control history */
    struct finding_vuln *vuln; /* NULL unless a package vulnerability (VULN001) */
};

/* Where a finding sits in a repository's history (scanner --git); strings owned by the finding
 * once set with findings_set_vcs. */
struct finding_vcs {
    char *commit;     /* full id of the commit that introduced it */
    char *author;     /* "Name <email>" */
    char *date;       /* ISO 8601 */
    char *subject;    /* first line of the message */
    char *removed_in; /* commit that deleted it, or NULL */
    int at_head;      /* still present at HEAD */
    long commits;     /* scanned commits that carry it */
};

/* The vulnerability a finding reports (scanner --image, VULN001); strings owned by the finding
 * once set with findings_set_vuln. Reports carry it as `vulnerability`. */
struct finding_vuln {
    char *id;
    char *aliases;   /* comma-separated, or NULL */
    char *package;
    char *ecosystem; /* OSV ecosystem ("Debian:12", "PyPI"), or a peer tool's package type */
    char *installed;
    char *fixed;     /* NULL when no fix is published */
    char *purl;      /* or NULL */
    char *layer;     /* the diff id of the layer that installed the package, or NULL */
    char *sources;   /* comma-separated tools that reported it, the finding's maker first:
                      * "scanner", "trivy", "grype" */
};

struct target {
    char *type; /* "dockerfile", "image", "container", "compose", "path", "env-file", "git" */
    char *name;
    char *vcs_uri;      /* git: the repository (remote URL or file:// path), else NULL */
    char *vcs_revision; /* git: the commit HEAD names, else NULL */
    char *vcs_branch;   /* git: HEAD's branch, else NULL */
};

struct findings_pool;
/* A target that could not be scanned: the run failed, whatever else it found. */
struct scan_error {
    char *target;  /* what was being scanned: a path, an image, a container, "-" */
    char *message; /* why it failed, as err_message() said it */
};

struct findings {
    struct finding *items;
    size_t n, cap;
    struct target *targets;
    size_t ntargets, tcap;
    /* NULL: every string of a finding is its own malloc (dropping findings goes through
     * findings_keep_if, which frees them either way). Set by findings_use_pool: the strings live in one arena,
     * equal ones stored once, and are freed only by findings_free. */
    struct findings_pool *pool;
    struct scan_error *errors; /* every report format states these (status "error") */
    size_t nerrors, ecap;
};

/* Optional extras of a finding beyond its rule and location. */
struct finding_extra {
    enum severity severity; /* used only when override_severity is set */
    int override_severity;
    const char *target;
    const char *secret_redacted;
    const char *secret_fingerprint;
    const char *label; /* a secret's name on its line, e.g. "GITHUB_TOKEN" (never the value) */
};

void findings_init(struct findings *f);
void findings_free(struct findings *f);
int findings_add_target(struct findings *f, const char *type, const char *name);
/* A function every finding message goes through before it is stored (the programs install the
 * detector's detect_redact_text): a message that quotes its input never carries a secret in
 * clear. It appends the new text to `out` and returns 1, or returns 0 to keep the message. */
typedef int (*findings_redactor_fn)(const char *msg, size_t len, struct buf *out);
void findings_set_redactor(findings_redactor_fn fn);
/* Adds a finding for `rule` at `loc` with a printf-style message. `extra` may be NULL. */
int findings_add(struct findings *f, const struct rule_meta *rule, const struct location *loc,
                 const struct finding_extra *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same with a message that needs no formatting (cheaper: no printf pass). */
int findings_add_msg(struct findings *f, const struct rule_meta *rule, const struct location *loc,
                     const struct finding_extra *extra, const char *message);
/* Switches an empty list to arena storage (see struct findings): for commands that add many
 * findings and never free one on its own. */
int findings_use_pool(struct findings *f);
/* Attaches a copy of `v` to finding `i` (scanner --git). */
int findings_set_vcs(struct findings *f, size_t i, const struct finding_vcs *v);
void finding_vcs_free(struct finding_vcs *v);
/* Attaches a copy of `v` to finding `i` (package vulnerabilities). */
int findings_set_vuln(struct findings *f, size_t i, const struct finding_vuln *v);
void finding_vuln_free(struct finding_vuln *v);
/* Records the repository and revision of the last target (SARIF versionControlProvenance). */
int findings_set_target_vcs(struct findings *f, const char *uri, const char *revision,
                            const char *branch);
/* Records that `target` could not be scanned (common/report_status.c). Findings are kept. */
int findings_add_error(struct findings *f, const char *target, const char *message);
/* Appends "target: message" (without repeating a target the message already names). */
int report_error_text(struct buf *out, const struct scan_error *e);
/* Frees the recorded errors (findings_free calls it). */
void findings_free_errors(struct findings *f);
/* Sorts by target, path, line, column, then severity (highest first) and rule id. */
void findings_sort(struct findings *f);
/* Number of findings at or above `threshold`. */
size_t findings_count_at_least(const struct findings *f, enum severity threshold);
/* Drops findings below `min`. */
void findings_filter_min(struct findings *f, enum severity min);
/* Keeps the findings `keep` says yes to, frees the others; returns how many were dropped. */
size_t findings_keep_if(struct findings *f, int (*keep)(const struct finding *x, void *user),
                        void *user);

/* ---- Ignores (common/report_ignore.c): one filter for every target -------------------------- */
/* A gitleaks-style entry: a rule id or alias at a file (relative to the scan root) and a line. */
struct ignore_at {
    char *rule;
    char *path;
    int line;
};
struct ignore_list {
    char **ids; /* rule ids or aliases of any tool ("DL3007", "CKV_DOCKER_7", "gitleaks:x") */
    size_t nids, idcap;
    struct ignore_at *at;
    size_t nat, atcap;
    int no_inline; /* 1: do not read inline ignore comments from the files */
};
int ignore_list_add_id(struct ignore_list *ig, const char *id, size_t len);
int ignore_list_add_at(struct ignore_list *ig, const char *rule, const char *path, int line);
void ignore_list_free(struct ignore_list *ig);
/* Does `id` name this finding's rule: its id, or one of its aliases (with or without the tool
 * prefix: "gitleaks:github-pat" or "github-pat"), case-insensitive? */
int finding_has_id(const struct finding *x, const char *id);
/* Does a rule (id + comma-separated aliases) answer to `id`? */
int rule_has_id(const char *rule_id, const char *aliases, const char *id);
/* Drops the findings the list names, and those an inline comment on their line or the line above
 * ignores (`scanner:ignore`, `scanner ignore=ID,...`, `hadolint ignore=ID`, `trivy:ignore:ID`,
 * `gitleaks:allow`, `nosec`-free). Returns the number dropped. */
size_t findings_apply_ignores(struct findings *f, const struct ignore_list *ig);

/* ---- Reports ----------------------------------------------------------------------------- */
enum report_format {
    REPORT_TEXT = 0,
    REPORT_JSON,
    REPORT_SARIF,
    REPORT_JUNIT,  /* JUnit XML (libxml2) for CI test tabs */
    REPORT_GITLAB, /* GitLab's secret-detection security report */
};
struct tool_info {
    const char *name;
    const char *version;
    const char *info_uri;
};
/* The names report_format_parse knows, for messages. */
#define REPORT_FORMAT_NAMES "text, json, sarif, junit, gitlab"
/* "text|json|sarif|junit|gitlab" -> format; -1 when unknown. */
int report_format_parse(const char *name);
/* From a file name's extension (.txt, .json, .sarif, .xml = JUnit); -1 for any other (an error
 * to the user). GitLab reports are JSON: they need --report-format gitlab. */
int report_format_from_path(const char *path);
/* Renders into `out`. `color` only affects text. */
int report_render(struct buf *out, enum report_format fmt, const struct findings *f,
                  const struct tool_info *tool, int color);
int report_write_text(struct buf *out, const struct findings *f, int color);
int report_write_json(struct buf *out, const struct findings *f, const struct tool_info *tool);
int report_write_sarif(struct buf *out, const struct findings *f, const struct tool_info *tool);
int report_write_junit(struct buf *out, const struct findings *f, const struct tool_info *tool);
int report_write_gitlab(struct buf *out, const struct findings *f, const struct tool_info *tool);
/* Renders and writes atomically to `path` (mode 0644; a report holds no secret in clear). */
int report_write_file(const char *path, enum report_format fmt, const struct findings *f,
                      const struct tool_info *tool);
/* The scan root report paths are relative to: `dir` (absolute; the cli passes the git work
 * tree's top), else the current directory. */
void report_set_root(const char *dir);
const char *report_root(void);
/* A file's path as reports show it: relative to the root ("./" dropped, a path under the current
 * sub-directory prefixed with it); absolute when outside the root. */
int report_path_rel(const char *path, char *out, size_t outsz);
/* The fingerprint reports and baselines carry (common/report_fingerprint.c): a keyed hash of the
 * rule, the location (no line numbers) and a secret's label, never of the secret's value. The
 * key derives from `salt` (per repository; NULL = none) set once before rendering. */
void report_fingerprint_salt(const char *salt, size_t len);
/* Defers the salt: `load` (which calls report_fingerprint_salt) runs at the first fingerprint. */
void report_fingerprint_salt_lazy(void (*load)(void));
void report_fingerprint(const struct finding *x, char out[65]);
/* occ[i] = 1 + how many of fps[0..i-1] equal fps[i] (n log n): the ":N" of a SARIF fingerprint. */
int report_occurrences(const char (*fps)[65], size_t n, unsigned *occ);
/* Colour on stdout: a TTY and NO_COLOR unset (or empty). */
int report_color_wanted(int fd);

/* ---- INI config (inih) ------------------------------------------------------------------- */
/* Called for every `key = value`; return 0 to accept, negative (after err_set) to stop. */
typedef int (*config_handler)(void *user, const char *section, const char *key, const char *value);
/* Loads an INI file of at most CONFIG_MAX_BYTES; a syntax error or a handler error gives
 * ERR_PARSE with path:line (lines longer than inih's 200 bytes are a syntax error). */
#define CONFIG_MAX_BYTES (1u << 20)
int config_load(const char *path, config_handler handler, void *user);

/* What ignore files say (common/config_ignore.c): ids (each with the file and line it came from),
 * gitleaks file:rule:line entries, hadolint's failure threshold and trusted registries. */
struct config_id_source {
    char *id;
    char *file;
    int line;   /* 0 when the file format has none (INI values) */
    int strict; /* 1: an id we do not know is an error (ours); 0: a warning (other tools') */
};
struct config_ignores {
    struct ignore_list list;
    struct config_id_source *sources;
    size_t nsources, scap;
    int fail_on; /* from .hadolint.yaml failure-threshold: a severity, SEV_NONE, or -1 unset */
    char **trusted; /* .hadolint.yaml trustedRegistries */
    size_t ntrusted;
};
void config_ignores_init(struct config_ignores *c);
void config_ignores_free(struct config_ignores *c);
/* `.scanner.ini`: [scanner] ignore = ID, ID (every target; [dockerfile] disable counts too). */
int config_ignores_read_ini(struct config_ignores *c, const char *path);
int config_ignores_read_hadolint(struct config_ignores *c, const char *path);
int config_ignores_read_trivy(struct config_ignores *c, const char *path);
int config_ignores_read_gitleaks(struct config_ignores *c, const char *path);

/* ---- cJSON set-up -------------------------------------------------------------------------- */
/* Installs allocator hooks that zero every block before freeing it (the vault payload passes
 * through cJSON). Idempotent; call once at start. */
void json_init(void);
struct cJSON;
/* "a, b,c" -> the JSON array ["a","b","c"] (empty items dropped; NULL gives []); NULL on OOM. */
struct cJSON *json_list_array(const char *list);
/* The next item of such a list at *cursor (blanks before it dropped, empty items skipped): its
 * start, its length in *len, and *cursor moved past it; NULL at the end. */
const char *json_list_next(const char **cursor, size_t *len);

/* ---- git (common/git.c) ------------------------------------------------------------------ */
/* Runs `git -C dir ARGS...` without a shell, pager, fsmonitor or locks; stdout (at most outsz-1
 * bytes, NUL-terminated) into `out` when not NULL. Returns git's exit status, -1 when it cannot
 * run. */
int git_run(const char *dir, const char *const *args, char *out, size_t outsz);
/* The work tree's top directory around `dir`; -1 when not in a work tree. */
int git_toplevel(const char *dir, char *out, size_t outsz);
/* The repository's root commit id (the smallest when several); -1 when there is none, or the
 * clone is shallow (its cut-off commit is no root). */
int git_root_commit(const char *dir, char out[41]);

/* ---- Libraries loaded on first use (dlopen) ----------------------------------------------- */
/* One symbol to resolve: its name and where its address goes. */
struct lazy_sym {
    const char *name;
    void **slot;
};
/* Loads `soname` (RTLD_NOW) and fills every slot; ERR_INTERNAL naming the library or the
 * missing symbol. Callers run it once (lazy_load_once) before their first call into the library. */
int lazy_load(const char *soname, const struct lazy_sym *syms, size_t n);
/* A library a module loads on first use: what to load, an optional step after loading, and
 * the outcome, kept so that every later call gives the same answer. */
struct lazy_lib {
    const char *soname;
    const struct lazy_sym *syms;
    size_t nsyms;
    int (*after)(void); /* NULL, or run once the symbols are filled (libcurl's global init) */
    int done, rc;
    char msg[512];
};
#define LAZY_LIB(soname, syms, after) {soname, syms, sizeof(syms) / sizeof((syms)[0]), after, 0, 0, ""}
/* Loads l once per process, whatever the thread; 0, or the first attempt's error again. */
int lazy_load_once(struct lazy_lib *l);

/* ---- Small string helpers ------------------------------------------------------------------- */
char *xstrdup_or_null(const char *s); /* NULL in, NULL out; NULL on OOM too */
/* FNV-1a (64-bit) of n bytes: the hash of the in-memory hash tables (never stored on disk). */
unsigned long long str_hash(const char *s, size_t n);
/* snprintf that returns ERR_LIMIT on truncation and ERR_INTERNAL on error, else 0. */
int str_format(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- Shared predicates (common/predicates.c) ------------------------------------------- */
/* Is a USER / `user:` / config User root: empty, "root", or a UID of zeros ("0", "00"), with
 * or without a group ("0:0", "root:www")? ":1000" sets a group only (the image's user). */
int user_is_root(const char *user);
/* Does a mode let others write? `kind`: 1 a directory, 0 another file, -1 unknown (a chmod or
 * --chmod argument). A sticky directory (1777, /tmp) is shared on purpose, not reported; a
 * sticky mode of unknown kind names such a directory. */
int mode_world_writable(unsigned perm, int kind);
/* The same for a mode as written: octal ("0777", "1777") or symbolic ("o+w", "a=rwx,+t"). */
int mode_text_world_writable(const char *mode);

/* ---- .dockerignore (common/dockerignore.c) ------------------------------------------------ */
/* Glob: `*` never crosses '/'; `**` spans directories when `dstar` is set; [a-z] [!a] ? \x. */
int glob_match(const char *pat, const char *path, int dstar);
/* Drops leading "/" and "./", "//", "/." components and a trailing "/" (in place). */
void path_clean_rel(char *p);
struct dockerignore {
    char **pat; /* cleaned patterns */
    int *neg;   /* `!` exceptions */
    size_t n;
    int has_neg;
};
int dockerignore_parse(struct dockerignore *d, const char *text, size_t len);
/* Is `relpath` (relative to the context) excluded? The last matching line wins. */
int dockerignore_match(const struct dockerignore *d, const char *relpath);
void dockerignore_free(struct dockerignore *d);
int dockerignore_excludes(const char *text, size_t len, const char *relpath);

#endif
