/* filters: what separates a secret from things shaped like one: secret-bearing names,
 * placeholders and references, entropy, UUIDs, sequences, documented example keys, lock files. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "detect_internal.h"

double
detect_entropy(const char *s, size_t len)
{
    size_t count[256] = {0};
    double h = 0.0;

    if (len == 0)
        return 0.0;
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    for (size_t c = 0; c < 256; c++) {
        if (count[c] == 0)
            continue;
        double p = (double)count[c] / (double)len;
        h -= p * log2(p);
    }
    return h;
}

int
detect_is_uuid(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int
detect_is_repeated(const char *s, size_t len)
{
    if (len < 3)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (s[i] != s[0])
            return 0;
    return 1;
}

/* A run along an alphabet ("abcdef", "123456", "ABC...XYZ", "0123456789abcdef") or its reverse. */
int
detect_is_sequential(const char *s, size_t len)
{
    static const char *const seqs[] = {
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
        "0123456789012345678901234567890123456789",
        "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
        "0123456789abcdef0123456789abcdef0123456789abcdef",
        "qwertyuiopasdfghjklzxcvbnm",
        "abcdefghijklmnopqrstuvwxyz0123456789+/",
    };
    char low[128], rev[128];

    if (len < 3 || len >= sizeof(low))
        return 0;
    for (size_t i = 0; i < len; i++) {
        low[i] = (char)tolower((unsigned char)s[i]);
        rev[len - 1 - i] = low[i];
    }
    low[len] = rev[len] = '\0';
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
        if (strstr(seqs[i], low) != NULL || strstr(seqs[i], rev) != NULL)
            return 1;
    return 0;
}

/* Values published in providers' documentation and standards (not secrets of anyone). */
int
detect_is_example(const char *s, size_t len)
{
    static const char *const known[] = {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        /* OAuth 2.0 (RFC 6749, RFC 6750) examples. */
        "2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
        "h480djs93hd8", "mF_9.B5f-4.1JqM", "SplxlOBeZQQYbYS6WxSbIA", "8xLOxBtZp8",
        "pk_test_TYooMQauvdEDq54NiTphI7jx",
        ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
         "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i]) == len && memcmp(known[i], s, len) == 0)
            return 1;
    /* AWS documents its examples with an EXAMPLE suffix (AKIA...EXAMPLE, ...EXAMPLEKEY). */
    if (len >= 16 && (memcmp(s + len - 7, "EXAMPLE", 7) == 0 ||
                      (len >= 10 && memcmp(s + len - 10, "EXAMPLEKEY", 10) == 0)))
        return 1;
    return 0;
}

int
detect_content_is_binary(const char *data, size_t len)
{
    return memchr(data, '\0', len < DETECT_SNIFF_BYTES ? len : DETECT_SNIFF_BYTES) != NULL;
}

int
detect_path_is_lockfile(const char *path)
{
    static const char *const names[] = {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "deno.lock",
        "bun.lock", "Pipfile.lock", "poetry.lock", "uv.lock", "Cargo.lock", "composer.lock",
        "Gemfile.lock", "Podfile.lock", "go.sum", "go.work.sum", "gradle.lockfile",
        "packages.lock.json", "flake.lock", "mix.lock", "pubspec.lock", "Package.resolved",
        ".terraform.lock.hcl", "conda-lock.yml", "pdm.lock",
    };
    const char *base = strrchr(path, '/');

    base = base != NULL ? base + 1 : path;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(base, names[i]) == 0)
            return 1;
    return 0;
}

/* ---- Names ----------------------------------------------------------------------------- */

/* Tokens of a name: split at non-alphanumerics and at lower-to-upper case changes. */
#define NAME_MAX_TOKENS 16
struct name_tokens {
    char tok[NAME_MAX_TOKENS][48];
    size_t n;
};

