/* secrets lock: removes the vault's data key from the OS keyring cache. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets lock\n"
    "\n"
    "Removes the cached data key of the vault from the OS keyring (see `secrets unlock\n"
    "--remember`). Later commands need the passphrase or key file again.\n" VAULT_OPTS_HELP;

int
cmd_lock(int argc, char **argv)
{
    static const struct option longopts[] = {
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
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
    if (vault_cli_args(argc, argv, 0, "lock", usage) < 0 || vault_cli_path(&c) != 0)
        return EXIT_ERROR;
    rc = vault_forget(c.path);
    if (rc == ERR_NOTFOUND && strncmp(err_message(), "keyring:", 8) == 0) {
        printf("%s: locked (no key was cached)\n", c.path);
        return EXIT_CLEAN;
    }
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: locked (cached key removed)\n", c.path);
    return EXIT_CLEAN;
}
