/* secrets create-file: writes one Docker secret file (DIR/NAME, exact bytes, 0400) from a value,
 * the vault or the generator, and prints what to paste into compose.yaml. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets create-file --name NAME [--dir DIR] [--mode MODE] [--force]\n"
    "                           [--value V | --from-vault [KEY] | --generate [--length N]\n"
    "                            [--charset SET]] [--uid UID] [--gid GID]\n"
    "\n"
    "Writes DIR/NAME holding exactly the value's bytes (no newline added) for a Compose or\n"
    "Swarm secret. The value comes from stdin when it is not a terminal, else a no-echo prompt.\n"
    "  -n, --name NAME       the file name: letters, digits and ._- (not starting with . or -)\n"
    "  -d, --dir DIR         where (default ./secrets; created 0700); no symlink followed\n"
    "  -m, --mode MODE       octal file mode (default 0400)\n"
    "  -f, --force           replace an existing file (atomically)\n"
    "      --value V         the value on the command line (works, but others can see it)\n"
    "      --from-vault [KEY]  the vault's current value of KEY (default NAME)\n"
    "      --generate        a random value (--length 1..4096, default 32; --charset as in\n"
    "                        `secrets generate`, default alnum)\n"
    "      --uid UID, --gid GID  owner of the file (root only)\n" VAULT_OPTS_HELP;

enum { OPT_VALUE = 0x300, OPT_FROM_VAULT, OPT_GENERATE, OPT_LENGTH, OPT_CHARSET, OPT_UID, OPT_GID };

struct create_args {
    const char *name, *value, *key, *charset;
    int from_vault, gen;
    long length;
};

static int
parse_mode(const char *s, mode_t *out)
{
    char *end;
    long m = strtol(s, &end, 8);

    if (end == s || *end != '\0' || m < 0 || m > 07777) {
        diag_error("--mode: '%s' is not an octal file mode (e.g. 0400)", s);
        return -1;
    }
    *out = (mode_t)m;
    return 0;
}

static int
get_value(struct vault_cli *c, const struct create_args *a, struct vault_value *val)
{
    struct keys_charset cs;
    struct vault *v = NULL;
    int rc;

    if (a->gen) {
        if ((rc = keys_charset_parse(a->charset != NULL ? a->charset : "alnum", &cs)) < 0)
            return rc;
        val->len = (size_t)(a->length != 0 ? a->length : 32);
        if ((val->data = keys_alloc(val->len)) == NULL)
            return err_set(ERR_NOMEM, "cannot allocate guarded memory");
        return keys_generate(&cs, val->len, (char *)val->data);
    }
    if (a->from_vault) {
        if (vault_cli_open(c, 0, &v) != 0)
            return 1; /* message already printed */
        rc = vault_get(v, a->key, 0, val);
        vault_close(v);
        return rc;
    }
    return vault_cli_read_value(a->name, NULL, a->value, val);
}

static void
print_hints(const struct vault_secretfile *o, const char *name, size_t len)
{
    char base[64];
    size_t i, j = 0;

    for (i = 0; name[i] != '\0' && j + 1 < sizeof(base); i++)
        base[j++] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 'a' + 'A')
                    : (name[i] == '-' || name[i] == '.') ? '_' : name[i];
    base[j] = '\0';
    fprintf(stderr,
            "%s: wrote %s/%s (%zu bytes, mode %04o)\n"
            "In compose.yaml, at the top level:\n"
            "  secrets:\n"
            "    %s:\n"
            "      file: %s/%s\n"
            "and in the service that needs it:\n"
            "    secrets:\n"
            "      - %s\n"
            "The container reads it at /run/secrets/%s. Official images take a *_FILE variable\n"
            "pointing there instead of the value, e.g. POSTGRES_PASSWORD_FILE=/run/secrets/%s;\n"
            "for your own program: %s_FILE=/run/secrets/%s.\n",
            diag_program(), o->dir, name, len, (unsigned)o->mode, name, o->dir, name, name, name,
            name, base, name);
    diag_warn("Compose without Swarm bind-mounts this file with its host owner (uid %ld) and "
              "mode %04o: the container's user must be able to read it (--uid/--gid as root, "
              "or a wider --mode)",
              (long)(o->uid != (uid_t)-1 ? o->uid : geteuid()), (unsigned)o->mode);
}

