/* report_ignore: the one place ignores are applied, after every target has been scanned: ids and
 * aliases from --ignore and the config files, gitleaks-style file:rule:line entries, and inline
 * comments in the scanned files. Each scanner only finds; this decides what is shown. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

#define INLINE_FILE_MAX (16L << 20) /* files larger than this are not searched for comments */

int
ignore_list_add_id(struct ignore_list *ig, const char *id, size_t len)
{
    if (ig->nids == ig->idcap) {
        size_t cap = ig->idcap ? ig->idcap * 2 : 8;
        char **p = realloc(ig->ids, cap * sizeof(*p));
        if (p == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        ig->ids = p;
        ig->idcap = cap;
    }
    if ((ig->ids[ig->nids] = strndup(id, len)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    ig->nids++;
    return 0;
}

int
ignore_list_add_at(struct ignore_list *ig, const char *rule, const char *path, int line)
{
    struct ignore_at *a;

    if (ig->nat == ig->atcap) {
        size_t cap = ig->atcap ? ig->atcap * 2 : 8;
        a = realloc(ig->at, cap * sizeof(*a));
        if (a == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        ig->at = a;
        ig->atcap = cap;
    }
    a = &ig->at[ig->nat];
    a->rule = strdup(rule);
    a->path = strdup(path);
    a->line = line;
    if (a->rule == NULL || a->path == NULL) {
        free(a->rule);
        free(a->path);
        return err_set(ERR_NOMEM, "out of memory");
    }
    ig->nat++;
    return 0;
}

void
ignore_list_free(struct ignore_list *ig)
{
    for (size_t i = 0; i < ig->nids; i++)
        free(ig->ids[i]);
    for (size_t i = 0; i < ig->nat; i++) {
        free(ig->at[i].rule);
        free(ig->at[i].path);
    }
    free(ig->ids);
    free(ig->at);
    memset(ig, 0, sizeof(*ig));
}

/* Is `id` (len bytes) this alias, or its name after the tool prefix ("gitleaks:github-pat")? */
static int
alias_is(const char *alias, size_t alen, const char *id, size_t len)
{
    const char *colon = memchr(alias, ':', alen);

    if (alen == len && strncasecmp(alias, id, len) == 0)
        return 1;
    return colon != NULL && (size_t)(alias + alen - colon - 1) == len &&
           strncasecmp(colon + 1, id, len) == 0;
}

static int
rule_has_idn(const char *rule_id, const char *aliases, const char *id, size_t len)
{
    const char *p = aliases;

    if (len == 0)
        return 0;
    if (rule_id != NULL && strlen(rule_id) == len && strncasecmp(rule_id, id, len) == 0)
        return 1;
    while (p != NULL && *p) {
        const char *end = strchr(p, ',');
        size_t alen = end ? (size_t)(end - p) : strlen(p);
        while (alen > 0 && *p == ' ') {
            p++;
            alen--;
        }
        while (alen > 0 && p[alen - 1] == ' ')
            alen--;
        if (alias_is(p, alen, id, len))
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

int
rule_has_id(const char *rule_id, const char *aliases, const char *id)
{
    return rule_has_idn(rule_id, aliases, id, strlen(id));
}

int
finding_has_id(const struct finding *x, const char *id)
{
    return rule_has_id(x->rule, x->aliases, id);
}

/* ---- Inline comments ------------------------------------------------------------------------- */

/* One file's text, read once for all its findings (they are sorted by path), with the offset of
 * each line; a file with no ignore comment at all is not indexed (the common case). */
struct text_cache {
    char *path;
    struct buf text;
    size_t *lines; /* lines[i] = offset of line i+1 */
    size_t nlines;
    int ok;
};

static const char *const markers[] = {"scanner ignore=", "scanner:ignore", "hadolint ignore=",
                                      "trivy:ignore:"};

static void
cache_drop(struct text_cache *c)
{
    free(c->path);
    free(c->lines);
    buf_free(&c->text);
    memset(c, 0, sizeof(*c));
}

static int
cache_file(struct text_cache *c, const char *path)
{
    if (c->path != NULL && strcmp(c->path, path) == 0)
        return c->ok;
    cache_drop(c);
    c->path = strdup(path);
    if (c->path == NULL || strcmp(path, "-") == 0 ||
        file_read_all(path, INLINE_FILE_MAX, 0, &c->text) < 0 || c->text.len == 0)
        return c->ok = 0;
    for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]) && !c->ok; m++)
        c->ok = memmem(c->text.data, c->text.len, markers[m], strlen(markers[m])) != NULL;
    if (!c->ok)
        return 0;
    for (size_t i = 0, cap = 0; i <= c->text.len; i++) {
        if (i == 0 || c->text.data[i - 1] == '\n') {
            if (c->nlines == cap) {
                size_t *p = realloc(c->lines, (cap = cap ? cap * 2 : 256) * sizeof(*p));
                if (p == NULL)
                    return c->ok = 0;
                c->lines = p;
            }
            c->lines[c->nlines++] = i;
        }
    }
    return 1;
}

/* Line `n` (1-based) of the cached file: start and length, or NULL. */
static const char *
line_at(const struct text_cache *c, int n, size_t *len)
{
    const char *p, *nl;

    if (n < 1 || (size_t)n > c->nlines || c->lines[n - 1] >= c->text.len)
        return NULL;
    p = c->text.data + c->lines[n - 1];
    nl = memchr(p, '\n', c->text.len - c->lines[n - 1]);
    *len = nl ? (size_t)(nl - p) : c->text.len - c->lines[n - 1];
    return p;
}

/* Does a comment in the line (len bytes) ignore this finding? Forms: `scanner:ignore` (every
 * rule), `scanner ignore=ID,ID` / `scanner:ignore=ID`, `hadolint ignore=ID,ID`, `trivy:ignore:ID`. */
static int
line_ignores(const char *line, size_t len, const struct finding *x)
{
    static const char *const forms[] = {"scanner ignore=", "scanner:ignore=", "hadolint ignore=",
                                        "trivy:ignore:"};
    char *s = strndup(line, len);
    int hit = 0;

    if (s == NULL)
        return 0;
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]) && !hit; f++) {
        const char *p = strstr(s, forms[f]);
        if (p == NULL)
            continue;
        p += strlen(forms[f]);
        while (!hit && *p && !isspace((unsigned char)*p)) {
            size_t l = strcspn(p, ", \t");
            hit = rule_has_idn(x->rule, x->aliases, p, l);
            p += l;
            if (*p == ',')
                p++;
        }
    }
    if (!hit) {
        const char *p = strstr(s, "scanner:ignore");
        hit = p != NULL && (p[14] == '\0' || isspace((unsigned char)p[14]));
    }
    free(s);
    return hit;
}

