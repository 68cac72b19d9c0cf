/* secrets member add|rm|list: the people (public keys) a vault is shared with. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets member add NAME PUBKEY\n"
    "       secrets member rm NAME\n"
    "       secrets member list [--format text|json]\n"
    "\n"
    "A member is a key slot sealing the vault's data key to a public key: age1... (from\n"
    "`secrets keygen`) or an ssh-ed25519 line (e.g. ~/.ssh/id_ed25519.pub). PUBKEY may also be\n"
    "@FILE to read it from a file. Members unlock with --identity F or SECRETS_IDENTITY_FILE.\n"
    "`rm` gives the vault a new data key (every secret re-encrypted, every slot re-wrapped, so\n"
    "the passphrase and/or --key-file are needed when the vault has such slots), and lists the\n"
    "secrets the removed member could read: rotate them (`secrets check` lists them until then).\n"
    "  -f, --format FORMAT   list: text (default) or json\n" VAULT_OPTS_HELP;

static int
read_pubkey(const char *arg, char *out, size_t size)
{
    struct buf b = {0};
    int rc;

    if (arg[0] != '@')
        return str_format(out, size, "%s", arg);
    if ((rc = file_read_all(arg + 1, 4096, 0, &b)) < 0)
        return rc;
    rc = str_format(out, size, "%s", b.len > 0 ? b.data : "");
    buf_free(&b);
    return rc;
}

static int
do_list(struct vault *v, int json)
{
    struct vault_member *m;
    struct vault_removed *r;
    size_t n, nr;
    char t[32];
    int rc;

    if ((rc = vault_member_list(v, &m, &n)) < 0)
        return rc;
    if ((rc = vault_removed_list(v, &r, &nr)) < 0) {
        free(m);
        return rc;
    }
    if (json) {
        cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "members"), *o;
        for (size_t i = 0; i < n; i++) {
            o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "name", m[i].name);
            cJSON_AddStringToObject(o, "type",
                                    m[i].type == KEYS_PK_X25519 ? "x25519" : "ssh-ed25519");
            cJSON_AddStringToObject(o, "recipient", m[i].recipient);
        }
        arr = cJSON_AddArrayToObject(doc, "removed");
        for (size_t i = 0; i < nr; i++) {
            o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "name", r[i].name);
            vault_cli_time(r[i].at, t, sizeof(t));
            cJSON_AddStringToObject(o, "removed", t);
        }
        rc = vault_cli_print_json(doc);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-20s %s\n", m[i].name, m[i].recipient);
        if (n == 0)
            diag_note("no members (`secrets member add NAME PUBKEY`)");
    }
    free(m);
    free(r);
    return rc;
}

static int
do_rm(struct vault *v, const char *path, const char *name)
{
    struct vault_info *x;
    size_t n;
    int rc = vault_member_rm(v, name, &x, &n);

    if (rc < 0)
        return rc;
    printf("%s: removed member '%s'; new data key, every secret re-encrypted\n", path, name);
    if (n > 0) {
        printf("'%s' could read %zu secret%s before; rotate %s (secrets rotate NAME or secrets "
               "set NAME):\n",
               name, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
        for (size_t i = 0; i < n; i++)
            printf("  %s\n", x[i].name);
    }
    vault_infos_free(x, n);
    return 0;
}

int
cmd_member(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    char pub[KEYS_RECIPIENT_TEXT * 4];
    struct vault_cli c;
    struct vault *v;
    const char *sub;
    int opt, rc, json = 0, want;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        if (opt == 'f') {
            if (vault_cli_format(optarg, &json) < 0)
                return EXIT_ERROR;
            continue;
        }
        if (opt == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (optind >= argc) {
        diag_error("member: missing subcommand (add, rm, list)");
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    sub = argv[optind++];
    want = strcmp(sub, "add") == 0 ? 2 : strcmp(sub, "rm") == 0 ? 1 : strcmp(sub, "list") == 0 ? 0 : -1;
    if (want < 0) {
        diag_error("member: unknown subcommand '%s' (add, rm, list)", sub);
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (vault_cli_args(argc, argv, want, "member", usage) < 0)
        return EXIT_ERROR;
    if (want == 2) {
        if ((rc = vault_member_name_check(argv[optind])) < 0 ||
            (rc = read_pubkey(argv[optind + 1], pub, sizeof(pub))) < 0)
            return cli_fail(rc);
    }
    if (want == 1) {
        /* the cached key cannot re-wrap the passphrase or key-file slots */
        c.unlock.no_keyring = 1;
    }
    if (vault_cli_open(&c, want > 0 ? VAULT_OPEN_WRITE : 0, &v) != 0)
        return EXIT_ERROR;
    if (want == 2) {
        rc = vault_member_add(v, argv[optind], pub);
        if (rc == 0)
            printf("%s: added member '%s'\n", c.path, argv[optind]);
    } else if (want == 1) {
        rc = do_rm(v, c.path, argv[optind]);
    } else {
        rc = do_list(v, json);
    }
    vault_close(v);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
