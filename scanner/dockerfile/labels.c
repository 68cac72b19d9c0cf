/* labels: LABEL keys (DF059) and the label schema of `.hadolint.yaml` (`label-schema:` name ->
 * text|url|email|rfc3339|spdx|hash|semver, `strict-labels:`) checked against each stage (DF060).
 * The YAML subset is read line by line, bounded: those keys, `ignored:` (ids or aliases to
 * disable) and `trustedRegistries:` (unless .scanner.ini sets trusted_registries). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dockerfile.h"

#define LABELS_MAX 256

/* ---- .hadolint.yaml ----------------------------------------------------------------------------- */
static char *
trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Appends `v` to a list of strings (trusted registries, disabled ids). */
static int
list_add(char ***list, size_t *n, const char *v)
{
    char **p;

    if (*v == '\0' || *n >= LABELS_MAX)
        return 0;
    if ((p = realloc(*list, (*n + 1) * sizeof(*p))) == NULL)
        return ERR_NOMEM;
    *list = p;
    if ((p[*n] = strdup(v)) == NULL)
        return ERR_NOMEM;
    (*n)++;
    return 0;
}

/* `[a, b]` on the key's line, or `- a` items below it. */
static void
list_items(char *v, char ***list, size_t *n)
{
    if (*v != '[')
        return;
    v++;
    for (char *e; *v && *v != ']'; v = e) {
        e = v + strcspn(v, ",]");
        char save = *e;
        *e = '\0';
        list_add(list, n, trim(v));
        *e = save;
        if (*e == ',')
            e++;
    }
}

int
df_hadolint_yaml_parse(struct df_config *c, const char *text, size_t len)
{
    struct buf b = {0};
    int in_schema = 0;
    char ***list = NULL; /* the list whose `- item` lines follow */
    size_t *nlist = NULL;
    int trusted_from_ini = c->trusted_set;

    if (len > (1u << 20) || buf_append(&b, text, len) < 0)
        return 0; /* bounded; out of memory: no schema */
    for (char *p = b.data; b.data != NULL && p < b.data + b.len; p++)
        if (*p == '\0')
            *p = ' ';
    for (char *line = b.data, *nx; line != NULL && *line; line = nx) {
        nx = strchr(line, '\n');
        if (nx != NULL)
            *nx++ = '\0';
        char *hash = strstr(line, " #");
        if (hash != NULL)
            *hash = '\0';
        if (line[0] == '#' || trim(line)[0] == '\0')
            continue;
        int indented = line[0] == ' ' || line[0] == '\t';
        char *item = trim(line);
        if (item[0] == '-' && list != NULL) { /* - DL3008 */
            list_add(list, nlist, trim(item + 1));
            continue;
        }
        char *colon = strchr(line, ':');
        if (!indented) {
            in_schema = 0;
            list = NULL;
            if (colon == NULL)
                continue;
            *colon = '\0';
            char *k = trim(line), *v = trim(colon + 1);
            if (strcmp(k, "label-schema") == 0)
                in_schema = 1;
            else if (strcmp(k, "strict-labels") == 0)
                c->strict_labels = strcmp(v, "true") == 0 || strcmp(v, "yes") == 0;
            else if (strcmp(k, "ignored") == 0) {
                list = &c->disabled;
                nlist = &c->ndisabled;
            } else if (strcmp(k, "trustedRegistries") == 0 && !trusted_from_ini) {
                c->trusted_set = 1;
                list = &c->trusted;
                nlist = &c->ntrusted;
            }
            if (list != NULL)
                list_items(v, list, nlist);
            continue;
        }
        if (!in_schema || colon == NULL || c->nlabels >= LABELS_MAX)
            continue;
        *colon = '\0';
        char *k = trim(line), *v = trim(colon + 1);
        void *p = realloc(c->labels, (c->nlabels + 1) * sizeof(*c->labels));
        if (p == NULL)
            break;
        c->labels = p;
        c->labels[c->nlabels].name = strdup(k);
        c->labels[c->nlabels].type = strdup(v);
        if (c->labels[c->nlabels].name == NULL || c->labels[c->nlabels].type == NULL) {
            free(c->labels[c->nlabels].name);
            free(c->labels[c->nlabels].type);
            break;
        }
        c->nlabels++;
    }
    buf_free(&b);
    return 0;
}

int
df_labels_load_file(struct df_config *c, const char *path)
{
    struct buf b = {0};
    int rc = file_read_all(path, 1 << 20, 0, &b);

    if (rc < 0)
        return rc; /* file_read_all named the file */
    df_hadolint_yaml_parse(c, b.data ? b.data : "", b.len);
    buf_free(&b);
    return 0;
}

static int
load_yaml(struct df_config *c, const char *path)
{
    struct buf b = {0};

    if (file_read_all(path, 1 << 20, 0, &b) < 0)
        return 0; /* no file, or unreadable: no schema */
    df_hadolint_yaml_parse(c, b.data ? b.data : "", b.len);
    buf_free(&b);
    return 0;
}