static void
name_split(const char *name, size_t len, struct name_tokens *t)
{
    size_t cur = 0;

    t->n = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)name[i] : 0;
        int boundary = c == 0 || !isalnum(c) || c >= 0x80;
        if (!boundary && cur > 0 && isupper(c) && i > 0 && islower((unsigned char)name[i - 1]))
            boundary = 2;
        if (boundary) {
            if (cur > 0 && t->n < NAME_MAX_TOKENS) {
                t->tok[t->n][cur] = '\0';
                t->n++;
            }
            cur = 0;
            if (boundary != 2)
                continue;
        }
        if (t->n >= NAME_MAX_TOKENS)
            break;
        if (cur < sizeof(t->tok[0]) - 1)
            t->tok[t->n][cur++] = (char)tolower(c);
    }
}

static int
in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static int
ends_with(const char *w, size_t a, const char *suffix)
{
    size_t b = strlen(suffix);
    return a >= b && w[a - 1] == suffix[b - 1] && memcmp(w + a - b, suffix, b) == 0;
}

/* A word that holds a secret on its own (also as the end of a glued word: "dbpassword"). */
static int
token_is_secret_word(const char *w)
{
    static const char *const glued[] = {
        "password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey",
        "secretkey", "privatekey", "credential", "credentials", "contrasena", "authkey",
        "masterkey", "signingkey", "encryptionkey", "clientsecret", "accesstoken", NULL,
    };
    static const char *const exact[] = {"pwd", "pass", "creds", "pw", "passcode", NULL};

    size_t len = strlen(w);

    if (in_list(w, exact))
        return 1;
    for (size_t i = 0; glued[i] != NULL; i++)
        if (ends_with(w, len, glued[i]))
            return 1;
    return 0;
}

/* Words before "key" that make it a secret key (not a primary, public or keyboard key). */
static const char *const key_qualifiers[] = {
    "api", "access", "private", "secret", "client", "service", "master", "encryption", "signing",
    "auth", "app", "account", "license", "licence", "crypt", "crypto", "hmac", "session", "jwt",
    "ssh", "gpg", "pgp", "rsa", "aes", "cipher", "admin", "write", "deploy", "server", "storage",
    "shared", "subscription", "consumer", "root", "sas", "webhook", "cookie", "enc", "sign", NULL,
};

/* Last words that make the name point at a secret (or describe one) rather than hold it. */
static const char *const pointer_words[] = {
    "file", "files", "path", "paths", "dir", "directory", "url", "uri", "urls", "endpoint", "name",
    "names", "id", "ids", "type", "types", "length", "len", "size", "expiry", "expires",
    "expiration", "ttl", "timeout", "env", "var", "ref", "reference", "hint", "prompt", "policy",
    "rotation", "header", "field", "param", "parameter", "regex", "pattern", "min", "max", "count",
    "enabled", "enable", "disabled", "required", "format", "version", "mode", "arn", "location",
    "source", "provider", "store", "manager", "command", "cmd", "helper", "method", "algorithm",
    "algo", "kind", "label", "description", "desc", "placeholder", "example", "question", "reset",
    "changed", "change", "confirm", "confirmation", "strength", "validation", "valid", "rules",
    "rule", "generator", "prefix", "suffix", "host", "hostname", "port", "user", "username",
    "login", "email", "key", "keys", "index", "column", "class", "handler", "callback", "flag",
    "secrets", "tokens", "passwords", "mount", "volume", "backend", "input", "label", "lifetime",
    "age", "issuer", "audience", "scope", "scopes", "usage", "script", "template", "level",
    "attempts", "retries", "error", "errors", "message", "msg", "text", "title", "icon", "button",
    "link", "page", "view", "form", "dialog", "screen", "route", "action", "event", "status",
    "state", "limit", "length", "chars", "digits", "fingerprint", "hash", "salt", "rounds",
    "iterations", "cost", "separator", "delimiter", "encoding", "charset", "len", "location",
    "encryption", "hashes", "hashing", "hasher", "scheme", "mechanism", "userdata", "cb", "fn",
    "func", "complexity", "storage", "prefix", "info", "meta", "metadata", "schema", "option",
    "options", "config", "settings", NULL,
};

