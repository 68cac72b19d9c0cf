/* rules: the table of every `secrets validate` rule (id, default severity, title, fix, aliases),
 * the options that tune them, the `[validate]` INI section, and the one way findings are added. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "envcheck.h"
#include "envcheck_internal.h"

#define VAULT_FIX "keep it in the vault (`secrets set NAME`) and mount it as a file read through " \
                  "NAME_FILE, or inject it at run time"

const struct rule_meta envcheck_rules[R_COUNT] = {
    [R_SYNTAX] = {"ENV001", SEV_HIGH, "syntax", "Statement that cannot be parsed",
                  "fix the line as docs/env-grammar.md says; Compose refuses the whole file", NULL},
    [R_BOM] = {"ENV002", SEV_LOW, "portability", "UTF-8 byte order mark",
               "save the file as UTF-8 without a BOM", NULL},
    [R_CRLF] = {"ENV003", SEV_LOW, "portability", "CRLF line endings",
                "convert to LF line endings (dos2unix)", NULL},
    [R_ENCODING] = {"ENV004", SEV_MEDIUM, "syntax", "Invalid UTF-8 or NUL bytes",
                    "store the file as UTF-8 text", NULL},
    [R_PORTABILITY] = {"ENV010", SEV_LOW, "portability",
                       "Line read differently by other .env readers",
                       "quote or rewrite the value so every reader agrees (docs/env-grammar.md)",
                       NULL},
    [R_WEAK] = {"ENV100", SEV_HIGH, "secret", "Weak secret value",
                "generate a strong value (`secrets generate`) and " VAULT_FIX, NULL},
    [R_SHORT] = {"ENV101", SEV_MEDIUM, "secret", "Short secret value",
                 "use at least 16 random characters (`secrets generate --length 32`)", NULL},
    [R_PLAINTEXT] = {"ENV102", SEV_MEDIUM, "secret", "Plaintext secret in a .env file",
                     VAULT_FIX, NULL},
    [R_COMMITTED_KEY] = {"ENV103", SEV_CRITICAL, "secret", "Private key or provider token",
                         "revoke the credential now, then " VAULT_FIX,
                         "gitleaks,secretlint,detect-secrets"},
    [R_PLACEHOLDER] = {"ENV104", SEV_MEDIUM, "secret", "Placeholder value left in",
                       "set a real value (or remove the key) before deploying", NULL},
    [R_GIT_TRACKED] = {"ENV110", SEV_CRITICAL, "hygiene", "The .env file is tracked by git",
                       "`git rm --cached FILE`, add it to .gitignore, rotate every secret in it",
                       NULL},
    [R_GIT_HISTORY] = {"ENV111", SEV_HIGH, "hygiene", "The .env file is in the git history",
                       "rotate every secret it ever held; rewrite history (git filter-repo) if "
                       "the repository is shared",
                       NULL},
    [R_GIT_NOT_IGNORED] = {"ENV112", SEV_HIGH, "hygiene", "The .env file is not ignored by git",
                           "add it to .gitignore", "dotenv-diff:gitignore"},
    [R_DOCKERIGNORE] = {"ENV113", SEV_HIGH, "hygiene",
                        "The .env file is sent into a Docker build context",
                        "add it to the .dockerignore next to the Dockerfile", NULL},
    [R_PERM_READ] = {"ENV114", SEV_MEDIUM, "hygiene",
                     "The .env file is readable by group or others", "chmod 600 FILE", NULL},
    [R_PERM_WRITE] = {"ENV115", SEV_HIGH, "hygiene", "The .env file is writable by others",
                      "chmod 600 FILE", NULL},
    [R_BACKUP] = {"ENV116", SEV_MEDIUM, "hygiene", "Backup copy of the .env file beside it",
                  "delete the copy (it holds the same secrets) or move it out of the tree", NULL},
    [R_EXAMPLE_MISSING] = {"ENV120", SEV_MEDIUM, "consistency",
                           "Key of the example file missing from the .env",
                           "add the key, or remove it from the example", "dotenv-linter:diff"},
    [R_EXAMPLE_EXTRA] = {"ENV121", SEV_LOW, "consistency", "Key not in the example file",
                         "document the key in the example file (with a placeholder value)",
                         "dotenv-linter:diff"},
    [R_DUPLICATED_KEY] = {"ENV200", SEV_LOW, "lint", "Duplicated key",
                          "keep one definition (the last one wins in most readers)",
                          "dotenv-linter:DuplicatedKey"},
    [R_LOWERCASE_KEY] = {"ENV201", SEV_INFO, "lint", "Lowercase key", "use an uppercase key",
                         "dotenv-linter:LowercaseKey"},
    [R_INCORRECT_DELIMITER] = {"ENV202", SEV_LOW, "lint", "Key with an incorrect delimiter",
                               "use only letters, digits and '_' in keys",
                               "dotenv-linter:IncorrectDelimiter"},
    [R_LEADING_CHARACTER] = {"ENV203", SEV_LOW, "lint", "Invalid leading character",
                             "start the line with a letter or '_'",
                             "dotenv-linter:LeadingCharacter"},
    [R_KEY_WITHOUT_VALUE] = {"ENV204", SEV_LOW, "lint", "Key without a value",
                             "add '=' (and a value)", "dotenv-linter:KeyWithoutValue"},
    [R_QUOTE_CHARACTER] = {"ENV205", SEV_INFO, "lint", "Unneeded quote characters",
                           "drop the quotes", "dotenv-linter:QuoteCharacter"},
    [R_SPACE_CHARACTER] = {"ENV206", SEV_LOW, "lint", "Spaces around '='",
                           "remove the spaces around '='", "dotenv-linter:SpaceCharacter"},
    [R_SUBSTITUTION_KEY] = {"ENV207", SEV_LOW, "lint", "Malformed variable reference",
                            "write references as ${NAME} (Compose refuses a broken one)",
                            "dotenv-linter:SubstitutionKey"},
    [R_TRAILING_WHITESPACE] = {"ENV208", SEV_INFO, "lint", "Trailing whitespace",
                               "remove the trailing spaces", "dotenv-linter:TrailingWhitespace"},
    [R_UNORDERED_KEY] = {"ENV209", SEV_INFO, "lint", "Keys not in alphabetical order",
                         "sort the keys within each group", "dotenv-linter:UnorderedKey"},
    [R_VALUE_WITHOUT_QUOTES] = {"ENV210", SEV_LOW, "lint", "Value with spaces needs quotes",
                                "quote the value", "dotenv-linter:ValueWithoutQuotes"},
    [R_EXTRA_BLANK_LINE] = {"ENV211", SEV_INFO, "lint", "Extra blank line",
                            "remove the extra blank line", "dotenv-linter:ExtraBlankLine"},
    [R_ENDING_BLANK_LINE] = {"ENV212", SEV_INFO, "lint", "No newline at the end of the file",
                             "end the file with a newline", "dotenv-linter:EndingBlankLine"},
    [R_SCHEMA] = {"ENV213", SEV_MEDIUM, "lint", "Key or value not allowed by the schema",
                  "follow the schema given with --schema (or change the schema)",
                  "dotenv-linter:SchemaViolation"},
};

const char *const envcheck_rule_names[R_COUNT] = {
    [R_SYNTAX] = "syntax-error",
    [R_BOM] = "byte-order-mark",
    [R_CRLF] = "crlf",
    [R_ENCODING] = "encoding",
    [R_PORTABILITY] = "portability",
    [R_WEAK] = "weak-value",
    [R_SHORT] = "short-value",
    [R_PLAINTEXT] = "plaintext-secret",
    [R_COMMITTED_KEY] = "committed-key",
    [R_PLACEHOLDER] = "placeholder",
    [R_GIT_TRACKED] = "git-tracked",
    [R_GIT_HISTORY] = "git-history",
    [R_GIT_NOT_IGNORED] = "git-not-ignored",
    [R_DOCKERIGNORE] = "dockerignore",
    [R_PERM_READ] = "permissions-read",
    [R_PERM_WRITE] = "permissions-write",
    [R_BACKUP] = "backup-copy",
    [R_EXAMPLE_MISSING] = "example-missing-key",
    [R_EXAMPLE_EXTRA] = "example-extra-key",
    [R_DUPLICATED_KEY] = "duplicated-key",
    [R_LOWERCASE_KEY] = "lowercase-key",
    [R_INCORRECT_DELIMITER] = "incorrect-delimiter",
    [R_LEADING_CHARACTER] = "leading-character",
    [R_KEY_WITHOUT_VALUE] = "key-without-value",
    [R_QUOTE_CHARACTER] = "quote-character",
    [R_SPACE_CHARACTER] = "space-character",
    [R_SUBSTITUTION_KEY] = "substitution-key",
    [R_TRAILING_WHITESPACE] = "trailing-whitespace",
    [R_UNORDERED_KEY] = "unordered-key",
    [R_VALUE_WITHOUT_QUOTES] = "value-without-quotes",
    [R_EXTRA_BLANK_LINE] = "extra-blank-line",
    [R_ENDING_BLANK_LINE] = "ending-blank-line",
    [R_SCHEMA] = "schema-violation",
};

size_t
envcheck_rule_count(void)
{
    return R_COUNT;
}

const struct rule_meta *
envcheck_rule_at(size_t i)
{
    return i < R_COUNT ? &envcheck_rules[i] : NULL;
}

/* dotenv-linter's names (DuplicatedKey ...) are accepted too: compare ignoring '-' and case. */
static int
name_eq(const char *a, const char *b, size_t blen)
{
    size_t j = 0;

    for (; *a != '\0'; a++) {
        if (*a == '-')
            continue;
        while (j < blen && (b[j] == '-' || b[j] == '_'))
            j++;
        if (j >= blen || tolower((unsigned char)*a) != tolower((unsigned char)b[j]))
            return 0;
        j++;
    }
    while (j < blen && (b[j] == '-' || b[j] == '_'))
        j++;
    return j == blen;
}

