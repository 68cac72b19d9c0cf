/* dockerfile_config: merges --ignore and a `.scanner.ini` ([dockerfile] disable, trusted_registries,
 * sensitive_ports; [severity] ID = level) into the settings the Dockerfile rules read. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dockerfile.h"

/* Remote administration, container engines and databases (docs/rules.md DF010). */
static const int default_ports[] = {
    21,   22,   23,   111,  135,  139,  445,   1433,  1521,  2375,  2376,  2379, 2380,
    3306, 3389, 5432, 5900, 5984, 6379, 6443,  9200,  9300,  10250, 11211, 27017,
};

static int
push_str(char ***arr, size_t *n, const char *s, size_t len)
{
    char **p = realloc(*arr, (*n + 1) * sizeof(**arr));
    if (p == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *arr = p;
    p[*n] = strndup(s, len);
    if (p[*n] == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    (*n)++;
    return 0;
}

/* Calls fn for each comma/space separated item of `v`. */
static int
each_item(const char *v, int (*fn)(struct df_config *, const char *, size_t), struct df_config *c)
{
    while (*v) {
        while (*v == ',' || isspace((unsigned char)*v))
            v++;
        size_t l = 0;
        while (v[l] && v[l] != ',' && !isspace((unsigned char)v[l]))
            l++;
        if (l > 0) {
            int rc = fn(c, v, l);
            if (rc < 0)
                return rc;
        }
        v += l;
    }
    return 0;
}

static int
add_disabled(struct df_config *c, const char *s, size_t l)
{
    return push_str(&c->disabled, &c->ndisabled, s, l);
}

static int
add_trusted(struct df_config *c, const char *s, size_t l)
{
    c->trusted_set = 1;
    return push_str(&c->trusted, &c->ntrusted, s, l);
}

static int
add_port(struct df_config *c, const char *s, size_t l)
{
    char tmp[16];
    char *end;
    long v;

    if (l >= sizeof(tmp))
        return err_set(ERR_PARSE, "sensitive_ports: '%.*s' is not a port", (int)l, s);
    memcpy(tmp, s, l);
    tmp[l] = '\0';
    v = strtol(tmp, &end, 10);
    if (*end != '\0' || v < 0 || v > 65535)
        return err_set(ERR_PARSE, "sensitive_ports: '%s' is not a port", tmp);
    int *p = realloc(c->ports, (c->nports + 1) * sizeof(*p));
    if (p == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    c->ports = p;
    c->ports[c->nports++] = (int)v;
    return 0;
}

static int
ini_handler(void *user, const char *section, const char *key, const char *value)
{
    struct df_config *c = user;

    if (strcasecmp(section, "severity") == 0) {
        int s = severity_parse(value);
        if (s < 0)
            return err_set(ERR_PARSE, "[severity] %s: unknown severity '%s'", key, value);
        void *p = realloc(c->overrides, (c->noverrides + 1) * sizeof(*c->overrides));
        if (p == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->overrides = p;
        c->overrides[c->noverrides].id = strdup(key);
        c->overrides[c->noverrides].sev = (enum severity)s;
        if (c->overrides[c->noverrides].id == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->noverrides++;
        return 0;
    }
    if (strcasecmp(section, "dockerfile") != 0)
        return 0; /* other scanners' sections */
    if (strcasecmp(key, "disable") == 0 || strcasecmp(key, "ignore") == 0)
        return each_item(value, add_disabled, c);
    if (strcasecmp(key, "trusted_registries") == 0) {
        c->trusted_set = 1;
        return each_item(value, add_trusted, c);
    }
    if (strcasecmp(key, "sensitive_ports") == 0) {
        if (!c->ports_set) {
            c->nports = 0;
            c->ports_set = 1;
        }
        return each_item(value, add_port, c);
    }
    return err_set(ERR_PARSE, "[dockerfile] unknown key '%s'", key);
}

int
df_config_init(struct df_config *c, const struct scanner_opts *o, const char *ctx_dir)
{
    char path[4096];
    struct stat st;
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    memset(c, 0, sizeof(*c));
    if (gmtime_r(&now, &tm) != NULL)
        strftime(c->today, sizeof(c->today), "%Y-%m-%d", &tm);
    for (size_t i = 0; i < sizeof(default_ports) / sizeof(default_ports[0]); i++)
        if ((rc = add_port(c, "0", 1)) < 0)
            return rc;
        else
            c->ports[c->nports - 1] = default_ports[i];
    for (size_t i = 0; o != NULL && i < o->nignore; i++)
        if ((rc = add_disabled(c, o->ignore[i], strlen(o->ignore[i]))) < 0)
            return rc;
    path[0] = '\0';
    if (o != NULL && o->config != NULL) {
        if (str_format(path, sizeof(path), "%s", o->config) < 0)
            return err_set(ERR_LIMIT, "config path too long");
    } else {
        if (ctx_dir != NULL && str_format(path, sizeof(path), "%s/.scanner.ini", ctx_dir) == 0 &&
            stat(path, &st) == 0)
            ;
        else if (stat(".scanner.ini", &st) == 0)
            snprintf(path, sizeof(path), ".scanner.ini");
        else
            path[0] = '\0';
    }
    size_t pl = strlen(path);
    if (pl > 5 && (strcmp(path + pl - 5, ".yaml") == 0 || strcmp(path + pl - 4, ".yml") == 0))
        return df_labels_load_file(c, path); /* --config .hadolint.yaml: hadolint's own file */
    if (path[0] != '\0' && (rc = config_load(path, ini_handler, c)) < 0)
        return rc;
    return df_labels_load(c, ctx_dir);
}

void
df_config_free(struct df_config *c)
{
    for (size_t i = 0; i < c->ndisabled; i++)
        free(c->disabled[i]);
    for (size_t i = 0; i < c->ntrusted; i++)
        free(c->trusted[i]);
    for (size_t i = 0; i < c->noverrides; i++)
        free(c->overrides[i].id);
    free(c->disabled);
    free(c->trusted);
    free(c->overrides);
    free(c->ports);
    for (size_t i = 0; i < c->nlabels; i++) {
        free(c->labels[i].name);
        free(c->labels[i].type);
    }
    free(c->labels);
    memset(c, 0, sizeof(*c));
}
