/* export: renders secrets as a .env file (quoted so our lexer and Compose read back the exact
 * bytes), JSON, a Compose `secrets:` block with its service snippet, or a Kubernetes Secret. */
#include <sodium.h>
#include <string.h>

#include "vault.h"

int
vault_export_env_key(const char *name, char *out, size_t size)
{
    size_t i, o = 0, n = strlen(name);

    if (n == 0 || n + 2 > size)
        return err_set(ERR_LIMIT, "name too long for a variable");
    if (name[0] >= '0' && name[0] <= '9')
        out[o++] = '_';
    for (i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_';
        out[o++] = ok ? c : '_';
    }
    out[o] = '\0';
    return 0;
}

int
vault_export_file_name(const char *name, char *out, size_t size)
{
    size_t i, n = strlen(name);

    if (n + 1 > size)
        return err_set(ERR_LIMIT, "%s: name too long for a file", name);
    for (i = 0; i < n; i++)
        out[i] = name[i] == '/' ? '_' : name[i];
    out[n] = '\0';
    return vault_secretfile_name_check(out);
}

/* Double-quoted for our lexer and compose-go: \ " and control bytes escaped, $ doubled. */
static int
env_value(struct buf *out, const struct vault_export_item *it)
{
    int rc = buf_append(out, "\"", 1);

    for (size_t i = 0; i < it->len && rc == 0; i++) {
        unsigned char c = it->data[i];
        switch (c) {
        case '\0':
            return err_set(ERR_USAGE,
                           "%s holds a NUL byte, which no .env file can carry; use --format "
                           "docker-secrets or k8s",
                           it->name);
        case '\\': rc = buf_append(out, "\\\\", 2); break;
        case '"': rc = buf_append(out, "\\\"", 2); break;
        case '$': rc = buf_append(out, "$$", 2); break;
        case '\n': rc = buf_append(out, "\\n", 2); break;
        case '\r': rc = buf_append(out, "\\r", 2); break;
        case '\t': rc = buf_append(out, "\\t", 2); break;
        case '\v': rc = buf_append(out, "\\v", 2); break;
        case '\f': rc = buf_append(out, "\\f", 2); break;
        case '\a': rc = buf_append(out, "\\a", 2); break;
        case '\b': rc = buf_append(out, "\\b", 2); break;
        default: rc = buf_append(out, &c, 1); break;
        }
    }
    return rc == 0 ? buf_append(out, "\"\n", 2) : rc;
}

/* Length of the UTF-8 sequence at s (strict: no overlongs or surrogates), 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    size_t need = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
                : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    unsigned long cp;

    if (need == 0 || need > n)
        return 0;
    cp = need == 1 ? s[0] : need == 2 ? (s[0] & 0x1fu) : need == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

static int
json_string(struct buf *out, const char *what, const unsigned char *s, size_t n)
{
    int rc = buf_append(out, "\"", 1);
    size_t i = 0, k;

    while (i < n && rc == 0) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = buf_append(out, e, 2);
            i++;
        } else if (c == 0) {
            /* \u0000 is valid JSON, but most readers (cJSON, hence our import) cut there */
            return err_set(ERR_USAGE,
                           "%s holds a NUL byte, which JSON readers cut off; use --format "
                           "docker-secrets or k8s",
                           what);
        } else if (c < 0x20 || c == 0x7f) {
            rc = buf_printf(out, "\\u%04x", c);
            i++;
        } else if ((k = utf8_len(s + i, n - i)) == 0) {
            return err_set(ERR_USAGE,
                           "%s is not UTF-8 text, which JSON cannot carry; use --format "
                           "docker-secrets or k8s",
                           what);
        } else {
            rc = buf_append(out, s + i, k);
            i += k;
        }
    }
    return rc == 0 ? buf_append(out, "\"", 1) : rc;
}

/* A YAML double-quoted scalar of a name or path (printable ASCII only: names and our paths). */
static int
yaml_string(struct buf *out, const char *s)
{
    int rc = buf_append(out, "\"", 1);

    for (; *s != '\0' && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rc = buf_printf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            rc = buf_printf(out, "\\x%02x", c);
        else
            rc = buf_append(out, s, 1);
    }
    return rc == 0 ? buf_append(out, "\"", 1) : rc;
}

static int
dns_name_check(const char *what, const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 253)
        return err_set(ERR_USAGE, "%s: '%s' is not a Kubernetes name (1..253 characters)", what,
                       s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.') ||
            ((i == 0 || i + 1 == n) && (c == '-' || c == '.')))
            return err_set(ERR_USAGE,
                           "%s: '%s' is not a Kubernetes name (lower-case letters, digits, '-' "
                           "and '.', starting and ending alphanumeric)",
                           what, s);
    }
    return 0;
}