int
envcheck_rule_find(const char *name, size_t len)
{
    for (int i = 0; i < R_COUNT; i++) {
        if (strlen(envcheck_rules[i].id) == len &&
            strncasecmp(envcheck_rules[i].id, name, len) == 0)
            return i;
        if (name_eq(envcheck_rule_names[i], name, len))
            return i;
    }
    /* dotenv-linter names that differ from ours */
    if (name_eq("ValueWithoutQuotes", name, len))
        return R_VALUE_WITHOUT_QUOTES;
    return -1;
}

struct envcheck_config *
envcheck_config_new(void)
{
    struct envcheck_config *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    for (int i = 0; i < R_COUNT; i++)
        c->severity[i] = -1;
    c->min_length = 16;
    c->min_bits = 40.0;
    c->max_per_rule = ENVCHECK_MAX_PER_RULE;
    c->max_per_file = ENVCHECK_MAX_PER_FILE;
    return c;
}

void
envcheck_config_free(struct envcheck_config *c)
{
    if (c == NULL)
        return;
    free(c->example);
    envcheck_schema_free(c->schema);
    for (size_t i = 0; i < c->nsecret_names; i++)
        free(c->secret_names[i]);
    free(c);
}

int
envcheck_config_disable(struct envcheck_config *c, const char *rule_id, int disabled)
{
    int r = envcheck_rule_find(rule_id, strlen(rule_id));

    if (r < 0)
        return err_set(ERR_USAGE, "unknown rule '%s'", rule_id);
    c->disabled[r] = disabled ? 1 : 0;
    return 0;
}

