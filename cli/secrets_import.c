/* secrets import: stores each KEY=VALUE of a .env file (read by the project's lexer) or each
 * "name": "value" of a JSON object as a new version; all checked before anything is written. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets import (--env-file F | --json F | --pass DIR | --sops F) [--dry-run]\n"
    "\n"
    "Stores every entry as a new version of the secret of that name (history kept); values\n"
    "equal to the current one are left alone. A parse error stops with file:line before\n"
    "anything is written. Entries without a value (`KEY` alone) or empty are skipped.\n"
    "  -e, --env-file F   a .env file (the syntax Compose reads; `secrets validate` checks it)\n"
    "  -j, --json F       a JSON object of strings\n"
    "      --pass DIR     a pass(1) store (e.g. ~/.password-store): each NAME.gpg decrypted by\n"
    "                     gpg with your keys, stored as NAME (whole content, one trailing\n"
    "                     newline dropped)\n"
    "      --sops F       a SOPS file encrypted to your age key, decrypted by the sops command\n"
    "                     (--identity F is handed to it as SOPS_AGE_KEY_FILE); its values must\n"
    "                     be strings\n"
    "  -n, --dry-run      list what would change; write nothing\n" VAULT_OPTS_HELP;

/* Names are stored and printed in clear (list, history, export): a name that is itself a
 * credential (a token pasted on a line of its own, or as the key) is refused before anything
 * is written, and the message shows only its redaction. */
static int
names_are_not_secrets(const struct vault_import *im, const char *path)
{
    struct buf red = {0};
    int rc = 0;

    for (size_t i = 0; i < im->n && rc == 0; i++) {
        const struct vault_import_item *it = &im->items[i];
        rc = detect_redact_text(it->name, strlen(it->name), &red);
        if (rc == 1) {
            if (it->line > 0)
                rc = err_set(ERR_PARSE, "%s:%d: the name '%s' looks like a secret itself (names "
                                        "are printed in clear); nothing imported",
                             path, it->line, red.data);
            else
                rc = err_set(ERR_PARSE, "%s: the name '%s' looks like a secret itself (names are "
                                        "printed in clear); nothing imported",
                             path, red.data);
        }
    }
    buf_free(&red);
    return rc;
}

static int
apply(struct vault *v, const struct vault_import *im, const char *path, int dry_run)
{
    struct vault_set_opts so = {0};
    size_t changed = 0;
    int rc = 0, st, cur, ver;

    so.how = "import";
    for (size_t i = 0; i < im->n && rc >= 0; i++) {
        const struct vault_import_item *it = &im->items[i];
        if ((it->flags & VAULT_IMPORT_F_NO_VALUE) || it->len == 0) {
            printf("skip      %s (no value)\n", it->name);
            continue;
        }
        if ((st = vault_import_status(v, it, &cur)) < 0)
            return st;
        if (st == VAULT_IMPORT_SAME) {
            printf("unchanged %s (version %d)\n", it->name, cur);
            continue;
        }
        if (it->flags & VAULT_IMPORT_F_REFS)
            diag_warn("%s:%d: %s has ${...} references; stored as written, not expanded", path,
                      it->line, it->name);
        changed++;
        if (dry_run) {
            printf("%s %s (version %d)\n", st == VAULT_IMPORT_NEW ? "new      " : "update   ",
                   it->name, cur + 1);
            continue;
        }
        if ((rc = vault_set(v, it->name, it->data, it->len, &so, &ver)) == 0)
            printf("%s %s (version %d)\n", st == VAULT_IMPORT_NEW ? "new      " : "update   ",
                   it->name, ver);
    }
    if (rc == 0 && !dry_run && changed > 0)
        rc = vault_commit(v);
    if (rc == 0 && dry_run)
        diag_note("dry run: %zu secret(s) would change; nothing written", changed);
    return rc;
}

int
cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"env-file", required_argument, NULL, 'e'},
        {"json", required_argument, NULL, 'j'},
        {"pass", required_argument, NULL, 'P'},
        {"sops", required_argument, NULL, 'S'},
        {"dry-run", no_argument, NULL, 'n'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_import im;
    struct vault *v = NULL;
    const char *env = NULL, *json = NULL, *pass = NULL, *sops = NULL, *src;
    int opt, rc, dry_run = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "e:j:nqh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'e': env = optarg; break;
        case 'j': json = optarg; break;
        case 'P': pass = optarg; break;
        case 'S': sops = optarg; break;
        case 'n': dry_run = 1; break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 0, "import", usage) < 0)
        return EXIT_ERROR;
    if ((env != NULL) + (json != NULL) + (pass != NULL) + (sops != NULL) != 1) {
        diag_error("import: give one of --env-file F, --json F, --pass DIR and --sops F");
        return EXIT_ERROR;
    }
    if ((rc = keys_init()) < 0)
        return cli_fail(rc);
    src = env != NULL ? env : json != NULL ? json : pass != NULL ? pass : sops;
    rc = env != NULL    ? vault_import_env(env, &im)
         : json != NULL ? vault_import_json(json, &im)
         : pass != NULL ? vault_import_pass(pass, &im)
                        : vault_import_sops(sops, c.unlock.identity, &im);
    if (rc < 0)
        return cli_fail(rc);
    if ((rc = names_are_not_secrets(&im, src)) < 0) {
        vault_import_free(&im);
        return cli_fail(rc);
    }
    if (vault_cli_open(&c, dry_run ? 0 : VAULT_OPEN_WRITE, &v) != 0) {
        vault_import_free(&im);
        return EXIT_ERROR;
    }
    rc = apply(v, &im, src, dry_run);
    vault_close(v);
    vault_import_free(&im);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
