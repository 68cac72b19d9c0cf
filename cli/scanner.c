/* scanner: scans Dockerfiles, images, containers, Compose files and paths. This file parses the
 * options and runs every requested target through its adapter (cli/scanner_<kind>.c), then
 * renders one report over all of them. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "detect.h"
#include "packages.h"

/* One row per target kind, in the order of target_opts below (option OPT_TARGET + index). */
static const struct scan_target targets[] = {
    {"dockerfile", scan_dockerfile},
    {"image", scan_target_image},
    {"container", scan_target_container},
    {"compose", scan_target_compose},
    {"k8s", scan_target_k8s},
    {"path", scan_path},
    {NULL, NULL},
};

enum {
    OPT_BASELINE = 0x180,
    OPT_WRITE_BASELINE,
    OPT_PLATFORM,
    OPT_SERVICE,
    OPT_MAX_FILE_SIZE,
    OPT_SKIP_BASE,
    OPT_SHOW_SECRETS,
    OPT_ALL_CONTAINERS,
    OPT_WITH_IMAGE,
    OPT_CONTEXT,
    OPT_CONFIG,
    OPT_IGNORE,
    OPT_SPEC,
    OPT_VULN_DB,
    OPT_NO_VULNS,
    OPT_IGNORE_UNFIXED,
    OPT_SBOM,
    OPT_OUTPUT,
    OPT_JOBS,
    OPT_MERGE_REPORT,
    OPT_TARGET = 0x200,
};

static const struct tool_info tool = {"scanner", SUITE_VERSION, NULL};

/* The targets, as options (the help text comes from the targets table). */
static const struct cli_opt target_opts[] = {
    {"dockerfile", 0, OPT_TARGET + 0, "FILE|-", "a Dockerfile (and its build context)", NULL, "file", 0},
    {"image", 0, OPT_TARGET + 1, "IMAGE",
     "docker-archive/oci-archive file, OCI layout directory, or an image name in the engine", NULL,
     "file", 0},
    {"container", 0, OPT_TARGET + 2, "ID...", "containers' runtime settings, through the Engine API",
     NULL, NULL, 0},
    {"compose", 0, OPT_TARGET + 3, "FILE", "runtime checks of a Compose file's services", NULL,
     "file", 0},
    {"k8s", 0, OPT_TARGET + 4, "PATH", "Kubernetes manifests: a file or a directory of *.yaml",
     NULL, "file", 0},
    {"path", 0, OPT_TARGET + 5, "PATH...|-",
     "files and directories, or standard input: leaked secrets (skips .git, binaries)", NULL,
     "file", 0},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, 0},
};

static const struct cli_opt report_opts[] = {CLI_REPORT_OPTS, {NULL, 0, 0, NULL, NULL, NULL, NULL, 0}};

static const struct cli_opt scanner_opts[] = {
    {"baseline", 0, OPT_BASELINE, "FILE", "ignore findings recorded in FILE", NULL, "file", 0},
    {"write-baseline", 0, OPT_WRITE_BASELINE, "FILE", "record the current findings in FILE", NULL,
     "file", 0},
    {"max-file-size", 0, OPT_MAX_FILE_SIZE, "BYTES",
     "skip larger files in --path scans (default 10 MiB)", NULL, NULL, 0},
    {"show-secrets", 0, OPT_SHOW_SECRETS, NULL, "print secret values in clear (never the default)",
     NULL, NULL, 0},
    {"jobs", 'j', OPT_JOBS, "N",
     "threads for --path trees and build contexts (default: one a core, at most 256); the "
     "report is the same for any N",
     NULL, NULL, 0},
    {"platform", 0, OPT_PLATFORM, "OS/ARCH[/VAR]", "images: the platform to pick from a multi-arch index",
     NULL, NULL, 0},
    {"skip-base", 0, OPT_SKIP_BASE, NULL, "images: no findings from base-image layers", NULL, NULL, 0},
    {"vuln-db", 0, OPT_VULN_DB, "DIR",
     "images: OSV records (*.json, all.zip) to match packages against (default "
     "$XDG_CACHE_HOME/secrets-suite/osv)",
     NULL, "dir", 0},
    {"no-vulns", 0, OPT_NO_VULNS, NULL, "images: no vulnerability matching", NULL, NULL, 0},
    {"ignore-unfixed", 0, OPT_IGNORE_UNFIXED, NULL,
     "images: no finding for a vulnerability without a fix", NULL, NULL, 0},
    {"sbom", 0, OPT_SBOM, "FORMAT",
     "images: write the SBOM (CycloneDX 1.5 or SPDX 2.3 JSON) instead of the findings report",
     "cyclonedx spdx", NULL, 0},
    {"merge-report", 0, OPT_MERGE_REPORT, "FILE",
     "images: fold a Trivy or Grype JSON report of the same image into the findings (repeatable)",
     NULL, "file", 0},
    {"output", 0, OPT_OUTPUT, "FILE", "write the SBOM to FILE instead of stdout", NULL, "file", 0},
    {"service", 0, OPT_SERVICE, "NAME", "Compose: only this service", NULL, NULL, 0},
    {"all-containers", 0, OPT_ALL_CONTAINERS, NULL, "every container of the engine (running or not)",
     NULL, NULL, 0},
    {"with-image", 0, OPT_WITH_IMAGE, NULL, "containers: also scan each one's image", NULL, NULL, 0},
    {"context", 0, OPT_CONTEXT, "DIR", "build context of --dockerfile (default: its directory)",
     NULL, "dir", 0},
    {"config", 0, OPT_CONFIG, "FILE",
     "settings file (default: .scanner.ini here, then at the git work tree's top)", NULL, "file", 0},
    {"ignore", 0, OPT_IGNORE, "ID",
     "skip a rule on every target (its id or an alias: DL3008, DS-0002, gitleaks:github-pat)", NULL,
     NULL, 0},
    {"help", 'h', 'h', NULL, "this help", NULL, NULL, 0},
    {"version", 'V', 'V', NULL, "the version", NULL, NULL, 0},
    {"options-spec", 0, OPT_SPEC, NULL, "the option tables, for docs/gen/cli_docs.py", NULL, NULL, 1},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, 0},
};

