/* config_ignore: the ignore lists a scan honours, read from our `.scanner.ini` and from the files
 * of the tools users migrate from: `.hadolint.yaml` (ignored, trustedRegistries,
 * failure-threshold), `.trivyignore` (ids) and `.gitleaksignore` (gitleaks fingerprints). Each
 * reader is bounded and answers bad input with path:line and ERR_PARSE. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "common.h"

#define IGNORE_FILE_MAX (1L << 20)
#define YAML_EVENTS_MAX 100000

void
config_ignores_init(struct config_ignores *c)
{
    memset(c, 0, sizeof(*c));
    c->fail_on = -1;
}

void
config_ignores_free(struct config_ignores *c)
{
    ignore_list_free(&c->list);
    for (size_t i = 0; i < c->nsources; i++) {
        free(c->sources[i].id);
        free(c->sources[i].file);
    }
    free(c->sources);
    for (size_t i = 0; i < c->ntrusted; i++)
        free(c->trusted[i]);
    free(c->trusted);
    memset(c, 0, sizeof(*c));
}

/* Remembers where an id came from, so that a wrong one is reported as file:line. */
static int
add_id(struct config_ignores *c, const char *id, size_t len, const char *file, int line,
       int strict)
{
    struct config_id_source *s;

    if (c->nsources == c->scap) {
        size_t cap = c->scap ? c->scap * 2 : 8;
        s = realloc(c->sources, cap * sizeof(*s));
        if (s == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        c->sources = s;
        c->scap = cap;
    }
    s = &c->sources[c->nsources];
    s->id = strndup(id, len);
    s->file = strdup(file);
    s->line = line;
    s->strict = strict;
    if (s->id == NULL || s->file == NULL) {
        free(s->id);
        free(s->file);
        return err_set(ERR_NOMEM, "out of memory");
    }
    c->nsources++;
    return ignore_list_add_id(&c->list, id, len);
}

/* Each comma/space separated item of `v`. */
static int
add_ids(struct config_ignores *c, const char *v, const char *file, int line, int strict)
{
    while (*v) {
        size_t l;
        while (*v == ',' || isspace((unsigned char)*v))
            v++;
        l = strcspn(v, ", \t\r\n");
        if (l > 0) {
            int rc = add_id(c, v, l, file, line, strict);
            if (rc < 0)
                return rc;
        }
        v += l;
    }
    return 0;
}

/* ---- .scanner.ini ----------------------------------------------------------------------------- */
struct ini_ctx {
    struct config_ignores *c;
    const char *path;
};

static int
ini_handler(void *user, const char *section, const char *key, const char *value)
{
    struct ini_ctx *x = user;

    /* [scanner] applies to every target; [dockerfile] disable is the older spelling. */
    if ((strcasecmp(section, "scanner") == 0 || strcasecmp(section, "dockerfile") == 0) &&
        (strcasecmp(key, "ignore") == 0 || strcasecmp(key, "disable") == 0))
        return add_ids(x->c, value, x->path, 0, 1);
    if (strcasecmp(section, "scanner") == 0)
        return err_set(ERR_PARSE, "[scanner] unknown key '%s' (ignore)", key);
    return 0; /* other sections belong to the scanners that read them */
}

int
config_ignores_read_ini(struct config_ignores *c, const char *path)
{
    struct ini_ctx x = {c, path};

    return config_load(path, ini_handler, &x);
}

/* ---- line files: .trivyignore, .gitleaksignore -------------------------------------------------- */
typedef int (*line_fn)(struct config_ignores *c, char *line, const char *path, int lineno);

static int
each_line(struct config_ignores *c, const char *path, line_fn fn)
{
    struct buf b = {0};
    int rc = file_read_all(path, IGNORE_FILE_MAX, 0, &b), lineno = 0;
    char *p;

    if (rc < 0)
        return rc;
    if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
        buf_free(&b);
        return err_set(ERR_PARSE, "%s: a text file was expected (it holds a NUL byte)", path);
    }
    p = b.data;
    while (rc == 0 && p != NULL && *p) {
        char *nl = strchr(p, '\n'), *line = p, *end;
        lineno++;
        if (nl != NULL)
            *nl = '\0';
        p = nl ? nl + 1 : NULL;
        /* Comments: a '#' at the start or after a space; surrounding space dropped. */
        for (char *h = strchr(line, '#'); h != NULL; h = strchr(h + 1, '#'))
            if (h == line || isspace((unsigned char)h[-1])) {
                *h = '\0';
                break;
            }
        while (isspace((unsigned char)*line))
            line++;
        end = line + strlen(line);
        while (end > line && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*line != '\0')
            rc = fn(c, line, path, lineno);
    }
    buf_free(&b);
    return rc;
}

static int
trivy_line(struct config_ignores *c, char *line, const char *path, int lineno)
{
    /* "ID [exp:YYYY-MM-DD]": the id is the first word. Trivy spells one check AVD-DS-0002,
     * DS-0002 or DS002; our aliases use DS-0002. */
    size_t len = strcspn(line, " \t");
    char id[16];

    if (len > 4 && strncasecmp(line, "AVD-", 4) == 0) {
        line += 4;
        len -= 4;
    }
    if (len == 5 && strncasecmp(line, "DS", 2) == 0 && isdigit((unsigned char)line[2]) &&
        isdigit((unsigned char)line[3]) && isdigit((unsigned char)line[4])) {
        snprintf(id, sizeof(id), "DS-0%.3s", line + 2);
        return add_id(c, id, strlen(id), path, lineno, 0);
    }
    return add_id(c, line, len, path, lineno, 0);
}

int
config_ignores_read_trivy(struct config_ignores *c, const char *path)
{
    return each_line(c, path, trivy_line);
}

