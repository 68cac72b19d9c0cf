/* secrets push: creates the vault's secrets in a Docker engine's (Swarm) secret store through
 * the Engine API (POST /secrets/create), never deleting or replacing one that exists. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets push [NAMES...] [--versioned] [--dry-run]\n"
    "\n"
    "Creates each secret (default: all) in the engine's secret store (Swarm; Podman serves the\n"
    "same API), found as the scanner finds it (DOCKER_HOST, then the usual sockets). Names map\n"
    "as for files ('/' becomes _). Engine secrets are immutable: an existing one is left alone.\n"
    "      --versioned   name each NAME_vN after its vault version (rotate: push, then update\n"
    "                    the service to the new name; the old one stays until you remove it)\n"
    "  -n, --dry-run     list what would be created; create nothing\n" VAULT_OPTS_HELP;

#define PUSH_LABEL "io.github.secrets-suite.vault-version"

static int
push_one(struct vault *v, struct engine *se, const char *name, int versioned,
         int dry_run, int *created)
{
    struct vault_info info;
    struct vault_value val = {0};
    char target[VAULT_NAME_MAX + 16], file[VAULT_NAME_MAX + 1], ver[32], id[128];
    int rc;

    memset(&info, 0, sizeof(info));
    if ((rc = vault_name_check(name)) < 0 || (rc = vault_history(v, name, &info)) < 0)
        return rc;
    free(info.versions);
    if (info.deleted)
        return err_set(ERR_NOTFOUND, "secret '%s' was removed", name);
    if ((rc = vault_export_file_name(name, file, sizeof(file))) < 0)
        return rc;
    if (versioned)
        rc = str_format(target, sizeof(target), "%s_v%d", file, info.version);
    else
        rc = str_format(target, sizeof(target), "%s", file);
    if (rc < 0)
        return rc;
    if ((rc = engine_secret_exists(se, target)) < 0)
        return rc;
    if (rc == 1) {
        printf("exists    %s (left alone%s)\n", target,
               versioned ? "" : "; engine secrets are immutable: --versioned pushes a new name");
        return 0;
    }
    if (dry_run) {
        printf("create    %s (from %s version %d)\n", target, name, info.version);
        return 0;
    }
    if ((rc = vault_get(v, name, 0, &val)) < 0)
        return rc;
    (void)str_format(ver, sizeof(ver), "%d", info.version);
    rc = engine_secret_create(se, target, val.data, val.len, PUSH_LABEL, ver, id,
                                      sizeof(id));
    vault_value_free(&val);
    if (rc == ERR_EXISTS) {
        printf("exists    %s (created meanwhile; left alone)\n", target);
        return 0;
    }
    if (rc == 0) {
        printf("created   %s %.12s (from %s version %d)\n", target, id, name, info.version);
        (*created)++;
    }
    return rc;
}

int
cmd_push(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"versioned", no_argument, NULL, 'V'},
        {"dry-run", no_argument, NULL, 'n'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v = NULL;
    struct engine *se = NULL;
    struct vault_info *infos = NULL;
    size_t ninfos = 0, n;
    int opt, rc, versioned = 0, dry_run = 0, created = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "nqh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'V': versioned = 1; break;
        case 'n': dry_run = 1; break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if ((rc = keys_init()) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    n = (size_t)(argc - optind);
    if (n == 0 && (rc = vault_list(v, 0, &infos, &ninfos)) == 0)
        n = ninfos;
    if (rc == 0)
        rc = engine_open(&se);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = push_one(v, se, infos != NULL ? infos[i].name : argv[optind + (int)i], versioned,
                      dry_run, &created);
    engine_close(se);
    vault_infos_free(infos, ninfos);
    vault_close(v);
    if (rc < 0)
        return cli_fail(rc);
    if (dry_run)
        diag_note("dry run: nothing created");
    else
        diag_note("%d secret(s) created", created);
    return EXIT_CLEAN;
}
