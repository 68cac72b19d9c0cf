/* secrets textconv FILE, secrets merge-driver O A B: the two commands git runs for a vault file
 * once `secrets git-setup` has configured them. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets_vault.h"

static const char textconv_usage[] =
    "usage: secrets textconv FILE\n"
    "\n"
    "Prints a vault file as text for `git diff` (a textconv driver): its members, and each\n"
    "secret's name, version and dates; never a value. Unlocks like every vault command (e.g.\n"
    "SECRETS_IDENTITY_FILE); a file it cannot open is shown by its hash.\n" VAULT_OPTS_HELP;

static const char merge_usage[] =
    "usage: secrets merge-driver BASE OURS THEIRS\n"
    "\n"
    "git's merge driver for vault files (%O %A %B): secrets changed on one side are taken from\n"
    "it, members added on either side are kept; a secret changed differently on both sides is a\n"
    "conflict that names it (exit 1, OURS left as it was).\n" VAULT_OPTS_HELP;

static int
parse(int argc, char **argv, struct vault_cli *c, const char *usage, int want, const char *cmd)
{
    static const struct option longopts[] = {
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    int opt;

    vault_cli_init(c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(c, opt, optarg))
            continue;
        if (opt == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (vault_cli_args(argc, argv, want, cmd, usage) < 0)
        return EXIT_ERROR;
    return -1;
}

/* The file's hash, for a vault this user cannot open: the diff still shows that it changed. */
static int
locked_view(const char *path)
{
    struct buf b = {0};
    unsigned char h[16];
    char hex[33];
    int rc = file_read_all(path, VAULT_FILE_MAX, 0, &b);

    if (rc < 0)
        return cli_fail(rc);
    crypto_generichash(h, sizeof(h), (unsigned char *)b.data, b.len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    printf("# secrets vault (cannot open it here: %s)\n# %zu bytes, BLAKE2b-128 %s\n",
           err_message(), b.len, hex);
    buf_free(&b);
    return EXIT_CLEAN;
}

int
cmd_textconv(int argc, char **argv)
{
    struct vault_cli c;
    struct vault *v;
    struct buf out = {0};
    const char *path;
    int rc = parse(argc, argv, &c, textconv_usage, 1, "textconv");

    if (rc >= 0)
        return rc;
    path = argv[optind];
    rc = vault_open(path, 0, &c.unlock, &v);
    if (rc < 0) {
        if (rc == ERR_NOTFOUND && strstr(err_message(), "no vault") != NULL)
            return cli_fail(rc);
        return locked_view(path);
    }
    rc = vault_text_view(v, &out);
    vault_close(v);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}

int
cmd_merge_driver(int argc, char **argv)
{
    struct vault_cli c;
    int rc = parse(argc, argv, &c, merge_usage, 3, "merge-driver");

    if (rc >= 0)
        return rc;
    rc = vault_merge(argv[optind], argv[optind + 1], argv[optind + 2], &c.unlock);
    if (rc == ERR_EXISTS) {
        diag_error("%s", err_message());
        return EXIT_FINDINGS;
    }
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
