/* hygiene: the secret rules of `secrets validate`: placeholders, denylisted and patterned values,
 * zxcvbn's estimate, short values, plaintext secrets, and keys or tokens the detector finds.
 * Cheap checks run first: zxcvbn rates `your_api_key_here` as strong. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zxcvbn.h>

#include "envcheck.h"
#include "envcheck_internal.h"

#ifndef ENVCHECK_NO_DETECT
#include "detect.h"
#endif

/* Parts of a name that say it holds a secret. */
static const char *const secret_parts[] = {
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY",
    "PRIVATEKEY", "CREDENTIAL", "ACCESS_KEY", "AUTH_KEY", "SIGNING_KEY", "ENCRYPTION_KEY",
    "MASTER_KEY", "CLIENT_KEY", "SESSION_KEY", "SECRET_KEY", "JWT_KEY", "DB_PASS", "_PWD",
    "_PASS", NULL};
/* Endings of names that point at a secret, or describe one, rather than hold it. */
static const char *const not_secret_suffixes[] = {
    "_FILE", "_PATH", "_DIR", "_URL", "_URI", "_ENDPOINT", "_NAME", "_USER", "_USERNAME", "_ID",
    "_LENGTH", "_LEN", "_SIZE", "_TTL", "_EXPIRY", "_EXPIRES", "_EXPIRATION", "_TIMEOUT",
    "_ALGORITHM", "_ALG", "_TYPE", "_ENABLED", "_HEADER", "_HOST", "_PORT", "_FIELD", "_PARAM",
    "_PREFIX", "_COUNT", "_MIN", "_MAX", "_POLICY", "_REGEX", "_PATTERN", "_VERSION", "_CMD",
    "_COMMAND", "_REQUIRED", "_RESET", "_ROTATION", "_LIFETIME", "_AGE", NULL};

int
envcheck_name_is_secret(const struct envcheck_config *cfg, const char *name, size_t len)
{
    static const char *const anchors[] = {"PASS", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "PWD",
                                          NULL};
    char up[256];
    int hit = 0, anchored = 0;

    if (len == 0 || len >= sizeof(up))
        return 0;
    for (size_t i = 0; i < len; i++)
        up[i] = name[i] == '-' || name[i] == '.' ? '_' : (char)toupper((unsigned char)name[i]);
    up[len] = '\0';
    /* most keys hold none of these: one cheap pass rejects them (strncmp at the few
     * positions whose letter starts an anchor; strstr per anchor was a tenth of the time) */
    for (size_t i = 0; i < len && !anchored; i++) {
        char ch = up[i];
        if (ch != 'P' && ch != 'S' && ch != 'T' && ch != 'K' && ch != 'C')
            continue;
        for (int k = 0; anchors[k] != NULL && !anchored; k++)
            anchored = anchors[k][0] == ch && strncmp(up + i, anchors[k], strlen(anchors[k])) == 0;
    }
    for (int i = 0; anchored && secret_parts[i] != NULL && !hit; i++) {
        const char *p = strstr(up, secret_parts[i]);
        /* "_PWD"/"_PASS" only as a whole word at the end or before '_' */
        if (p != NULL && secret_parts[i][0] == '_') {
            size_t k = strlen(secret_parts[i]);
            hit = p[k] == '\0' || p[k] == '_';
        } else {
            hit = p != NULL;
        }
    }
    if (!hit && (strcmp(up, "PASS") == 0 || strcmp(up, "TOKEN") == 0))
        hit = 1;
    for (size_t i = 0; cfg != NULL && i < cfg->nsecret_names && !hit; i++)
        hit = strstr(up, cfg->secret_names[i]) != NULL;
    if (!hit || strstr(up, "PUBLIC") != NULL || strstr(up, "PUBLISHABLE") != NULL)
        return 0;
    for (int i = 0; not_secret_suffixes[i] != NULL; i++) {
        size_t k = strlen(not_secret_suffixes[i]);
        if (len > k && memcmp(up + len - k, not_secret_suffixes[i], k) == 0)
            return 0;
    }
    return 1;
}

static const char *const placeholder_words[] = {
    "your_", "your-", "yourpass", "yourtoken", "yoursecret", "yourkey", "_here", "-here",
    " here", "example", "placeholder", "dummy", "sample", "replace", "insert", "fixme", "todo",
    "tbd", "xxx", "redacted", "fill_me", "fill-me", "fillme", "set_me", "set-me", "setme",
    "enter_", "enter-", "put_", "put-", "not_set", "notset", "<", ">", "{{", NULL};

