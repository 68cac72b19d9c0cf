/* secrets export: the vault's current values as Docker secret files, a .env file, JSON, a
 * Compose secrets block or a Kubernetes Secret, on stdout or in a new 0600 file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets export --format docker-secrets|env|json|compose|k8s [NAMES...]\n"
    "                      [--output F] [--dir DIR] [--force] [--service S]\n"
    "                      [--name N] [--namespace NS]\n"
    "\n"
    "Exports the current values of NAMES (default: every secret).\n"
    "  -F, --format F      docker-secrets: one file per secret in DIR, as create-file writes it\n"
    "                      env: a .env file (double-quoted; Compose and our lexer read back the\n"
    "                           exact bytes); json: {\"name\": \"value\"}; compose: the secrets:\n"
    "                           block for DIR and the service's list; k8s: a Secret manifest\n"
    "  -o, --output F      write to F (created 0600, atomic replace) instead of stdout\n"
    "  -d, --dir DIR       docker-secrets and compose: the directory (default ./secrets)\n"
    "  -f, --force         docker-secrets: replace existing files\n"
    "      --service S     compose: the service in the snippet (default app)\n"
    "      --name N        k8s: metadata.name (default app-secrets)\n"
    "      --namespace NS  k8s: metadata.namespace\n"
    "Names map to variables (env: other bytes become _) and files ('/' becomes _).\n"
    VAULT_OPTS_HELP;

enum { OPT_SERVICE = 0x300, OPT_K8S_NAME, OPT_NAMESPACE };

static int
parse_format(const char *s, int *fmt)
{
    static const char *const names[] = {"env", "json", "compose", "k8s"};

    if (strcmp(s, "docker-secrets") == 0) {
        *fmt = -1;
        return 0;
    }
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *fmt = i;
            return 0;
        }
    diag_error("--format: '%s' is not docker-secrets, env, json, compose or k8s", s);
    return -1;
}

/* Two names that map to the same variable or file would overwrite each other. */
static int
check_collisions(const struct vault_export_item *items, size_t n, int env)
{
    char a[VAULT_NAME_MAX + 3], b[VAULT_NAME_MAX + 3];
    int rc;

    for (size_t i = 0; i < n; i++) {
        rc = env ? vault_export_env_key(items[i].name, a, sizeof(a))
                 : vault_export_file_name(items[i].name, a, sizeof(a));
        if (rc < 0)
            return rc;
        for (size_t j = i + 1; j < n; j++) {
            rc = env ? vault_export_env_key(items[j].name, b, sizeof(b))
                     : vault_export_file_name(items[j].name, b, sizeof(b));
            if (rc < 0)
                return rc;
            if (strcmp(a, b) == 0)
                return err_set(ERR_USAGE, "'%s' and '%s' both become '%s'; export them apart",
                               items[i].name, items[j].name, a);
        }
    }
    return 0;
}

/* The current values of `names` (all live secrets when n == 0). */
static int
gather(struct vault *v, char **names, size_t n, struct vault_value **vals,
       struct vault_export_item **items, size_t *count)
{
    struct vault_info *infos = NULL;
    size_t ninfos = 0, i;
    int rc = 0;

    if (n == 0 && (rc = vault_list(v, 0, &infos, &ninfos)) < 0)
        return rc;
    *count = n != 0 ? n : ninfos;
    *vals = calloc(*count + 1, sizeof(**vals));
    *items = calloc(*count + 1, sizeof(**items));
    if (*vals == NULL || *items == NULL)
        rc = err_set(ERR_NOMEM, "out of memory");
    for (i = 0; i < *count && rc == 0; i++) {
        const char *name = n != 0 ? names[i] : infos[i].name;
        if ((rc = vault_name_check(name)) < 0 || (rc = vault_get(v, name, 0, &(*vals)[i])) < 0)
            break;
        (*items)[i].name = n != 0 ? names[i] : NULL;
        (*items)[i].data = (*vals)[i].data;
        (*items)[i].len = (*vals)[i].len;
    }
    /* list names live in infos: keep copies the items can point to */
    for (i = 0; i < *count && rc == 0 && n == 0; i++)
        if (((*items)[i].name = strdup(infos[i].name)) == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
    vault_infos_free(infos, ninfos);
    return rc;
}

static void
release(struct vault_value *vals, struct vault_export_item *items, size_t count, int owned)
{
    for (size_t i = 0; vals != NULL && i < count; i++)
        vault_value_free(&vals[i]);
    for (size_t i = 0; owned && items != NULL && i < count; i++)
        free((char *)items[i].name);
    free(vals);
    free(items);
}

static int
write_files(const struct vault_export_item *items, size_t n, const char *dir, int force)
{
    struct vault_secretfile o = {dir, 0400, (uid_t)-1, (gid_t)-1, force};
    char file[VAULT_NAME_MAX + 1];
    int rc;

    for (size_t i = 0; i < n; i++) {
        if ((rc = vault_export_file_name(items[i].name, file, sizeof(file))) < 0 ||
            (rc = vault_secretfile_write(&o, file, items[i].data, items[i].len)) < 0)
            return rc;
        diag_note("wrote %s/%s (%zu bytes, mode 0400)", dir, file, items[i].len);
    }
    return 0;
}

int
cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'F'},  {"output", required_argument, NULL, 'o'},
        {"dir", required_argument, NULL, 'd'},     {"force", no_argument, NULL, 'f'},
        {"service", required_argument, NULL, OPT_SERVICE},
        {"name", required_argument, NULL, OPT_K8S_NAME},
        {"namespace", required_argument, NULL, OPT_NAMESPACE},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_export_opts eo = {"./secrets", "app", "app-secrets", NULL};
    struct vault_cli c;
    struct vault *v = NULL;
    struct vault_value *vals = NULL;
    struct vault_export_item *items = NULL;
    struct buf out = {0};
    const char *output = NULL;
    size_t count = 0;
    int opt, rc, fmt = -2, force = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "F:o:d:fqh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'F':
            if (parse_format(optarg, &fmt) < 0)
                return EXIT_ERROR;
            break;
        case 'o': output = optarg; break;
        case 'd': eo.dir = optarg; break;
        case 'f': force = 1; break;
        case OPT_SERVICE: eo.service = optarg; break;
        case OPT_K8S_NAME: eo.k8s_name = optarg; break;
        case OPT_NAMESPACE: eo.k8s_namespace = optarg; break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (fmt == -2) {
        diag_error("export: --format is required");
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (fmt == -1 && output != NULL) {
        diag_error("export: docker-secrets writes files in --dir, not --output");
        return EXIT_ERROR;
    }
    if ((rc = keys_init()) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    rc = gather(v, argv + optind, (size_t)(argc - optind), &vals, &items, &count);
    vault_close(v);
    if (rc == 0 && fmt != VAULT_EXPORT_JSON)
        rc = check_collisions(items, count, fmt == VAULT_EXPORT_ENV);
    if (rc == 0 && fmt == -1)
        rc = write_files(items, count, eo.dir, force);
    else if (rc == 0)
        rc = vault_export_render((enum vault_export_format)fmt, items, count, &eo, &out);
    release(vals, items, count, argc == optind);
    if (rc == 0 && fmt != -1) {
        if (output != NULL)
            rc = file_write_atomic(output, out.data, out.len, 0600);
        else if (file_write_fd(STDOUT_FILENO, out.data, out.len) < 0)
            rc = err_set_errno(ERR_IO, "write failure on standard output");
    }
    buf_free(&out);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
