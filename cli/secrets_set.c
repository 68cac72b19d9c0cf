/* secrets set: stores a new version of a secret, from stdin, a prompt, a file, the generator or
 * (with a warning) argv, with its tags, expiry and rotation period. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets set NAME [--from-file F | --generate [--length N] [--charset SET] | --value V]\n"
    "                   [--tag T]... [--no-tags] [--expires DATE|never] [--rotate-after DAYS|0]\n"
    "\n"
    "Stores a new version of NAME (letters, digits and ._-/). The value is read, byte for byte,\n"
    "from stdin when it is not a terminal, else from a no-echo prompt (asked twice).\n"
    "      --from-file F      the value is the exact content of F\n"
    "      --generate         a random value (--length 1..4096, default 32; --charset as in\n"
    "                         `secrets generate`, default alnum); rotate remembers both\n"
    "      --value V          the value on the command line (works, but others can see it)\n"
    "      --tag T            a tag (repeatable; replaces the tags); --no-tags removes them\n"
    "      --expires DATE     YYYY-MM-DD[THH:MM:SSZ] (UTC); `never` removes it\n"
    "      --rotate-after N   rotation is due N days after the last change; 0 removes it\n" VAULT_OPTS_HELP;

#define MAX_TAGS 32

int
cmd_set(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from-file", required_argument, NULL, 'F'}, {"generate", no_argument, NULL, 'g'},
        {"length", required_argument, NULL, 'l'},    {"charset", required_argument, NULL, 'c'},
        {"value", required_argument, NULL, 'V'},     {"tag", required_argument, NULL, 't'},
        {"no-tags", no_argument, NULL, 'T'},         {"expires", required_argument, NULL, 'e'},
        {"rotate-after", required_argument, NULL, 'r'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_set_opts o = {0};
    struct vault_value val = {0};
    struct keys_charset cs;
    struct vault *v = NULL;
    const char *tags[MAX_TAGS + 1], *from_file = NULL, *value = NULL, *charset = NULL, *name;
    long length = 0;
    int opt, gen = 0, rc, version = 0, sources;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'F':
            from_file = optarg;
            break;
        case 'g':
            gen = 1;
            break;
        case 'l':
            if (cli_parse_long(optarg, 1, KEYS_GENERATE_MAX, "--length", &length) < 0)
                return EXIT_ERROR;
            break;
        case 'c':
            charset = optarg;
            break;
        case 'V':
            value = optarg;
            break;
        case 't':
            if (o.ntags >= MAX_TAGS) {
                diag_error("--tag: at most %d tags", MAX_TAGS);
                return EXIT_ERROR;
            }
            tags[o.ntags++] = optarg;
            o.tags_given = 1;
            break;
        case 'T':
            o.tags_given = 1;
            break;
        case 'e':
            o.expires_given = 1;
            if (strcmp(optarg, "never") != 0 && vault_cli_parse_date(optarg, &o.expires) < 0)
                return EXIT_ERROR;
            break;
        case 'r':
            if (cli_parse_long(optarg, 0, 36500, "--rotate-after", &o.rotate_after) < 0)
                return EXIT_ERROR;
            o.rotate_given = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 1, "set", usage) < 0)
        return EXIT_ERROR;
    name = argv[optind];
    o.tags = tags;
    sources = (from_file != NULL) + (value != NULL) + gen;
    if (sources > 1) {
        diag_error("set: give one of --from-file, --generate and --value");
        return EXIT_ERROR;
    }
    if (!gen && (length != 0 || charset != NULL)) {
        diag_error("set: --length and --charset go with --generate");
        return EXIT_ERROR;
    }
    if ((rc = vault_name_check(name)) < 0 || (rc = keys_init()) < 0)
        return cli_fail(rc);
    if (gen) {
        o.gen_charset = charset != NULL ? charset : "alnum";
        o.gen_length = length != 0 ? length : 32;
        o.how = "generate";
        if ((rc = keys_charset_parse(o.gen_charset, &cs)) < 0)
            return cli_fail(rc);
        if ((val.data = keys_alloc((size_t)o.gen_length)) == NULL)
            return cli_fail(err_set(ERR_NOMEM, "cannot allocate guarded memory"));
        val.len = (size_t)o.gen_length;
        rc = keys_generate(&cs, val.len, (char *)val.data);
    } else {
        rc = vault_cli_read_value(name, from_file, value, &val);
    }
    if (rc == 0 && (rc = vault_cli_open(&c, VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &v)) != 0) {
        vault_value_free(&val);
        return EXIT_ERROR;
    }
    if (rc == 0)
        rc = vault_set(v, name, val.data, val.len, &o, &version);
    if (rc == 0)
        rc = vault_commit(v);
    vault_value_free(&val);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%s: version %d\n", name, version);
    return EXIT_CLEAN;
}
