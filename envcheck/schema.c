/* schema: dotenv-linter's `--schema` JSON ({"version", "allow_other_keys", "entries": {KEY:
 * {"type", "required", "regex"}}}), loaded once, and the SchemaViolation rule (ENV213) checking a
 * file's keys and raw values against it. Messages name keys, never values. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

#define SCHEMA_MAX_BYTES (4u << 20)
#define SCHEMA_MAX_ENTRIES 10000

enum schema_type { T_STRING, T_INTEGER, T_FLOAT, T_BOOLEAN, T_URL, T_EMAIL };
static const char *const type_names[] = {"String", "Integer", "Float", "Boolean", "Url", "Email",
                                         NULL};

struct schema_entry {
    char *key;
    enum schema_type type;
    int required;
    pcre2_code *re;
};

struct envcheck_schema {
    int allow_other_keys;
    struct schema_entry *e;
    size_t n;
};

void
envcheck_schema_free(struct envcheck_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].key);
        pcre2_code_free(s->e[i].re);
    }
    free(s->e);
    free(s);
}

static int
load_entry(struct envcheck_schema *s, const char *path, const cJSON *item)
{
    struct schema_entry *x = &s->e[s->n];
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(item, "type");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(item, "required");
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(item, "regex");
    int k;

    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->e[i].key, item->string) == 0)
            return err_set(ERR_PARSE, "%s: the key %s is in \"entries\" twice", path,
                           item->string);
    if (!cJSON_IsObject(item) || !cJSON_IsString(t))
        return err_set(ERR_PARSE, "%s: entry %s needs a \"type\"", path, item->string);
    for (k = 0; type_names[k] != NULL && strcmp(type_names[k], t->valuestring) != 0; k++)
        ;
    if (type_names[k] == NULL)
        return err_set(ERR_PARSE,
                       "%s: entry %s: unknown type (String, Integer, Float, Boolean, Url, Email)",
                       path, item->string);
    if (req != NULL && !cJSON_IsBool(req))
        return err_set(ERR_PARSE, "%s: entry %s: \"required\" is not true or false", path,
                       item->string);
    if (re != NULL && !cJSON_IsString(re))
        return err_set(ERR_PARSE, "%s: entry %s: \"regex\" is not a string", path, item->string);
    memset(x, 0, sizeof(*x));
    x->type = (enum schema_type)k;
    x->required = cJSON_IsTrue(req);
    if ((x->key = strdup(item->string)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    s->n++;
    if (re != NULL) {
        int errcode;
        PCRE2_SIZE off;
        x->re = pcre2_compile((PCRE2_SPTR)re->valuestring, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
                              &errcode, &off, NULL);
        if (x->re == NULL)
            return err_set(ERR_PARSE, "%s: entry %s: bad regex at offset %zu", path,
                           item->string, (size_t)off);
    }
    return 0;
}

int
envcheck_schema_load(const char *path, struct envcheck_schema **out)
{
    struct buf b = {0};
    struct envcheck_schema *s;
    cJSON *root, *entries, *item, *allow;
    int rc, n;

    *out = NULL;
    if ((rc = file_read_all(path, SCHEMA_MAX_BYTES, 0, &b)) < 0)
        return rc;
    root = cJSON_ParseWithLength(b.data != NULL ? b.data : "", b.len);
    buf_free(&b);
    if (root == NULL)
        return err_set(ERR_PARSE, "%s: not a JSON schema", path);
    entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
    allow = cJSON_GetObjectItemCaseSensitive(root, "allow_other_keys");
    n = cJSON_GetArraySize(entries);
    if (!cJSON_IsObject(entries) || n > SCHEMA_MAX_ENTRIES ||
        (allow != NULL && !cJSON_IsBool(allow))) {
        cJSON_Delete(root);
        return err_set(ERR_PARSE, "%s: a schema is {\"entries\": {KEY: {...}}, "
                                  "\"allow_other_keys\": true|false} (at most %d entries)",
                       path, SCHEMA_MAX_ENTRIES);
    }
    if ((s = calloc(1, sizeof(*s))) == NULL ||
        (s->e = calloc((size_t)n + 1, sizeof(*s->e))) == NULL) {
        free(s);
        cJSON_Delete(root);
        return err_set(ERR_NOMEM, "out of memory");
    }
    s->allow_other_keys = cJSON_IsTrue(allow);
    rc = 0;
    cJSON_ArrayForEach(item, entries) {
        if ((rc = load_entry(s, path, item)) < 0)
            break;
    }
    cJSON_Delete(root);
    if (rc < 0) {
        envcheck_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int
is_integer(const char *v) /* an i32, as Rust's str::parse */
{
    char *end;
    long long x;

    errno = 0;
    if (*v == '\0' || *v == ' ' || *v == '\t')
        return 0;
    x = strtoll(v, &end, 10);
    return *end == '\0' && errno == 0 && x >= -2147483648LL && x <= 2147483647LL;
}