int
envcheck_is_placeholder(const char *v, size_t n)
{
    char low[512];
    size_t same = 1;

    if (n == 0)
        return 0;
    if (n >= sizeof(low))
        n = sizeof(low) - 1;
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)tolower((unsigned char)v[i]);
        same += i > 0 && v[i] == v[0];
    }
    low[n] = '\0';
    if (same == n && strchr("*xX.-_#?", v[0]) != NULL)
        return 1;
    if (n >= 2 && ((v[0] == '%' && v[n - 1] == '%') || (v[0] == '@' && v[n - 1] == '@') ||
                   (v[0] == '[' && v[n - 1] == ']')))
        return 1;
    if (strcmp(low, "none") == 0 || strcmp(low, "null") == 0 || strcmp(low, "nil") == 0 ||
        strcmp(low, "undefined") == 0 || strcmp(low, "empty") == 0 || strcmp(low, "secret_value") == 0)
        return 1;
    for (int i = 0; placeholder_words[i] != NULL; i++)
        if (strstr(low, placeholder_words[i]) != NULL)
            return 1;
    return 0;
}

/* Common and default passwords, lower case. Compared exactly, then after undoing l33t
 * substitutions and dropping separators and trailing digits ("P@ssw0rd!", "admin123"). */
static const char *const denylist[] = {
    "changeme", "changeit", "password", "passwd", "pass", "admin", "administrator", "secret",
    "123456", "1234567", "12345678", "123456789", "1234567890", "12345", "1234", "root", "toor",
    "postgres", "postgresql", "mysql", "mariadb", "letmein", "qwerty", "qwertyuiop", "welcome",
    "default", "guest", "test", "testing", "demo", "master", "abc123", "iloveyou", "monkey",
    "dragon", "111111", "000000", "trustno1", "sunshine", "login", "user", "oracle", "redis",
    "rabbitmq", "minioadmin", "mongo", "mongodb", "elastic", "changeme", "secretkey", "token",
    "apikey", "superuser", "super", "private", "sa", "temp", "temporary", "access", "hello",
    "football", "baseball", "princess", "shadow", "starwars", "whatever", "mypassword",
    "mysecret", "supersecret", "topsecret", "s3cr3t", "django", "rails", "laravel", "wordpress",
    "jenkins", "docker", "kubernetes", "ubuntu", "debian", "raspberry", "vagrant", "openssl",
    NULL};

static int
in_denylist(const char *s)
{
    for (int i = 0; denylist[i] != NULL; i++)
        if (strcmp(s, denylist[i]) == 0)
            return 1;
    return 0;
}

int
envcheck_is_denylisted(const char *v, size_t n)
{
    char low[128], norm[128];
    size_t o = 0;

    if (n == 0 || n >= sizeof(low))
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)v[i]);
    low[n] = '\0';
    if (in_denylist(low))
        return 1;
    /* strip trailing digits and symbols, then undo l33t */
    while (n > 0 && !isalpha((unsigned char)low[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++) {
        char ch = low[i];
        switch (ch) {
        case '0': ch = 'o'; break;
        case '1': ch = 'i'; break;
        case '3': ch = 'e'; break;
        case '4': case '@': ch = 'a'; break;
        case '5': case '$': ch = 's'; break;
        case '7': ch = 't'; break;
        default: break;
        }
        if (isalnum((unsigned char)ch))
            norm[o++] = ch;
    }
    norm[o] = '\0';
    return o > 0 && in_denylist(norm);
}

int
envcheck_is_repetitive(const char *v, size_t n)
{
    static const char *const runs[] = {"0123456789", "abcdefghijklmnopqrstuvwxyz",
                                       "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc",
                                       NULL};
    char low[128];
    int up = 1, down = 1;

    if (n < 4)
        return n > 0;
    /* a period of at most n/2 repeated over the whole value: "aaaa", "abab", "abcabc" */
    for (size_t p = 1; p <= n / 2; p++) {
        size_t i = p;
        while (i < n && v[i] == v[i - p])
            i++;
        if (i == n)
            return 1;
    }
    for (size_t i = 1; i < n; i++) {
        up &= (unsigned char)v[i] == (unsigned char)v[i - 1] + 1;
        down &= (unsigned char)v[i] + 1 == (unsigned char)v[i - 1];
    }
    if (up || down)
        return 1;
    if (n < sizeof(low)) {
        for (size_t i = 0; i < n; i++)
            low[i] = (char)tolower((unsigned char)v[i]);
        low[n] = '\0';
        for (int i = 0; runs[i] != NULL; i++)
            if (strstr(runs[i], low) != NULL)
                return 1;
    }
    return 0;
}

double
envcheck_strength_bits(const char *value)
{
    return ZxcvbnMatch(value, NULL, NULL);
}

/* `scheme://user:password@host`: the password's offset and length in v, or 0. */
static int
url_password(const char *v, size_t n, size_t *off, size_t *len)
{
    const char *sch = memchr(v, ':', n) != NULL ? memmem(v, n, "://", 3) : NULL;
    const char *at, *colon, *end;

    if (sch == NULL)
        return 0;
    sch += 3;
    end = v + n;
    for (const char *p = sch; p < end; p++)
        if (*p == '/' || *p == '?' || *p == '#') {
            end = p;
            break;
        }
    at = NULL;
    for (const char *p = end; p-- > sch;)
        if (*p == '@') {
            at = p;
            break;
        }
    if (at == NULL || (colon = memchr(sch, ':', (size_t)(at - sch))) == NULL || colon + 1 >= at)
        return 0;
    *off = (size_t)(colon + 1 - v);
    *len = (size_t)(at - colon - 1);
    return 1;
}

/* Long, with three character classes and many distinct characters: zxcvbn cannot rate such a
 * value under any sane threshold (words and patterns repeat characters), and at about 90 us a
 * call here it is the cost that matters on big files. */
static int
clearly_random(const char *v, size_t n)
{
    unsigned char seen[256] = {0};
    int lower = 0, upper = 0, digit = 0, other = 0;
    size_t distinct = 0;

    if (n < 20)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        distinct += !seen[ch];
        seen[ch] = 1;
        if (ch >= 'a' && ch <= 'z')
            lower = 1;
        else if (ch >= 'A' && ch <= 'Z')
            upper = 1;
        else if (ch >= '0' && ch <= '9')
            digit = 1;
        else
            other = 1;
    }
    return lower + upper + digit + other >= 3 && distinct >= 14;
}

