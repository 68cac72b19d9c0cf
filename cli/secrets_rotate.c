/* secrets rotate: a new random version of a secret, with the length and charset it was
 * generated with (or new ones). */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets rotate NAME [--length N] [--charset SET]\n"
    "\n"
    "Adds a new random version of NAME. Without options it uses the length and charset NAME was\n"
    "last generated with; for a value never generated here, its current length and alnum.\n"
    "  -l, --length N      1..4096\n"
    "  -c, --charset SET   as in `secrets generate`\n" VAULT_OPTS_HELP;

int
cmd_rotate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"length", required_argument, NULL, 'l'},
        {"charset", required_argument, NULL, 'c'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct keys_charset cs;
    struct vault *v;
    const char *charset = NULL;
    long length = 0;
    int opt, rc, version = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "l:c:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'l':
            if (cli_parse_long(optarg, 1, KEYS_GENERATE_MAX, "--length", &length) < 0)
                return EXIT_ERROR;
            break;
        case 'c':
            charset = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 1, "rotate", usage) < 0)
        return EXIT_ERROR;
    if ((rc = vault_name_check(argv[optind])) < 0 ||
        (charset != NULL && (rc = keys_charset_parse(charset, &cs)) < 0))
        return cli_fail(rc);
    if (vault_cli_open(&c, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_rotate(v, argv[optind], length, charset, &version);
    if (rc == 0)
        rc = vault_commit(v);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: version %d (rotated)\n", argv[optind], version);
    return EXIT_CLEAN;
}
