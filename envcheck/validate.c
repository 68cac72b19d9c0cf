/* validate: one `secrets validate` run over one file: lex it, build the line index the rules
 * share, run every rule family, and turn the lexer's own diagnostics into findings. */
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

static const char *const example_suffixes[] = {".example", ".sample", ".template", ".dist",
                                               ".defaults", ".tmpl", ".tpl", NULL};

static int
is_example_name(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    for (int i = 0; example_suffixes[i] != NULL; i++) {
        size_t k = strlen(example_suffixes[i]);
        if (n > k && strcmp(base + n - k, example_suffixes[i]) == 0)
            return 1;
        if (strstr(base, example_suffixes[i]) != NULL && strncmp(base, ".env", 4) == 0)
            return 1;
    }
    return 0;
}

int
envcheck_check_syntax(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    int rc = 0;

    /* the diagnostics of the statements lexed so far (this runs per chunk) */
    for (size_t i = c->diags_done; i < f->ndiags && rc == 0; i++) {
        const struct env_diag *d = &f->diags[i];
        c->diags_done = i + 1;
        switch (d->kind) {
        case ENV_DIAG_ERROR:
            rc = envcheck_emit(c, R_SYNTAX, d->line, d->column, NULL, 0,
                               "%s; the statement is skipped, the rest of the file is "
                               "checked", d->message);
            break;
        case ENV_DIAG_BOM:
            rc = envcheck_emit(c, R_BOM, d->line, d->column, NULL, 0,
                               "%s: Compose, docker run and node dotenv strip it, bash and "
                               "python-dotenv make it part of the first key", d->message);
            break;
        case ENV_DIAG_CRLF:
            rc = envcheck_emit(c, R_CRLF, d->line, d->column, NULL, 0,
                               "%zu line%s end%s with CRLF: bash keeps the \\r at the end of "
                               "values (docker run, python-dotenv and node dotenv drop it)", f->ncrlf, f->ncrlf == 1 ? "" : "s",
                               f->ncrlf == 1 ? "s" : "");
            break;
        case ENV_DIAG_NUL:
        case ENV_DIAG_UTF8:
            rc = envcheck_emit(c, R_ENCODING, d->line, d->column, NULL, 0, "%s", d->message);
            break;
        }
    }
    if (rc == 0 && c->lexed && f->nerrors > ENV_MAX_DIAGS)
        rc = envcheck_emit(c, R_SYNTAX, 0, 0, NULL, 0,
                           "%zu statements could not be parsed; only the first %u are listed",
                           f->nerrors, ENV_MAX_DIAGS);
    return rc;
}

