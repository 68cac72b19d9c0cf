/* redact: what may be shown of a secret (a short prefix and the length), its in-run fingerprint,
 * and the finding a hit becomes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "detect.h"
#include "detect_internal.h"

void
detect_redact(const char *secret, size_t len, char *out, size_t outsz)
{
    /* Short secrets show less: half of an 8-character password would be too much. */
    size_t show = len >= 16 ? 4 : len >= 10 ? 2 : 0;
    char head[5];

    if (out == NULL || outsz == 0)
        return;
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)secret[i];
        head[i] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
    }
    head[show] = '\0';
    snprintf(out, outsz, "%s\xe2\x80\xa6(%zu chars)", head, len);
}

/* A random key per process: this fingerprint only tells two sightings of one value apart within
 * a run (the image scanner's de-duplication). It is never written out: reports and baselines
 * carry report_fingerprint(), which does not depend on the value at all (SECURITY.md). */
static unsigned char fp_key[crypto_generichash_KEYBYTES];
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

static void
fp_key_init(void)
{
    if (sodium_init() < 0)
        abort(); /* cannot happen once detect_open succeeded; never hash insecurely */
    randombytes_buf(fp_key, sizeof(fp_key));
}

void
detect_fingerprint(const char *secret, size_t len, char out[65])
{
    unsigned char h[32];

    pthread_once(&fp_once, fp_key_init);
    crypto_generichash(h, sizeof(h), (const unsigned char *)secret, len, fp_key, sizeof(fp_key));
    sodium_bin2hex(out, 65, h, sizeof(h));
    sodium_memzero(h, sizeof(h));
}

static int
is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

void
detect_label(const char *before, size_t n, char out[65])
{
    size_t end = n, start, digits = 0;

    out[0] = '\0';
    while (end > 0 && strchr("=:\"' \t", before[end - 1]) != NULL && before[end - 1] != '\0')
        end--;
    start = end;
    while (start > 0 && end - start < 41 && is_name_char((unsigned char)before[start - 1]))
        start--;
    if (end == start || end - start > 40 || (start > 0 && is_name_char((unsigned char)before[start - 1])))
        return;
    for (size_t i = start; i < end; i++)
        digits += before[i] >= '0' && before[i] <= '9';
    if (digits >= 8)
        return;
    memcpy(out, before + start, end - start);
    out[end - start] = '\0';
}

int
detect_add_finding(struct findings *f, const struct detect_hit *hit, const struct location *loc,
                   const char *message_prefix)
{
    struct finding_extra extra;
    struct location l;

    memset(&extra, 0, sizeof(extra));
    if (loc != NULL)
        l = *loc;
    else {
        memset(&l, 0, sizeof(l));
        l.layer_index = -1;
    }
    if (l.line == 0) {
        l.line = hit->line;
        l.column = hit->column;
    }
    extra.secret_redacted = hit->redacted;
    extra.secret_fingerprint = hit->fingerprint;
    extra.label = hit->label[0] != '\0' ? hit->label : NULL;
    if (hit->is_example) {
        extra.override_severity = 1;
        extra.severity = SEV_INFO;
    }
    return findings_add(f, hit->rule, &l, &extra, "%s%s%s (%s, confidence %.2f)%s",
                        message_prefix != NULL ? message_prefix : "",
                        message_prefix != NULL && message_prefix[0] != '\0' ? ": " : "",
                        hit->rule->title, hit->provider, hit->confidence,
                        hit->is_example ? "; a documented example value, not a live secret" : "");
}

/* ---- Secrets inside free text (messages that quote their input) ---------------------------- */

#define TEXT_HITS_MAX 32

struct text_hit {
    size_t start, end;
    char red[64];
};

struct text_hits {
    size_t n;
    struct text_hit h[TEXT_HITS_MAX];
};

static int
on_text_hit(const struct detect_hit *hit, void *user)
{
    struct text_hits *t = user;

    if (t->n == TEXT_HITS_MAX)
        return 0;
    t->h[t->n].start = hit->secret_start;
    t->h[t->n].end = hit->secret_end;
    snprintf(t->h[t->n].red, sizeof(t->h[t->n].red), "%s", hit->redacted);
    t->n++;
    return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
    const struct text_hit *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

int
detect_redact_text(const char *text, size_t len, struct buf *out)
{
    struct detect_engine *text_engine;
    struct text_hits *t;
    size_t at = 0;
    int rc;

    if (len < 8)
        return 0; /* no key or token is shorter */
    if ((rc = detect_shared(&text_engine)) < 0)
        return rc;
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if ((rc = detect_scan(text_engine, text, len, on_text_hit, t)) < 0 || t->n == 0) {
        free(t);
        return rc < 0 ? rc : 0;
    }
    qsort(t->h, t->n, sizeof(t->h[0]), hit_cmp);
    for (size_t i = 0; i < t->n && rc >= 0; i++) {
        if (t->h[i].start < at || t->h[i].end > len)
            continue; /* inside one already replaced */
        rc = buf_append(out, text + at, t->h[i].start - at);
        if (rc >= 0)
            rc = buf_append(out, t->h[i].red, strlen(t->h[i].red));
        at = t->h[i].end;
    }
    if (rc >= 0)
        rc = buf_append(out, text + at, len - at);
    free(t);
    return rc < 0 ? rc : 1;
}
