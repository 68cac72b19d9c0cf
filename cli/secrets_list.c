/* secrets list: every secret's name, version, dates, tags and expiry; never a value. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets list [--all] [--format text|json]\n"
    "\n"
    "Lists the secrets (never their values).\n"
    "  -a, --all             include removed secrets (their history is kept)\n"
    "  -f, --format FORMAT   text (default) or json\n" VAULT_OPTS_HELP;

static int
print_json(const struct vault_info *x, size_t n)
{
    cJSON *arr = cJSON_CreateArray(), *o, *tags;
    char t[32], *tagcopy, *tok, *save;

    for (size_t i = 0; i < n && arr != NULL; i++) {
        o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "name", x[i].name);
        cJSON_AddNumberToObject(o, "version", x[i].version);
        cJSON_AddNumberToObject(o, "versions", (double)x[i].nversions);
        vault_cli_time(x[i].created, t, sizeof(t));
        cJSON_AddStringToObject(o, "created", t);
        vault_cli_time(x[i].updated, t, sizeof(t));
        cJSON_AddStringToObject(o, "updated", t);
        vault_cli_time(x[i].expires, t, sizeof(t));
        if (x[i].expires > 0)
            cJSON_AddStringToObject(o, "expires", t);
        else
            cJSON_AddNullToObject(o, "expires");
        if (x[i].rotate_after > 0)
            cJSON_AddNumberToObject(o, "rotate_after_days", (double)x[i].rotate_after);
        else
            cJSON_AddNullToObject(o, "rotate_after_days");
        tags = cJSON_AddArrayToObject(o, "tags");
        tagcopy = strdup(x[i].tags);
        for (tok = tagcopy ? strtok_r(tagcopy, ",", &save) : NULL; tok != NULL;
             tok = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(tags, cJSON_CreateString(tok));
        free(tagcopy);
        cJSON_AddBoolToObject(o, "removed", x[i].deleted);
    }
    return vault_cli_print_json(arr);
}

int
cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"all", no_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault_info *infos;
    struct vault *v;
    size_t n;
    char upd[32], exp[32];
    int opt, rc, all = 0, json = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "af:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'a':
            all = 1;
            break;
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
    if (vault_cli_args(argc, argv, 0, "list", usage) < 0)
        return EXIT_ERROR;
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    rc = vault_list(v, all, &infos, &n);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    if (json) {
        rc = print_json(infos, n);
    } else if (n > 0) {
        printf("%-32s %7s  %-20s  %-20s  %s\n", "NAME", "VERSION", "UPDATED", "EXPIRES", "TAGS");
        for (size_t i = 0; i < n; i++) {
            vault_cli_time(infos[i].updated, upd, sizeof(upd));
            vault_cli_time(infos[i].expires, exp, sizeof(exp));
            printf("%-32s %7d  %-20s  %-20s  %s%s\n", infos[i].name, infos[i].version, upd, exp,
                   infos[i].tags[0] ? infos[i].tags : "-", infos[i].deleted ? " (removed)" : "");
        }
    }
    vault_infos_free(infos, n);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
