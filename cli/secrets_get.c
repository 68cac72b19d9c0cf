/* secrets get: writes one secret's exact bytes to stdout (a newline only on a terminal). */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets get NAME [--version N]\n"
    "\n"
    "Writes the value of NAME, exactly, to stdout; a newline is added only on a terminal.\n"
    "  -V, --version N   an older version (see `secrets history NAME`)\n" VAULT_OPTS_HELP;

int
cmd_get(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"version", required_argument, NULL, 'V'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_value val = {0};
    struct vault *v;
    long version = 0;
    int opt, rc;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "V:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'V':
            if (cli_parse_long(optarg, 1, 2000000000, "--version", &version) < 0)
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
    if (vault_cli_args(argc, argv, 1, "get", usage) < 0)
        return EXIT_ERROR;
    if ((rc = vault_name_check(argv[optind])) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, VAULT_OPEN_ONE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_get(v, argv[optind], (int)version, &val);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    /* Unbuffered: the value never sits in stdio's heap buffer. */
    if (file_write_fd(STDOUT_FILENO, val.data, val.len) < 0 ||
        (isatty(STDOUT_FILENO) && file_write_fd(STDOUT_FILENO, "\n", 1) < 0))
        rc = err_set_errno(ERR_IO, "write failure on standard output");
    vault_value_free(&val);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