/* Whole tokens that rule the name out wherever they are (csrf_token is a per-request value). */
static const char *const benign_words[] = {
    "csrf", "xsrf", "public", "pub", "primary", "foreign", "sort", "partition", "cache",
    "idempotency", "keyboard", "hotkey", "next", "page", "continuation", "pagination",
    "tokenizer", "max", "num", "sync", "lexer", "parser", "monkey", "turkey",
    /* flags and settings about a secret, not holding one (--no-password, --password-stdin) */
    "no", "ask", "stdin", "forgot", "show", "hide", "generate", "verify", NULL,
};

/* Every secret word above (and "key") contains one of these, whatever its case: a name with
 * none of them is no secret's name, found without splitting it. Most names asked (option
 * names, settings) have none. */
static int
may_name_secret(const char *name, size_t len)
{
    static const char *const stems[] = {"pass", "pw", "secret", "token", "key", "cred",
                                        "contrasena", NULL};

    for (size_t i = 0; i + 2 <= len; i++) {
        int c = tolower((unsigned char)name[i]);
        if (c != 'p' && c != 's' && c != 't' && c != 'k' && c != 'c')
            continue;
        for (const char *const *s = stems; *s != NULL; s++) {
            size_t n = strlen(*s);
            if ((*s)[0] == c && i + n <= len && strncasecmp(name + i, *s, n) == 0)
                return 1;
        }
    }
    return 0;
}

int
detect_name_is_secret(const char *name, size_t len)
{
    struct name_tokens t;
    int secret = 0;

    if (name == NULL || len == 0 || !may_name_secret(name, len))
        return 0;
    name_split(name, len, &t);
    if (t.n == 0)
        return 0;
    /* $PWD / $OLDPWD are the shell's working directories. */
    if (t.n == 1 && (strcmp(t.tok[0], "pwd") == 0 || strcmp(t.tok[0], "oldpwd") == 0))
        return 0;
    /* "api_token_secret" counts, "token" as a middle word too. Most names hold no secret
     * word at all: that is asked first, the benign words only of the rest. */
    for (size_t i = 0; i < t.n && !secret; i++)
        secret = token_is_secret_word(t.tok[i]) ||
                 (strcmp(t.tok[i], "key") == 0 && i > 0 && in_list(t.tok[i - 1], key_qualifiers));
    if (!secret)
        return 0;
    for (size_t i = 0; i < t.n; i++)
        if (in_list(t.tok[i], benign_words))
            return 0;
    /* The last word decides whether the name holds the secret or points at it. A name that
     * is nothing but "key" with a qualifier (ssh_key) ends in "key" and holds one. */
    if (in_list(t.tok[t.n - 1], pointer_words)) {
        if (strcmp(t.tok[t.n - 1], "key") == 0 && t.n > 1 && in_list(t.tok[t.n - 2], key_qualifiers))
            return 1;
        if (strcmp(t.tok[t.n - 1], "hash") == 0 || strcmp(t.tok[t.n - 1], "salt") == 0)
            return 1; /* a password hash or salt is sensitive too */
        return 0;
    }
    return 1;
}

/* ---- Values -------------------------------------------------------------------------------- */

static int
ci_contains(const char *s, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= len; i++)
        if (strncasecmp(s + i, word, w) == 0)
            return 1;
    return 0;
}