static int
build_line_index(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    size_t start = f->has_bom ? 3 : 0;
    int l = 1;

    c->nlines = f->nlines;
    c->line_off = envcheck_big_calloc((size_t)c->nlines + 2, sizeof(*c->line_off));
    c->in_value = envcheck_big_calloc((size_t)c->nlines + 2, 1);
    if (c->line_off == NULL || c->in_value == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    c->line_off[1] = start;
    for (const char *p = f->data + start, *end = f->data + f->len; l <= c->nlines;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        c->line_off[++l] = (uint32_t)(nl - f->data) + 1;
        p = nl + 1;
    }
    for (int k = l + 1; k <= c->nlines + 1; k++)
        c->line_off[k] = (uint32_t)f->len;
    return 0;
}

/* Marks the lines inside the multi-line values of the statements at hand. */
static void
mark_values(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;

    for (size_t i = 0; i < f->n; i++) {
        const struct env_entry *e = &f->entries[i];
        for (int k = e->value_span.line + 1; k <= e->value_span.end_line && k <= c->nlines; k++)
            c->in_value[k] = 1;
    }
}

static const char *
default_example(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    int n = slash != NULL ? (int)(slash - path + 1) : 0;

    if (str_format(buf, size, "%.*s.env.example", n, path) < 0)
        return NULL;
    return buf;
}

/* What the first chunk needs: the line index, the control comments, the key table and the
 * example file (read once the .env itself could be read). */
static int
ctx_ready(struct envcheck_ctx *c)
{
    const struct envcheck_config *cfg = c->cfg;
    char exbuf[4096];
    int rc;

    if (c->ready)
        return 0;
    c->ready = 1;
    c->path = c->f->path; /* "<stdin>" for "-" */
    c->has_ignore = memmem(c->f->data, c->f->len, "secrets:ignore", 14) != NULL;
    if ((rc = findings_add_target(c->out, "env-file", c->path)) < 0 ||
        (rc = build_line_index(c)) < 0 || (rc = envcheck_control_load(c)) < 0 ||
        (rc = envcheck_keys_init(&c->keys, c->f->data, (size_t)c->nlines)) < 0)
        return rc;
    c->group_max = -1;
    if (!cfg->no_example && !c->is_example && (!c->is_stdin || cfg->example != NULL)) {
        const char *ex = cfg->example != NULL
                             ? cfg->example
                             : default_example(c->given_path, exbuf, sizeof(exbuf));
        if (ex != NULL && (rc = envcheck_example_open(c, ex, cfg->example != NULL)) < 0)
            return rc;
    }
    return 0;
}

/* One chunk of statements: every rule that looks at statements one by one. */
static int
on_chunk(struct env_file *f, void *user)
{
    struct envcheck_ctx *c = user;
    int rc;

    c->f = f;
    if ((rc = ctx_ready(c)) < 0)
        return rc;
    mark_values(c);
    if ((rc = envcheck_check_syntax(c)) < 0 || (rc = envcheck_check_portability(c)) < 0 ||
        (rc = envcheck_check_hygiene(c)) < 0 || (rc = envcheck_check_lint(c)) < 0 ||
        (rc = envcheck_check_schema(c)) < 0 || (rc = envcheck_check_example(c)) < 0)
        return rc;
    c->base += f->n;
    return 0;
}

int
envcheck_validate(const struct envcheck_config *cfg, const char *path, struct findings *out)
{
    struct envcheck_ctx c;
    struct env_file f;
    int rc;

    memset(&c, 0, sizeof(c));
    c.cfg = cfg;
    c.out = out;
    c.given_path = path;
    c.is_stdin = strcmp(path, "-") == 0;
    c.is_example = is_example_name(path);
    c.f = &f;
    /* the target first, so that findings name it; its display name comes from the lexer */
    rc = env_lex_file_chunked(path, ENVCHECK_CHUNK, on_chunk, &c, &f);
    if (rc < 0 && f.path == NULL) {
        env_file_free(&f);
        return rc;
    }
    c.f = &f;
    c.lexed = 1;
    if (rc < 0)
        goto done;
    if ((rc = ctx_ready(&c)) < 0 || (rc = envcheck_check_syntax(&c)) < 0 ||
        (rc = envcheck_check_example_final(&c)) < 0)
        goto done;
    /* the key set's last use was the example's: its room goes to UnorderedKey's replay */
    envcheck_keys_drop_set(&c.keys);
    if ((rc = envcheck_check_lint_final(&c)) < 0 || (rc = envcheck_check_schema_final(&c)) < 0)
        goto done;
    rc = envcheck_check_files(&c);
    if (rc == 0)
        rc = envcheck_emit_summaries(&c);
    if (rc == 0) {
        size_t bad = f.nerrors;
        for (size_t i = 0; i < f.ndiags; i++)
            bad += f.diags[i].kind == ENV_DIAG_NUL;
        rc = bad > 1000000 ? 1000000 : (int)bad;
    }
done:
    envcheck_example_close(&c);
    envcheck_hygiene_close(&c);
    envcheck_keys_free(&c.keys);
    free(c.schema_seen);
    free(c.ctl);
    free(c.line_off);
    free(c.in_value);
    env_file_free(&f);
    return rc;
}
