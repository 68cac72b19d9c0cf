/* cli: the front end shared by `secrets` and `scanner`: dispatch tables, report options, the
 * stdout check at exit. Only this module exits; everything below returns error codes. */
#ifndef CLI_H
#define CLI_H

#include "common.h"

/* Exit statuses (docs/architecture.md): 0 clean, 1 findings at or above the threshold, 2 error. */
enum {
    EXIT_CLEAN    = 0,
    EXIT_FINDINGS = 1,
    EXIT_ERROR    = 2,
};

/* One row of a program's dispatch table. `fn` gets argv with argv[0] = the subcommand name and
 * returns an exit status. */
struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/* Options every reporting command shares: --format, --report, --fail-on, --no-color, --quiet. */
struct report_opts {
    int format;             /* REPORT_* for stdout; -1 = text */
    const char *report;     /* --report FILE */
    int report_format;      /* --report-format: -1 = from --report's extension */
    enum severity fail_on;  /* exit 1 when a finding is at or above this (SEV_NONE: never) */
    int fail_on_set;        /* --fail-on was given (a config's threshold does not override it) */
    enum severity min_show; /* hide findings below this */
    int no_color;
};
#define REPORT_OPTS_LONG                                                                       \
    {"format", required_argument, NULL, 0x100}, {"report", required_argument, NULL, 0x101},    \
        {"fail-on", required_argument, NULL, 0x102}, {"no-color", no_argument, NULL, 0x103},  \
        {"min-severity", required_argument, NULL, 0x104},                                     \
        {"report-format", required_argument, NULL, 0x105}, {"quiet", no_argument, NULL, 'q'}
/* The --fail-on line of a command's help, with that command's default. */
#define REPORT_FAIL_ON_HELP(dflt)                                                              \
    "      --fail-on SEVERITY         exit 1 at or above it, or none (default " dflt ")\n"
#define REPORT_OPTS_HELP                                                                       \
    "  -f, --format FORMAT            stdout's format: " REPORT_FORMAT_NAMES " (default text)\n" \
    "      --report FILE              also write a report to FILE (.txt .json .sarif .xml)\n"  \
    "      --report-format FORMAT     the --report file's format (default: from its extension)\n" \
    "      --min-severity SEVERITY    hide findings below it (default info)\n"                 \
    "      --no-color                 never colour the text report (NO_COLOR works too)\n"     \
    "  -q, --quiet                    no notes or warnings on stderr\n"

void cli_report_opts_init(struct report_opts *o);
/* Handles one getopt result if it is a report option: 1 handled, 0 not ours, -1 bad value
 * (message printed). */
int cli_report_opt(struct report_opts *o, int opt, const char *arg);
/* After option parsing: a --report whose format is neither given nor told by its extension is
 * an error (message printed, -1). */
int cli_report_opts_check(const struct report_opts *o);
/* Sorts, renders to stdout and --report, and returns the exit status. */
int cli_report_emit(struct findings *f, const struct report_opts *o, const struct tool_info *tool);

/* One option of a command (cli/cli_opts.c): its table is the getopt array, the --help lines, and
 * the spec the man pages and completions are generated from. */
struct cli_opt {
    const char *name;    /* long name, without "--" */
    char short_name;     /* 0 when none */
    int val;             /* what getopt returns */
    const char *argname; /* "FILE", "SEVERITY"...; NULL when the option takes no argument */
    const char *help;    /* one line */
    const char *values;  /* for completion: "a b c" (fixed words), or NULL */
    const char *kind;    /* for completion: "file", "dir" or NULL */
    int hidden;          /* not shown (internal) */
};
/* Builds getopt_long's arrays from NULL-terminated lists of tables (each ended by a row with a
 * NULL name); 0, or -1 when an array is too small. */
struct option;
int cli_opts_build(const struct cli_opt *const *tables, struct option *longopts, size_t maxlong,
                   char *shortopts, size_t maxshort);
/* The option lines of --help. */
void cli_opts_help(FILE *out, const struct cli_opt *const *tables);
/* `--options-spec`: one line per option: command, --long, -s, ARG, values, kind, help (tabs). */
void cli_opts_spec(FILE *out, const char *command, const struct cli_opt *const *tables);
#define CLI_REPORT_OPTS                                                                        \
    {"format", 'f', 0x100, "FORMAT", "stdout's format (default text)",                        \
     "text json sarif junit gitlab", NULL, 0},                                                 \
        {"report", 0, 0x101, "FILE", "also write a report to FILE (.txt .json .sarif .xml)",   \
         NULL, "file", 0},                                                                     \
        {"report-format", 0, 0x105, "FORMAT", "the --report file's format (default: its extension)", \
         "text json sarif junit gitlab", NULL, 0},                                             \
        {"fail-on", 0, 0x102, "SEVERITY", "exit 1 at or above it, or none",                    \
         "critical high medium low info none", NULL, 0},                                       \
        {"min-severity", 0, 0x104, "SEVERITY", "hide findings below it (default info)",        \
         "critical high medium low info", NULL, 0},                                            \
        {"no-color", 0, 0x103, NULL, "never colour the text report (NO_COLOR works too)", NULL, \
         NULL, 0},                                                                             \
        {"quiet", 'q', 'q', NULL, "no notes or warnings on stderr", NULL, NULL, 0}