int
envcheck_config_severity(struct envcheck_config *c, const char *rule_id, enum severity s)
{
    int r = envcheck_rule_find(rule_id, strlen(rule_id));

    if (r < 0)
        return err_set(ERR_USAGE, "unknown rule '%s'", rule_id);
    c->severity[r] = (int)s;
    return 0;
}

void
envcheck_config_example(struct envcheck_config *c, const char *example_path)
{
    free(c->example);
    c->example = xstrdup_or_null(example_path);
}

/* Calls fn on each item of a comma/space separated list. */
static int
each_item(const char *list, int (*fn)(struct envcheck_config *, const char *, size_t),
          struct envcheck_config *c)
{
    const char *p = list;
    int rc;

    while (*p != '\0') {
        size_t n;
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        n = strcspn(p, ", \t");
        if (n > 0 && (rc = fn(c, p, n)) < 0)
            return rc;
        p += n;
    }
    return 0;
}

static int
disable_item(struct envcheck_config *c, const char *s, size_t n)
{
    int r = envcheck_rule_find(s, n);

    if (r < 0)
        return err_set(ERR_USAGE, "unknown rule '%.*s'", (int)n, s);
    c->disabled[r] = 1;
    return 0;
}

static int
enable_item(struct envcheck_config *c, const char *s, size_t n)
{
    int r = envcheck_rule_find(s, n);

    if (r < 0)
        return err_set(ERR_USAGE, "unknown rule '%.*s'", (int)n, s);
    c->disabled[r] = 0;
    return 0;
}

