/* validate: checks a captured value must pass beyond its rule's pattern: checksums, JWT and PEM
 * structure, base64 user:password pairs, and the literal-or-reference test of generic rules. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "detect_internal.h"

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint32_t
crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

/* GitHub's tokens (and npm's, same format) end in six base62 digits of the CRC32 of the 30
 * random characters before: 1 when it verifies, 0 when it does not, -1 when the token has no
 * such checksum (ghr_ refresh tokens of 76 characters). */
static int
github_checksum(const char *s, size_t len)
{
    const char *u = memchr(s, '_', len);
    char enc[7];
    uint32_t crc;
    size_t body;

    if (u == NULL)
        return -1;
    body = len - (size_t)(u + 1 - s);
    if (body != 36)
        return -1;
    crc = crc32_ieee((const unsigned char *)u + 1, 30);
    for (int i = 5; i >= 0; i--) {
        enc[i] = b62[crc % 62];
        crc /= 62;
    }
    enc[6] = '\0';
    return memcmp(u + 1 + 30, enc, 6) == 0;
}

/* Decodes base64 or base64url (padding optional) into out; returns length or -1. */
static long
b64_decode(const char *s, size_t len, unsigned char *out, size_t outsz)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i], v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=')
            break;
        else
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outsz)
                return (long)o; /* enough for a prefix check */
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

static int
jwt_ok(const char *s, size_t len)
{
    unsigned char head[256], body[64];
    const char *dot = memchr(s, '.', len);
    long hn, bn;

    if (dot == NULL)
        return 0;
    /* Header and payload are JSON objects: '{' first, compact or pretty-printed. */
    hn = b64_decode(s, (size_t)(dot - s), head, sizeof(head) - 1);
    if (hn < 2 || head[0] != '{')
        return 0;
    {
        const char *p = dot + 1, *e = memchr(p, '.', len - (size_t)(p - s));
        if (e == NULL)
            e = s + len;
        bn = b64_decode(p, (size_t)(e - p), body, sizeof(body));
        if (bn < 1 || body[0] != '{')
            return 0;
    }
    return 1;
}

/* The base64 body of a PEM key begins with an ASN.1 SEQUENCE ("M") or openssh-key-v1. */
static int
pem_body_ok(const char *s, size_t len)
{
    char buf[24];
    size_t n = 0, total = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < len && (s[i + 1] == 'n' || s[i + 1] == 'r')) {
            i++;
            continue;
        }
        if (isspace((unsigned char)c))
            continue;
        if (n < sizeof(buf) - 1)
            buf[n++] = c;
        total++;
    }
    buf[n] = '\0';
    if (total < 64)
        return 0;
    /* 0x30 (SEQUENCE) always encodes to 'M' whatever the length byte after it. */
    return buf[0] == 'M' || strncmp(buf, "b3BlbnNzaC1rZXktdjE", 19) == 0;
}

/* base64 of "user:password" with a real password. */
static int
base64_creds_ok(const char *s, size_t len)
{
    unsigned char out[512];
    long n = b64_decode(s, len, out, sizeof(out));
    unsigned char *colon;

    if (n < 3)
        return 0;
    for (long i = 0; i < n; i++)
        if (out[i] < 0x20 || out[i] == 0x7f)
            return 0;
    colon = memchr(out, ':', (size_t)n);
    if (colon == NULL || colon == out || colon + 1 >= out + n)
        return 0;
    return !detect_value_is_placeholder((const char *)colon + 1, (size_t)(out + n - colon - 1));
}