/* Rule ids (cli/cli_rules.c): is `id` a rule id or alias of any table; the closest known one. */
int cli_rule_known(const char *id);
void cli_rule_closest(const char *id, char *out, size_t outsz);
/* The ignores of a scan (cli/cli_ignore.c): --ignore ids, then `--config F` or the first
 * .scanner.ini of the current directory and the git work tree's top, and the first .hadolint.yaml,
 * .trivyignore and .gitleaksignore found there. An unknown id of ours is an error naming the
 * closest known one (-1, message printed); other tools' ids we have no rule for are noted.
 * `*config` gets the .scanner.ini used (for the Dockerfile scanner's other settings). */
int cli_ignores_load(const char *config_opt, const char *const *ids, size_t nids,
                     struct config_ignores *ci, const char **config);
/* Once per run, before any report or baseline: the scan root and the fingerprint salt of the
 * repository around the current directory (cli/cli_repo.c). */
void cli_repo_setup(void);
/* Prints err_message() (or the code's words) as an error and returns EXIT_ERROR. */
int cli_fail(int code);
/* Parses a decimal in [min, max]; prints an error naming `what` on failure. */
int cli_parse_long(const char *s, long min, long max, const char *what, long *out);
/* --jobs N: 1 to WORKQ_MAX_THREADS (256) threads; prints the error on failure. */
int cli_parse_jobs(const char *s, unsigned *out);
/* Runs the dispatch table: --help, --version, unknown subcommand -> usage and exit 2. */
int cli_dispatch(const struct cli_cmd *cmds, int argc, char **argv, const char *usage);
/* After a successful command: flush and close stdout, turning a write error into exit 2. */
int cli_finish(int status);
/* Core dumps off and the process made non-dumpable (secrets holds keys in memory); every
 * finding message passes through the detector's redaction (detect_redact_text). */
void cli_harden_process(void);
/* Warns once that a secret given on the command line is visible to other users. */
void cli_warn_argv_secret(const char *option);

/* Options of `scanner` beyond the report options; target adapters read what they need. */
struct scan_opts {
    struct report_opts report;
    const char *baseline;       /* --baseline FILE */
    const char *write_baseline; /* --write-baseline FILE */
    const char *platform;       /* --platform OS/ARCH[/VARIANT] */
    const char *service;        /* --service NAME (compose) */
    long max_file_size;         /* --max-file-size BYTES (path scans) */
    unsigned jobs;              /* --jobs N (path trees, build contexts); 0 = one a core */
    int skip_base;              /* --skip-base (images) */
    int show_secrets;           /* --show-secrets: the explicit flag to print values */
    int all_containers;         /* --all-containers */
    int with_image;             /* --with-image (containers): their images too */
    const char *context;        /* --context DIR (Dockerfile build context) */
    const char *config;         /* --config FILE (.scanner.ini) */
    const char **ignore;        /* --ignore ID, repeatable */
    size_t nignore;
    const char *vuln_db;        /* --vuln-db DIR (images) */
    int no_vulns;               /* --no-vulns */
    int ignore_unfixed;         /* --ignore-unfixed */
    const char *sbom;           /* --sbom cyclonedx|spdx */
    const char *sbom_output;    /* --output FILE (the SBOM) */
    const char **merge_files;   /* --merge-report FILE, repeatable (images) */
    size_t nmerge;
    struct pkg_peer_report *merge; /* the nmerge reports, read before any scan */
};

/* One kind of scan target: `scanner --<option> ARG`. The adapter adds a target and findings;
 * the option's help is in scanner.c's option table. */
struct scan_target {
    const char *option;
    int (*scan)(const char *arg, const struct scan_opts *opts, struct findings *f);
};

struct scanner_opts;
/* Copies the options the scanner module reads (cli/cli_scan.c). */
void cli_scanner_opts(const struct scan_opts *in, struct scanner_opts *out);

/* `scanner` target adapters (cli/scanner_<kind>.c). */
int scan_target_image(const char *arg, const struct scan_opts *opts, struct findings *f);
int scan_dockerfile(const char *arg, const struct scan_opts *opts, struct findings *f);
int scan_path(const char *arg, const struct scan_opts *opts, struct findings *f);
int scan_target_container(const char *arg, const struct scan_opts *opts, struct findings *f);
int scan_target_compose(const char *arg, const struct scan_opts *opts, struct findings *f);
int scan_target_k8s(const char *arg, const struct scan_opts *opts, struct findings *f);

/* `scanner db update` (cli/scanner_db.c). */
int scanner_cmd_db(int argc, char **argv);
/* `scanner --git ...`: a mode with options of its own (cli/scanner_git.c); returns the exit status. */
int scanner_git_main(int argc, char **argv);

/* `secrets` subcommands (cli/secrets_<name>.c). */
int cmd_generate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_rekey(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_create_file(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_member(int argc, char **argv);
int cmd_git_setup(int argc, char **argv);
int cmd_textconv(int argc, char **argv);
int cmd_merge_driver(int argc, char **argv);

#endif
