/* portability: finds the statements that Compose (the reference) and the other readers of .env
 * files - docker run --env-file, bash `set -a; .`, python-dotenv, node dotenv - read differently,
 * and says which reader differs and how (envfiles-and-c-style.md A.2 is the source). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

#define D_DOCKER (1u << ENV_DIALECT_DOCKER_RUN)
#define D_BASH   (1u << ENV_DIALECT_BASH)
#define D_PYTHON (1u << ENV_DIALECT_PYTHON)
#define D_NODE   (1u << ENV_DIALECT_NODE)

struct port_scan {
    const struct env_file *f;
    env_portability_fn cb;
    void *user;
};

static int
report(struct port_scan *s, const struct env_entry *e, const char *id, unsigned dialects,
       int line, int column, const char *how)
{
    struct env_portability p;

    memset(&p, 0, sizeof(p));
    p.id = id;
    p.dialects = dialects;
    p.line = line;
    p.column = column;
    if (e != NULL)
        snprintf(p.message, sizeof(p.message), "%s: %s", e->key, how);
    else
        snprintf(p.message, sizeof(p.message), "%s", how);
    return s->cb(&p, s->user);
}

/* One memchr per character of the (short) set: vectorised, unlike strchr per byte. */
static int
has_any(const char *s, size_t n, const char *set)
{
    for (; *set != '\0'; set++)
        if (memchr(s, *set, n) != NULL)
            return 1;
    return 0;
}

static int
has_str(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* `#` in an unquoted value with no blank before it: node cuts the value there. */
static int
hash_without_space(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == '#' && (i == 0 || (v[i - 1] != ' ' && v[i - 1] != '\t')))
            return 1;
    return 0;
}

/* `$` then a digit or one of ? ! # @ * - : a positional or special parameter bash expands
 * (`$$` is the dollar-escape trigger). */
static int
has_special_param(const char *v, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i] == '$' && (i == 0 || v[i - 1] != '\\') &&
            ((v[i + 1] >= '0' && v[i + 1] <= '9') || strchr("?!#@*-", v[i + 1]) != NULL)) {
            if (v[i + 1] == '\0')
                return 0;
            return 1;
        }
    return 0;
}

/* A backtick or "$(" not escaped by a backslash (inside double quotes bash honours \` and \$). */
static int
has_command_subst(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\') {
            i++;
            continue;
        }
        if (v[i] == '`' || (v[i] == '$' && i + 1 < n && v[i + 1] == '('))
            return 1;
    }
    return 0;
}

/* A tilde bash expands in an assignment: at the start or after ':', then a (possibly empty)
 * login name, then '/', ':' or the end. */
static int
has_tilde_prefix(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1;
        if (v[i] != '~' || (i > 0 && v[i - 1] != ':'))
            continue;
        while (j < n && (isalnum((unsigned char)v[j]) || v[j] == '.' || v[j] == '_' || v[j] == '-'))
            j++;
        if (j == n || v[j] == '/' || v[j] == ':')
            return 1;
    }
    return 0;
}

/* An unquoted value (after Compose's " #" cut) with a blank run then '#': Compose keeps
 * "val<TAB># c", bash, python-dotenv and node dotenv read a comment there. */
static int
has_blank_hash(const char *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t'))
            return 1;
    return 0;
}

/* Unquoted whitespace followed by something other than a comment: bash runs the words after
 * the first as a command (a '#' at the start of the next word is a comment instead). */
static int
runs_words(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] != ' ' && v[i] != '\t')
            continue;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        return i < n && v[i] != '#';
    }
    return 0;
}

