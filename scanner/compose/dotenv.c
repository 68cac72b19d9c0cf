/* compose_dotenv: env files for Compose: the `.env` beside the Compose file (interpolation
 * variables) and a service's `env_file:` entries, read with the project's .env lexer (envcheck)
 * and resolved as Compose resolves them. */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "envcheck.h"

/* References in env files resolve against the project's variables (the .env), never against
 * this process's environment. */
static const char *
lookup_var(const char *name, void *user)
{
    const struct compose_vars *v = user;
    const struct compose_var *var = v != NULL ? compose_vars_get(v, name, strlen(name)) : NULL;

    return var != NULL ? var->value : NULL;
}

static int
first_error(const struct env_file *ef, const char *path)
{
    for (size_t i = 0; i < ef->ndiags; i++)
        if (ef->diags[i].kind == ENV_DIAG_ERROR)
            return err_set(ERR_PARSE, "%s:%d:%d: %s", path, ef->diags[i].line,
                           ef->diags[i].column, ef->diags[i].message);
    return err_set(ERR_PARSE, "%s: invalid env file", path);
}

/* Errors name the file as the user knows it (beside the Compose file), not the absolute path. */
static int
rename_in_error(int rc, const char *path, const char *shown)
{
    char msg[1024];
    size_t n = strlen(path);

    if (rc >= 0 || shown == NULL || strcmp(path, shown) == 0 ||
        strncmp(err_message(), path, n) != 0)
        return rc;
    (void)str_format(msg, sizeof(msg), "%s", err_message() + n);
    return err_set(rc, "%s%s", shown, msg);
}

int
compose_env_file_read(const char *path, const char *shown, long max,
                      const struct compose_vars *vars, compose_env_fn fn, void *user)
{
    struct buf data = {NULL, 0, 0}, val = {NULL, 0, 0};
    struct env_file ef;
    int rc;

    memset(&ef, 0, sizeof(ef));
    /* Paths come from the (untrusted) Compose file: never follow a final symlink. */
    rc = file_read_all(path, (size_t)(max > 0 ? max : COMPOSE_MAX_FILE), FILE_READ_NOFOLLOW, &data);
    if (rc == 0)
        rc = env_lex(data.data ? data.data : "", data.len, path, &ef);
    /* Compose refuses a file it cannot parse; so do we, naming the first bad line. */
    if (rc == 0 && ef.nerrors > 0)
        rc = first_error(&ef, path);
    for (size_t i = 0; i < ef.n && rc == 0; i++) {
        const struct env_entry *e = &ef.entries[i];
        int origin = RT_ENV_LITERAL;

        /* A `${` without a valid name or closing `}`: Compose stops on it ("invalid
         * template"), so the file is refused here too rather than read as literal text. */
        if (e->flags & ENV_F_BAD_REF) {
            rc = err_set(ERR_PARSE, "%s:%d:%d: invalid variable reference in the value of %s "
                                    "(Compose refuses the file; write $$ for a literal $)",
                         path, e->value_span.line, e->value_span.column, e->key);
            break;
        }

        if (e->flags & ENV_F_NO_EQUALS) {
            rc = fn(e->key, e->key_len, NULL, 0, RT_ENV_UNRESOLVED, e->key_span.line,
                    e->key_span.column, user);
            continue;
        }
        val.len = 0;
        if ((rc = buf_append(&val, "", 0)) < 0)
            break;
        if (e->flags & ENV_F_REFS) {
            origin = RT_ENV_INTERPOLATED;
            rc = env_resolve(&ef, e, lookup_var, (void *)vars, &val);
            if (rc == ERR_NOTFOUND) { /* ${V:?err} unset: the deploy environment must give it */
                origin = RT_ENV_UNRESOLVED;
                val.len = 0;
                rc = buf_append(&val, "", 0);
            }
        } else {
            rc = buf_append(&val, e->value, e->value_len);
        }
        if (rc == 0)
            rc = fn(e->key, e->key_len, val.data, val.len, origin, e->key_span.line,
                    e->key_span.column, user);
    }
    env_file_free(&ef);
    buf_free(&val);
    buf_free(&data);
    return rename_in_error(rc, path, shown);
}

static int
add_var(const char *key, size_t klen, const char *value, size_t vlen, int origin, int line,
        int col, void *user)
{
    (void)origin;
    (void)col;
    return compose_vars_set(user, key, klen, value, vlen, line);
}

int
compose_dotenv_load(struct compose_file *cf)
{
    char path[PATH_MAX], shown[PATH_MAX];
    const char *slash = strrchr(cf->path, '/');
    int rc;

    if (str_format(path, sizeof(path), "%s/.env", cf->dir) < 0 ||
        str_format(shown, sizeof(shown), "%.*s%s.env", slash ? (int)(slash - cf->path) : 0,
                   cf->path, slash ? "/" : "") < 0)
        return err_set(ERR_LIMIT, "%s: directory path too long", cf->path);
    /* Later keys of the .env may refer to earlier ones; env_resolve sees the file itself. */
    rc = compose_env_file_read(path, shown, cf->max_file, NULL, add_var, &cf->vars);
    return rc == ERR_NOTFOUND ? 0 : rc;
}