static int
secret_name_item(struct envcheck_config *c, const char *s, size_t n)
{
    char *x;

    if (c->nsecret_names >= ENVCHECK_MAX_SECRET_NAMES)
        return err_set(ERR_LIMIT, "more than %d secret_names", ENVCHECK_MAX_SECRET_NAMES);
    if ((x = strndup(s, n)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (char *q = x; *q != '\0'; q++)
        *q = (char)toupper((unsigned char)*q);
    c->secret_names[c->nsecret_names++] = x;
    return 0;
}

int
envcheck_config_set(struct envcheck_config *c, const char *name, const char *value)
{
    char *end;

    if (strcmp(name, "min_length") == 0) {
        unsigned long v = strtoul(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v > 4096)
            return err_set(ERR_USAGE, "min_length: '%s' is not a number from 0 to 4096", value);
        c->min_length = v;
        return 0;
    }
    if (strcmp(name, "max_findings_per_rule") == 0 || strcmp(name, "max_findings") == 0) {
        unsigned long v = strtoul(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < 1 || v > 10000000)
            return err_set(ERR_USAGE, "%s: '%s' is not a number from 1 to 10000000", name, value);
        if (name[12] == '_')
            c->max_per_rule = v;
        else
            c->max_per_file = v;
        return 0;
    }
    if (strcmp(name, "schema") == 0) {
        struct envcheck_schema *sc;
        int rc = envcheck_schema_load(value, &sc);
        if (rc < 0)
            return rc;
        envcheck_schema_free(c->schema);
        c->schema = sc;
        return 0;
    }
    if (strcmp(name, "min_strength_bits") == 0) {
        double v = strtod(value, &end);
        if (*value == '\0' || *end != '\0' || !(v >= 0.0 && v <= 1000.0))
            return err_set(ERR_USAGE, "min_strength_bits: '%s' is not a number from 0 to 1000",
                           value);
        c->min_bits = v;
        return 0;
    }
    if (strcmp(name, "disable") == 0)
        return each_item(value, disable_item, c);
    if (strcmp(name, "enable") == 0)
        return each_item(value, enable_item, c);
    if (strcmp(name, "secret_names") == 0)
        return each_item(value, secret_name_item, c);
    if (strcmp(name, "example") == 0) {
        envcheck_config_example(c, value);
        return c->example == NULL ? err_set(ERR_NOMEM, "out of memory") : 0;
    }
    if (strcmp(name, "no_example") == 0) {
        c->no_example = strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
                        strcmp(value, "yes") == 0;
        return 0;
    }
    if (strncmp(name, "severity.", 9) == 0) {
        int s = severity_parse(value);
        if (strcmp(value, "off") == 0)
            return envcheck_config_disable(c, name + 9, 1);
        if (s < 0)
            return err_set(ERR_USAGE, "%s: unknown severity '%s'", name, value);
        return envcheck_config_severity(c, name + 9, (enum severity)s);
    }
    return err_set(ERR_USAGE, "unknown setting '%s'", name);
}

static int
ini_handler(void *user, const char *section, const char *key, const char *value)
{
    if (strcmp(section, "validate") != 0)
        return 0; /* other commands' sections */
    return envcheck_config_set(user, key, value);
}

int
envcheck_config_load(struct envcheck_config *c, const char *ini_path)
{
    return config_load(ini_path, ini_handler, c);
}

int
envcheck_enabled(const struct envcheck_ctx *c, enum envcheck_rule r)
{
    return !c->cfg->disabled[r];
}

void
envcheck_redact(const char *s, size_t n, char *out, size_t outsz)
{
    /* A short value would be half given away by 4 characters: show a quarter of it at most. */
    size_t show = n / 4 < 4 ? n / 4 : 4, o = 0;

    for (size_t i = 0; i < show && o + 1 < outsz; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (o < outsz)
        snprintf(out + o, outsz - o, "…(%zu chars)", n);
}

/* Is the rule ignored for `line` by a `secrets:ignore` comment on it or on the line above? */
static int
ignore_list_covers(const char *p, const char *end, enum envcheck_rule r)
{
    int any = 0;

    while (p < end) {
        size_t n;
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t' || *p == '='))
            p++;
        n = 0;
        while (p + n < end && p[n] != ' ' && p[n] != ',' && p[n] != '\t' && p[n] != '\r' &&
               p[n] != '\n')
            n++;
        if (n == 0)
            break;
        int k = envcheck_rule_find(p, n);
        if (k < 0)
            break; /* free text after the marker: stop reading ids */
        any = 1;
        if (k == (int)r)
            return 1;
        p += n;
    }
    return !any;
}

static int
line_ignores(const struct envcheck_ctx *c, int line, int whole_line_only, enum envcheck_rule r)
{
    static const char marker[] = "secrets:ignore";
    const char *s, *e, *hash, *m;

    if (line < 1 || line > c->nlines)
        return 0;
    s = c->f->data + c->line_off[line];
    e = c->f->data + c->line_off[line + 1];
    if ((hash = memchr(s, '#', (size_t)(e - s))) == NULL)
        return 0;
    if (whole_line_only) {
        for (const char *q = s; q < hash; q++)
            if (*q != ' ' && *q != '\t')
                return 0;
    }
    m = memmem(hash, (size_t)(e - hash), marker, sizeof(marker) - 1);
    if (m == NULL)
        return 0;
    return ignore_list_covers(m + sizeof(marker) - 1, e, r);
}

static int
emit_va(struct envcheck_ctx *c, enum envcheck_rule r, int line, int column,
        const struct finding_extra *base, const char *fmt, va_list ap)
{
    struct location loc;
    struct finding_extra extra = *base;
    char msg[1024];

    if (c->cfg->disabled[r])
        return 0;
    if (c->nctl > 0 && r >= R_DUPLICATED_KEY && r <= R_LAST_LINT && envcheck_control_off(c, r, line))
        return 0;
    if (line > 0 && c->line_off != NULL && c->has_ignore &&
        (line_ignores(c, line, 0, r) || line_ignores(c, line - 1, 1, r)))
        return 0;
    /* file-level findings (line 0: git, permissions, the example) only count against the
     * per-rule cap: a flood of line findings must not hide them */
    if (c->listed[r] >= c->cfg->max_per_rule ||
        (line > 0 && c->listed_total >= c->cfg->max_per_file)) {
        int sev = c->cfg->severity[r] >= 0       ? c->cfg->severity[r]
                  : base->override_severity ? (int)base->severity
                                            : (int)envcheck_rules[r].severity;
        if (c->dropped[r]++ == 0 || sev > c->dropped_sev[r])
            c->dropped_sev[r] = sev;
        return 0;
    }
    c->listed[r]++;
    c->listed_total++;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    memset(&loc, 0, sizeof(loc));
    loc.path = c->path;
    loc.line = line;
    loc.column = column;
    loc.layer_index = -1;
    extra.target = c->path;
    if (c->cfg->severity[r] >= 0) {
        extra.override_severity = 1;
        extra.severity = (enum severity)c->cfg->severity[r];
    }
    return findings_add_msg(c->out, &envcheck_rules[r], &loc, &extra, msg);
}

int
envcheck_emit(struct envcheck_ctx *c, enum envcheck_rule r, int line, int column,
              const char *secret, size_t secret_len, const char *fmt, ...)
{
    struct finding_extra extra;
    char red[64];
    va_list ap;
    int rc;

    memset(&extra, 0, sizeof(extra));
    if (secret != NULL) {
        envcheck_redact(secret, secret_len, red, sizeof(red));
        extra.secret_redacted = red;
    }
    va_start(ap, fmt);
    rc = emit_va(c, r, line, column, &extra, fmt, ap);
    va_end(ap);
    return rc;
}

int
envcheck_emit_extra(struct envcheck_ctx *c, enum envcheck_rule r, int line, int column,
                    const struct finding_extra *extra, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = emit_va(c, r, line, column, extra, fmt, ap);
    va_end(ap);
    return rc;
}

int
envcheck_emit_summaries(struct envcheck_ctx *c)
{
    for (int r = 0; r < R_COUNT; r++) {
        struct finding_extra extra;
        struct location loc;
        int rc;

        if (c->dropped[r] == 0)
            continue;
        memset(&extra, 0, sizeof(extra));
        memset(&loc, 0, sizeof(loc));
        loc.path = c->path;
        loc.layer_index = -1;
        extra.target = c->path;
        extra.override_severity = 1;
        extra.severity = (enum severity)c->dropped_sev[r];
        rc = findings_add(c->out, &envcheck_rules[r], &loc, &extra,
                          "%zu more %s finding%s in this file not listed (at most %zu per rule "
                          "and %zu per file are; the INI settings max_findings_per_rule and "
                          "max_findings change that)",
                          c->dropped[r], envcheck_rules[r].id, c->dropped[r] == 1 ? "" : "s",
                          c->cfg->max_per_rule, c->cfg->max_per_file);
        if (rc < 0)
            return rc;
    }
    return 0;
}
