/* secrets unlock: checks that the vault opens and, with --remember, caches its data key in the
 * OS keyring for a while so later commands need no passphrase. */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets unlock [--remember [--timeout DURATION]]\n"
    "\n"
    "Opens the vault with a key file or the passphrase. With --remember the data key is cached\n"
    "in the OS keyring (Secret Service) so later commands skip the passphrase; `secrets lock`\n"
    "removes it. The keyring is a cache: the vault never depends on it.\n"
    "  -r, --remember          cache the data key in the keyring\n"
    "  -t, --timeout DURATION  forget it after 900, 15m, 8h, 2d ... (default 1h; 0 = until lock)\n"
    VAULT_OPTS_HELP;

int
cmd_unlock(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"remember", no_argument, NULL, 'r'},
        {"timeout", required_argument, NULL, 't'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v;
    long ttl = 3600;
    int opt, rc = 0, remember = 0, ttl_given = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "rt:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'r':
            remember = 1;
            break;
        case 't':
            if (vault_cli_parse_duration(optarg, &ttl) < 0)
                return EXIT_ERROR;
            ttl_given = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 0, "unlock", usage) < 0)
        return EXIT_ERROR;
    if (ttl_given && !remember) {
        diag_error("unlock: --timeout goes with --remember");
        return EXIT_ERROR;
    }
    /* Proving the vault opens means using a real source, not the cache. */
    c.unlock.no_keyring = 1;
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    if (remember)
        rc = vault_remember(v, ttl);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    if (!remember)
        printf("%s: unlocks (nothing cached; --remember caches the key)\n", c.path);
    else if (ttl > 0)
        printf("%s: key cached in the keyring for %lds; `secrets lock` removes it\n", c.path, ttl);
    else
        printf("%s: key cached in the keyring until `secrets lock`\n", c.path);
    return EXIT_CLEAN;
}