static int
ci_equals(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* A value that names where the secret lives instead of holding it: environment lookups in
 * code, secret-manager and vault references, Ruby interpolation. */
static int
value_is_reference(const char *v, size_t len)
{
    static const char *const prefixes[] = {
        "#{", "process.env.", "os.environ", "os.getenv", "getenv(", "system.getenv",
        "environment.getenvironmentvariable", "env[", "env(", "env.", "secrets.", "vars.",
        "var.", "$ansible_vault", "!vault", "vault:", "ref+", "op://", "arn:aws:secretsmanager:",
        "arn:aws:ssm:", "sm://", "secretref:", "keyvault:", "@microsoft.keyvault(", NULL,
    };
    for (size_t i = 0; prefixes[i] != NULL; i++) {
        size_t n = strlen(prefixes[i]);
        if (len >= n && strncasecmp(v, prefixes[i], n) == 0)
            return 1;
    }
    return 0;
}

int
detect_value_is_placeholder(const char *v, size_t len)
{
    static const char *const words[] = {
        "null", "none", "nil", "undefined", "true", "false", "empty", "required", "optional",
        "todo", "tbd", "fixme", "redacted", "placeholder", "replaceme", "replace_me",
        "replace-me", "dummy", "sample", "example", "n/a", "na", "...", "\xe2\x80\xa6", "string",
        "str", "hidden", "masked", "notset", "not_set", "unset", "default", NULL,
    };
    size_t i = 0;

    if (v == NULL)
        return 1;
    while (len > 0 && isspace((unsigned char)v[len - 1]))
        len--;
    while (i < len && isspace((unsigned char)v[i]))
        i++;
    v += i;
    len -= i;
    if (len == 0)
        return 1;
    /* References: $VAR, ${VAR}, ${VAR:-x}, $(cmd), $1, ${{ secrets.X }}, `cmd`. */
    if (v[0] == '$' && len >= 2 &&
        (v[1] == '{' || v[1] == '(' || v[1] == '_' || isalnum((unsigned char)v[1])))
        return 1;
    if (v[0] == '`')
        return 1;
    /* Templates: {{ x }}, {% x %}, {0}, {name}, <your-token>, [REDACTED], %VAR%, @VAR@. */
    if (len >= 4 && memmem(v, len, "{{", 2) != NULL && memmem(v, len, "}}", 2) != NULL)
        return 1;
    if (len >= 4 && memmem(v, len, "{%", 2) != NULL)
        return 1;
    if (len >= 3 && memmem(v, len, "${", 2) != NULL && memchr(v, '}', len) != NULL)
        return 1;
    /* f-strings and format strings: "{self.password}", "{password}'". */
    {
        const char *o = memchr(v, '{', len);
        const char *c = o != NULL ? memchr(o, '}', len - (size_t)(o - v)) : NULL;
        if (c != NULL && c - o >= 2) {
            int ident = 1;
            for (const char *q = o + 1; q < c; q++)
                if (!(isalnum((unsigned char)*q) || *q == '_' || *q == '.' || *q == ' '))
                    ident = 0;
            if (ident)
                return 1;
        }
    }
    if (len >= 2 && ((v[0] == '{' && v[len - 1] == '}') || (v[0] == '<' && v[len - 1] == '>') ||
                     (v[0] == '[' && v[len - 1] == ']') || (v[0] == '%' && v[len - 1] == '%') ||
                     (v[0] == '@' && v[len - 1] == '@') || (v[0] == '(' && v[len - 1] == ')')))
        return 1;
    if (len == 2 && v[0] == '%')
        return 1; /* printf verb */
    if (len >= 3 && v[0] == '%' && v[1] == '(')
        return 1; /* %(name)s */
    /* Masks and fillers: ***, xxxx, ...., ####, 0000. */
    if (detect_is_repeated(v, len))
        return 1;
    if (len >= 3 && strspn(v, "*xX.#-_?") == len)
        return 1;
    if (len >= 4 && memmem(v, len, "****", 4) != NULL)
        return 1;
    if (ci_contains(v, len, "xxxx"))
        return 1;
    for (i = 0; words[i] != NULL; i++)
        if (ci_equals(v, len, words[i]))
            return 1;
    /* "your-api-key-here", "<insert token>", "put_your_password", "enter-secret-here". */
    if (ci_contains(v, len, "your") &&
        (ci_contains(v, len, "key") || ci_contains(v, len, "token") || ci_contains(v, len, "pass") ||
         ci_contains(v, len, "secret") || ci_contains(v, len, "here") || ci_contains(v, len, "_") ||
         ci_contains(v, len, "-")))
        return 1;
    if (ci_contains(v, len, "_here") || ci_contains(v, len, "-here") ||
        ci_contains(v, len, "insert") || ci_contains(v, len, "placeholder") ||
        ci_contains(v, len, "redacted") || ci_contains(v, len, "changeit_") ||
        ci_contains(v, len, "replace_with") || ci_contains(v, len, "replace-with") ||
        ci_contains(v, len, "example"))
        return 1;
    if (detect_is_sequential(v, len))
        return 1;
    if (value_is_reference(v, len))
        return 1;
    return 0;
}

/* A token shape glued to a longer token ("...-AIza...", ".../AIza..."): part of something
 * else (an ID, a path, a blob), not a key. Only prefixes seen inside such blobs are listed. */
int
detect_token_is_glued(const char *d, size_t s0)
{
    static const char *const prefixes[] = {"AIza", NULL};
    int listed = 0;

    for (size_t i = 0; prefixes[i] != NULL; i++)
        listed |= strncmp(d + s0, prefixes[i], strlen(prefixes[i])) == 0;
    return listed && s0 >= 2 && strchr("-+/", d[s0 - 1]) != NULL &&
           isalnum((unsigned char)d[s0 - 2]);
}

/* Segments of a value: runs of letters or of digits, split at a lower-to-upper change too. Is
 * one of them a word that marks test or documentation data ("fake-...", "dummy_...",
 * "sk-test-...", "myExampleKey")? */
int
detect_value_is_fake(const char *v, size_t len)
{
    static const char *const words[] = {"fake", "dummy", "example", "examples", "test", "tests",
                                        "testing", "sample", "samples", "placeholder", "mock",
                                        "mocked", "bogus", NULL};
    char seg[16];
    size_t n = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)v[i] : 0;
        int brk = !isalpha(c) || c >= 0x80 ||
                  (n > 0 && isupper(c) && islower((unsigned char)v[i - 1]));
        if (brk && n > 0) {
            seg[n < sizeof(seg) ? n : sizeof(seg) - 1] = '\0';
            if (n < sizeof(seg) && in_list(seg, words))
                return 1;
            n = 0;
        }
        if (isalpha(c) && c < 0x80) {
            if (n < sizeof(seg) - 1)
                seg[n] = (char)tolower(c);
            n++;
        }
    }
    return 0;
}

