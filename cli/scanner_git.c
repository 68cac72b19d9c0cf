/* scanner_git: `scanner --git [DIR] [REV..REV]`: secrets anywhere in a repository's history
 * (scanner/git/). A mode with options of its own, reached from scanner.c's main. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "detect.h"
#include "git.h"

enum {
    OPT_GIT = 0x300,
    OPT_BRANCH,
    OPT_SINCE_COMMIT,
    OPT_SINCE,
    OPT_MAX_COMMITS,
    OPT_STAGED,
    OPT_UNSTAGED,
    OPT_REFLOG,
    OPT_IGNORE_FILE,
    OPT_BASELINE,
    OPT_WRITE_BASELINE,
    OPT_MAX_FILE_SIZE,
    OPT_SHOW_SECRETS,
};

static void
git_usage(FILE *out)
{
    fputs("usage: scanner --git [DIR] [REV..REV] [OPTIONS]\n"
          "\n"
          "Secrets anywhere in a git repository's history: every blob that a scanned commit\n"
          "introduces is scanned once; each secret is reported at the commit that added it.\n"
          "DIR is a work tree, a .git directory or a bare repository (default: .).\n"
          "\n"
          "What is scanned (default: every commit reachable from any ref or HEAD):\n"
          "      --branch REF               only the history of REF\n"
          "      --since-commit REV         only commits after REV (REV..REF)\n"
          "      REV..REV                   only commits in that range\n"
          "      --since DATE               only commits from DATE on (YYYY-MM-DD[THH:MM[:SS]])\n"
          "      --max-commits N            only the newest N commits\n"
          "      --reflog                   also commits only the reflogs reach (amended, reset)\n"
          "      --staged                   the index against HEAD (a pre-commit hook)\n"
          "      --unstaged                 the working tree against the index, untracked too\n"
          "\nOptions:\n" REPORT_OPTS_HELP REPORT_FAIL_ON_HELP("high")
          "      --baseline FILE            ignore findings recorded in FILE\n"
          "      --write-baseline FILE      record the current findings in FILE\n"
          "      --ignore-file FILE         COMMIT:PATH:RULE[:LINE] lines to ignore (default:\n"
          "                                 .scanner-gitignore and .gitleaksignore in DIR)\n"
          "      --max-file-size BYTES      skip larger blobs (default 10 MiB)\n"
          "      --show-secrets             print secret values in clear (never the default)\n"
          "  -j, --jobs N                   threads reading and scanning blobs (default: one a\n"
          "                                 core, at most 256); the report is the same for any N\n"
          "\nExit status: 0 nothing at or above --fail-on, 1 findings, 2 error (not a\n"
          "repository, a corrupt or missing object: nothing is reported as clean).\n",
          out);
}

static int
is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Baselines as scanner.c applies them: record first, then drop what an older one knows. */
static int
apply_baselines(struct findings *f, const char *baseline, const char *write_baseline)
{
    struct buf base = {0};
    int rc = 0;

    if (write_baseline != NULL)
        rc = detect_baseline_render(f, &base);
    if (rc == 0 && baseline != NULL)
        rc = detect_baseline_filter(f, baseline);
    if (rc == 0 && write_baseline != NULL)
        rc = file_write_atomic(write_baseline, base.data, base.len, 0644);
    buf_free(&base);
    return rc;
}