/* Weak or placeholder? Emits at most one of ENV104 / ENV100; returns 1 when one fired. */
static int
check_value_strength(struct envcheck_ctx *c, const struct env_entry *e, const char *v, size_t n,
                     const char *what, int *rc)
{
    int l = e->value_span.line, col = e->value_span.column;
    double bits;

    if (envcheck_is_placeholder(v, n)) {
        *rc = envcheck_emit(c, R_PLACEHOLDER, l, col, NULL, 0,
                            "%s: %s looks like a placeholder, not a real value", e->key, what);
        return 1;
    }
    if (envcheck_is_denylisted(v, n)) {
        *rc = envcheck_emit(c, R_WEAK, l, col, v, n,
                            "%s: %s is a common or default password", e->key, what);
        return 1;
    }
    if (envcheck_is_repetitive(v, n)) {
        *rc = envcheck_emit(c, R_WEAK, l, col, v, n,
                            "%s: %s is repeated or sequential characters", e->key, what);
        return 1;
    }
    if (!envcheck_enabled(c, R_WEAK) || clearly_random(v, n))
        return 0;
    /* zxcvbn reads a C string: a value with a NUL cannot be rated (and is not "weak") */
    if (memchr(v, '\0', n) != NULL)
        return 0;
    if (v[n] == '\0') {
        bits = envcheck_strength_bits(v);
    } else {
        char tmp[512];
        if (n >= sizeof(tmp))
            return 0;
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        bits = envcheck_strength_bits(tmp);
        explicit_bzero(tmp, sizeof(tmp));
    }
    if (bits < c->cfg->min_bits) {
        *rc = envcheck_emit(c, R_WEAK, l, col, v, n,
                            "%s: %s is guessable (zxcvbn estimate %.0f bits, under %.0f)", e->key,
                            what, bits, c->cfg->min_bits);
        return 1;
    }
    return 0;
}

static int
check_secret_entry(struct envcheck_ctx *c, const struct env_entry *e)
{
    int l = e->value_span.line, col = e->value_span.column, rc = 0;
    size_t poff, plen;

    if ((e->flags & ENV_F_NO_EQUALS) || e->value_len == 0 || e->nrefs > 0)
        return 0;
    if (envcheck_name_is_secret(c->cfg, e->key, e->key_len)) {
        if (check_value_strength(c, e, e->value, e->value_len, "the value", &rc))
            return rc;
        if (e->value_len < c->cfg->min_length &&
            (rc = envcheck_emit(c, R_SHORT, l, col, e->value, e->value_len,
                                "%s: the value has %zu characters (under %zu)", e->key,
                                e->value_len, c->cfg->min_length)) < 0)
            return rc;
        return envcheck_emit(c, R_PLAINTEXT, l, col, e->value, e->value_len,
                             "%s holds a secret in plain text: keep it in the vault (secrets set) "
                             "and give the service %s_FILE, a path to a mounted secret file",
                             e->key, e->key);
    }
    if (url_password(e->value, e->value_len, &poff, &plen)) {
        const char *pw = e->value + poff;
        if (plen > 0 && pw[0] == '$')
            return 0; /* a reference inside the URL */
        if (check_value_strength(c, e, pw, plen, "the password in the URL", &rc))
            return rc;
        return envcheck_emit(c, R_PLAINTEXT, l, col, pw, plen,
                             "%s: the URL holds a password in plain text", e->key);
    }
    return 0;
}

