/* secrets rollback: a new version of a secret equal to an older one (history is never
 * rewritten). */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets rollback NAME --to N\n"
    "\n"
    "Adds a new version of NAME equal to version N; nothing is rewritten.\n"
    "      --to N    the version to bring back (see `secrets history NAME`)\n" VAULT_OPTS_HELP;

int
cmd_rollback(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"to", required_argument, NULL, 'T'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v;
    long to = 0;
    int opt, rc, version = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'T':
            if (cli_parse_long(optarg, 1, 2000000000, "--to", &to) < 0)
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
    if (vault_cli_args(argc, argv, 1, "rollback", usage) < 0)
        return EXIT_ERROR;
    if (to == 0) {
        diag_error("rollback: --to N is required");
        return EXIT_ERROR;
    }
    if ((rc = vault_name_check(argv[optind])) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_rollback(v, argv[optind], (int)to, &version);
    if (rc == 0)
        rc = vault_commit(v);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: version %d (= version %ld)\n", argv[optind], version, to);
    return EXIT_CLEAN;
}