int
scanner_git_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        REPORT_OPTS_LONG,
        {"git", optional_argument, NULL, OPT_GIT}, /* --git=DIR works too */
        {"branch", required_argument, NULL, OPT_BRANCH},
        {"since-commit", required_argument, NULL, OPT_SINCE_COMMIT},
        {"since", required_argument, NULL, OPT_SINCE},
        {"max-commits", required_argument, NULL, OPT_MAX_COMMITS},
        {"staged", no_argument, NULL, OPT_STAGED},
        {"unstaged", no_argument, NULL, OPT_UNSTAGED},
        {"reflog", no_argument, NULL, OPT_REFLOG},
        {"ignore-file", required_argument, NULL, OPT_IGNORE_FILE},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
        {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
        {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const struct tool_info tool = {"scanner", SUITE_VERSION, NULL};
    struct report_opts ro;
    struct gitscan_opts go;
    const char *dir = NULL, *baseline = NULL, *write_baseline = NULL;
    struct findings f;
    long v;
    int opt, rc;

    cli_harden_process();
    diag_set_program("scanner");
    json_init();
    cli_report_opts_init(&ro);
    ro.fail_on = SEV_HIGH;
    memset(&go, 0, sizeof(go));
    while ((opt = getopt_long(argc, argv, "f:qhj:", longopts, NULL)) != -1) {
        if ((rc = cli_report_opt(&ro, opt, optarg)) != 0) {
            if (rc < 0)
                goto usage_error;
            continue;
        }
        switch (opt) {
        case OPT_GIT:
            if (optarg != NULL)
                dir = optarg;
            break;
        case OPT_BRANCH:
            go.branch = optarg;
            break;
        case OPT_SINCE_COMMIT:
            go.since_commit = optarg;
            break;
        case OPT_SINCE:
            if (gitscan_parse_date(optarg, &go.since) < 0) {
                cli_fail(ERR_USAGE);
                goto usage_error;
            }
            break;
        case OPT_MAX_COMMITS:
            if (cli_parse_long(optarg, 1, 1L << 31, "--max-commits", &v) < 0)
                goto usage_error;
            go.max_commits = v;
            break;
        case OPT_STAGED:
            go.staged = 1;
            break;
        case OPT_UNSTAGED:
            go.unstaged = 1;
            break;
        case OPT_REFLOG:
            go.reflog = 1;
            break;
        case OPT_IGNORE_FILE:
            go.ignore_file = optarg;
            break;
        case OPT_BASELINE:
            baseline = optarg;
            break;
        case OPT_WRITE_BASELINE:
            write_baseline = optarg;
            break;
        case OPT_MAX_FILE_SIZE:
            if (cli_parse_long(optarg, 1, 1L << 40, "--max-file-size", &v) < 0)
                goto usage_error;
            go.max_file_size = v;
            break;
        case 'j':
            if (cli_parse_jobs(optarg, &go.jobs) < 0)
                goto usage_error;
            break;
        case OPT_SHOW_SECRETS:
            go.show_secrets = 1;
            findings_set_redactor(NULL); /* the values are asked for */
            break;
        case 'h':
            git_usage(stdout);
            return cli_finish(EXIT_CLEAN);
        default:
            goto usage_error;
        }
    }
    /* Bare arguments: the repository, and a REV..REV range (a directory wins a tie). */
    for (; optind < argc; optind++) {
        const char *a = argv[optind];
        if (dir == NULL && (is_dir(a) || strstr(a, "..") == NULL)) {
            dir = a;
        } else if (go.range == NULL && strstr(a, "..") != NULL) {
            go.range = a;
        } else {
            diag_error("unexpected argument '%s'", a);
            goto usage_error;
        }
    }
    if (go.range != NULL && (go.branch != NULL || go.since_commit != NULL)) {
        diag_error("REV..REV already says where history starts and ends: no --branch or "
                   "--since-commit with it");
        goto usage_error;
    }
    if ((go.staged || go.unstaged) &&
        (go.range || go.branch || go.since_commit || go.since || go.max_commits || go.reflog)) {
        diag_error("--staged and --unstaged check the index and working tree, not history");
        goto usage_error;
    }
    findings_init(&f);
    rc = gitscan_scan(dir != NULL ? dir : ".", &go, &f);
    if (rc == 0 && (baseline != NULL || write_baseline != NULL))
        rc = apply_baselines(&f, baseline, write_baseline);
    if (rc < 0) {
        /* A repository error is never reported as clean, nor half-reported: no report. */
        findings_free(&f);
        return cli_finish(cli_fail(rc));
    }
    rc = cli_report_emit(&f, &ro, &tool);
    findings_free(&f);
    return cli_finish(rc);

usage_error:
    git_usage(stderr);
    return cli_finish(EXIT_ERROR);
}