static const struct cli_opt *const all_opts[] = {target_opts, report_opts, scanner_opts, NULL};

static void
print_usage(FILE *out)
{
    fputs("usage: scanner TARGET... [OPTIONS]\n"
          "       scanner --help | --version\n"
          "\n"
          "Targets (each may be given more than once):\n",
          out);
    cli_opts_help(out, (const struct cli_opt *const[]){target_opts, NULL});
    fputs("      --git [DIR] [REV..REV]       secrets in a git repository's history (options of\n"
          "                                   its own: scanner --git --help)\n",
          out);
    fputs("\nOptions (--fail-on defaults to high here):\n", out);
    cli_opts_help(out, (const struct cli_opt *const[]){report_opts, scanner_opts, NULL});
    fputs("\nExit status: 0 nothing at or above --fail-on (default high here), 1 findings, 2 error.\n",
          out);
}

struct job {
    const struct scan_target *target;
    const char *arg;
};

static void
free_merge_reports(struct scan_opts *o)
{
    for (size_t i = 0; o->merge != NULL && i < o->nmerge; i++)
        pkg_merge_free(&o->merge[i]);
    free(o->merge);
    free(o->merge_files);
    o->merge = NULL;
    o->merge_files = NULL;
}

/* --merge-report needs exactly one --image (a report is of one image); each file is read whole
 * here, so a bad one is an error before any scan. */
/* cli_fail's message, and -1 for the caller. */
static int
merge_fail(int code)
{
    (void)cli_fail(code);
    return -1;
}

static int
load_merge_reports(struct scan_opts *o, const struct job *jobs, size_t njobs)
{
    size_t images = 0;
    int rc;

    for (size_t i = 0; i < njobs; i++)
        images += jobs[i].target->scan == scan_target_image;
    if (images != 1)
        return merge_fail(err_set(ERR_USAGE, "--merge-report needs exactly one --image target (%zu given)",
                                 images));
    if (o->sbom != NULL)
        return merge_fail(err_set(ERR_USAGE, "--merge-report and --sbom do not go together"));
    if ((o->merge = calloc(o->nmerge, sizeof(*o->merge))) == NULL)
        return merge_fail(err_set(ERR_NOMEM, "out of memory"));
    for (size_t i = 0; i < o->nmerge; i++)
        if ((rc = pkg_merge_load(o->merge_files[i], &o->merge[i])) < 0)
            return merge_fail(rc);
    return 0;
}

