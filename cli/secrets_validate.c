/* secrets validate: checks .env files before they ship (syntax, portability, weak and plaintext
 * secrets, committed keys, git and file hygiene, lint) and reports with the shared options. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "envcheck.h"

#define MAX_FILES 256

static const char usage[] =
    "usage: secrets validate --env-file FILE [--env-file FILE ...] [--env-example FILE]\n"
    "                        [--no-example] [--config FILE] [--disable RULE[,RULE]]\n"
    "                        [--min-length N] [--schema FILE] [--fix [--dry-run]]\n"
    "                        [report options]\n"
    "\n"
    "Checks .env files: syntax (Compose rules), lines other readers (docker run --env-file,\n"
    "bash, python-dotenv, node dotenv) read differently, weak, short, placeholder and\n"
    "plaintext secrets, keys and tokens, git tracking and history, permissions, backups,\n"
    ".dockerignore, and dotenv-linter's checks. Values are never printed.\n"
    "  -e, --env-file FILE        a .env file to check (repeatable; '-' is stdin)\n"
    "      --env-example FILE     compare keys with FILE (default: .env.example beside it)\n"
    "      --no-example           no comparison with an example file\n"
    "  -c, --config FILE          INI file with a [validate] section (default: .secrets.ini\n"
    "                             in the current directory, when present)\n"
    "      --disable RULES        switch rules off (ids or names, comma-separated)\n"
    "      --min-length N         short-value threshold for secrets (default 16)\n"
    "      --schema FILE          check keys and values against a dotenv-linter schema (JSON)\n"
    "      --fix                  rewrite what is mechanical (key case, order, quotes, blanks,\n"
    "                             duplicates, blank lines); never a value; FILE.bak keeps the\n"
    "                             original (same mode); the file is replaced atomically\n"
    "      --dry-run              with --fix: print the diff (secret values redacted), write\n"
    "                             nothing\n"
    "  -h, --help                 this text\n"
    REPORT_FAIL_ON_HELP("high")
    REPORT_OPTS_HELP
    "The default --fail-on for validate is high. Exit status: 0 nothing at or above it,\n"
    "1 findings at or above it (a line that cannot be parsed is an ENV001 finding, high),\n"
    "2 error of the tool (unreadable file, bad option).\n";

/* --fix: each file on its own; a file that cannot be fixed is an error, the others are still
 * fixed. Exit 0 (fixed or nothing to fix), 2 on any error. */
static int
run_fix(const struct envcheck_config *cfg, const char **files, size_t nfiles, int dry_run)
{
    int status = EXIT_CLEAN;

    for (size_t i = 0; i < nfiles; i++) {
        struct buf out = {0};
        int rc = envcheck_fix(cfg, files[i], dry_run, &out);
        if (rc < 0) {
            cli_fail(rc);
            status = EXIT_ERROR;
        } else if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len) {
            status = cli_fail(err_set_errno(ERR_IO, "write failure on standard output"));
        }
        buf_free(&out);
    }
    return status;
}

int
cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"env-file", required_argument, NULL, 'e'},
        {"env-example", required_argument, NULL, 'x'},
        {"no-example", no_argument, NULL, 'X'},
        {"config", required_argument, NULL, 'c'},
        {"disable", required_argument, NULL, 'd'},
        {"min-length", required_argument, NULL, 'm'},
        {"schema", required_argument, NULL, 'S'},
        {"fix", no_argument, NULL, 'F'},
        {"dry-run", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        REPORT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    static const struct tool_info tool = {"secrets validate", SUITE_VERSION, NULL};
    const char *files[MAX_FILES], *config = NULL, *example = NULL, *disable[64];
    const char *min_length = NULL, *schema = NULL;
    size_t nfiles = 0, ndisable = 0;
    struct report_opts ro;
    struct envcheck_config *cfg;
    struct findings f;
    int opt, rc, status, no_example = 0, parse_errors = 0, failed = 0, fix = 0, dry_run = 0;

    cli_report_opts_init(&ro);
    ro.fail_on = SEV_HIGH;
    while ((opt = getopt_long(argc, argv, "e:c:f:hq", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e':
            if (nfiles == MAX_FILES) {
                diag_error("validate: more than %d --env-file", MAX_FILES);
                return EXIT_ERROR;
            }
            files[nfiles++] = optarg;
            break;
        case 'x':
            example = optarg;
            break;
        case 'X':
            no_example = 1;
            break;
        case 'c':
            config = optarg;
            break;
        case 'd':
            if (ndisable == 64) {
                diag_error("validate: too many --disable");
                return EXIT_ERROR;
            }
            disable[ndisable++] = optarg;
            break;
        case 'm':
            min_length = optarg;
            break;
        case 'S':
            schema = optarg;
            break;
        case 'F':
            fix = 1;
            break;
        case 'D':
            dry_run = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            rc = cli_report_opt(&ro, opt, optarg);
            if (rc == 1)
                break;
            if (rc == 0)
                fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (optind != argc) {
        diag_error("validate: unexpected argument '%s' (files are given with --env-file)",
                   argv[optind]);
        return EXIT_ERROR;
    }
    if (nfiles == 0) {
        diag_error("validate: no --env-file given");
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if ((cfg = envcheck_config_new()) == NULL)
        return cli_fail(err_set(ERR_NOMEM, "out of memory"));
    rc = 0;
    if (config == NULL && access(".secrets.ini", F_OK) == 0)
        config = ".secrets.ini";
    if (config != NULL)
        rc = envcheck_config_load(cfg, config);
    for (size_t i = 0; rc == 0 && i < ndisable; i++)
        rc = envcheck_config_set(cfg, "disable", disable[i]);
    if (rc == 0 && schema != NULL)
        rc = envcheck_config_set(cfg, "schema", schema);
    if (rc == 0 && min_length != NULL)
        rc = envcheck_config_set(cfg, "min_length", min_length);
    if (rc == 0 && example != NULL)
        envcheck_config_example(cfg, example);
    if (rc == 0 && no_example)
        rc = envcheck_config_set(cfg, "no_example", "true");
    if (rc < 0) {
        envcheck_config_free(cfg);
        return cli_fail(rc);
    }
    if (dry_run && !fix) {
        envcheck_config_free(cfg);
        diag_error("validate: --dry-run goes with --fix");
        return EXIT_ERROR;
    }
    if (fix) {
        status = run_fix(cfg, files, nfiles, dry_run);
        envcheck_config_free(cfg);
        return status;
    }
    findings_init(&f);
    if ((rc = findings_use_pool(&f)) < 0) {
        envcheck_config_free(cfg);
        return cli_fail(rc);
    }
    for (size_t i = 0; i < nfiles; i++) {
        rc = envcheck_validate(cfg, files[i], &f);
        if (rc < 0) {
            cli_fail(rc);
            failed = 1;
        } else if (rc > 0) {
            parse_errors += rc;
        }
    }
    envcheck_config_free(cfg);
    status = cli_report_emit(&f, &ro, &tool);
    findings_free(&f);
    if (failed || status == EXIT_ERROR)
        return EXIT_ERROR;
    /* A broken line is a finding of the file (ENV001, high), not an error of the tool: the
     * exit status follows --fail-on like every other finding. */
    if (parse_errors > 0)
        diag_warn("%d statement%s could not be parsed (rule ENV001)", parse_errors,
                  parse_errors == 1 ? "" : "s");
    return status;
}
