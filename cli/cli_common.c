/* cli_common: option helpers, the report emitter and the exit path shared by both programs. */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "detect.h"

void
cli_report_opts_init(struct report_opts *o)
{
    o->format = REPORT_TEXT;
    o->report = NULL;
    o->report_format = -1;
    o->fail_on = SEV_LOW;
    o->min_show = SEV_INFO;
    o->no_color = 0;
}

static int
parse_severity(const char *arg, const char *opt, enum severity *out)
{
    int s = severity_parse(arg);

    if (s < 0 && strcmp(opt, "--fail-on") == 0 && strcmp(arg, "none") == 0)
        s = SEV_NONE; /* report-only runs: findings never fail them */
    if (s < 0) {
        diag_error("%s: unknown severity '%s' (critical, high, medium, low, info%s)", opt, arg,
                   strcmp(opt, "--fail-on") == 0 ? ", none" : "");
        return -1;
    }
    *out = (enum severity)s;
    return 1;
}

int
cli_report_opt(struct report_opts *o, int opt, const char *arg)
{
    int fmt;

    switch (opt) {
    case 'f':
    case 0x100:
    case 0x105:
        fmt = report_format_parse(arg);
        if (fmt < 0) {
            diag_error("%s: unknown format '%s' (%s)", opt == 0x105 ? "--report-format" : "--format",
                       arg, REPORT_FORMAT_NAMES);
            return -1;
        }
        /* --format is always stdout's format; --report-format the --report file's. */
        if (opt == 0x105)
            o->report_format = fmt;
        else
            o->format = fmt;
        return 1;
    case 0x101:
        o->report = arg;
        return 1;
    case 0x102:
        o->fail_on_set = 1;
        return parse_severity(arg, "--fail-on", &o->fail_on);
    case 0x103:
        o->no_color = 1;
        return 1;
    case 0x104:
        return parse_severity(arg, "--min-severity", &o->min_show);
    case 'q':
        diag_set_quiet(1);
        return 1;
    default:
        return 0;
    }
}

int
cli_report_opts_check(const struct report_opts *o)
{
    if (o->report != NULL && o->report_format < 0 && report_format_from_path(o->report) < 0) {
        diag_error("--report %s: cannot tell the format from the extension (.txt, .json, "
                   ".sarif, .xml); give --report-format (%s)",
                   o->report, REPORT_FORMAT_NAMES);
        return -1;
    }
    return 0;
}

int
cli_report_emit(struct findings *f, const struct report_opts *o, const struct tool_info *tool)
{
    struct buf out = {0};
    int rc, stdout_fmt = o->format;

    if (cli_report_opts_check(o) < 0)
        return EXIT_ERROR;
    cli_repo_setup();
    findings_filter_min(f, o->min_show);
    findings_sort(f);
    if (o->report != NULL) {
        int fmt = o->report_format >= 0 ? o->report_format : report_format_from_path(o->report);
        rc = report_write_file(o->report, (enum report_format)fmt, f, tool);
        if (rc < 0)
            return cli_fail(rc);
    }
    rc = report_render(&out, (enum report_format)stdout_fmt, f, tool,
                       stdout_fmt == REPORT_TEXT && !o->no_color && report_color_wanted(1));
    if (rc == 0 && out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
        rc = err_set_errno(ERR_IO, "write failure on standard output");
    buf_free(&out);
    if (rc < 0)
        return cli_fail(rc);
    if (f->nerrors > 0)
        return EXIT_ERROR;
    return findings_count_at_least(f, o->fail_on) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

int
cli_fail(int code)
{
    const char *msg = err_message();

    diag_error("%s", msg[0] ? msg : err_strerror(code));
    return EXIT_ERROR;
}

int
cli_parse_long(const char *s, long min, long max, const char *what, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        diag_error("%s: '%s' is not a number from %ld to %ld", what, s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int
cli_parse_jobs(const char *s, unsigned *out)
{
    long v;

    if (cli_parse_long(s, 1, WORKQ_MAX_THREADS, "--jobs", &v) < 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int
cli_dispatch(const struct cli_cmd *cmds, int argc, char **argv, const char *usage)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("%s %s\n", diag_program(), SUITE_VERSION);
        return EXIT_CLEAN;
    }
    for (const struct cli_cmd *c = cmds; c->name != NULL; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            optind = 0; /* GNU getopt: reinitialise for the subcommand's own argv */
            return c->fn(argc - 1, argv + 1);
        }
    }
    diag_error("unknown command '%s'", argv[1]);
    fputs(usage, stderr);
    return EXIT_ERROR;
}

int
cli_finish(int status)
{
    /* Like git: a full disk or closed pipe on stdout is an error, not a silent truncation. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        diag_error("write failure on standard output: %s", strerror(errno));
        return EXIT_ERROR;
    }
    if (fclose(stdout) != 0) {
        diag_error("write failure on standard output: %s", strerror(errno));
        return EXIT_ERROR;
    }
    return status;
}

void
cli_harden_process(void)
{
    struct rlimit rl = {0, 0};

    (void)setrlimit(RLIMIT_CORE, &rl);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* Messages quote their input (a key, a malformed line): none may carry a secret. */
    findings_set_redactor(detect_redact_text);
}

void
cli_warn_argv_secret(const char *option)
{
    diag_warn("%s puts the secret on the command line, where other users can see it (ps, "
              "/proc); prefer stdin, a file or the prompt",
              option);
}
