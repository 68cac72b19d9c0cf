/* secrets rekey: a new random data key; every slot re-wrapped and every secret re-encrypted. */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets rekey\n"
    "\n"
    "Replaces the data key (after a leak of the key or of a cached copy): every secret is\n"
    "re-encrypted and every key slot re-wrapped, so the secret of each slot is needed (the\n"
    "passphrase and/or --key-file). The keyring cache of the old key is removed, and the\n"
    "backup PATH.bak is replaced by the new file (the old one opened with the old key).\n" VAULT_OPTS_HELP;

int
cmd_rekey(int argc, char **argv)
{
    static const struct option longopts[] = {
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v;
    int opt, rc;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        if (opt == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (vault_cli_args(argc, argv, 0, "rekey", usage) < 0)
        return EXIT_ERROR;
    /* The cached key cannot re-wrap a slot: go straight to the slots' own secrets. */
    c.unlock.no_keyring = 1;
    if (vault_cli_open(&c, VAULT_OPEN_WRITE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_rekey(v);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: new data key; every secret re-encrypted\n", c.path);
    return EXIT_CLEAN;
}