static int
parse_args(int argc, char **argv, struct vault_cli *c, struct create_args *a,
           struct vault_secretfile *o)
{
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},   {"dir", required_argument, NULL, 'd'},
        {"mode", required_argument, NULL, 'm'},   {"force", no_argument, NULL, 'f'},
        {"value", required_argument, NULL, OPT_VALUE},
        {"from-vault", optional_argument, NULL, OPT_FROM_VAULT},
        {"generate", no_argument, NULL, OPT_GENERATE},
        {"length", required_argument, NULL, OPT_LENGTH},
        {"charset", required_argument, NULL, OPT_CHARSET},
        {"uid", required_argument, NULL, OPT_UID}, {"gid", required_argument, NULL, OPT_GID},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    long id;
    int opt;

    while ((opt = getopt_long(argc, argv, "n:d:m:fqh", longopts, NULL)) != -1) {
        if (vault_cli_opt(c, opt, optarg))
            continue;
        switch (opt) {
        case 'n': a->name = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'm':
            if (parse_mode(optarg, &o->mode) < 0)
                return -1;
            break;
        case 'f': o->force = 1; break;
        case OPT_VALUE: a->value = optarg; break;
        case OPT_FROM_VAULT:
            a->from_vault = 1;
            a->key = optarg;
            break;
        case OPT_GENERATE: a->gen = 1; break;
        case OPT_LENGTH:
            if (cli_parse_long(optarg, 1, KEYS_GENERATE_MAX, "--length", &a->length) < 0)
                return -1;
            break;
        case OPT_CHARSET: a->charset = optarg; break;
        case OPT_UID:
        case OPT_GID:
            if (cli_parse_long(optarg, 0, 2147483646L, opt == OPT_UID ? "--uid" : "--gid",
                               &id) < 0)
                return -1;
            if (opt == OPT_UID)
                o->uid = (uid_t)id;
            else
                o->gid = (gid_t)id;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        default:
            fputs(usage, stderr);
            return -1;
        }
    }
    if (a->from_vault && a->key == NULL && optind < argc)
        a->key = argv[optind++];
    if (optind < argc) {
        diag_error("create-file: unexpected argument '%s'", argv[optind]);
        fputs(usage, stderr);
        return -1;
    }
    if (a->name == NULL) {
        diag_error("create-file: --name NAME is required");
        fputs(usage, stderr);
        return -1;
    }
    if (a->from_vault && a->key == NULL)
        a->key = a->name;
    if ((a->value != NULL) + a->from_vault + a->gen > 1) {
        diag_error("create-file: give one of --value, --from-vault and --generate");
        return -1;
    }
    if (!a->gen && (a->length != 0 || a->charset != NULL)) {
        diag_error("create-file: --length and --charset go with --generate");
        return -1;
    }
    if ((o->uid != (uid_t)-1 || o->gid != (gid_t)-1) && geteuid() != 0) {
        diag_error("create-file: --uid/--gid need root");
        return -1;
    }
    return 0;
}

int
cmd_create_file(int argc, char **argv)
{
    struct vault_cli c;
    struct create_args a = {0};
    struct vault_secretfile o = {"./secrets", 0400, (uid_t)-1, (gid_t)-1, 0};
    struct vault_value val = {0};
    int rc;

    vault_cli_init(&c);
    if ((rc = parse_args(argc, argv, &c, &a, &o)) != 0)
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    if ((rc = vault_secretfile_name_check(a.name)) < 0 ||
        (a.from_vault && (rc = vault_name_check(a.key)) < 0) || (rc = keys_init()) < 0)
        return cli_fail(rc);
    if ((rc = get_value(&c, &a, &val)) > 0)
        return EXIT_ERROR;
    if (rc == 0)
        rc = vault_secretfile_write(&o, a.name, val.data, val.len);
    if (rc == 0 && !diag_is_quiet())
        print_hints(&o, a.name, val.len);
    vault_value_free(&val);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
