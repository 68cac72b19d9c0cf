/* secrets check: expired secrets and secrets due for rotation, as a report; exit 1 when there
 * are any (for CI). */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets check [--within DAYS] [report options]\n"
    "\n"
    "Reports secrets past their --expires date (VAULT001, high) or past their --rotate-after\n"
    "period (VAULT002, medium), and those a removed member could read, not rotated since\n"
    "(VAULT004, high); with --within, also those due within DAYS (VAULT003, low).\n"
    "Exit status 1 when any finding is at or above --fail-on (default low).\n"
    "      --within DAYS   also report what falls due within DAYS days\n" REPORT_OPTS_HELP REPORT_FAIL_ON_HELP("low")
        VAULT_OPTS_HELP;

int
cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"within", required_argument, NULL, 'w'},
        {"vault", required_argument, NULL, VAULT_OPT_VAULT},
        {"key-file", required_argument, NULL, VAULT_OPT_KEY_FILE},
        {"no-keyring", no_argument, NULL, VAULT_OPT_NO_KEYRING},
        {"identity", required_argument, NULL, VAULT_OPT_IDENTITY},
        {"allow-expensive-kdf", no_argument, NULL, VAULT_OPT_ALLOW_EXPENSIVE_KDF},
        {"help", no_argument, NULL, 'h'},
        REPORT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    static const struct tool_info tool = {"secrets", SUITE_VERSION, NULL};
    struct report_opts ro;
    struct findings f;
    struct vault_cli c;
    struct vault *v;
    long within = 0;
    int opt, rc;

    vault_cli_init(&c);
    cli_report_opts_init(&ro);
    while ((opt = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
        if ((rc = cli_report_opt(&ro, opt, optarg)) != 0) {
            if (rc < 0)
                return EXIT_ERROR;
            continue;
        }
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'w':
            if (cli_parse_long(optarg, 0, 36500, "--within", &within) < 0)
                return EXIT_ERROR;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 0, "check", usage) < 0)
        return EXIT_ERROR;
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    findings_init(&f);
    rc = vault_check(v, (long long)time(NULL), within, &f);
    vault_close(v);
    if (rc < 0) {
        findings_free(&f);
        return cli_fail(rc);
    }
    rc = cli_report_emit(&f, &ro, &tool);
    findings_free(&f);
    return rc;
}
