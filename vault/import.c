/* import: reads KEY=VALUE pairs from a .env file (through the project's lexer) or a JSON object
 * of strings, checks every name first, and compares each value with the vault's current one. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "envcheck.h"
#include "vault_internal.h"

#define IMPORT_JSON_MAX (64u << 20)

void
vault_import_free(struct vault_import *im)
{
    for (size_t i = 0; i < im->n; i++) {
        free(im->items[i].name);
        if (im->items[i].data != NULL) {
            keys_wipe(im->items[i].data, im->items[i].len);
            free(im->items[i].data);
        }
    }
    free(im->items);
    memset(im, 0, sizeof(*im));
}

/* Adds or (for a repeated name: the later one wins, as in Compose) replaces an item. */
static int
add_item(struct vault_import *im, const char *path, int line, const char *name, const void *data,
         size_t len, unsigned flags)
{
    struct vault_import_item *it = NULL;

    if (vault_name_check(name) < 0)
        return err_set(ERR_PARSE, "%s:%d: '%s' is not a secret name (letters, digits and ._-/)",
                       path, line, name);
    if (len > VAULT_VALUE_MAX)
        return err_set(ERR_LIMIT, "%s:%d: %s: value over %d bytes", path, line, name,
                       VAULT_VALUE_MAX);
    for (size_t i = 0; i < im->n; i++)
        if (strcmp(im->items[i].name, name) == 0) {
            it = &im->items[i];
            keys_wipe(it->data, it->len);
            free(it->data);
            free(it->name);
            break;
        }
    if (it == NULL) {
        struct vault_import_item *n = realloc(im->items, (im->n + 1) * sizeof(*n));
        if (n == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        im->items = n;
        it = &im->items[im->n++];
    }
    memset(it, 0, sizeof(*it));
    it->line = line;
    it->flags = flags;
    it->len = len;
    it->name = strdup(name);
    it->data = malloc(len + 1);
    if (it->name == NULL || it->data == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    memcpy(it->data, data, len);
    return 0;
}

int
vault_import_env(const char *path, struct vault_import *out)
{
    struct env_file f;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&f, 0, sizeof(f));
    if ((rc = env_lex_file(path, &f)) < 0) {
        env_file_free(&f);
        return rc;
    }
    for (size_t i = 0; i < f.ndiags; i++) {
        const struct env_diag *d = &f.diags[i];
        if (d->kind == ENV_DIAG_ERROR || d->kind == ENV_DIAG_NUL) {
            rc = err_set(ERR_PARSE, "%s:%d:%d: %s; nothing imported", path, d->line, d->column,
                         d->message);
            env_file_free(&f);
            return rc;
        }
    }
    for (size_t i = 0; i < f.n && rc == 0; i++) {
        const struct env_entry *e = &f.entries[i];
        unsigned flags = 0;
        if (e->flags & ENV_F_NO_EQUALS)
            flags |= VAULT_IMPORT_F_NO_VALUE;
        if (e->flags & ENV_F_REFS)
            flags |= VAULT_IMPORT_F_REFS;
        rc = add_item(out, path, e->stmt.line, e->key, e->value, e->value_len, flags);
    }
    env_file_free(&f);
    if (rc < 0)
        vault_import_free(out);
    return rc;
}

static int
json_line(const char *data, const char *at)
{
    int line = 1;

    for (const char *p = data; at != NULL && p < at && *p != '\0'; p++)
        line += *p == '\n';
    return line;
}

/* The first `\u0000` escape (an odd run of backslashes before the `u`), or NULL. */
static const char *
json_escaped_nul(const char *data, size_t len)
{
    for (const char *p = data; p != NULL && (size_t)(p - data) + 6 <= len; p++) {
        p = memmem(p, len - (size_t)(p - data), "u0000", 5);
        if (p == NULL)
            return NULL;
        size_t off = (size_t)(p - data), n = 0;
        while (n < off && data[off - n - 1] == '\\')
            n++;
        if (n % 2 == 1)
            return p - 1;
    }
    return NULL;
}

int
vault_import_json_text(const char *label, const char *text, size_t len,
                       struct vault_import *out)
{
    const char *at;
    cJSON *root, *e;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    /* cJSON ends a string at an escaped NUL, which would import a silently shortened secret. */
    if ((at = json_escaped_nul(text, len)) != NULL)
        return err_set(ERR_PARSE, "%s:%d: a value holds a NUL byte (\\u0000), which JSON import "
                                  "cannot keep exactly; nothing imported",
                       label, json_line(text, at));
    root = cJSON_ParseWithLength(text != NULL ? text : "", len);
    if (root == NULL)
        return err_set(ERR_PARSE, "%s:%d: not valid JSON; nothing imported", label,
                       json_line(text, cJSON_GetErrorPtr()));
    if (!cJSON_IsObject(root))
        rc = err_set(ERR_PARSE, "%s:1: expected an object {\"name\": \"value\"}", label);
    cJSON_ArrayForEach(e, root)
    {
        if (rc < 0)
            break;
        if (!cJSON_IsString(e) || e->string == NULL)
            rc = err_set(ERR_PARSE, "%s: the value of '%s' is not a string; nothing imported",
                         label, e->string != NULL ? e->string : "?");
        else
            rc = add_item(out, label, 0, e->string, e->valuestring, strlen(e->valuestring), 0);
    }
    cJSON_Delete(root);
    if (rc < 0)
        vault_import_free(out);
    return rc;
}

int
vault_import_json(const char *path, struct vault_import *out)
{
    struct buf b = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = file_read_all(path, IMPORT_JSON_MAX, FILE_READ_NOFOLLOW, &b)) < 0)
        return rc;
    rc = vault_import_json_text(path, b.data, b.len, out);
    if (b.data != NULL)
        sodium_memzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

int
vault_import_status(struct vault *v, const struct vault_import_item *it, int *current)
{
    struct vault_value cur = {0};
    struct vault_info info;
    int rc = vault_get(v, it->name, 0, &cur), same;

    *current = 0;
    if (rc == ERR_NOTFOUND)
        return VAULT_IMPORT_NEW;
    if (rc < 0)
        return rc;
    same = cur.len == it->len && (it->len == 0 || memcmp(cur.data, it->data, it->len) == 0);
    vault_value_free(&cur);
    memset(&info, 0, sizeof(info));
    if (vault_history(v, it->name, &info) == 0)
        *current = info.version;
    free(info.versions);
    return same ? VAULT_IMPORT_SAME : VAULT_IMPORT_UPDATE;
}

int
vault_import_add(struct vault_import *im, const char *path, int line, const char *name,
                 const void *data, size_t len)
{
    return add_item(im, path, line, name, data, len, 0);
}
