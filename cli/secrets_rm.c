/* secrets rm: removes a secret; its history is kept (and `set` revives it) unless --purge. */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets rm NAME [--purge]\n"
    "\n"
    "Removes NAME from `get` and `list`; `history` still shows it and `set` revives it.\n"
    "      --purge   delete NAME and every version of it for good\n" VAULT_OPTS_HELP;

int
cmd_rm(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"purge", no_argument, NULL, 'P'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v;
    int opt, rc, purge = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'P':
            purge = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 1, "rm", usage) < 0)
        return EXIT_ERROR;
    if ((rc = vault_name_check(argv[optind])) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_rm(v, argv[optind], purge);
    if (rc == 0)
        rc = vault_commit(v);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: %s\n", argv[optind], purge ? "purged with its history" : "removed (history kept)");
    return EXIT_CLEAN;
}