/* Letters only, one case or a word: "yourWebhookToken", "XXXXXXXX". */
static int
is_wordish_strict(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isalpha((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

/* One field of a macaroon v2 (libmacaroons binary format): a type byte, a LEB128 length,
 * the data. Returns the field type, 0 for end-of-section, -1 when malformed. */
static int
macaroon_field(const unsigned char *p, size_t n, size_t *pos, size_t *dlen)
{
    size_t len = 0;
    int type;

    if (*pos >= n)
        return -1;
    type = p[(*pos)++];
    if (type == 0)
        return 0;
    for (int shift = 0;; shift += 7) {
        if (*pos >= n || shift > 21)
            return -1;
        len |= (size_t)(p[*pos] & 0x7f) << shift;
        if (!(p[(*pos)++] & 0x80))
            break;
    }
    if (len > n - *pos)
        return -1;
    *dlen = len;
    *pos += len;
    return type;
}

/* A PyPI token is "pypi-" and a base64url macaroon v2: version 2, a header section (location,
 * identifier), caveat sections, an empty section, then a 32-byte signature ending the token.
 * 1 when the structure holds, 0 when it does not (truncated or invented tokens). */
static int
pypi_macaroon_ok(const char *s, size_t len)
{
    unsigned char out[4096];
    size_t pos = 1, dlen = 0;
    long n;
    int t, sections = 0;

    if (len < 5 || memcmp(s, "pypi-", 5) != 0)
        return 0;
    n = b64_decode(s + 5, len - 5, out, sizeof(out));
    if (n < 40 || (size_t)n >= sizeof(out) || out[0] != 2)
        return 0;
    /* Sections end at an empty field; the list of sections ends with an empty section. */
    for (;;) {
        int fields = 0;
        while ((t = macaroon_field(out, (size_t)n, &pos, &dlen)) > 0) {
            if (t > 6)
                return 0;
            fields++;
        }
        if (t < 0)
            return 0;
        if (fields == 0)
            break;
        sections++;
    }
    if (sections < 1)
        return 0;
    t = macaroon_field(out, (size_t)n, &pos, &dlen);
    return t == 6 && dlen == 32 && pos == (size_t)n;
}

/* Published checksums and structures: 1 verified, 0 failed, -1 nothing to check. */
static int
token_checksum(const char *s, size_t len)
{
    if (len > 5 && memcmp(s, "pypi-", 5) == 0)
        return pypi_macaroon_ok(s, len);
    return github_checksum(s, len);
}

/* Discord bot tokens begin with the bot's user id (17 to 20 digits) in base64. */
static int
discord_bot_ok(const char *s, size_t len)
{
    unsigned char out[32];
    const char *dot = memchr(s, '.', len);
    long n;

    if (dot == NULL)
        return 0;
    n = b64_decode(s, (size_t)(dot - s), out, sizeof(out));
    if (n < 17 || n > 20)
        return 0;
    for (long i = 0; i < n; i++)
        if (!isdigit(out[i]))
            return 0;
    return 1;
}

/* A webhook URL whose last path segment (its secret) is random, not a documentation
 * placeholder (".../XXXXXXXXXXXXXXXXXXXXXXXX", ".../your-token-here"). */
static int
webhook_ok(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && s[i - 1] != '/')
        i--;
    if (len - i < 8)
        return 0;
    return !detect_value_is_placeholder(s + i, len - i) && !detect_is_repeated(s + i, len - i) &&
           detect_entropy(s + i, len - i) >= 3.0 && !is_wordish_strict(s + i, len - i);
}

/* A JWT encoded once more in base64 ("ZXlK..." is base64 of "eyJ"): it decodes to
 * base64url text with at least one dot. */
static int
jwt_b64_ok(const char *s, size_t len)
{
    unsigned char out[768];
    long n = b64_decode(s, len, out, sizeof(out));
    int dots = 0;

    if (n < 24 || memcmp(out, "eyJ", 3) != 0)
        return 0;
    for (long i = 0; i < n; i++) {
        if (out[i] == '.')
            dots++;
        else if (!isalnum(out[i]) && out[i] != '-' && out[i] != '_' && out[i] != '=')
            return 0;
    }
    return dots >= 1;
}

/* Letters and _.- only: a word or identifier, not a random secret. */
static int
is_wordish(const char *s, size_t len, size_t random_from)
{
    int upper = 0, lower = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isupper(c))
            upper = 1;
        else if (islower(c))
            lower = 1;
        else if (c != '_' && c != '.' && c != '-')
            return 0;
    }
    /* Long mixed-case letter runs are random enough (e.g. some provider keys). */
    return !(upper && lower && len >= random_from);
}

