/* classify: the one answer to "is this a secret-named variable with a literal secret value?",
 * shared by the Dockerfile, image config, runtime and .env-in-context checks. A secret-looking
 * name is not enough: some values are public by nature whatever the name says (key
 * fingerprints and key ids under *GPG_KEY*, checksums, versions, public keys and certificates,
 * URLs without credentials). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "detect.h"

static int
name_has(const char *name, size_t n, const char *word)
{
    size_t w = strlen(word);

    for (size_t i = 0; i + w <= n; i++)
        if (strncasecmp(name + i, word, w) == 0)
            return 1;
    return 0;
}

static int
name_ends(const char *name, size_t n, const char *suffix)
{
    size_t w = strlen(suffix);

    return n >= w && strncasecmp(name + n - w, suffix, w) == 0;
}

static int
starts(const char *v, size_t n, const char *prefix)
{
    size_t w = strlen(prefix);

    return n >= w && strncmp(v, prefix, w) == 0;
}

/* Hex words (key ids, fingerprints, digests) separated by spaces, commas or newlines; an
 * optional 0x before each. At least one word of 8 or more hex digits. */
static int
hex_list(const char *v, size_t n)
{
    size_t run = 0, longest = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = v[i];
        if (ch == '0' && i + 1 < n && (v[i + 1] == 'x' || v[i + 1] == 'X') && run == 0) {
            i++;
            continue;
        }
        if (isxdigit((unsigned char)ch)) {
            if (++run > longest)
                longest = run;
        } else if (ch == ' ' || ch == ',' || ch == '\n' || ch == '\t' || ch == ';') {
            run = 0;
        } else {
            return 0;
        }
    }
    return longest >= 8;
}

/* "sha256:<hex>", or hex alone, or base64 of a digest ("sha512-<b64>" as in lock files). */
static int
checksum_value(const char *v, size_t n)
{
    static const char *const algos[] = {"sha256:", "sha512:", "sha1:", "sha384:", "md5:",
                                        "sha256-", "sha512-", "sha384-", NULL};

    for (size_t i = 0; algos[i] != NULL; i++)
        if (starts(v, n, algos[i])) {
            size_t a = strlen(algos[i]);
            return n > a + 16;
        }
    return hex_list(v, n);
}

/* 1.2, v3.12.4, 2.0.0-rc1, 1.26.3+dfsg: a dotted number with an optional suffix. */
static int
version_value(const char *v, size_t n)
{
    size_t i = 0, dots = 0;

    if (i < n && (v[i] == 'v' || v[i] == 'V'))
        i++;
    if (i >= n || !isdigit((unsigned char)v[i]))
        return 0;
    while (i < n && (isdigit((unsigned char)v[i]) || v[i] == '.')) {
        if (v[i] == '.') {
            if (i + 1 >= n || !isdigit((unsigned char)v[i + 1]))
                return 0;
            dots++;
        }
        i++;
    }
    if (dots == 0)
        return 0;
    if (i == n)
        return 1;
    if (v[i] != '-' && v[i] != '+' && v[i] != '~' && v[i] != '_')
        return 0;
    for (i++; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '.' && v[i] != '-' && v[i] != '+' &&
            v[i] != '~' && v[i] != '_')
            return 0;
    return 1;
}

static int
public_key_value(const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\n' || *v == '\t' || *v == '"' || *v == '\'')) {
        v++;
        n--;
    }
    return starts(v, n, "-----BEGIN PUBLIC KEY") || starts(v, n, "-----BEGIN CERTIFICATE") ||
           starts(v, n, "-----BEGIN PGP PUBLIC KEY") || starts(v, n, "-----BEGIN RSA PUBLIC") ||
           starts(v, n, "-----BEGIN X509 CRL") || starts(v, n, "ssh-rsa ") ||
           starts(v, n, "ssh-ed25519 ") || starts(v, n, "ssh-dss ") ||
           starts(v, n, "ecdsa-sha2-") || starts(v, n, "sk-ssh-ed25519@") ||
           starts(v, n, "sk-ecdsa-sha2-");
}

/* scheme://host/path with no user:password@ and no secret-named query parameter. */
static int
plain_url(const char *v, size_t n)
{
    size_t s = 0;

    while (s < n && (isalnum((unsigned char)v[s]) || v[s] == '+' || v[s] == '-' || v[s] == '.'))
        s++;
    if (s == 0 || s + 3 > n || strncmp(v + s, "://", 3) != 0)
        return 0;
    size_t h = s + 3, e = h;
    while (e < n && v[e] != '/' && v[e] != '?' && v[e] != '#')
        e++;
    if (memchr(v + h, '@', e - h) != NULL)
        return 0; /* user info: user:password@ or token@ */
    for (size_t i = h; i < n; i++)
        if (v[i] == ' ' || v[i] == '\n')
            return 0;
    const char *q = memchr(v + h, '?', n - h);
    while (q != NULL) {
        const char *k = q + 1, *end = v + n;
        const char *eq = memchr(k, '=', (size_t)(end - k));
        const char *amp = memchr(k, '&', (size_t)(end - k));
        if (eq != NULL && (amp == NULL || eq < amp) &&
            (detect_name_is_secret(k, (size_t)(eq - k)) || (eq - k == 3 && strncmp(k, "sig", 3) == 0)))
            return 0;
        q = amp;
    }
    return 1;
}

int
detect_value_is_public(const char *name, size_t nlen, const char *value, size_t vlen)
{
    if (value == NULL || vlen == 0)
        return 0;
    if (name != NULL && (name_has(name, nlen, "GPG_KEY") || name_has(name, nlen, "GPGKEY") ||
                         name_has(name, nlen, "PGP_KEY") || name_ends(name, nlen, "_KEYS") ||
                         name_ends(name, nlen, "KEY_ID") || name_ends(name, nlen, "KEYID") ||
                         name_ends(name, nlen, "_KEY_IDS") ||
                         name_ends(name, nlen, "FINGERPRINT") ||
                         name_ends(name, nlen, "FINGERPRINTS")) &&
        hex_list(value, vlen))
        return 1;
    if (name != NULL && (name_ends(name, nlen, "_SHA256") || name_ends(name, nlen, "_SHA512") ||
                         name_ends(name, nlen, "_SHA384") || name_ends(name, nlen, "_SHA1") ||
                         name_ends(name, nlen, "_SHA") || name_ends(name, nlen, "_MD5") ||
                         name_ends(name, nlen, "_CHECKSUM") || name_ends(name, nlen, "_SHASUM") ||
                         name_ends(name, nlen, "_SHA256SUM") || name_ends(name, nlen, "_SHA512SUM") ||
                         name_ends(name, nlen, "_DIGEST") || name_ends(name, nlen, "_HASHES")) &&
        checksum_value(value, vlen))
        return 1;
    return version_value(value, vlen) || public_key_value(value, vlen) || plain_url(value, vlen);
}

int
detect_literal_secret(const char *name, size_t nlen, const char *value, size_t vlen)
{
    return name != NULL && value != NULL && vlen > 0 && detect_name_is_secret(name, nlen) &&
           !detect_value_is_placeholder(value, vlen) &&
           !detect_value_is_public(name, nlen, value, vlen);
}
