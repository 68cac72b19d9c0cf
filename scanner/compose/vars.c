/* compose_vars: Compose variable interpolation ($VAR, ${VAR}, the :- - :? ? :+ + forms, $$) over
 * the variables of the `.env` beside the file. The scanner's own environment is deliberately not
 * read: results depend on the files alone, and the user's shell secrets stay out of reports. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"

void
compose_vars_free(struct compose_vars *v)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].value != NULL) {
            volatile char *p = v->items[i].value;
            while (*p != '\0')
                *p++ = '\0';
        }
        free(v->items[i].name);
        free(v->items[i].value);
    }
    free(v->items);
    memset(v, 0, sizeof(*v));
}

const struct compose_var *
compose_vars_get(const struct compose_vars *v, const char *name, size_t len)
{
    /* Later definitions win, as in Compose; scan backwards. */
    for (size_t i = v->n; i > 0; i--)
        if (strlen(v->items[i - 1].name) == len && memcmp(v->items[i - 1].name, name, len) == 0)
            return &v->items[i - 1];
    return NULL;
}

int
compose_vars_set(struct compose_vars *v, const char *name, size_t nlen, const char *value,
                 size_t vlen, int line)
{
    struct compose_var *var;

    if (v->n >= RT_MAX_ITEMS)
        return err_set(ERR_LIMIT, ".env: more than %d variables", RT_MAX_ITEMS);
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct compose_var *items = realloc(v->items, cap * sizeof(*items));
        if (items == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        v->items = items;
        v->cap = cap;
    }
    var = &v->items[v->n];
    var->name = strndup(name, nlen);
    var->value = value != NULL ? strndup(value, vlen) : NULL;
    var->line = line;
    if (var->name == NULL || (value != NULL && var->value == NULL)) {
        free(var->name);
        free(var->value);
        return err_set(ERR_NOMEM, "out of memory");
    }
    v->n++;
    return 0;
}

static int
name_start(int c)
{
    return c == '_' || isalpha(c);
}

static int
name_char(int c)
{
    return c == '_' || isalnum(c);
}

/* Index of the '}' closing the "${" that starts at in[0], or len when there is none. */
static size_t
closing_brace(const char *in, size_t len)
{
    int depth = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '$' && i + 1 < len && in[i + 1] == '{') {
            depth++;
            i++;
        } else if (in[i] == '}' && --depth == 0) {
            return i;
        }
    }
    return len;
}

static int interp(const struct compose_vars *v, const char *in, size_t len, struct buf *out,
                  int *flags, const char *where, int depth);

static int
append(struct buf *out, const char *s, size_t n)
{
    if (out->len + n > (size_t)COMPOSE_MAX_VALUE)
        return err_set(ERR_LIMIT, "interpolated value longer than %ld bytes", COMPOSE_MAX_VALUE);
    return buf_append(out, s, n);
}

/* One ${...} body (between the braces). */
static int
braced(const struct compose_vars *v, const char *body, size_t len, struct buf *out, int *flags,
       const char *where, int depth)
{
    size_t n = 0;
    const struct compose_var *var;
    const char *arg = NULL;
    size_t alen = 0;
    char op = 0;
    int colon = 0, set, nonempty;

    if (len == 0 || !name_start((unsigned char)body[0]))
        return err_set(ERR_PARSE, "%s: invalid interpolation format for \"${%.*s}\"", where,
                       (int)(len > 40 ? 40 : len), body);
    while (n < len && name_char((unsigned char)body[n]))
        n++;
    if (n < len) {
        colon = body[n] == ':';
        if (n + (size_t)colon >= len || strchr("-?+", body[n + (size_t)colon]) == NULL)
            return err_set(ERR_PARSE, "%s: invalid interpolation format for \"${%.*s}\"", where,
                           (int)(len > 40 ? 40 : len), body);
        op = body[n + (size_t)colon];
        arg = body + n + (size_t)colon + 1;
        alen = len - n - (size_t)colon - 1;
    }
    *flags |= INTERP_USED;
    var = compose_vars_get(v, body, n);
    set = var != NULL && var->value != NULL;
    nonempty = set && var->value[0] != '\0';
    switch (op) {
    case 0:
        break;
    case '-':
        if (colon ? !nonempty : !set)
            return interp(v, arg, alen, out, flags, where, depth + 1);
        break;
    case '?':
        /* Compose would stop here; the deploy environment may still provide it. */
        if (colon ? !nonempty : !set) {
            *flags |= INTERP_UNSET;
            return 0;
        }
        break;
    case '+':
        if (colon ? nonempty : set)
            return interp(v, arg, alen, out, flags, where, depth + 1);
        return 0;
    }
    if (!set) {
        *flags |= INTERP_UNSET;
        return 0;
    }
    return append(out, var->value, strlen(var->value));
}

static int
interp(const struct compose_vars *v, const char *in, size_t len, struct buf *out, int *flags,
       const char *where, int depth)
{
    size_t i = 0;
    int rc = 0;

    if (depth > COMPOSE_MAX_INTERP)
        return err_set(ERR_LIMIT, "%s: interpolation nested deeper than %d levels", where,
                       COMPOSE_MAX_INTERP);
    while (i < len && rc == 0) {
        const char *dollar = memchr(in + i, '$', len - i);
        size_t d;

        if (dollar == NULL)
            return append(out, in + i, len - i);
        d = (size_t)(dollar - in);
        if ((rc = append(out, in + i, d - i)) < 0)
            return rc;
        if (d + 1 >= len)
            return err_set(ERR_PARSE, "%s: invalid interpolation format: lone '$' at the end "
                                      "(write $$ for a literal $)",
                           where);
        if (in[d + 1] == '$') {
            rc = append(out, "$", 1);
            i = d + 2;
        } else if (in[d + 1] == '{') {
            size_t close = closing_brace(in + d, len - d);
            if (close == len - d)
                return err_set(ERR_PARSE, "%s: invalid interpolation format: unclosed \"${\"",
                               where);
            rc = braced(v, in + d + 2, close - 2, out, flags, where, depth);
            i = d + close + 1;
        } else if (name_start((unsigned char)in[d + 1])) {
            size_t e = d + 1;
            const struct compose_var *var;
            while (e < len && name_char((unsigned char)in[e]))
                e++;
            *flags |= INTERP_USED;
            var = compose_vars_get(v, in + d + 1, e - d - 1);
            if (var == NULL || var->value == NULL)
                *flags |= INTERP_UNSET;
            else
                rc = append(out, var->value, strlen(var->value));
            i = e;
        } else {
            return err_set(ERR_PARSE, "%s: invalid interpolation format: '$%c' (write $$ for a "
                                      "literal $)",
                           where, isprint((unsigned char)in[d + 1]) ? in[d + 1] : '?');
        }
    }
    return rc;
}

int
compose_interpolate(const struct compose_vars *v, const char *in, size_t len, struct buf *out,
                    int *flags, const char *where)
{
    *flags = 0;
    out->len = 0;
    if (buf_append(out, "", 0) < 0)
        return err_set(ERR_NOMEM, "out of memory");
    return interp(v, in, len, out, flags, where, 0);
}
