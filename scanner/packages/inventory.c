/* inventory: package databases read from an image's files: dpkg's status (and distroless
 * status.d/ stanzas), apk's installed database, Python distribution metadata, and Node's
 * package.json files under node_modules. Each reader is bounded and skips what it cannot read. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

void
pkg_list_free(struct pkg_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].version);
        free(l->v[i].source);
        free(l->v[i].source_version);
        free(l->v[i].path);
        free(l->v[i].arch);
        free(l->v[i].vendor);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static char *
dup_n(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return n > 0 ? strndup(s, n) : NULL;
}

int
pkg_push(struct pkg_list *out, int kind, const char *path, char *name, char *version,
         char *source, char *source_version)
{
    struct pkg *p;

    if (name == NULL || version == NULL) {
        free(name);
        free(version);
        free(source);
        free(source_version);
        return 0; /* a stanza without both: skipped */
    }
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        struct pkg *v = realloc(out->v, cap * sizeof(*v));
        if (v == NULL)
            goto nomem;
        out->v = v;
        out->cap = cap;
    }
    p = &out->v[out->n];
    memset(p, 0, sizeof(*p));
    p->kind = (enum pkg_kind)kind;
    p->name = name;
    p->version = version;
    p->source = source;
    p->source_version = source_version;
    p->layer = -1;
    if ((p->path = strdup(path)) == NULL)
        goto nomem;
    out->n++;
    return 0;
nomem:
    free(name);
    free(version);
    free(source);
    free(source_version);
    return err_set(ERR_NOMEM, "out of memory");
}

/* Calls `field` for every "Key: value" line of RFC 822-style stanzas (dpkg, METADATA) and
 * `end` at every blank line and at the end. Continuation lines (leading blank) are skipped. */
struct stanza {
    char *f[4]; /* the fields a reader asked for, in its order */
};

static void
stanza_clear(struct stanza *s)
{
    for (size_t i = 0; i < 4; i++) {
        free(s->f[i]);
        s->f[i] = NULL;
    }
}

/* Reads stanzas of `keys` (up to 4, case-insensitive); `emit` gets each complete stanza. With
 * `first_only`, stops after the first stanza (METADATA: the body follows it). */
