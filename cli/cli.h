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
    int report_format;      /* --format when --report is given: -1 = from extension */
    enum severity fail_on;  /* exit 1 when a finding is at or above this */
    enum severity min_show; /* hide findings below this */
    int no_color;
};
#define REPORT_OPTS_LONG                                                                       \
    {"format", required_argument, NULL, 0x100}, {"report", required_argument, NULL, 0x101},    \
        {"fail-on", required_argument, NULL, 0x102}, {"no-color", no_argument, NULL, 0x103},  \
        {"min-severity", required_argument, NULL, 0x104}, {"quiet", no_argument, NULL, 'q'}
/* The --fail-on line of a command's help, with that command's default. */
#define REPORT_FAIL_ON_HELP(dflt)                                                              \
    "      --fail-on SEVERITY         exit 1 at or above it (default " dflt ")\n"
#define REPORT_OPTS_HELP                                                                       \
    "  -f, --format text|json|sarif   report format on stdout (default text)\n"               \
    "      --report FILE              also write a report to FILE (.json/.sarif/.txt)\n"       \
    "      --min-severity SEVERITY    hide findings below it (default info)\n"                 \
    "      --no-color                 never colour the text report (NO_COLOR works too)\n"     \
    "  -q, --quiet                    no notes or warnings on stderr\n"

void cli_report_opts_init(struct report_opts *o);
/* Handles one getopt result if it is a report option: 1 handled, 0 not ours, -1 bad value
 * (message printed). */
int cli_report_opt(struct report_opts *o, int opt, const char *arg);
/* Sorts, renders to stdout and --report, and returns the exit status. */
int cli_report_emit(struct findings *f, const struct report_opts *o, const struct tool_info *tool);

/* Prints err_message() (or the code's words) as an error and returns EXIT_ERROR. */
int cli_fail(int code);
/* Parses a decimal in [min, max]; prints an error naming `what` on failure. */
int cli_parse_long(const char *s, long min, long max, const char *what, long *out);
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
};

/* One kind of scan target: `scanner --<option> ARG`. The adapter adds a target and findings. */
struct scan_target {
    const char *option;
    const char *argname; /* shown in --help: "FILE", "PATH..." */
    int (*scan)(const char *arg, const struct scan_opts *opts, struct findings *f);
    const char *help;
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

#endif
