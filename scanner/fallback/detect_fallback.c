/* detect_fallback: a stand-in for detect.h, linked only while the detect module is not merged
 * (scanner/module.mk). A few well-known token shapes, no Vectorscan; not the real engine. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"

struct detect_engine {
    int unused;
};

static const struct rule_meta fb_rules[] = {
    {"secret.aws-access-key-id", SEV_CRITICAL, "secret", "AWS access key id",
     "Revoke the key in IAM and use a role or a secret mount.", NULL},
    {"secret.github-token", SEV_CRITICAL, "secret", "GitHub token",
     "Revoke the token and use a build secret.", NULL},
    {"secret.private-key", SEV_CRITICAL, "secret", "Private key",
     "Remove the key and rotate it.", NULL},
    {"secret.slack-token", SEV_HIGH, "secret", "Slack token", "Revoke the token.", NULL},
    {"secret.stripe-key", SEV_CRITICAL, "secret", "Stripe secret key", "Roll the key.", NULL},
};

int
detect_open(struct detect_engine **out)
{
    static struct detect_engine e;
    *out = &e;
    return 0;
}

void
detect_close(struct detect_engine *e)
{
    (void)e;
}

size_t
detect_rule_count(const struct detect_engine *e)
{
    (void)e;
    return sizeof(fb_rules) / sizeof(fb_rules[0]);
}

const struct rule_meta *
detect_rule_at(const struct detect_engine *e, size_t i)
{
    return i < detect_rule_count(e) ? &fb_rules[i] : NULL;
}

void
detect_redact(const char *secret, size_t len, char *out, size_t outsz)
{
    size_t k = len < 4 ? len : 4;
    snprintf(out, outsz, "%.*s…(%zu chars)", (int)k, secret, len);
}

void
detect_fingerprint(const char *secret, size_t len, char out[65])
{
    unsigned long long h = 1469598103934665603ULL, g = 7;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)secret[i]) * 1099511628211ULL;
        g = g * 31 + (unsigned char)secret[i];
    }
    snprintf(out, 65, "%016llx%016llx%016llx%016llx", h, g, h ^ g, h + g);
}

static int
tok(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

int
detect_scan(struct detect_engine *e, const char *d, size_t n, detect_hit_fn cb, void *user)
{
    int line = 1;
    size_t ls = 0;

    (void)e;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '\n') {
            line++;
            ls = i + 1;
            continue;
        }
        const struct rule_meta *r = NULL;
        size_t end = i;
        if (i + 20 <= n && (!i || !tok(d[i - 1])) && memcmp(d + i, "AKIA", 4) == 0) {
            size_t k = i + 4;
            while (k < n && (isupper((unsigned char)d[k]) || isdigit((unsigned char)d[k])))
                k++;
            if (k - i == 20) {
                r = &fb_rules[0];
                end = k;
            }
        } else if (i + 40 <= n && (memcmp(d + i, "ghp_", 4) == 0 || memcmp(d + i, "gho_", 4) == 0)) {
            size_t k = i + 4;
            while (k < n && isalnum((unsigned char)d[k]))
                k++;
            if (k - i >= 40) {
                r = &fb_rules[1];
                end = k;
            }
        } else if (i + 27 <= n && memcmp(d + i, "-----BEGIN ", 11) == 0 &&
                   memmem(d + i, n - i < 60 ? n - i : 60, "PRIVATE KEY-----", 16) != NULL) {
            r = &fb_rules[2];
            end = i + 11;
            while (end < n && d[end] != '\n')
                end++;
        } else if (i + 15 <= n && (memcmp(d + i, "xoxb-", 5) == 0 || memcmp(d + i, "xoxp-", 5) == 0)) {
            size_t k = i + 5;
            while (k < n && (isalnum((unsigned char)d[k]) || d[k] == '-'))
                k++;
            if (k - i >= 15) {
                r = &fb_rules[3];
                end = k;
            }
        } else if (i + 32 <= n && memcmp(d + i, "sk_live_", 8) == 0) {
            size_t k = i + 8;
            while (k < n && isalnum((unsigned char)d[k]))
                k++;
            if (k - i >= 32) {
                r = &fb_rules[4];
                end = k;
            }
        }
        if (r == NULL)
            continue;
        struct detect_hit h;
        memset(&h, 0, sizeof(h));
        h.rule = r;
        h.provider = "fallback";
        h.match_start = h.secret_start = i;
        h.match_end = h.secret_end = end;
        h.line = line;
        h.column = (int)(i - ls) + 1;
        detect_redact(d + i, end - i, h.redacted, sizeof(h.redacted));
        detect_fingerprint(d + i, end - i, h.fingerprint);
        h.confidence = 0.9;
        h.is_example = (end - i == 20 && memcmp(d + i + 16, "MPLE", 4) == 0);
        if (cb != NULL) {
            int rc = cb(&h, user);
            if (rc < 0)
                return rc;
        }
        i = end - 1;
    }
    return 0;
}

int
detect_name_is_secret(const char *name, size_t len)
{
    static const char *const words[] = {"PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "API_KEY",
                                        "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY",
                                        "AUTH"};
    static const char *const not_sfx[] = {"_FILE", "_PATH", "_URL", "_DIR", "_NAME", "_ID"};
    char up[128];

    if (len == 0 || len >= sizeof(up))
        return 0;
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[len] = '\0';
    for (size_t i = 0; i < sizeof(not_sfx) / sizeof(not_sfx[0]); i++) {
        size_t l = strlen(not_sfx[i]);
        if (len > l && strcmp(up + len - l, not_sfx[i]) == 0)
            return 0;
    }
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(up, words[i]) != NULL)
            return 1;
    return 0;
}

int
detect_value_is_placeholder(const char *v, size_t len)
{
    if (len == 0)
        return 1;
    if (v[0] == '$' || (len >= 2 && v[0] == '{' && v[1] == '{') || v[0] == '<' ||
        (v[0] == '%' && v[len - 1] == '%'))
        return 1;
    size_t stars = 0, xs = 0;
    for (size_t i = 0; i < len; i++) {
        stars += v[i] == '*';
        xs += v[i] == 'x' || v[i] == 'X';
    }
    return stars == len || xs == len;
}

int
detect_stream_open(struct detect_engine *e, detect_hit_fn cb, void *user,
                   struct detect_stream **out)
{
    (void)e;
    (void)cb;
    (void)user;
    *out = NULL;
    return err_set(ERR_INTERNAL, "streams need the detect module");
}

int
detect_stream_feed(struct detect_stream *s, const char *data, size_t len)
{
    (void)s;
    (void)data;
    (void)len;
    return err_set(ERR_INTERNAL, "streams need the detect module");
}

int
detect_stream_close(struct detect_stream *s)
{
    (void)s;
    return 0;
}

int
detect_add_finding(struct findings *f, const struct detect_hit *hit, const struct location *loc,
                   const char *message_prefix)
{
    struct finding_extra x = {0};
    x.secret_redacted = hit->redacted;
    x.secret_fingerprint = hit->fingerprint;
    return findings_add(f, hit->rule, loc, &x, "%s%s", message_prefix ? message_prefix : "",
                        hit->rule->title);
}

int
detect_baseline_filter(struct findings *f, const char *baseline_path)
{
    (void)f;
    (void)baseline_path;
    return 0;
}

int
detect_baseline_write(const struct findings *f, const char *baseline_path)
{
    (void)f;
    (void)baseline_path;
    return err_set(ERR_INTERNAL, "baselines need the detect module");
}