int
df_labels_load(struct df_config *c, const char *ctx_dir)
{
    char path[4096];

    if (ctx_dir != NULL && str_format(path, sizeof(path), "%s/.hadolint.yaml", ctx_dir) == 0 &&
        access(path, R_OK) == 0)
        return load_yaml(c, path);
    if (ctx_dir != NULL && str_format(path, sizeof(path), "%s/.hadolint.yml", ctx_dir) == 0 &&
        access(path, R_OK) == 0)
        return load_yaml(c, path);
    if (access(".hadolint.yaml", R_OK) == 0)
        return load_yaml(c, ".hadolint.yaml");
    return 0;
}

/* ---- DF059: label keys -------------------------------------------------------------------------- */
static int
key_valid(const char *k)
{
    size_t n = strlen(k);

    if (n == 0 || !(k[0] >= 'a' && k[0] <= 'z') ||
        !((k[n - 1] >= 'a' && k[n - 1] <= 'z') || isdigit((unsigned char)k[n - 1])))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || isdigit((unsigned char)k[i]) || k[i] == '.' ||
              k[i] == '-'))
            return 0;
    if (strstr(k, "..") != NULL || strstr(k, "--") != NULL)
        return 0;
    return strncmp(k, "com.docker.", 11) != 0 && strncmp(k, "io.docker.", 10) != 0 &&
           strncmp(k, "org.dockerproject.", 18) != 0;
}

void
df_check_label_key(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_LABEL)
            continue;
        for (size_t k = 0; k < in->nkvs; k++) {
            int l, col;
            if (in->kvs[k].key == NULL || key_valid(in->kvs[k].key))
                continue;
            df_pos(c->df, in, in->kvs[k].key_off, &l, &col);
            df_report(c, r, in, l, col, NULL, "label key '%s' is not a valid key",
                      in->kvs[k].key);
        }
    }
}

/* ---- DF060: formats ------------------------------------------------------------------------------- */
static int
fmt_url(const char *v)
{
    size_t s = 0;

    if (!isalpha((unsigned char)v[0]))
        return 0;
    while (isalnum((unsigned char)v[s]) || v[s] == '+' || v[s] == '-' || v[s] == '.')
        s++;
    if (v[s] != ':' || v[s + 1] == '\0')
        return 0;
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == '^' ||
            *p == '`' || *p == '{' || *p == '|' || *p == '}' || (unsigned char)*p < 0x21)
            return 0;
    return 1;
}

static int
digits(const char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

static int
fmt_rfc3339(const char *v)
{
    if (strlen(v) < 20 || !digits(v, 4) || v[4] != '-' || !digits(v + 5, 2) || v[7] != '-' ||
        !digits(v + 8, 2) || (v[10] != 'T' && v[10] != 't' && v[10] != ' ') ||
        !digits(v + 11, 2) || v[13] != ':' || !digits(v + 14, 2) || v[16] != ':' ||
        !digits(v + 17, 2))
        return 0;
    int mo = atoi(v + 5), d = atoi(v + 8), h = atoi(v + 11), mi = atoi(v + 14), s = atoi(v + 17);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    const char *p = v + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return 1;
    return (*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
           p[6] == '\0';
}

static int
fmt_hash(const char *v)
{
    size_t n = strlen(v);

    return (n == 40 || n == 7) && strspn(v, "0123456789abcdef") == n;
}

/* MAJOR.MINOR.PATCH[-pre][+build], no leading zeros, no leading v. */
static int
fmt_semver(const char *v)
{
    const char *p = v;

    for (int part = 0; part < 3; part++) {
        if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
        if (part < 2 && *p++ != '.')
            return 0;
    }
    for (int sect = 0; sect < 2 && (*p == '-' || *p == '+'); sect++) {
        char kind = *p++;
        for (;;) {
            size_t n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");
            if (n == 0)
                return 0;
            if (kind == '-' && strspn(p, "0123456789") == n && n > 1 && p[0] == '0')
                return 0;
            p += n;
            if (*p != '.')
                break;
            p++;
        }
        if (kind == '+' && *p != '\0')
            return 0;
    }
    return *p == '\0';
}

static int
fmt_email(const char *v)
{
    const char *at = strrchr(v, '@');

    if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '.') == NULL)
        return 0;
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == ',' || *p == '<' || *p == '>' || (unsigned char)*p < 0x21)
            return 0;
    return at[1] != '.' && v[strlen(v) - 1] != '.';
}