static int
is_float(const char *v)
{
    char *end;
    const char *p = *v == '+' || *v == '-' ? v + 1 : v;

    if (*v == '\0' || *v == ' ' || *v == '\t' || (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
        return 0;
    (void)strtod(v, &end);
    return *end == '\0';
}

static int
is_boolean(const char *v)
{
    static const char *const ok[] = {"true", "false", "TRUE", "FALSE", "yes", "no",
                                     "YES",  "NO",    "1",    "0",     NULL};
    for (int i = 0; ok[i] != NULL; i++)
        if (strcmp(v, ok[i]) == 0)
            return 1;
    return 0;
}

/* An absolute URL: scheme ":" then something, no blanks (what a URL parser accepts, roughly). */
static int
is_url(const char *v)
{
    const char *p = v;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || p[1] == '\0')
        return 0;
    return strpbrk(v, " \t\n\"<>") == NULL;
}

/* local@domain: one '@', both parts non-empty, no blanks, the domain's labels non-empty. */
static int
is_email(const char *v)
{
    const char *at = strchr(v, '@');

    if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strpbrk(v, " \t\n\"<>(),;:") != NULL)
        return 0;
    if (at[1] == '.' || v[strlen(v) - 1] == '.' || strstr(at, "..") != NULL)
        return 0;
    return 1;
}

static const struct schema_entry *
schema_find(const struct envcheck_schema *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->e[i].key, key) == 0)
            return &s->e[i];
    return NULL;
}

int
envcheck_check_schema(struct envcheck_ctx *c)
{
    const struct envcheck_schema *s = c->cfg->schema;
    const struct env_file *f = c->f;
    unsigned char *seen = c->schema_seen;
    pcre2_match_data *md = NULL;
    char *raw = NULL;
    size_t rawcap = 0;
    int rc = 0;

    if (s == NULL || !envcheck_enabled(c, R_SCHEMA))
        return 0;
    if (seen == NULL && (seen = c->schema_seen = calloc(s->n + 1, 1)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct env_entry *e = &f->entries[i];
        const struct schema_entry *x = schema_find(s, e->key);
        size_t rn = e->value_span.end - e->value_span.start;
        int l = e->stmt.line, kc = e->key_span.column, ok = 1;
        const char *what = "";

        if (x == NULL) {
            if (!s->allow_other_keys)
                rc = envcheck_emit(c, R_SCHEMA, l, kc, NULL, 0,
                                   "The %s key is not defined in the schema", e->key);
            continue;
        }
        seen[x - s->e] = 1;
        if (rn + 1 > rawcap) {
            char *n = realloc(raw, rn + 1);
            if (n == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            raw = n;
            rawcap = rn + 1;
        }
        /* the raw value, quotes kept (as dotenv-linter reads it) */
        memcpy(raw, f->data + e->value_span.start, rn);
        raw[rn] = '\0';
        switch (x->type) {
        case T_STRING:
            break;
        case T_INTEGER:
            ok = is_integer(raw), what = "is not an integer";
            break;
        case T_FLOAT:
            ok = is_float(raw), what = "is not a valid float";
            break;
        case T_BOOLEAN:
            ok = is_boolean(raw), what = "is not a valid boolean";
            break;
        case T_URL:
            ok = is_url(raw), what = "is not a valid URL";
            break;
        case T_EMAIL:
            ok = is_email(raw), what = "is not a valid email address";
            break;
        }
        if (ok && x->re != NULL) {
            if (md == NULL && (md = pcre2_match_data_create_from_pattern(x->re, NULL)) == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            ok = pcre2_match(x->re, (PCRE2_SPTR)raw, rn, 0, 0, md, NULL) >= 0;
            what = "does not match the regex";
            pcre2_match_data_free(md);
            md = NULL;
        }
        if (!ok)
            rc = envcheck_emit(c, R_SCHEMA, l, e->value_span.column, NULL, 0, "The %s key %s",
                               e->key, what);
    }
    if (raw != NULL)
        explicit_bzero(raw, rawcap);
    free(raw);
    return rc;
}

/* Once the whole file is read: the required keys it lacks. */
int
envcheck_check_schema_final(struct envcheck_ctx *c)
{
    const struct envcheck_schema *s = c->cfg->schema;
    int rc = 0;

    if (s == NULL || !envcheck_enabled(c, R_SCHEMA))
        return 0;
    for (size_t i = 0; i < s->n && rc == 0; i++)
        if (s->e[i].required && (c->schema_seen == NULL || !c->schema_seen[i]))
            rc = envcheck_emit(c, R_SCHEMA, c->nlines > 0 ? c->nlines : 1, 1, NULL, 0,
                               "The %s key is required", s->e[i].key);
    return rc;
}