static int
inline_ignored(struct text_cache *c, const struct finding *x)
{
    const char *line;
    size_t len;

    if (x->path == NULL || x->layer != NULL || x->container != NULL || x->line <= 0)
        return 0;
    if (!cache_file(c, x->path))
        return 0;
    if ((line = line_at(c, x->line, &len)) != NULL && line_ignores(line, len, x))
        return 1;
    /* The line above, when it is only a comment. */
    if (x->line > 1 && (line = line_at(c, x->line - 1, &len)) != NULL) {
        size_t i = 0;
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        if (i < len && (line[i] == '#' || (line[i] == '/' && i + 1 < len && line[i + 1] == '/')))
            return line_ignores(line, len, x);
    }
    return 0;
}

struct apply_ctx {
    const struct ignore_list *ig;
    struct text_cache cache;
};

static int
keep_finding(const struct finding *x, void *user)
{
    struct apply_ctx *a = user;
    char rel[4096];

    for (size_t i = 0; i < a->ig->nids; i++)
        if (finding_has_id(x, a->ig->ids[i]))
            return 0;
    if (a->ig->nat > 0 && x->path != NULL && x->layer == NULL && x->container == NULL &&
        report_path_rel(x->path, rel, sizeof(rel)) == 0)
        for (size_t i = 0; i < a->ig->nat; i++)
            if (a->ig->at[i].line == x->line && strcmp(a->ig->at[i].path, rel) == 0 &&
                finding_has_id(x, a->ig->at[i].rule))
                return 0;
    return a->ig->no_inline || !inline_ignored(&a->cache, x);
}

size_t
findings_apply_ignores(struct findings *f, const struct ignore_list *ig)
{
    struct apply_ctx a;
    size_t n;

    memset(&a, 0, sizeof(a));
    a.ig = ig;
    findings_sort(f);
    n = findings_keep_if(f, keep_finding, &a);
    cache_drop(&a.cache);
    return n;
}
