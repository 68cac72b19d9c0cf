/* compose_dotenv: env files for Compose: the `.env` beside the Compose file (interpolation
 * variables) and a service's `env_file:` entries, read through one .env lexer. */
#include <stdlib.h>
#include <string.h>

#include "compose_internal.h"

/* Interim lexer with Compose's env_file rules (KEY=VALUE, `export `, '#' comments, single quotes
 * literal, double quotes with escapes over several lines, unquoted values trimmed with " #"
 * comments, a bare KEY). It is replaced by envcheck's lexer when that lands. */
static int
lex_env(const char *path, const char *s, size_t len, compose_env_fn fn, void *user)
{
    size_t i = 0;
    int line = 1, rc = 0;
    struct buf val = {NULL, 0, 0};

    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a UTF-8 BOM */
    while (i < len && rc == 0) {
        size_t ks, ke, eol = i, bol = i;
        int kline = line, kcol;

        while (eol < len && s[eol] != '\n')
            eol++;
        while (i < eol && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == eol || s[i] == '#' || s[i] == '\r') {
            i = eol + 1;
            line++;
            continue;
        }
        if (eol - i > 7 && memcmp(s + i, "export ", 7) == 0) {
            i += 7;
            while (i < eol && (s[i] == ' ' || s[i] == '\t'))
                i++;
        }
        ks = i;
        kcol = (int)(ks - bol) + 1;
        while (i < eol && s[i] != '=' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            i++;
        ke = i;
        while (i < eol && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (ke == ks || (i < eol && s[i] != '=' && s[i] != '\r')) {
            rc = err_set(ERR_PARSE, "%s:%d:%d: expected KEY=VALUE", path, kline, kcol);
            break;
        }
        if (i >= eol || s[i] == '\r') { /* a bare KEY */
            rc = fn(s + ks, ke - ks, NULL, 0, kline, kcol, user);
            i = eol + 1;
            line++;
            continue;
        }
        i++; /* '=' */
        while (i < eol && (s[i] == ' ' || s[i] == '\t'))
            i++;
        val.len = 0;
        if ((rc = buf_append(&val, "", 0)) < 0)
            break;
        if (i < len && (s[i] == '\'' || s[i] == '"')) {
            char q = s[i++];
            int closed = 0;
            while (i < len && rc == 0) {
                char c = s[i];
                if (c == q) {
                    closed = 1;
                    i++;
                    break;
                }
                if (c == '\n')
                    line++;
                if (q == '"' && c == '\\' && i + 1 < len) {
                    char e = s[i + 1];
                    c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                    if (strchr("ntr\\\"$", e) == NULL) {
                        rc = buf_append(&val, "\\", 1);
                        c = e;
                    }
                    i++;
                }
                if (rc == 0)
                    rc = buf_append(&val, &c, 1);
                i++;
            }
            if (rc == 0 && !closed)
                rc = err_set(ERR_PARSE, "%s:%d:%d: unterminated %s quote in the value of %.*s",
                             path, kline, kcol, q == '"' ? "double" : "single", (int)(ke - ks),
                             s + ks);
            while (i < len && s[i] != '\n')
                i++; /* rest of the line after the closing quote: a comment or nothing */
        } else {
            size_t e = i;
            while (e < eol && !(s[e] == '#' && e > i && (s[e - 1] == ' ' || s[e - 1] == '\t')))
                e++;
            while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
                e--;
            rc = buf_append(&val, s + i, e - i);
            i = eol;
        }
        if (rc == 0)
            rc = fn(s + ks, ke - ks, val.data, val.len, kline, kcol, user);
        i++;
        line++;
    }
    buf_free(&val);
    return rc;
}

int
compose_env_file_read(const char *path, long max, compose_env_fn fn, void *user)
{
    struct buf data = {NULL, 0, 0};
    int rc;

    /* Paths come from the (untrusted) Compose file: never follow a final symlink. */
    rc = file_read_all(path, (size_t)(max > 0 ? max : COMPOSE_MAX_FILE), FILE_READ_NOFOLLOW, &data);
    if (rc == 0)
        rc = lex_env(path, data.data ? data.data : "", data.len, fn, user);
    buf_free(&data);
    return rc;
}

static int
add_var(const char *key, size_t klen, const char *value, size_t vlen, int line, int col,
        void *user)
{
    (void)col;
    return compose_vars_set(user, key, klen, value, vlen, line);
}

int
compose_dotenv_load(struct compose_file *cf)
{
    char path[PATH_MAX];
    int rc;

    if (str_format(path, sizeof(path), "%s/.env", cf->dir) < 0)
        return err_set(ERR_LIMIT, "%s: directory path too long", cf->path);
    rc = compose_env_file_read(path, cf->max_file, add_var, &cf->vars);
    return rc == ERR_NOTFOUND ? 0 : rc;
}