static int
scan_entry(struct port_scan *s, const struct env_entry *e)
{
    const char *d = s->f->data;
    const char *raw = d + e->value_span.start;
    size_t rn = e->value_span.end - e->value_span.start;
    int vl = e->value_span.line, vc = e->value_span.column, rc = 0;
    size_t eq = e->key_span.end;

    while (eq < s->f->len && (d[eq] == ' ' || d[eq] == '\t'))
        eq++;
#define REPORT(id, dia, how)                                                                   \
    do {                                                                                       \
        if ((rc = report(s, e, id, dia, vl, vc, how)) < 0)                                     \
            return rc;                                                                         \
    } while (0)

    if (e->flags & ENV_F_EXPORT)
        REPORT("export", D_DOCKER, "docker run --env-file reads the key as 'export NAME' and "
                                   "rejects it (a key with whitespace)");
    if (e->flags & ENV_F_NO_EQUALS) {
        REPORT("no-equals", D_BASH | D_PYTHON | D_NODE,
               "a key without '=': Compose and docker run take it from the environment, bash "
               "runs it as a command, python-dotenv sets nothing (None), node dotenv ignores it");
        return 0;
    }
    if (e->flags & ENV_F_COLON)
        REPORT("colon", D_DOCKER | D_BASH | D_PYTHON,
               "'KEY: value' (YAML style) is read by Compose and node dotenv only; docker run "
               "and python-dotenv see another key, bash runs a command");
    if (eq > e->key_span.end)
        REPORT("space-before-equals", D_DOCKER | D_BASH,
               "blank before '=': docker run rejects a key with whitespace, bash runs a command");
    if (eq < s->f->len && eq + 1 < e->value_span.start && e->value_span.end > e->value_span.start)
        REPORT("space-after-equals", D_DOCKER | D_BASH,
               "blank after '=': docker run keeps it in the value, bash runs the value as a "
               "command with an empty variable");
    {
        const char *k = e->key;
        if (k[0] >= '0' && k[0] <= '9')
            REPORT("key-digit", D_BASH,
                   "a key starting with a digit: bash rejects it and Compose's loader skips it");
        else if (strpbrk(k, ".-[]") != NULL)
            REPORT("key-chars", D_BASH | (strpbrk(k, "[]") != NULL ? D_NODE : 0),
                   "a key with '.', '-', '[' or ']' is not a shell name: bash runs it as a "
                   "command; node dotenv accepts only '.' and '-'");
    }
    if (e->flags & ENV_F_BAD_REF)
        REPORT("bad-ref", D_DOCKER | D_NODE,
               "a '${' with no valid name or closing '}': Compose refuses the file, bash fails "
               "with 'bad substitution', docker run and node dotenv keep it as text");

    if (e->quote == ENV_QUOTE_NONE) {
        size_t t = e->value_span.end;
        while (t < s->f->len && (d[t] == ' ' || d[t] == '\t'))
            t++;
        if (t > e->value_span.end && !(e->flags & ENV_F_COMMENT) &&
            (t == s->f->len || d[t] == '\n' || d[t] == '\r'))
            REPORT("trailing-blank", D_DOCKER,
                   "blanks after the value: docker run keeps them in the value, the others "
                   "drop them");
        if (e->flags & ENV_F_COMMENT)
            REPORT("inline-comment", D_DOCKER,
                   "an inline comment: docker run keeps ' #...' as part of the value");
        if (hash_without_space(raw, rn))
            REPORT("hash-no-space", D_NODE,
                   rn > 0 && raw[0] == '#'
                       ? "the value starts with '#': Compose and bash keep it (without a blank "
                         "before it), node dotenv reads an empty value"
                       : "'#' with no space before it: Compose and python-dotenv keep it in the "
                         "value, node dotenv cuts the value there");
        if (has_blank_hash(raw, rn))
            REPORT("tab-comment", D_BASH | D_PYTHON | D_NODE,
                   "a tab then '#': Compose keeps it in the value (only ' #' starts its "
                   "comment); bash, python-dotenv and node dotenv read a comment there");
        if (runs_words(raw, rn))
            REPORT("unquoted-space", D_BASH,
                   "unquoted whitespace: bash runs the words after the first as a command and "
                   "leaves the variable unset");
        if (has_any(raw, rn, "`") || has_str(raw, rn, "$("))
            REPORT("command-substitution",
                   D_BASH | (rn >= 2 && raw[0] == '`' && raw[rn - 1] == '`' ? D_NODE : 0),
                   "backticks or '$(': bash executes the command (a risk if the file is ever "
                   "sourced); node dotenv strips backticks around a whole value; the others "
                   "keep the text");
        else if (has_any(raw, rn, "'\"\\;&|<>()"))
            REPORT("shell-chars", D_BASH,
                   "quotes, a backslash or shell operators in an unquoted value: bash "
                   "interprets them");
        if (has_tilde_prefix(raw, rn))
            REPORT("tilde", D_BASH,
                   "'~' at the start or after ':': bash expands it to a home directory in an "
                   "assignment; the others keep it");
    } else {
        REPORT("quotes", D_DOCKER,
               "a quoted value: docker run --env-file keeps the quotes as part of the value");
        if (e->quote == ENV_QUOTE_DOUBLE && has_command_subst(raw, rn))
            REPORT("command-substitution", D_BASH,
                   "backticks or '$(' in double quotes: bash still executes the command (a "
                   "risk if the file is ever sourced); the others keep the text");
        if (e->value_span.end < s->f->len && d[e->value_span.end] == '#')
            REPORT("quote-hash", D_BASH,
                   "'#' right after the closing quote: bash does not start a comment there "
                   "(the '#' joins the value, and a word after a blank runs as a command)");
    }
    if (e->quote != ENV_QUOTE_SINGLE && has_special_param(raw, rn))
        REPORT("special-parameter", D_BASH,
               "'$' then a digit or one of ? ! # @ * -: bash expands a positional or special "
               "parameter; the others keep the text");
    if (e->flags & ENV_F_MULTILINE)
        REPORT("multiline", D_DOCKER,
               "a value over several lines: docker run reads line by line and breaks it");
    if (e->quote == ENV_QUOTE_DOUBLE && (e->flags & ENV_F_ESCAPES)) {
        /* bash decodes \\ \" \$ \` in double quotes and keeps the rest; python-dotenv decodes
         * \\ \' \" \a \b \f \n \r \t \v and keeps the rest (\$ too); node decodes only \n
         * and \r and keeps every other backslash */
        int bash = 0, py = 0, node = 0;
        for (size_t i = 0; i + 1 < rn; i++)
            if (raw[i] == '\\') {
                char x = raw[++i];
                bash |= strchr("\\\"$`", x) == NULL;
                py |= strchr("\\'\"abfnrtv", x) == NULL;
                node |= x != 'n' && x != 'r';
            }
        if (bash || py || node) {
            char how[256];
            (void)!snprintf(how, sizeof(how), "backslash escapes in double quotes are read differently "
                     "by%s%s%s (Compose decodes \\n \\t \\\" \\$ ...)",
                     bash ? " bash (keeps \\n, \\t as two characters)" : "",
                     py ? " python-dotenv (keeps \\$ and unknown escapes)" : "",
                     node ? " node dotenv (keeps every backslash but \\n, \\r)" : "");
            REPORT("double-escapes",
                   (bash ? D_BASH : 0) | (py ? D_PYTHON : 0) | (node ? D_NODE : 0), how);
        }
    }
    if (e->quote == ENV_QUOTE_SINGLE && has_str(raw, rn, "\\'"))
        REPORT("single-escape", D_BASH | D_NODE,
               "\\' inside single quotes: Compose and python-dotenv read a quote, node dotenv "
               "keeps the backslash, bash fails with a syntax error and loses the rest of the "
               "file");
    if (e->quote == ENV_QUOTE_SINGLE && has_str(raw, rn, "${"))
        REPORT("single-interpolation", D_PYTHON,
               "'${' in single quotes: python-dotenv still expands it (the others keep it)");
    if (e->quote != ENV_QUOTE_SINGLE && (e->flags & ENV_F_REFS)) {
        int unbraced = 0, other_op = 0;
        for (size_t k = 0; k < e->nrefs; k++) {
            unbraced |= !e->refs[k].braced;
            other_op |= e->refs[k].op[0] != '\0' && strcmp(e->refs[k].op, ":-") != 0;
        }
        REPORT("interpolation", D_DOCKER | D_NODE | (unbraced || other_op ? D_PYTHON : 0),
               unbraced ? "'$NAME' is expanded by Compose and bash only; python-dotenv expands "
                          "only ${NAME}, docker run and node dotenv keep the text"
               : other_op ? "a ${NAME?..} or ${NAME+..} form: python-dotenv knows only ${NAME} "
                            "and ${NAME:-default}; docker run and node dotenv keep the text"
                          : "${NAME} is expanded by Compose, bash and python-dotenv; docker run "
                            "and node dotenv keep the text");
    }
    if (e->quote != ENV_QUOTE_SINGLE && (e->flags & ENV_F_DOLLAR_ESC) && has_str(raw, rn, "$$"))
        REPORT("dollar-escape", D_DOCKER | D_BASH | D_PYTHON | D_NODE,
               "'$$': Compose reads one literal '$'; bash reads its process id, the others keep "
               "both characters");
#undef REPORT
    return rc;
}