static int
url_password_ok(const char *s, size_t len)
{
    /* "a:b@", "abc:xyz@": illustrations, not credentials. */
    if (len < 4)
        return 0;
    static const char *const words[] = {"password", "pass", "passwd", "pwd", "secret", "token",
                                        "test", "user", "username", "pw", "x", NULL};
    if (detect_value_is_placeholder(s, len))
        return 0;
    for (size_t i = 0; words[i] != NULL; i++)
        if (strlen(words[i]) == len && strncasecmp(s, words[i], len) == 0)
            return 0;
    return 1;
}

static int
is_code_keyword(const char *s, size_t len)
{
    static const char *const kw[] = {
        "self", "this", "args", "opts", "options", "params", "config", "cfg", "settings", "env",
        "os", "process", "new", "await", "return", "int", "bool", "bytes", "char", "text",
        "varchar", "number", "object", "any", "secretstr", "optional", "list", "dict", "map",
        "input", "prompt", "getpass", "password", "passwd", "secret", "token", "value", "val",
        "data", "function", "func", "lambda", "void", "const", "let", "var", "required",
        "nullable", "boolean", "integer", "float", "double", "long", "short", "byte", "uuid",
        "date", "datetime", "email", "url", "if", "else", "yes", "no", "on", "off", NULL,
    };
    for (size_t i = 0; kw[i] != NULL; i++)
        if (strlen(kw[i]) == len && strncasecmp(s, kw[i], len) == 0)
            return 1;
    return 0;
}

/* Shared by the generic rules: is this value a literal (and not code, a path or a type)? */
static int
generic_literal_ok(const char *data, size_t dlen, size_t s0, size_t s1, int quoted, char op)
{
    const char *v = data + s0;
    size_t len = s1 - s0;
    char next = s1 < dlen ? data[s1] : '\0';

    if (detect_value_is_placeholder(v, len))
        return 0;
    /* "pw", 'bar': illustrations rather than passwords. */
    if (len < 4)
        return 0;
    /* A string that is itself a secret's name ("challengePassword", "db_password") is a key
     * or a label. */
    if (memchr(v, ' ', len) == NULL && detect_name_is_secret(v, len))
        return 0;
    if (v[0] == '/' || v[0] == '~' || (len >= 2 && v[0] == '.' && v[1] == '/') ||
        strncasecmp(v, "file:", 5) == 0 || strncasecmp(v, "http", 4) == 0)
        return 0;
    if (quoted) {
        /* A sentence is a label or a prompt, not a password ('Password used to generate key',
         * "Enter your password"): four or more words, or words naming the secret itself. */
        size_t spaces = 0;
        for (size_t i = 0; i < len; i++)
            spaces += v[i] == ' ';
        if (spaces >= 3 || (spaces >= 1 && (strncasecmp(v, "enter", 5) == 0 ||
                                            memmem(v, len, "assword", 7) != NULL)))
            return 0;
        return 1;
    }
    /* Unquoted values end the line (env, YAML, INI): more words after it mean prose
     * ("@G_PASSWORD_SAVE_NEVER: never save a password.") or code ("X_PASSWORD = BASE + 15,"). */
    {
        size_t i = s1;
        while (i < dlen && (data[i] == ' ' || data[i] == '\t'))
            i++;
        if (i < dlen && data[i] != '\n' && data[i] != '\r' && data[i] != '#' &&
            !(data[i] == '/' && i + 1 < dlen && data[i + 1] == '/'))
            return 0;
    }
    /* Unquoted: a list of options ("true|false"), an attribute of an object in code
     * (self.x = y), or an identifier assigned on an indented line (code, not INI or .env). */
    if (memchr(v, '|', len) != NULL)
        return 0;
    {
        size_t ls = s0;
        int indented, ident = 1;
        while (ls > 0 && data[ls - 1] != '\n')
            ls--;
        indented = data[ls] == ' ' || data[ls] == '\t';
        for (size_t i = 0; i < len; i++)
            if (!(isalpha((unsigned char)v[i]) || v[i] == '_'))
                ident = 0;
        if (strncmp(data + ls + strspn(data + ls, " \t"), "self.", 5) == 0 ||
            strncmp(data + ls + strspn(data + ls, " \t"), "this.", 5) == 0)
            return 0;
        if (indented && ident && op == '=')
            return 0;
    }
    /* Unquoted: code when followed by a call, index or member access, or a YAML tag/alias. */
    if (next == '(' || next == '[' || next == '.' || next == '<' || next == '{')
        return 0;
    if (v[0] == '!' || v[0] == '|' || v[0] == '>' || v[0] == '&' || v[0] == '*' || v[0] == '@' ||
        v[0] == '-' || v[0] == '=' || v[0] == '\\' || v[0] == '+')
        return 0;
    if (is_code_keyword(v, len))
        return 0;
    /* os.environ, config.db.password, self.token: a member chain. */
    if (memchr(v, '.', len) != NULL) {
        size_t i = 0;
        int ident = 1;
        for (; i < len; i++)
            if (!(isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '.' || v[i] == '$'))
                ident = 0;
        if (ident && !isdigit((unsigned char)v[0]))
            return 0;
    }
    return 1;
}