/* A lower-case identifier where a random value should be: three or more segments of lower-case
 * letters and digits joined by '_', '-' or '.' ("tokenizer_v2_config", "auth-flow-default"). */
int
detect_value_is_identifier(const char *v, size_t len)
{
    size_t segs = 1, seg = 0;

    if (len == 0 || !islower((unsigned char)v[0]))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '_' || c == '-' || c == '.') {
            if (seg == 0 || i + 1 == len)
                return 0;
            segs++;
            seg = 0;
        } else if (islower(c) || isdigit(c)) {
            if (++seg > 16)
                return 0;
        } else {
            return 0;
        }
    }
    return segs >= 3;
}

/* Prose where a value should be: three to eight words of letters (an apostrophe allowed) split by
 * single spaces, each with a vowel ("doesnt start right", "not set yet"). */
int
detect_value_is_prose(const char *v, size_t len)
{
    size_t words = 0, i = 0;

    while (i < len) {
        size_t w = i;
        int vowel = 0;
        while (i < len && (isalpha((unsigned char)v[i]) || v[i] == '\'')) {
            vowel |= strchr("aeiouyAEIOUY", v[i]) != NULL;
            i++;
        }
        if (i == w || !vowel)
            return 0;
        words++;
        if (i == len)
            break;
        if (v[i] != ' ' || i + 1 == len)
            return 0;
        i++;
    }
    return words >= 3 && words <= 8;
}