/* ---- Committed keys: the detection engine on every value ------------------------------ */
/* A PEM private key block in a value (also what is left when the detector is not built in, or
 * does not take a short test key as one). */
static int
has_pem_private_key(const struct env_entry *e)
{
    const char *b = e->value_len < 27 || memchr(e->value, '-', e->value_len) == NULL
                        ? NULL
                        : memmem(e->value, e->value_len, "-----BEGIN ", 11);

    return b != NULL &&
           memmem(b, e->value_len - (size_t)(b - e->value), "PRIVATE KEY-----", 16) != NULL;
}

static int
emit_pem(struct envcheck_ctx *c, const struct env_entry *e)
{
    return envcheck_emit(c, R_COMMITTED_KEY, e->value_span.line, e->value_span.column, e->value,
                         e->value_len, "%s: a private key (PEM block)", e->key);
}

#ifndef ENVCHECK_NO_DETECT
struct key_scan {
    struct envcheck_ctx *c;
    const struct env_entry *e;
    int hits;
};

static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct key_scan *ks = user;
    const struct env_entry *e = ks->e;
    struct finding_extra extra;
    int line = e->value_span.line, col = e->value_span.column;

    /* name = value guesses are this module's own rules (ENV100-ENV102); keep formats only */
    if (hit->is_generic)
        return 0;
    ks->hits++;
    /* offsets are in the decoded value: exact on the first line of an unquoted one */
    if (hit->line > 1)
        line += hit->line - 1;
    else if (e->quote == ENV_QUOTE_NONE)
        col += hit->column - 1;
    memset(&extra, 0, sizeof(extra));
    extra.secret_redacted = hit->redacted;
    extra.secret_fingerprint = hit->fingerprint;
    if (hit->is_example) {
        extra.override_severity = 1;
        extra.severity = SEV_INFO;
    }
    return envcheck_emit_extra(ks->c, R_COMMITTED_KEY, line, col, &extra,
                               "%s: %s%s (%s, detector rule %s)", e->key,
                               hit->rule != NULL && hit->rule->title != NULL ? hit->rule->title
                                                                            : "secret",
                               hit->is_example ? ", a documented example key" : "",
                               hit->provider != NULL ? hit->provider : "generic",
                               hit->rule != NULL ? hit->rule->id : "?");
}

/* The detector on every decoded value (escapes undone, so a PEM block in "\n" form is whole);
 * values alone, so its name = value rules stay quiet and the work stays small. */
static int
check_committed_keys(struct envcheck_ctx *c)
{
    struct detect_engine *eng = c->engine;
    int rc = 0;

    if (!envcheck_enabled(c, R_COMMITTED_KEY))
        return 0;
    if (eng == NULL) { /* opened once, for every chunk; envcheck_hygiene_close closes it */
        if ((rc = detect_open(&eng)) < 0)
            return rc;
        c->engine = eng;
    }
    for (size_t i = 0; i < c->f->n && rc >= 0; i++) {
        struct key_scan ks = {c, &c->f->entries[i], 0};
        if (ks.e->value_len < 8)
            continue; /* no key or token is shorter */
        rc = detect_scan(eng, ks.e->value, ks.e->value_len, on_hit, &ks);
        if (rc >= 0 && ks.hits == 0 && has_pem_private_key(ks.e))
            rc = emit_pem(c, ks.e);
    }
    return rc < 0 ? rc : 0;
}

void
envcheck_hygiene_close(struct envcheck_ctx *c)
{
    if (c->engine != NULL)
        detect_close(c->engine);
    c->engine = NULL;
}
#else
/* Built without the detection engine (its branch not merged yet): private keys only. */
static int
check_committed_keys(struct envcheck_ctx *c)
{
    int rc = 0;

    for (size_t i = 0; i < c->f->n && rc == 0; i++)
        if (has_pem_private_key(&c->f->entries[i]))
            rc = emit_pem(c, &c->f->entries[i]);
    return rc;
}

void
envcheck_hygiene_close(struct envcheck_ctx *c)
{
    (void)c;
}
#endif

int
envcheck_check_hygiene(struct envcheck_ctx *c)
{
    int rc = 0;

    if (!c->is_example && (envcheck_enabled(c, R_WEAK) || envcheck_enabled(c, R_SHORT) ||
                           envcheck_enabled(c, R_PLAINTEXT) || envcheck_enabled(c, R_PLACEHOLDER))) {
        for (size_t i = 0; i < c->f->n && rc == 0; i++)
            rc = check_secret_entry(c, &c->f->entries[i]);
    }
    if (rc == 0)
        rc = check_committed_keys(c);
    return rc;
}