/* gitleaks writes [COMMIT:]FILE:RULE:LINE (FILE may hold ':'): read it from the right. */
static int
gitleaks_line(struct config_ignores *c, char *line, const char *path, int lineno)
{
    char *last = strrchr(line, ':'), *rule, *file = line, *end;
    long n;
    size_t i;
    int rc;

    if (last == NULL)
        goto bad;
    n = strtol(last + 1, &end, 10);
    if (last[1] == '\0' || *end != '\0' || n <= 0 || n > 1L << 30)
        goto bad;
    *last = '\0';
    rule = strrchr(line, ':');
    if (rule == NULL || rule[1] == '\0' || rule == line)
        goto bad;
    *rule++ = '\0';
    for (i = 0; isxdigit((unsigned char)file[i]); i++)
        ;
    if (i == 40 && file[40] == ':')
        file += 41;
    if (*file == '\0')
        goto bad;
    while (file[0] == '.' && file[1] == '/')
        file += 2;
    rc = ignore_list_add_at(&c->list, rule, file, (int)n);
    if (rc == 0)
        rc = add_id(c, rule, strlen(rule), path, lineno, 0);
    /* The id only checks that the rule maps: the entry matches by file, rule and line. */
    if (rc == 0)
        free(c->list.ids[--c->list.nids]);
    return rc;
bad:
    return err_set(ERR_PARSE, "%s:%d: not a gitleaks fingerprint ([COMMIT:]FILE:RULE:LINE)", path,
                   lineno);
}

int
config_ignores_read_gitleaks(struct config_ignores *c, const char *path)
{
    return each_line(c, path, gitleaks_line);
}

/* ---- .hadolint.yaml ------------------------------------------------------------------------------ */
static int
hadolint_threshold(const char *v)
{
    static const struct {
        const char *name;
        int sev;
    } map[] = {{"error", SEV_HIGH},  {"warning", SEV_MEDIUM}, {"info", SEV_LOW},
               {"style", SEV_INFO},  {"ignore", SEV_NONE},     {"none", SEV_NONE}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(v, map[i].name) == 0)
            return map[i].sev;
    return -1;
}

static int
push_trusted(struct config_ignores *c, const char *v)
{
    char **p = realloc(c->trusted, (c->ntrusted + 1) * sizeof(*p));

    if (p == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    c->trusted = p;
    if ((p[c->ntrusted] = strdup(v)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    c->ntrusted++;
    return 0;
}

int
config_ignores_read_hadolint(struct config_ignores *c, const char *path)
{
    struct buf b = {0};
    yaml_parser_t p;
    yaml_event_t ev;
    int rc = file_read_all(path, IGNORE_FILE_MAX, 0, &b), depth = 0, nevents = 0;
    enum { K_NONE, K_IGNORED, K_TRUSTED, K_THRESHOLD, K_OTHER } key = K_NONE;
    int in_seq = 0, expect_key = 1, done = 0;

    if (rc < 0)
        return rc;
    if (!yaml_parser_initialize(&p)) {
        buf_free(&b);
        return err_set(ERR_NOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)(b.data ? b.data : ""), b.len);
    while (rc == 0 && !done) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = err_set(ERR_PARSE, "%s:%zu: invalid YAML: %s", path, p.problem_mark.line + 1,
                         p.problem ? p.problem : "syntax error");
            break;
        }
        int line = (int)ev.start_mark.line + 1;
        if (++nevents > YAML_EVENTS_MAX) {
            rc = err_set(ERR_LIMIT, "%s: too large (over %d YAML events)", path, YAML_EVENTS_MAX);
        } else if (ev.type == YAML_STREAM_END_EVENT) {
            done = 1;
        } else if (ev.type == YAML_ALIAS_EVENT) {
            rc = err_set(ERR_PARSE, "%s:%d: YAML aliases are not accepted here", path, line);
        } else if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
            depth++;
            if (depth > 8)
                rc = err_set(ERR_LIMIT, "%s:%d: nested too deeply", path, line);
            else if (depth == 2 && ev.type == YAML_SEQUENCE_START_EVENT &&
                     (key == K_IGNORED || key == K_TRUSTED))
                in_seq = 1;
            else if (depth == 2 && key != K_OTHER && key != K_NONE)
                rc = err_set(ERR_PARSE, "%s:%d: a list was expected here", path, line);
        } else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            depth--;
            if (depth == 1) {
                in_seq = 0;
                expect_key = 1;
            }
        } else if (ev.type == YAML_SCALAR_EVENT) {
            const char *v = (const char *)ev.data.scalar.value;
            if (depth == 1 && expect_key) {
                key = strcmp(v, "ignored") == 0             ? K_IGNORED
                      : strcmp(v, "trustedRegistries") == 0 ? K_TRUSTED
                      : strcmp(v, "failure-threshold") == 0 ? K_THRESHOLD
                                                            : K_OTHER;
                expect_key = 0;
            } else if (depth == 1) {
                if (key == K_THRESHOLD) {
                    int s = hadolint_threshold(v);
                    if (s == -1)
                        rc = err_set(ERR_PARSE,
                                     "%s:%d: failure-threshold '%s' is not error, warning, info, "
                                     "style or none",
                                     path, line, v);
                    else
                        c->fail_on = s;
                } else if (key == K_IGNORED || key == K_TRUSTED) {
                    rc = err_set(ERR_PARSE, "%s:%d: a list was expected here", path, line);
                }
                expect_key = 1;
            } else if (depth == 2 && in_seq && key == K_IGNORED) {
                rc = add_id(c, v, strlen(v), path, line, 0);
            } else if (depth == 2 && in_seq && key == K_TRUSTED) {
                rc = push_trusted(c, v);
            }
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    buf_free(&b);
    return rc;
}
