/* secrets history: the versions of one secret: number, date, length and how it was made. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets history NAME [--format text|json]\n"
    "\n"
    "Lists the versions of NAME, oldest first (never their values).\n"
    "  -f, --format FORMAT   text (default) or json\n" VAULT_OPTS_HELP;

static int
print_json(const struct vault_info *x)
{
    cJSON *o = cJSON_CreateObject(), *arr, *e;
    char t[32];

    if (o == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(o, "name", x->name);
    cJSON_AddNumberToObject(o, "current", x->version);
    cJSON_AddBoolToObject(o, "removed", x->deleted);
    arr = cJSON_AddArrayToObject(o, "versions");
    for (size_t i = 0; i < x->nversions; i++) {
        e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        cJSON_AddNumberToObject(e, "version", x->versions[i].n);
        vault_cli_time(x->versions[i].at, t, sizeof(t));
        cJSON_AddStringToObject(e, "date", t);
        cJSON_AddNumberToObject(e, "length", (double)x->versions[i].len);
        cJSON_AddStringToObject(e, "how", x->versions[i].how);
    }
    return vault_cli_print_json(o);
}

int
cmd_history(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_info info;
    struct vault *v;
    char t[32];
    int opt, rc, json = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'f':
            if (vault_cli_format(optarg, &json) < 0)
                return EXIT_ERROR;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (vault_cli_args(argc, argv, 1, "history", usage) < 0)
        return EXIT_ERROR;
    if ((rc = vault_name_check(argv[optind])) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, VAULT_OPEN_ONE, &v) != 0)
        return EXIT_ERROR;
    rc = vault_history(v, argv[optind], &info);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    if (json) {
        rc = print_json(&info);
    } else {
        printf("%-8s %-20s  %6s  %s\n", "VERSION", "DATE", "LENGTH", "HOW");
        for (size_t i = 0; i < info.nversions; i++) {
            vault_cli_time(info.versions[i].at, t, sizeof(t));
            printf("%-8d %-20s  %6zu  %s%s\n", info.versions[i].n, t, info.versions[i].len,
                   info.versions[i].how,
                   i + 1 == info.nversions ? (info.deleted ? " (removed)" : " (current)") : "");
        }
    }
    free(info.versions);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
