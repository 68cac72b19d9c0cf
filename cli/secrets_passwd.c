/* secrets passwd: re-wraps the data key: a new passphrase (and KDF cost), or key-file slots
 * added or removed. No secret is re-encrypted. */
#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets passwd [--kdf LEVEL] [--add-key-file F] [--remove-key-files]\n"
    "\n"
    "Sets a new passphrase (from SECRETS_NEW_PASSPHRASE_FILE, SECRETS_NEW_PASSPHRASE or a prompt\n"
    "asked twice) unless only key-file options are given. The data key stays the same.\n"
    "      --kdf LEVEL          interactive, moderate (default) or sensitive\n"
    "      --add-key-file F     add a key-file slot; F is created when missing\n"
    "      --remove-key-files   drop every key-file slot\n" VAULT_OPTS_HELP;

int
cmd_passwd(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kdf", required_argument, NULL, 'k'},
        {"add-key-file", required_argument, NULL, 'A'},
        {"remove-key-files", no_argument, NULL, 'R'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct keys_kdf_params kdf;
    struct keys_passphrase pass = {0};
    struct vault *v;
    const char *level = "moderate", *add = NULL;
    int opt, rc, remove = 0, kdf_given = 0, new_pass;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'k':
            level = optarg;
            kdf_given = 1;
            break;
        case 'A':
            add = optarg;
            break;
        case 'R':
            remove = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 0, "passwd", usage) < 0)
        return EXIT_ERROR;
    if ((rc = keys_kdf_level_parse(level, &kdf)) < 0)
        return cli_fail(rc);
    new_pass = kdf_given || (add == NULL && !remove);
    if (vault_cli_open(&c, VAULT_OPEN_WRITE, &v) != 0)
        return EXIT_ERROR;
    if (new_pass) {
        rc = keys_passphrase_from_env("SECRETS_NEW", &pass);
        if (rc == 0)
            rc = keys_passphrase_prompt("New vault passphrase: ", 1, &pass);
    }
    if (rc >= 0)
        rc = vault_passwd(v, new_pass ? &pass : NULL, &kdf, add, remove);
    keys_passphrase_free(&pass);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: key slots updated%s\n", c.path, new_pass ? " (new passphrase)" : "");
    return EXIT_CLEAN;
}