int
env_portability_scan(const struct env_file *f, env_portability_fn cb, void *user)
{
    struct port_scan s = {f, cb, user};
    int rc = 0;

    if (f->has_bom)
        rc = report(&s, NULL, "bom", D_BASH | D_PYTHON, 1, 1,
                    "a byte order mark: Compose, docker run and node dotenv strip it; bash and "
                    "python-dotenv read it as part of the first key");
    for (size_t i = 0; i < f->n && rc == 0; i++)
        rc = scan_entry(&s, &f->entries[i]);
    return rc;
}

static int
dialect_list(unsigned dialects, char *out, size_t size)
{
    size_t o = 0;

    out[0] = '\0';
    for (int d = 1; d < ENV_DIALECT_COUNT; d++) {
        if (!(dialects & (1u << d)))
            continue;
        int n = snprintf(out + o, size - o, "%s%s", o ? ", " : "", env_dialect_name(d));
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
    return 0;
}

static int
to_finding(const struct env_portability *p, void *user)
{
    struct envcheck_ctx *c = user;
    char who[128];

    if (strcmp(p->id, "bom") == 0)
        return 0; /* ENV002 says it already */
    dialect_list(p->dialects, who, sizeof(who));
    return envcheck_emit(c, R_PORTABILITY, p->line, p->column, NULL, 0, "[%s] differs in %s: %s",
                         p->id, who, p->message);
}

int
envcheck_check_portability(struct envcheck_ctx *c)
{
    if (!envcheck_enabled(c, R_PORTABILITY))
        return 0;
    return env_portability_scan(c->f, to_finding, c);
}