int
main(int argc, char **argv)
{
    struct option longopts[64];
    char shortopts[32];
    size_t njobs = 0;
    struct scan_opts opts;
    struct findings f;
    struct config_ignores ignores;
    struct job *jobs;
    int opt, status = EXIT_CLEAN, rc;

    /* Every scanned file borrows a stream window (up to about 1.2 MiB) and gives it back: keep
     * such blocks in the heap and do not hand the top back to the kernel after each file (the
     * default thresholds did, by chance of layout, once a file: a page fault a page, again). */
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    /* `scanner --git` is a mode with options of its own (cli/scanner_git.c). */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--git") == 0 || strncmp(argv[i], "--git=", 6) == 0)
            return scanner_git_main(argc, argv);
    /* Scanned files and images hold secrets in memory: no core dumps either. */
    cli_harden_process();
    diag_set_program("scanner");
    if (argc >= 2 && strcmp(argv[1], "db") == 0)
        return scanner_cmd_db(argc - 1, argv + 1);
    json_init();
    memset(&opts, 0, sizeof(opts));
    config_ignores_init(&ignores);
    cli_report_opts_init(&opts.report);
    opts.report.fail_on = SEV_HIGH; /* scanner's default threshold (issue 5) */
    if (cli_opts_build(all_opts, longopts, sizeof(longopts) / sizeof(longopts[0]), shortopts,
                       sizeof(shortopts)) < 0)
        return cli_fail(err_set(ERR_INTERNAL, "option table too large"));
    jobs = calloc((size_t)argc, sizeof(*jobs));
    opts.ignore = calloc((size_t)argc, sizeof(*opts.ignore));
    opts.merge_files = calloc((size_t)argc, sizeof(*opts.merge_files));
    if (jobs == NULL || opts.ignore == NULL || opts.merge_files == NULL) {
        free(jobs);
        free(opts.ignore);
        free_merge_reports(&opts);
        return cli_fail(err_set(ERR_NOMEM, "out of memory"));
    }

    /* Not "+": operands after a target option belong to it wherever they are (`--path a b`). */
    while ((opt = getopt_long(argc, argv, shortopts + 1, longopts, NULL)) != -1) {
        if ((rc = cli_report_opt(&opts.report, opt, optarg)) != 0) {
            if (rc < 0)
                goto usage_error;
            continue;
        }
        switch (opt) {
        case OPT_BASELINE:
            opts.baseline = optarg;
            break;
        case OPT_WRITE_BASELINE:
            opts.write_baseline = optarg;
            break;
        case OPT_PLATFORM:
            opts.platform = optarg;
            break;
        case OPT_SERVICE:
            opts.service = optarg;
            break;
        case OPT_MAX_FILE_SIZE: {
            long v;
            if (cli_parse_long(optarg, 1, 1L << 40, "--max-file-size", &v) < 0)
                goto usage_error;
            opts.max_file_size = v;
            break;
        }
        case OPT_JOBS:
        case 'j':
            if (cli_parse_jobs(optarg, &opts.jobs) < 0)
                goto usage_error;
            break;
        case OPT_SKIP_BASE:
            opts.skip_base = 1;
            break;
        case OPT_SHOW_SECRETS:
            opts.show_secrets = 1;
            findings_set_redactor(NULL); /* the values are asked for */
            break;
        case OPT_ALL_CONTAINERS:
            opts.all_containers = 1;
            break;
        case OPT_WITH_IMAGE:
            opts.with_image = 1;
            break;
        case OPT_CONTEXT:
            opts.context = optarg;
            break;
        case OPT_CONFIG:
            opts.config = optarg;
            break;
        case OPT_IGNORE:
            opts.ignore[opts.nignore++] = optarg;
            break;
        case OPT_VULN_DB:
            opts.vuln_db = optarg;
            break;
        case OPT_NO_VULNS:
            opts.no_vulns = 1;
            break;
        case OPT_IGNORE_UNFIXED:
            opts.ignore_unfixed = 1;
            break;
        case OPT_SBOM:
            if (strcmp(optarg, "cyclonedx") != 0 && strcmp(optarg, "spdx") != 0) {
                diag_error("--sbom: unknown format '%s' (cyclonedx or spdx)", optarg);
                goto usage_error;
            }
            opts.sbom = optarg;
            break;
        case OPT_OUTPUT:
            opts.sbom_output = optarg;
            break;
        case OPT_MERGE_REPORT:
            opts.merge_files[opts.nmerge++] = optarg;
            break;
        case 'h':
            print_usage(stdout);
            free(jobs);
            free(opts.ignore);
            free_merge_reports(&opts);
            return cli_finish(EXIT_CLEAN);
        case OPT_SPEC:
            cli_opts_spec(stdout, "scanner", all_opts);
            free(jobs);
            free(opts.ignore);
            free_merge_reports(&opts);
            return cli_finish(EXIT_CLEAN);
        case 'V':
            printf("scanner %s\n", SUITE_VERSION);
            free(jobs);
            free(opts.ignore);
            free_merge_reports(&opts);
            return cli_finish(EXIT_CLEAN);
        default:
            if (opt >= OPT_TARGET && opt < OPT_TARGET + (int)(sizeof(targets) / sizeof(targets[0]) - 1)) {
                jobs[njobs].target = &targets[opt - OPT_TARGET];
                jobs[njobs].arg = optarg;
                njobs++;
                break;
            }
            goto usage_error;
        }
    }
    /* Bare arguments after a target option belong to it (`--path a b c`). */
    for (; optind < argc; optind++) {
        if (njobs == 0) {
            diag_error("unexpected argument '%s' (no target option before it)", argv[optind]);
            goto usage_error;
        }
        jobs[njobs].target = jobs[njobs - 1].target;
        jobs[njobs].arg = argv[optind];
        njobs++;
    }
    /* --all-containers is a target without an argument: the container adapter gets NULL. */
    if (opts.all_containers) {
        for (const struct scan_target *t = targets; t->option != NULL; t++)
            if (strcmp(t->option, "container") == 0) {
                jobs[njobs].target = t;
                jobs[njobs].arg = NULL;
                njobs++;
            }
    }
    if (njobs == 0) {
        diag_error("no target given");
        goto usage_error;
    }
    if (cli_report_opts_check(&opts.report) < 0 ||
        cli_ignores_load(opts.config, opts.ignore, opts.nignore, &ignores, &opts.config) < 0) {
        config_ignores_free(&ignores);
        free(jobs);
        free(opts.ignore);
        free_merge_reports(&opts);
        return cli_finish(EXIT_ERROR);
    }
    if (!opts.report.fail_on_set && ignores.fail_on >= 0)
        opts.report.fail_on = (enum severity)ignores.fail_on; /* .hadolint.yaml failure-threshold */
    /* --merge-report: every report read before anything is scanned, so a bad one stops the run
     * with nothing written */
    if (opts.nmerge > 0 && load_merge_reports(&opts, jobs, njobs) < 0) {
        config_ignores_free(&ignores);
        free(jobs);
        free(opts.ignore);
        free_merge_reports(&opts);
        return cli_finish(EXIT_ERROR);
    }

    cli_repo_setup();
    findings_init(&f);
    for (size_t i = 0; i < njobs; i++) {
        rc = jobs[i].target->scan(jobs[i].arg, &opts, &f);
        if (rc < 0) {
            /* A tool error is never reported as clean: exit 2 even if other targets ran, and
             * every report format says which target failed. */
            const char *msg = err_message();
            if (findings_add_error(&f, jobs[i].arg != NULL ? jobs[i].arg : "all containers",
                                   msg[0] ? msg : err_strerror(rc)) < 0)
                cli_fail(ERR_NOMEM);
            cli_fail(rc);
            status = EXIT_ERROR;
        }
    }
    /* Ignores, in one place for every target, before the baseline records anything. */
    findings_apply_ignores(&f, &ignores.list);
    /* Baselines cover every target's findings: record them all (before filtering, so an
     * updated baseline keeps the old entries), then drop the ones an older baseline knows. */
    if (status != EXIT_ERROR && (opts.write_baseline != NULL || opts.baseline != NULL)) {
        struct buf base = {0};
        rc = 0;
        if (opts.write_baseline != NULL)
            rc = detect_baseline_render(&f, &base);
        if (rc == 0 && opts.baseline != NULL)
            rc = detect_baseline_filter(&f, opts.baseline);
        if (rc == 0 && opts.write_baseline != NULL)
            rc = file_write_atomic(opts.write_baseline, base.data, base.len, 0644);
        buf_free(&base);
        if (rc < 0) {
            cli_fail(rc);
            status = EXIT_ERROR;
        }
    }
    if (opts.sbom != NULL && opts.sbom_output == NULL) {
        /* the SBOM went to stdout: no report after it; errors still make the status */
        rc = status;
    } else {
        rc = cli_report_emit(&f, &opts.report, &tool);
    }
    findings_free(&f);
    config_ignores_free(&ignores);
    free(jobs);
    free(opts.ignore);
    free_merge_reports(&opts);
    return cli_finish(status == EXIT_ERROR ? EXIT_ERROR : rc);

usage_error:
    print_usage(stderr);
    free(jobs);
    free(opts.ignore);
    free_merge_reports(&opts);
    return cli_finish(EXIT_ERROR);
}