int
detect_validate(enum detect_validator v, const char *data, size_t len, size_t s0, size_t s1,
                const char *name, size_t name_len, int quoted, char op)
{
    const char *s = data + s0;
    size_t n = s1 - s0;

    switch (v) {
    case VAL_NONE:
        return 1;
    case VAL_GITHUB_CRC32: {
        /* A published checksum decides: a token that fails it is reported by the rule's
         * "checksum mismatch" twin (VAL_CHECKSUM_MISMATCH), at low. */
        int c = token_checksum(s, n);
        return c == 1 ? 2 : c == 0 ? 0 : 1;
    }
    case VAL_CHECKSUM_MISMATCH:
        return token_checksum(s, n) == 0 ? 1 : 0;
    case VAL_DISCORD_BOT:
        return discord_bot_ok(s, n);
    case VAL_WEBHOOK:
        return webhook_ok(s, n);
    case VAL_JWT_B64:
        return jwt_b64_ok(s, n);
    case VAL_JWT:
        return jwt_ok(s, n);
    case VAL_PEM_BODY:
        return pem_body_ok(s, n);
    case VAL_URL_PASSWORD:
        return url_password_ok(s, n);
    case VAL_BASE64_CREDS:
        return base64_creds_ok(s, n);
    case VAL_NOT_WORD:
        return !is_wordish(s, n, 16) && !detect_value_is_placeholder(s, n);
    case VAL_GENERIC_PASSWORD:
        if (!detect_name_is_secret(name, name_len))
            return 0;
        if (!quoted && n < 3)
            return 0;
        return generic_literal_ok(data, len, s0, s1, quoted, op);
    case VAL_GENERIC_SECRET:
        if (!detect_name_is_secret(name, name_len))
            return 0;
        if (is_wordish(s, n, 24) || detect_is_uuid(s, n))
            return 0;
        /* Hex hashes and integers are rarely secrets when not named as such: need a digit or
         * a mix of cases, plus a letter. */
        {
            int digit = 0, alpha = 0;
            for (size_t i = 0; i < n; i++) {
                if (isdigit((unsigned char)s[i]))
                    digit = 1;
                else if (isalpha((unsigned char)s[i]))
                    alpha = 1;
            }
            if (!alpha || !digit)
                return 0;
        }
        return generic_literal_ok(data, len, s0, s1, quoted, op);
    }
    return 0;
}
