/* ignore: the list of accepted history findings, `.scanner-gitignore` (ours) and gitleaks'
 * `.gitleaksignore` (its `commit:path:rule:line` fingerprints map onto ours through the rules'
 * gitleaks aliases). A bad line is an error with file:line, never silently dropped. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

#define IGNORE_MAX_BYTES (4u << 20)

static int
all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int
is_commit(const char *s, size_t n)
{
    if (n < 4 || n > GIT_OID_HEXSZ)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Fields from the right: [LINE], RULE; from the left: [COMMIT]; PATH is what is between (a
 * path may hold ':'). `*` in a field matches anything. */
static int
parse_line(struct gs_ignores *l, char *line, const char *file, int lineno)
{
    char *last = strrchr(line, ':'), *first;
    struct gs_ignore e = {NULL, NULL, NULL};
    int want_commit = 0, want_path, want_rule, rc;

    if (last != NULL && all_digits(last + 1)) {
        *last = '\0';
        last = strrchr(line, ':');
    }
    first = strchr(line, ':');
    if (last == NULL || last[1] == '\0' || last == line)
        return err_set(ERR_PARSE, "%s:%d: expected COMMIT:PATH:RULE[:LINE] or PATH:RULE", file,
                       lineno);
    if (first != last && (is_commit(line, (size_t)(first - line)) ||
                          (first - line == 1 && line[0] == '*'))) {
        want_commit = line[0] != '*';
        if (want_commit)
            e.commit = strndup(line, (size_t)(first - line));
        line = first + 1;
    }
    if (last == line) {
        free(e.commit);
        return err_set(ERR_PARSE, "%s:%d: empty path", file, lineno);
    }
    want_path = !(last - line == 1 && line[0] == '*');
    want_rule = strcmp(last + 1, "*") != 0;
    if (want_path)
        e.path = strndup(line, (size_t)(last - line));
    if (want_rule)
        e.rule = strdup(last + 1);
    rc = gs_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v));
    if (rc == 0 && ((want_commit && e.commit == NULL) || (want_path && e.path == NULL) ||
                    (want_rule && e.rule == NULL)))
        rc = err_set(ERR_NOMEM, "out of memory");
    if (rc < 0) {
        free(e.commit);
        free(e.path);
        free(e.rule);
        return rc;
    }
    l->v[l->n++] = e;
    return 0;
}

int
gs_ignore_parse(struct gs_ignores *l, const char *text, size_t len, const char *file)
{
    struct buf b = {0};
    char *p, *nl;
    int lineno = 0, rc = buf_append(&b, text, len);

    if (rc == 0 && memchr(text, '\0', len) != NULL)
        rc = err_set(ERR_PARSE, "%s: a NUL byte: not a text file", file);
    for (p = b.data; rc == 0 && p != NULL && *p; p = nl != NULL ? nl + 1 : NULL) {
        char *end;
        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        lineno++;
        while (isspace((unsigned char)*p))
            p++;
        end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*p == '\0' || *p == '#')
            continue;
        rc = parse_line(l, p, file, lineno);
    }
    buf_free(&b);
    return rc;
}

int
gs_ignore_load(struct gs_ignores *l, const char *file, int flags)
{
    struct buf b = {0};
    int rc = file_read_all(file, IGNORE_MAX_BYTES, flags, &b);

    if (rc == 0)
        rc = gs_ignore_parse(l, b.data != NULL ? b.data : "", b.len, file);
    buf_free(&b);
    return rc;
}

/* RULE against our id and each alias, with or without the alias's "tool:" prefix. */
static int
rule_matches(const char *want, const struct rule_meta *r)
{
    const char *a = r->aliases;
    size_t wn = strlen(want);

    if (strcmp(want, r->id) == 0)
        return 1;
    while (a != NULL && *a) {
        const char *end = strchr(a, ',');
        size_t n = end != NULL ? (size_t)(end - a) : strlen(a);
        const char *colon = memchr(a, ':', n);
        if ((n == wn && memcmp(a, want, n) == 0) ||
            (colon != NULL && (size_t)(a + n - colon - 1) == wn && memcmp(colon + 1, want, wn) == 0))
            return 1;
        a = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

int
gs_ignore_match(const struct gs_ignores *l, const char *commit, const char *path,
                const struct rule_meta *rule)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct gs_ignore *e = &l->v[i];
        if (e->commit != NULL && strncasecmp(commit, e->commit, strlen(e->commit)) != 0)
            continue;
        if (e->path != NULL && strcmp(path, e->path) != 0)
            continue;
        if (e->rule != NULL && !rule_matches(e->rule, rule))
            continue;
        return 1;
    }
    return 0;
}

void
gs_ignore_free(struct gs_ignores *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].commit);
        free(l->v[i].path);
        free(l->v[i].rule);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}