static int
read_stanzas(const char *data, size_t len, const char *const keys[4], int first_only,
             int (*emit)(struct stanza *s, void *user), void *user)
{
    struct stanza s = {{0}};
    const char *p = data, *end = data + len;
    size_t count = 0;
    int rc = 0;

    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
        const char *le = nl != NULL ? nl : end;
        if (le == p || (le == p + 1 && *p == '\r')) {
            if (s.f[0] != NULL || s.f[1] != NULL) {
                if (++count > PKG_MAX_PER_FILE)
                    break;
                rc = emit(&s, user);
                if (first_only)
                    break;
            }
            stanza_clear(&s);
        } else if (*p != ' ' && *p != '\t' && (colon = memchr(p, ':', (size_t)(le - p))) != NULL) {
            for (size_t k = 0; k < 4; k++)
                if (keys[k] != NULL && (size_t)(colon - p) == strlen(keys[k]) &&
                    strncasecmp(p, keys[k], (size_t)(colon - p)) == 0 && s.f[k] == NULL) {
                    s.f[k] = dup_n(colon + 1, (size_t)(le - colon - 1));
                    break;
                }
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (rc == 0 && (s.f[0] != NULL || s.f[1] != NULL) && count < PKG_MAX_PER_FILE)
        rc = emit(&s, user);
    stanza_clear(&s);
    return rc;
}

struct ctx {
    struct pkg_list *out;
    const char *path;
};

/* dpkg: Package, Version, Source ("src" or "src (version)"), Status ("install ok installed"). */
static int
emit_deb(struct stanza *s, void *user)
{
    struct ctx *c = user;
    char *src = NULL, *srcver = NULL;

    if (s->f[3] != NULL && strstr(s->f[3], "installed") == NULL)
        return 0; /* config-files, half-installed, not-installed: not on disk as a package */
    if (s->f[3] != NULL && strstr(s->f[3], "not-installed") != NULL)
        return 0;
    if (s->f[2] != NULL) {
        char *paren = strchr(s->f[2], '(');
        if (paren != NULL) {
            char *close = strchr(paren, ')');
            if (close != NULL)
                srcver = dup_n(paren + 1, (size_t)(close - paren - 1));
            src = dup_n(s->f[2], (size_t)(paren - s->f[2]));
        } else {
            src = strdup(s->f[2]);
        }
    }
    {
        int rc = pkg_push(c->out, PKG_DEB, c->path, s->f[0], s->f[1], src, srcver);
        s->f[0] = s->f[1] = NULL;
        return rc;
    }
}

/* Python METADATA / PKG-INFO: the header's Name and Version. */
static int
emit_py(struct stanza *s, void *user)
{
    struct ctx *c = user;
    int rc = pkg_push(c->out, PKG_PYPI, c->path, s->f[0], s->f[1], NULL, NULL);
    s->f[0] = s->f[1] = NULL;
    return rc;
}

/* apk installed: P: name, V: version, o: origin; stanzas end at a blank line. */
static int
parse_apk(const char *data, size_t len, struct ctx *c)
{
    const char *p = data, *end = data + len;
    char *name = NULL, *ver = NULL, *origin = NULL;
    size_t count = 0;
    int rc = 0;

    while (p <= end && rc == 0) {
        const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        const char *le = nl != NULL ? nl : end;
        if (le == p) {
            if (name != NULL || ver != NULL) {
                if (++count > PKG_MAX_PER_FILE)
                    break;
                rc = pkg_push(c->out, PKG_APK, c->path, name, ver, origin, NULL);
                name = ver = origin = NULL;
            }
            free(origin);
            origin = NULL;
        } else if (le - p >= 2 && p[1] == ':') {
            char **slot = p[0] == 'P' ? &name : p[0] == 'V' ? &ver : p[0] == 'o' ? &origin : NULL;
            if (slot != NULL && *slot == NULL)
                *slot = dup_n(p + 2, (size_t)(le - p - 2));
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    if (rc == 0 && (name != NULL || ver != NULL) && count < PKG_MAX_PER_FILE) {
        rc = pkg_push(c->out, PKG_APK, c->path, name, ver, origin, NULL);
        name = ver = origin = NULL;
    }
    free(name);
    free(ver);
    free(origin);
    return rc;
}

/* package.json: the top-level "name" and "version" strings, read without a full JSON parse of
 * possibly large files: the first occurrence of each key at nesting depth 1. */
static char *
json_top_string(const char *data, size_t len, const char *key)
{
    size_t klen = strlen(key);
    int depth = 0, in_str = 0;

    for (size_t i = 0; i < len; i++) {
        char ch = data[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']')
            depth--;
        else if (ch == '"') {
            if (depth == 1 && i + klen + 1 < len && strncmp(data + i + 1, key, klen) == 0 &&
                data[i + 1 + klen] == '"') {
                size_t j = i + klen + 2, start;
                while (j < len && isspace((unsigned char)data[j]))
                    j++;
                if (j >= len || data[j] != ':')
                    return NULL;
                j++;
                while (j < len && isspace((unsigned char)data[j]))
                    j++;
                if (j >= len || data[j] != '"')
                    return NULL;
                start = ++j;
                while (j < len && data[j] != '"' && data[j] != '\\')
                    j++;
                if (j >= len || data[j] != '"' || j - start > 256)
                    return NULL;
                return dup_n(data + start, j - start);
            }
            in_str = 1;
        }
    }
    return NULL;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
pkg_inventory_wants(const char *path)
{
    const char *base = strrchr(path, '/');

    base = base != NULL ? base + 1 : path;
    if (strcmp(path, "var/lib/dpkg/status") == 0 || strncmp(path, "var/lib/dpkg/status.d/", 22) == 0)
        return strstr(base, ".md5sums") == NULL ? 'd' : 0;
    if (strcmp(path, "lib/apk/db/installed") == 0 || strcmp(path, "usr/lib/apk/db/installed") == 0)
        return 'a';
    if ((strcmp(base, "METADATA") == 0 && ends_with(path, ".dist-info/METADATA")) ||
        (strcmp(base, "PKG-INFO") == 0 && ends_with(path, ".egg-info/PKG-INFO")) ||
        (ends_with(base, ".egg-info") && strstr(path, "-packages/") != NULL))
        return 'p'; /* Debian installs some egg-info as a single file holding PKG-INFO */
    if (strcmp(base, "package.json") == 0) {
        /* node_modules/<name>/package.json or node_modules/@scope/<name>/package.json */
        const char *nm = NULL, *q = path;
        while ((q = strstr(q, "node_modules/")) != NULL) {
            nm = q;
            q += 13;
        }
        if (nm != NULL) {
            const char *rest = nm + 13;
            const char *slash = strchr(rest, '/');
            if (slash != NULL && rest[0] == '@')
                slash = strchr(slash + 1, '/');
            if (slash != NULL && strcmp(slash + 1, "package.json") == 0)
                return 'n';
        }
    }
    return 0;
}

int
pkg_inventory_parse(const char *path, const char *data, size_t len, struct pkg_list *out)
{
    static const char *const deb_keys[4] = {"Package", "Version", "Source", "Status"};
    static const char *const py_keys[4] = {"Name", "Version", NULL, NULL};
    struct ctx c = {out, path};

    switch (pkg_inventory_wants(path)) {
    case 'd':
        return read_stanzas(data, len, deb_keys, 0, emit_deb, &c);
    case 'a':
        return parse_apk(data, len, &c);
    case 'p':
        return read_stanzas(data, len, py_keys, 1, emit_py, &c);
    case 'n':
        return pkg_push(out, PKG_NPM, path, json_top_string(data, len, "name"),
                    json_top_string(data, len, "version"), NULL, NULL);
    default:
        return 0;
    }
}
