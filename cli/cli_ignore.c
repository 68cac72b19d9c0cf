/* cli_ignore: finds the ignore files of a scan (cli.h, cli_ignores_load), reads them through
 * common/config_ignore.c and checks every id they name against the rule tables. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The first of `names` in the current directory, then in the work tree's top. */
static int
find_file(const char *const *names, char *out, size_t outsz)
{
    char top[PATH_MAX];
    int have_top = git_toplevel(".", top, sizeof(top)) == 0;

    for (const char *const *n = names; *n != NULL; n++)
        if (access(*n, F_OK) == 0)
            return str_format(out, outsz, "%s", *n) == 0;
    for (const char *const *n = names; have_top && *n != NULL; n++)
        if (str_format(out, outsz, "%s/%s", top, *n) == 0 && access(out, F_OK) == 0)
            return 1;
    return 0;
}

static int
check_ids(const struct config_ignores *ci)
{
    for (size_t i = 0; i < ci->nsources; i++) {
        const struct config_id_source *s = &ci->sources[i];
        char where[PATH_MAX + 32], near[64];

        if (cli_rule_known(s->id))
            continue;
        if (s->line > 0)
            snprintf(where, sizeof(where), "%s:%d", s->file, s->line);
        else
            snprintf(where, sizeof(where), "%s", s->file);
        if (!s->strict) {
            diag_note("%s: %s has no equivalent rule here; nothing to ignore", where, s->id);
            continue;
        }
        cli_rule_closest(s->id, near, sizeof(near));
        diag_error("%s: unknown rule id '%s'%s%s%s", where, s->id,
                   near[0] ? " (the closest known id is " : "", near, near[0] ? ")" : "");
        return -1;
    }
    return 0;
}

int
cli_ignores_load(const char *config_opt, const char *const *ids, size_t nids,
                 struct config_ignores *ci, const char **config)
{
    static const char *const ini[] = {".scanner.ini", NULL};
    static const char *const hadolint[] = {".hadolint.yaml", ".hadolint.yml", NULL};
    static const char *const trivy[] = {".trivyignore", NULL};
    static const char *const gitleaks[] = {".gitleaksignore", NULL};
    static char ini_path[PATH_MAX + 32];
    char path[PATH_MAX + 32];
    int rc = 0;

    config_ignores_init(ci);
    *config = config_opt;
    for (size_t i = 0; i < nids; i++) {
        /* --ignore ids are ours to check strictly: a typo must not silently ignore nothing. */
        if (!cli_rule_known(ids[i])) {
            char near[64];
            cli_rule_closest(ids[i], near, sizeof(near));
            diag_error("--ignore: unknown rule id '%s'%s%s%s", ids[i],
                       near[0] ? " (the closest known id is " : "", near, near[0] ? ")" : "");
            return -1;
        }
        if (ignore_list_add_id(&ci->list, ids[i], strlen(ids[i])) < 0) {
            cli_fail(ERR_NOMEM);
            return -1;
        }
    }
    if (config_opt == NULL && find_file(ini, ini_path, sizeof(ini_path)))
        *config = ini_path;
    if (*config != NULL) {
        size_t n = strlen(*config);
        /* --config .hadolint.yaml: hadolint's own file (the Dockerfile scanner reads it too) */
        if ((n > 5 && strcmp(*config + n - 5, ".yaml") == 0) ||
            (n > 4 && strcmp(*config + n - 4, ".yml") == 0))
            rc = config_ignores_read_hadolint(ci, *config);
        else
            rc = config_ignores_read_ini(ci, *config);
    }
    if (rc == 0 && find_file(hadolint, path, sizeof(path)) &&
        (*config == NULL || strcmp(*config, path) != 0))
        rc = config_ignores_read_hadolint(ci, path);
    if (rc == 0 && find_file(trivy, path, sizeof(path)))
        rc = config_ignores_read_trivy(ci, path);
    if (rc == 0 && find_file(gitleaks, path, sizeof(path)))
        rc = config_ignores_read_gitleaks(ci, path);
    if (rc < 0) {
        cli_fail(rc);
        return -1;
    }
    return check_ids(ci);
}
