/* scanner: scans Dockerfiles, images, containers, Compose files and paths. This file parses the
 * options and runs every requested target through its adapter (cli/scanner_<kind>.c), then
 * renders one report over all of them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "detect.h"

/* One row per target kind; options are numbered from 0x200 by their index here. */
static const struct scan_target targets[] = {
    {"dockerfile", "FILE|-", scan_dockerfile, "a Dockerfile (and its build context)"},
    {"image", "IMAGE", scan_target_image,
     "docker-archive/oci-archive file, OCI layout directory, or an image name in the engine"},
    {"container", "ID...", scan_target_container, "containers' runtime settings, through the Engine API"},
    {"compose", "FILE", scan_target_compose, "runtime checks of a Compose file's services"},
    {"k8s", "PATH", scan_target_k8s, "Kubernetes manifests: a file or a directory of *.yaml"},
    {"path", "PATH...", scan_path, "files and directories: leaked secrets (skips .git, binaries)"},
    {NULL, NULL, NULL, NULL},
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
    OPT_VULN_DB,
    OPT_NO_VULNS,
    OPT_IGNORE_UNFIXED,
    OPT_SBOM,
    OPT_OUTPUT,
    OPT_TARGET = 0x200,
};

static const struct tool_info tool = {"scanner", SUITE_VERSION, NULL};

static void
print_usage(FILE *out)
{
    fputs("usage: scanner TARGET... [OPTIONS]\n"
          "       scanner --help | --version\n"
          "\n"
          "Targets (each may be given more than once):\n",
          out);
    for (const struct scan_target *t = targets; t->option != NULL; t++)
        fprintf(out, "      --%s %-*s %s\n", t->option, (int)(25 - strlen(t->option)), t->argname,
                t->help);
    fputs("      --git [DIR] [REV..REV]       secrets in a git repository's history (options of\n"
          "                                   its own: scanner --git --help)\n",
          out);
    fputs("\nOptions:\n" REPORT_OPTS_HELP REPORT_FAIL_ON_HELP("high")
          "      --baseline FILE            ignore findings recorded in FILE\n"
          "      --write-baseline FILE      record the current findings in FILE\n"
          "      --max-file-size BYTES      skip larger files in --path scans (default 10 MiB)\n"
          "      --show-secrets             print secret values in clear (never the default)\n"
          "      --platform OS/ARCH[/VAR]   images: the platform to pick from a multi-arch index\n"
          "      --skip-base                images: no findings from base-image layers\n"
          "      --vuln-db DIR              images: OSV records (*.json, all.zip) to match packages\n"
          "                                 against (default $XDG_CACHE_HOME/secrets-suite/osv)\n"
          "      --no-vulns                 images: no vulnerability matching\n"
          "      --ignore-unfixed           images: no finding for a vulnerability without a fix\n"
          "      --sbom cyclonedx|spdx      images: write the SBOM (CycloneDX 1.5 or SPDX 2.3 JSON)\n"
          "                                 instead of the findings report\n"
          "      --output FILE              write the SBOM to FILE instead of stdout\n"
          "      --service NAME             Compose: only this service\n"
          "      --all-containers           every container of the engine (running or not)\n"
          "      --with-image               containers: also scan each one's image\n"
          "      --context DIR              build context of --dockerfile (default: its directory)\n"
          "      --config FILE              settings file (default: .scanner.ini in the context,\n"
          "                                 then in the current directory)\n"
          "      --ignore ID                skip a rule (its id or an alias: DL3008, DS-0002...)\n"
          "\nExit status: 0 nothing at or above --fail-on (default high here), 1 findings, 2 error.\n",
          out);
}

struct job {
    const struct scan_target *target;
    const char *arg;
};

int
main(int argc, char **argv)
{
    static const struct option fixed[] = {
        REPORT_OPTS_LONG,
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
        {"platform", required_argument, NULL, OPT_PLATFORM},
        {"service", required_argument, NULL, OPT_SERVICE},
        {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
        {"skip-base", no_argument, NULL, OPT_SKIP_BASE},
        {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
        {"all-containers", no_argument, NULL, OPT_ALL_CONTAINERS},
        {"with-image", no_argument, NULL, OPT_WITH_IMAGE},
        {"context", required_argument, NULL, OPT_CONTEXT},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"vuln-db", required_argument, NULL, OPT_VULN_DB},
        {"no-vulns", no_argument, NULL, OPT_NO_VULNS},
        {"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
        {"sbom", required_argument, NULL, OPT_SBOM},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
    };
    /* Room for every fixed option, every target and the terminator, whatever the tables hold. */
    struct option longopts[sizeof(fixed) / sizeof(fixed[0]) + sizeof(targets) / sizeof(targets[0])];
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), nopts = nfixed, njobs = 0;
    struct scan_opts opts;
    struct findings f;
    struct job *jobs;
    int opt, status = EXIT_CLEAN, rc;

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
    cli_report_opts_init(&opts.report);
    opts.report.fail_on = SEV_HIGH; /* scanner's default threshold (issue 5) */
    memcpy(longopts, fixed, sizeof(fixed));
    for (const struct scan_target *t = targets; t->option != NULL; t++) {
        longopts[nopts] = (struct option){t->option, required_argument, NULL,
                                          OPT_TARGET + (int)(t - targets)};
        nopts++;
    }
    longopts[nopts] = (struct option){NULL, 0, NULL, 0};
    jobs = calloc((size_t)argc, sizeof(*jobs));
    opts.ignore = calloc((size_t)argc, sizeof(*opts.ignore));
    if (jobs == NULL || opts.ignore == NULL) {
        free(jobs);
        free(opts.ignore);
        return cli_fail(err_set(ERR_NOMEM, "out of memory"));
    }

    while ((opt = getopt_long(argc, argv, "f:qhV", longopts, NULL)) != -1) {
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
        case 'h':
            print_usage(stdout);
            free(jobs);
            free(opts.ignore);
            return cli_finish(EXIT_CLEAN);
        case 'V':
            printf("scanner %s\n", SUITE_VERSION);
            free(jobs);
            free(opts.ignore);
            return cli_finish(EXIT_CLEAN);
        default:
            if (opt >= OPT_TARGET && opt < OPT_TARGET + (int)(nopts - nfixed)) {
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

    findings_init(&f);
    for (size_t i = 0; i < njobs; i++) {
        rc = jobs[i].target->scan(jobs[i].arg, &opts, &f);
        if (rc < 0) {
            /* A tool error is never reported as clean: exit 2 even if other targets ran. */
            cli_fail(rc);
            status = EXIT_ERROR;
        }
    }
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
    free(jobs);
    free(opts.ignore);
    return cli_finish(status == EXIT_ERROR ? EXIT_ERROR : rc);

usage_error:
    print_usage(stderr);
    free(jobs);
    free(opts.ignore);
    return cli_finish(EXIT_ERROR);
}