/* Single SPDX license identifiers (the common ones, current and deprecated short forms). */
static int
fmt_spdx(const char *v)
{
    static const char *const ids[] = {
        "0BSD", "AFL-3.0", "AGPL-1.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
        "Apache-1.0", "Apache-1.1", "Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-2.0",
        "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause",
        "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0", "BUSL-1.1", "CAL-1.0", "CC-BY-1.0",
        "CC-BY-2.0", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
        "CC-BY-ND-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "CECILL-2.1", "CPL-1.0", "ECL-2.0",
        "EFL-2.0", "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "GFDL-1.3", "GFDL-1.3-only",
        "GFDL-1.3-or-later", "GPL-1.0", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0",
        "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later",
        "HPND", "ISC", "LGPL-2.0", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1",
        "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later",
        "LPPL-1.3c", "MIT", "MIT-0", "MPL-1.0", "MPL-1.1", "MPL-2.0",
        "MPL-2.0-no-copyleft-exception", "MS-PL", "MS-RL", "MulanPSL-2.0", "NCSA", "ODbL-1.0",
        "OFL-1.1", "OpenSSL", "OSL-3.0", "PHP-3.0", "PHP-3.01", "PostgreSQL", "PSF-2.0",
        "Python-2.0", "Ruby", "SSPL-1.0", "Unicode-DFS-2016", "Unlicense", "UPL-1.0", "Vim",
        "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.0", "ZPL-2.1", NULL,
    };

    for (size_t i = 0; ids[i] != NULL; i++)
        if (strcmp(v, ids[i]) == 0)
            return 1;
    return 0;
}

static const struct {
    const char *type, *dl, *what;
    int (*ok)(const char *v);
} formats[] = {
    {"url", "DL3052", "is not a valid URL", fmt_url},
    {"rfc3339", "DL3053", "is not an RFC 3339 time", fmt_rfc3339},
    {"spdx", "DL3054", "is not an SPDX license identifier", fmt_spdx},
    {"hash", "DL3055", "is not a git hash", fmt_hash},
    {"semver", "DL3056", "is not a semantic version", fmt_semver},
    {"email", "DL3058", "is not an e-mail address", fmt_email},
};

static const char *
schema_type(const struct df_config *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->nlabels; i++)
        if (strcmp(cfg->labels[i].name, key) == 0)
            return cfg->labels[i].type;
    return NULL;
}

/* Does stage `s` (or a stage it is built on) set label `name`? */
static int
stage_has_label(const struct dockerfile *df, int s, const char *name)
{
    for (size_t guard = 0; s >= 0 && guard <= df->nstages; guard++, s = df->stages[s].base_stage)
        for (size_t i = df->stages[s].from; i < df->stages[s].end; i++) {
            const struct df_instr *in = &df->instrs[i];
            for (size_t k = 0; in->kind == DF_LABEL && k < in->nkvs; k++)
                if (in->kvs[k].key != NULL && strcmp(in->kvs[k].key, name) == 0)
                    return 1;
        }
    return 0;
}

/* Is stage `s` only a source for COPY --from (its labels never reach an image)? */
static int
stage_copied_from(const struct dockerfile *df, size_t s)
{
    const char *name = df->stages[s].name;

    for (size_t i = 0; name != NULL && i < df->n; i++) {
        const struct df_flag *fl = df->instrs[i].kind == DF_COPY
                                       ? df_flag_get(&df->instrs[i], "from") : NULL;
        if (fl != NULL && fl->value != NULL && strcasecmp(fl->value, name) == 0)
            return 1;
    }
    return 0;
}

void
df_check_label_schema(struct df_ctx *c, const struct rule_meta *r)
{
    const struct df_config *cfg = c->cfg;
    struct dockerfile *df = c->df;

    if (cfg->nlabels == 0 && !cfg->strict_labels)
        return;
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_LABEL)
            continue;
        for (size_t k = 0; k < in->nkvs; k++) {
            const struct df_kv *kv = &in->kvs[k];
            const char *type, *v = kv->xvalue ? kv->xvalue : kv->value ? kv->value : "";
            int l, col;
            if (kv->key == NULL)
                continue;
            df_pos(df, in, kv->key_off, &l, &col);
            type = schema_type(cfg, kv->key);
            if (type == NULL) {
                if (cfg->strict_labels)
                    df_report_as(c, r, "DL3050", in, l, col, NULL,
                                 "label '%s' is not in the label schema (strict-labels)", kv->key);
                continue;
            }
            if (v[0] == '\0') {
                df_report_as(c, r, "DL3051", in, l, col, NULL, "label '%s' is empty", kv->key);
                continue;
            }
            for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
                if (strcmp(type, formats[f].type) == 0 && !formats[f].ok(v))
                    df_report_as(c, r, formats[f].dl, in, l, col, NULL, "label '%s' %s: '%s'",
                                 kv->key, formats[f].what, v);
        }
    }
    for (size_t s = 0; s < df->nstages; s++) {
        if (stage_copied_from(df, s))
            continue;
        for (size_t k = 0; k < cfg->nlabels; k++)
            if (!stage_has_label(df, (int)s, cfg->labels[k].name))
                df_report_as(c, r, "DL3049", &df->instrs[df->stages[s].from], 0, 0, NULL,
                             "label '%s' of the label schema is missing in this stage",
                             cfg->labels[k].name);
    }
}
