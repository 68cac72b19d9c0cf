/* secrets init: creates a new vault with a passphrase slot, a key-file slot, or both. */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets init [--kdf interactive|moderate|sensitive] [--key-file F] [--no-passphrase]\n"
    "                    [--vault PATH]\n"
    "\n"
    "Creates a new vault (mode 0600, its directory 0700); never overwrites one. The passphrase\n"
    "comes from SECRETS_PASSPHRASE_FILE, SECRETS_PASSPHRASE or a prompt (asked twice).\n"
    "      --kdf LEVEL       Argon2id cost of the passphrase slot (default moderate)\n"
    "      --key-file F      also add a key-file slot; F is created (32 random bytes) if missing\n"
    "      --no-passphrase   no passphrase slot (needs --key-file)\n" VAULT_OPTS_HELP;

int
cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kdf", required_argument, NULL, 'k'},
        {"no-passphrase", no_argument, NULL, 'N'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_create vc = {0};
    struct keys_passphrase pass = {0};
    const char *kdf = "moderate";
    struct stat st;
    int opt, no_pass = 0, rc;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'k':
            kdf = optarg;
            break;
        case 'N':
            no_pass = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 0, "init", usage) < 0)
        return EXIT_ERROR;
    if ((rc = keys_kdf_level_parse(kdf, &vc.kdf)) < 0)
        return cli_fail(rc);
    if (no_pass && c.unlock.key_file == NULL) {
        diag_error("init: --no-passphrase needs --key-file (a vault needs a way to open)");
        return EXIT_ERROR;
    }
    if (vault_cli_path(&c) != 0 || (rc = keys_init()) < 0)
        return rc < 0 ? cli_fail(rc) : EXIT_ERROR;
    /* Refuse before asking for a passphrase (vault_create checks again, race-free). */
    if (lstat(c.path, &st) == 0) {
        diag_error("%s: a vault (or another file) is already there; refusing to overwrite it",
                   c.path);
        return EXIT_ERROR;
    }
    if (!no_pass) {
        rc = keys_passphrase_from_env("SECRETS", &pass);
        if (rc == 0)
            rc = keys_passphrase_prompt("New vault passphrase: ", 1, &pass);
        if (rc < 0)
            return cli_fail(rc);
        vc.pass = &pass;
    }
    vc.key_file = c.unlock.key_file;
    rc = vault_create(c.path, &vc);
    keys_passphrase_free(&pass);
    if (rc < 0)
        return cli_fail(rc);
    printf("created vault %s (%s%s%s)\n", c.path, no_pass ? "" : "passphrase, Argon2id ",
           no_pass ? "" : kdf, vc.key_file ? (no_pass ? "key file" : " + key file") : "");
    return EXIT_CLEAN;
}