static int
render_k8s(const struct vault_export_item *items, size_t n, const struct vault_export_opts *o,
           struct buf *out)
{
    char key[VAULT_NAME_MAX + 1];
    int rc;

    if ((rc = dns_name_check("--name", o->k8s_name)) < 0 ||
        (o->k8s_namespace != NULL && (rc = dns_name_check("--namespace", o->k8s_namespace)) < 0))
        return rc;
    rc = buf_printf(out, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n", o->k8s_name);
    if (rc == 0 && o->k8s_namespace != NULL)
        rc = buf_printf(out, "  namespace: %s\n", o->k8s_namespace);
    if (rc == 0)
        rc = buf_printf(out, "type: Opaque\ndata:%s\n", n == 0 ? " {}" : "");
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t b64len = sodium_base64_encoded_len(items[i].len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = keys_alloc(b64len);
        if (b64 == NULL)
            return err_set(ERR_NOMEM, "cannot allocate guarded memory");
        sodium_bin2base64(b64, b64len, items[i].data, items[i].len,
                          sodium_base64_VARIANT_ORIGINAL);
        if ((rc = vault_export_file_name(items[i].name, key, sizeof(key))) == 0 &&
            (rc = buf_append(out, "  ", 2)) == 0 && (rc = yaml_string(out, key)) == 0)
            rc = buf_printf(out, ": %s\n", b64);
        keys_free(b64);
    }
    return rc;
}

static int
render_compose(const struct vault_export_item *items, size_t n, const struct vault_export_opts *o,
               struct buf *out)
{
    char file[VAULT_NAME_MAX + 1], path[4200];
    int rc = buf_printf(out, "# Top level of compose.yaml; files written by `secrets export "
                             "--format docker-secrets --dir %s`\nsecrets:%s\n",
                        o->dir, n == 0 ? " {}" : "");
    size_t i;

    for (i = 0; i < n && rc == 0; i++) {
        if ((rc = vault_export_file_name(items[i].name, file, sizeof(file))) < 0 ||
            (rc = str_format(path, sizeof(path), "%s/%s", o->dir, file)) < 0)
            return rc;
        if ((rc = buf_append(out, "  ", 2)) == 0 && (rc = yaml_string(out, file)) == 0 &&
            (rc = buf_append(out, ":\n    file: ", 12)) == 0 && (rc = yaml_string(out, path)) == 0)
            rc = buf_append(out, "\n", 1);
    }
    if (rc == 0)
        rc = buf_printf(out, "# In the service (each is read at /run/secrets/NAME):\nservices:\n"
                             "  %s:\n    secrets:%s\n",
                        o->service, n == 0 ? " []" : "");
    for (i = 0; i < n && rc == 0; i++) {
        if ((rc = vault_export_file_name(items[i].name, file, sizeof(file))) == 0 &&
            (rc = buf_append(out, "      - ", 8)) == 0 && (rc = yaml_string(out, file)) == 0)
            rc = buf_append(out, "\n", 1);
    }
    return rc;
}

int
vault_export_render(enum vault_export_format fmt, const struct vault_export_item *items, size_t n,
                    const struct vault_export_opts *o, struct buf *out)
{
    char key[VAULT_NAME_MAX + 3];
    int rc = 0;

    switch (fmt) {
    case VAULT_EXPORT_ENV:
        for (size_t i = 0; i < n && rc == 0; i++) {
            if ((rc = vault_export_env_key(items[i].name, key, sizeof(key))) == 0 &&
                (rc = buf_printf(out, "%s=", key)) == 0)
                rc = env_value(out, &items[i]);
        }
        return rc;
    case VAULT_EXPORT_JSON:
        rc = buf_append(out, "{", 1);
        for (size_t i = 0; i < n && rc == 0; i++) {
            if ((rc = buf_append(out, i == 0 ? "\n  " : ",\n  ", i == 0 ? 3 : 4)) == 0 &&
                (rc = json_string(out, items[i].name, (const unsigned char *)items[i].name,
                                  strlen(items[i].name))) == 0 &&
                (rc = buf_append(out, ": ", 2)) == 0)
                rc = json_string(out, items[i].name, items[i].data, items[i].len);
        }
        return rc == 0 ? buf_append(out, n == 0 ? "}\n" : "\n}\n", n == 0 ? 2 : 3) : rc;
    case VAULT_EXPORT_COMPOSE:
        return render_compose(items, n, o, out);
    case VAULT_EXPORT_K8S:
        return render_k8s(items, n, o, out);
    }
    return err_set(ERR_INTERNAL, "unknown export format");
}
