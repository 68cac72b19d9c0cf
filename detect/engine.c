/* engine: loads the build-time Vectorscan database, runs one pass over the input, then PCRE2
 * (JIT, compiled lazily per rule) in a bounded window around each hit; filters, dedupes and
 * reports hits in order. Streams rescan a fixed overlap so a border never hides a secret. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs/hs.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <pcre2.h>
#include <sodium.h>

#include "detect.h"
#include "detect_internal.h"

#define PCRE_MATCH_LIMIT 200000u
#define PCRE_DEPTH_LIMIT 20000u
#define PCRE_HEAP_LIMIT  20000u /* KiB */

/* What one scan works with, kept between scans: a scan takes an idle slot (or makes one) and
 * gives it back, so a small scan (a .env value, a finding's message) allocates nothing. */
struct scan_slot {
    hs_scratch_t *scratch;
    size_t *covered;    /* 2 x nrules, covered then checked (struct scan_ctx); zero when idle */
    uint32_t *touched;  /* the rules whose entries a scan set, to zero them again */
    size_t ntouched;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

struct detect_engine {
    hs_database_t *db;
    hs_scratch_t *proto;  /* template scratch; cloned for each new slot */
    struct scan_slot **idle; /* slots no scan is using: one per concurrent scan at most */
    size_t nidle, capidle;
    pthread_mutex_t lock; /* guards idle[] and the compiling of codes[] */
    size_t nrules;
    unsigned char *modes;
    pcre2_code **codes;   /* interpreted: what a rule runs with until it has searched enough */
    pcre2_code **jits;    /* the same JIT-compiled, once it has (rule_code) */
    size_t *searched;     /* bytes of windows each rule was run over */
    int *code_err;        /* PCRE2 error code of a rule that does not compile, 0 otherwise */
    pcre2_match_context *mctx;
};

/* A hit before it is reported: offsets are relative to the scanned buffer. */
struct raw_hit {
    size_t rule;
    size_t ms, me, s0, s1;
    double confidence;
    int example;
};

struct scan_ctx {
    struct detect_engine *e;
    const char *data;
    size_t len;
    size_t report_from, report_to; /* keep hits whose secret starts in [from, to) */
    size_t *covered;               /* per rule: end of the last PCRE2 match */
    size_t *checked;               /* per rule: last report end that found nothing */
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* this scan's copy: run_rule sets its offset limit */
    struct scan_slot *slot;
    struct raw_hit *hits;
    size_t nhits, caphits;
    int err;
};

/* ---- Opening ------------------------------------------------------------------------------- */

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
slot_free(struct scan_slot *s)
{
    if (s == NULL)
        return;
    if (s->scratch != NULL)
        hs_free_scratch(s->scratch);
    free(s->covered);
    free(s->touched);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

static struct scan_slot *
slot_new(struct detect_engine *e)
{
    struct scan_slot *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->covered = calloc(e->nrules * 2 + 1, sizeof(*s->covered));
    s->touched = malloc((e->nrules + 1) * sizeof(*s->touched));
    s->md = pcre2_match_data_create(32, NULL);
    s->mctx = pcre2_match_context_copy(e->mctx);
    if (s->covered == NULL || s->touched == NULL || s->md == NULL || s->mctx == NULL ||
        hs_clone_scratch(e->proto, &s->scratch) != HS_SUCCESS) {
        slot_free(s);
        return NULL;
    }
    return s;
}

int
detect_open(struct detect_engine **out)
{
    const unsigned char *blob = detect_db_blob;
    size_t size = (size_t)detect_db_size, n;
    struct detect_engine *e;
    hs_error_t herr;

    *out = NULL;
    if (sodium_init() < 0)
        return err_set(ERR_INTERNAL, "detect: libsodium failed to initialise");
    if (size < 12 || memcmp(blob, DETECT_DB_MAGIC, 4) != 0 || rd32(blob + 4) != DETECT_DB_VERSION)
        return err_set(ERR_INTERNAL, "detect: the built-in rule database is malformed");
    n = rd32(blob + 8);
    if (n != detect_rules_count || size < 12 + n)
        return err_set(ERR_INTERNAL, "detect: the rule database has %zu rules, the table %zu",
                       n, detect_rules_count);
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return err_set(ERR_NOMEM, "detect: out of memory");
    e->nrules = n;
    e->modes = malloc(n);
    e->codes = calloc(n, sizeof(*e->codes));
    e->jits = calloc(n, sizeof(*e->jits));
    e->searched = calloc(n, sizeof(*e->searched));
    e->code_err = calloc(n, sizeof(*e->code_err));
    e->mctx = pcre2_match_context_create(NULL);
    if (e->modes == NULL || e->codes == NULL || e->jits == NULL || e->searched == NULL ||
        e->code_err == NULL || e->mctx == NULL) {
        detect_close(e);
        return err_set(ERR_NOMEM, "detect: out of memory");
    }
    memcpy(e->modes, blob + 12, n);
    pcre2_set_match_limit(e->mctx, PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(e->mctx, PCRE_DEPTH_LIMIT);
    pcre2_set_heap_limit(e->mctx, PCRE_HEAP_LIMIT);
    pthread_mutex_init(&e->lock, NULL);
    herr = hs_deserialize_database((const char *)blob + 12 + n, size - 12 - n, &e->db);
    if (herr != HS_SUCCESS) {
        detect_close(e);
        return err_set(ERR_INTERNAL,
                       "detect: cannot load the rule database (Vectorscan error %d; built for "
                       "another CPU? rebuild on this machine)",
                       (int)herr);
    }
    /* One idle slot from the start: a single-threaded scan never makes another. */
    e->idle = malloc(4 * sizeof(*e->idle));
    e->capidle = e->idle != NULL ? 4 : 0;
    if (e->idle == NULL || hs_alloc_scratch(e->db, &e->proto) != HS_SUCCESS ||
        (e->idle[0] = slot_new(e)) == NULL) {
        detect_close(e);
        return err_set(ERR_NOMEM, "detect: cannot allocate Vectorscan scratch space");
    }
    e->nidle = 1;
    *out = e;
    return 0;
}

void
detect_close(struct detect_engine *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nrules; i++) {
        if (e->codes != NULL)
            pcre2_code_free(e->codes[i]);
        if (e->jits != NULL)
            pcre2_code_free(e->jits[i]);
    }
    free(e->codes);
    free(e->jits);
    free(e->searched);
    free(e->code_err);
    free(e->modes);
    if (e->mctx != NULL)
        pcre2_match_context_free(e->mctx);
    for (size_t i = 0; i < e->nidle; i++)
        slot_free(e->idle[i]);
    free(e->idle);
    if (e->proto != NULL)
        hs_free_scratch(e->proto);
    if (e->db != NULL)
        hs_free_database(e->db);
    if (e->nrules > 0 || e->modes != NULL)
        pthread_mutex_destroy(&e->lock);
    free(e);
}

size_t
detect_rule_count(const struct detect_engine *e)
{
    return e != NULL ? e->nrules : 0;
}

const struct rule_meta *
detect_rule_at(const struct detect_engine *e, size_t i)
{
    return e != NULL && i < e->nrules ? &detect_rules[i].meta : NULL;
}

const unsigned char *
detect_rule_modes(const struct detect_engine *e)
{
    return e->modes;
}

/* ---- PCRE2, lazily -------------------------------------------------------------------------- */

/* A rule's pattern is JIT-compiled once it has searched this many bytes: a JIT compile costs
 * about what the interpreter spends on a few hundred KiB, so a one-file scan (a Dockerfile, a
 * .env, a finding's message) interprets and a tree or an image gets the JIT where it pays. */
#define JIT_AFTER_BYTES (256u << 10)

static pcre2_code *
rule_code(struct detect_engine *e, size_t i, size_t window)
{
    pcre2_code *c, *j;
    int errcode = 0;
    PCRE2_SIZE erroff;
    size_t before;

    /* Compiled once, then read by every thread without the lock (published with release). */
    j = __atomic_load_n(&e->jits[i], __ATOMIC_ACQUIRE);
    if (j != NULL)
        return j;
    c = __atomic_load_n(&e->codes[i], __ATOMIC_ACQUIRE);
    if (c == NULL) {
        pthread_mutex_lock(&e->lock);
        c = e->codes[i];
        if (c == NULL && e->code_err[i] == 0) {
            /* Rules with a lookback bound where a match may start (see run_rule). */
            uint32_t opts = detect_rules[i].lookback != 0 ? PCRE2_USE_OFFSET_LIMIT : 0;
            c = pcre2_compile((PCRE2_SPTR)detect_rules[i].pattern, PCRE2_ZERO_TERMINATED, opts,
                              &errcode, &erroff, NULL);
            if (c == NULL)
                e->code_err[i] = errcode != 0 ? errcode : -1;
            else
                __atomic_store_n(&e->codes[i], c, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&e->lock);
        if (c == NULL)
            return NULL;
    }
    before = __atomic_fetch_add(&e->searched[i], window, __ATOMIC_RELAXED);
    if (before < JIT_AFTER_BYTES && before + window >= JIT_AFTER_BYTES) {
        /* One thread crosses the mark: a JIT copy, published for the next searches (a code in
         * use on another thread is never changed). The interpreter stays when JIT fails. */
        j = pcre2_code_copy(c);
        if (j != NULL && pcre2_jit_compile(j, PCRE2_JIT_COMPLETE) == 0)
            __atomic_store_n(&e->jits[i], j, __ATOMIC_RELEASE);
        else
            pcre2_code_free(j);
    }
    return c;
}

int
detect_rule_pcre_check(struct detect_engine *e, size_t i)
{
    int err;

    if (i >= e->nrules)
        return -1;
    if (rule_code(e, i, 0) != NULL)
        return 0;
    pthread_mutex_lock(&e->lock);
    err = e->code_err[i];
    pthread_mutex_unlock(&e->lock);
    return err;
}

/* A slot for one scan: an idle one, or a new one (its scratch a clone of the template). Scans
 * on several threads each hold their own; the database itself is shared read-only. */
static int
slot_take(struct detect_engine *e, struct scan_slot **out)
{
    pthread_mutex_lock(&e->lock);
    *out = e->nidle > 0 ? e->idle[--e->nidle] : NULL;
    pthread_mutex_unlock(&e->lock);
    if (*out == NULL && (*out = slot_new(e)) == NULL)
        return err_set(ERR_NOMEM, "detect: cannot allocate Vectorscan scratch space");
    return 0;
}

/* Back to the idle list (as many as scans ever ran at once), clean, or freed when the list
 * cannot grow. Only the entries the scan set are zeroed: not 2 x nrules words a scan. */
static void
slot_give(struct detect_engine *e, struct scan_slot *s)
{
    for (size_t k = 0; k < s->ntouched; k++)
        s->covered[s->touched[k]] = s->covered[e->nrules + s->touched[k]] = 0;
    s->ntouched = 0;
    pcre2_set_offset_limit(s->mctx, PCRE2_UNSET);
    pthread_mutex_lock(&e->lock);
    if (e->nidle == e->capidle) {
        size_t nc = e->capidle ? e->capidle * 2 : 4;
        struct scan_slot **n = realloc(e->idle, nc * sizeof(*n));
        if (n != NULL) {
            e->idle = n;
            e->capidle = nc;
        }
    }
    if (e->nidle < e->capidle) {
        e->idle[e->nidle++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&e->lock);
    slot_free(s);
}

/* Rule ri's covered/checked entries are about to be set: the first time in this scan, note it
 * so that slot_give zeroes them. */
static void
touch(struct scan_ctx *c, size_t ri)
{
    if (c->covered[ri] == 0 && c->checked[ri] == 0)
        c->slot->touched[c->slot->ntouched++] = (uint32_t)ri;
}

/* ---- One buffer ---------------------------------------------------------------------------- */

static int
push_hit(struct scan_ctx *c, const struct raw_hit *h)
{
    if (c->nhits == c->caphits) {
        size_t ncap = c->caphits != 0 ? c->caphits * 2 : 16;
        struct raw_hit *n = realloc(c->hits, ncap * sizeof(*n));
        if (n == NULL)
            return err_set(ERR_NOMEM, "detect: out of memory");
        c->hits = n;
        c->caphits = ncap;
    }
    c->hits[c->nhits++] = *h;
    return 0;
}

static int
group_set(const PCRE2_SIZE *ov, int rc, unsigned g)
{
    return (int)g < rc && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] != PCRE2_UNSET;
}

/* user:password@example.com (RFC 2606 names): documentation, reported as an example. */
static int
url_host_is_example(const char *d, size_t len, size_t at)
{
    static const char *const hosts[] = {"example.com", "example.org", "example.net", NULL};
    size_t e;

    if (at >= len || d[at] != '@')
        return 0;
    at++;
    for (e = at; e < len && e - at < 256 && d[e] != '/' && d[e] != ':' && d[e] != '?' &&
                 d[e] != '#' && d[e] != '\'' && d[e] != '"' && d[e] != ' ' && d[e] != '\n';
         e++)
        ;
    for (size_t i = 0; hosts[i] != NULL; i++) {
        size_t n = strlen(hosts[i]);
        if (e - at >= n && strncasecmp(d + e - n, hosts[i], n) == 0 &&
            (e - at == n || d[e - n - 1] == '.'))
            return 1;
    }
    return e - at >= 8 && strncasecmp(d + e - 8, ".example", 8) == 0;
}

/* A PCRE2 match of rule ri: pick the secret group, filter, and keep it when it passes. */
static void
take_match(struct scan_ctx *c, size_t ri, int rc, const PCRE2_SIZE *ov)
{
    const struct detect_rule *r = &detect_rules[ri];
    struct raw_hit h;
    unsigned g = r->group;
    const char *name = NULL;
    size_t name_len = 0;
    int quoted = 0, v;
    char op = 0;

    if (!group_set(ov, rc, g)) {
        /* Alternatives (quoted | bare): the highest group that took part holds the value. */
        g = 0;
        for (int k = rc - 1; k > 0; k--)
            if (group_set(ov, rc, (unsigned)k)) {
                g = (unsigned)k;
                break;
            }
        if (g == 0 || g < r->group)
            return;
    }
    memset(&h, 0, sizeof(h));
    h.rule = ri;
    h.ms = ov[0];
    h.me = ov[1];
    h.s0 = ov[2 * g];
    h.s1 = ov[2 * g + 1];
    if (r->flags & DR_KEYBLOCK) {
        /* Key bodies: the fingerprint covers the base64 only, not the line breaks around it. */
        while (h.s1 > h.s0 && (c->data[h.s1 - 1] == '\n' || c->data[h.s1 - 1] == '\r' ||
                               c->data[h.s1 - 1] == ' ' || c->data[h.s1 - 1] == '\t'))
            h.s1--;
        while (h.s0 < h.s1 && (c->data[h.s0] == '\n' || c->data[h.s0] == '\r' ||
                               c->data[h.s0] == ' ' || c->data[h.s0] == '\t'))
            h.s0++;
        while (h.s1 >= h.s0 + 2 && c->data[h.s1 - 2] == '\\' &&
               (c->data[h.s1 - 1] == 'n' || c->data[h.s1 - 1] == 'r'))
            h.s1 -= 2;
    }
    if (h.s1 <= h.s0)
        return;
    if (r->name_group != 0 && group_set(ov, rc, r->name_group)) {
        name = c->data + ov[2 * r->name_group];
        name_len = ov[2 * r->name_group + 1] - ov[2 * r->name_group];
        if (group_set(ov, rc, r->name_group + 1))
            op = c->data[ov[2 * (r->name_group + 1)]];
        quoted = group_set(ov, rc, r->name_group + 2);
    }
    h.example = detect_is_example(c->data + h.s0, h.s1 - h.s0) ||
                (r->validator == VAL_URL_PASSWORD && url_host_is_example(c->data, c->len, h.s1));
    if (!h.example) {
        if (r->min_entropy > 0 && detect_entropy(c->data + h.s0, h.s1 - h.s0) < r->min_entropy)
            return;
        if (!(r->flags & DR_LITERAL) && detect_value_is_placeholder(c->data + h.s0, h.s1 - h.s0))
            return;
        if ((r->flags & DR_GENERIC) && detect_is_uuid(c->data + h.s0, h.s1 - h.s0))
            return;
        if (!(r->flags & (DR_GENERIC | DR_CONTEXT)) && detect_token_is_glued(c->data, h.s0))
            return;
        /* Where the name alone says "secret", test data and prose are not secrets. */
        if ((r->flags & (DR_GENERIC | DR_CONTEXT)) || r->validator == VAL_URL_PASSWORD) {
            if (detect_value_is_fake(c->data + h.s0, h.s1 - h.s0) ||
                detect_value_is_prose(c->data + h.s0, h.s1 - h.s0))
                return;
            if (r->validator == VAL_GENERIC_SECRET &&
                detect_value_is_identifier(c->data + h.s0, h.s1 - h.s0))
                return;
        }
    }
    v = detect_validate(r->validator, c->data, c->len, h.s0, h.s1, name, name_len, quoted, op);
    if (v == 0)
        return;
    if (detect_line_allowed(c->data, c->len, h.s0, h.s1))
        return;
    h.confidence = r->confidence;
    if (v == 2)
        h.confidence = 0.99;
    if (r->flags & DR_GENERIC) {
        double ent = detect_entropy(c->data + h.s0, h.s1 - h.s0);
        h.confidence += ent >= 4.0 ? 0.2 : ent >= 3.5 ? 0.1 : 0.0;
        if (quoted)
            h.confidence += 0.05;
    }
    if (h.confidence > 1.0)
        h.confidence = 1.0;
    if (push_hit(c, &h) < 0)
        c->err = ERR_NOMEM;
}

/* pcre2_match, and again through the interpreter when the JIT's machine stack runs out: a long
 * repetition of an alternation (a 2048-bit key's PEM body is 1,700 characters) needs more than
 * the JIT's default 32 KiB, while the interpreter keeps its frames on the heap, within
 * PCRE_HEAP_LIMIT. A shared JIT stack would not be safe across threads scanning at once. */
static int
match_at(const pcre2_code *code, const char *data, size_t len, size_t off, uint32_t opts,
         pcre2_match_data *md, pcre2_match_context *mctx)
{
    int rc = pcre2_match(code, (PCRE2_SPTR)data, len, off, opts, md, mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(code, (PCRE2_SPTR)data, len, off, opts | PCRE2_NO_JIT, md, mctx);
    return rc;
}

/* Where the first of a rule's comma-separated keywords starts in d[from, to) (any case), or
 * `to` when none is there. */
static size_t
next_keyword(const char *d, size_t from, size_t to, const char *kws)
{
    size_t best = to;

    for (const char *k = kws; k != NULL && *k != '\0';) {
        const char *e = strchr(k, ',');
        size_t n = e != NULL ? (size_t)(e - k) : strlen(k);
        for (size_t i = from; n > 0 && i + n <= to && i < best; i++)
            if ((d[i] | 0x20) == k[0] && strncasecmp(d + i, k, n) == 0) {
                best = i;
                break;
            }
        k = e != NULL ? e + 1 : k + n;
    }
    return best;
}

/* PCRE2 matches of rule ri starting in [off, last] and ending before wend; each one is taken.
 * Returns where the search stopped. */
static size_t
search(struct scan_ctx *c, size_t ri, pcre2_code *code, size_t off, size_t last, size_t wend)
{
    while (off <= last) {
        int rc = match_at(code, c->data, wend, off, 0, c->md, c->mctx);
        PCRE2_SIZE *ov;
        size_t ms, me;

        if (rc <= 0)
            break; /* no match, or a match/depth/heap limit: a hostile input stops here */
        ov = pcre2_get_ovector_pointer(c->md);
        ms = ov[0];
        me = ov[1];
        if (me == wend && wend < c->len) {
            /* The window may have cut the match short: redo it on the whole input. */
            rc = match_at(code, c->data, c->len, ms, PCRE2_ANCHORED, c->md, c->mctx);
            if (rc <= 0) {
                off = ms + 1;
                continue;
            }
            ov = pcre2_get_ovector_pointer(c->md);
            me = ov[1];
        }
        take_match(c, ri, rc, ov);
        if (me > c->covered[ri]) {
            touch(c, ri);
            c->covered[ri] = me;
        }
        off = me > ms ? me : ms + 1;
        if (c->err != 0)
            break;
    }
    return off;
}

/* A rule with a lookback (the generic ones, whose keywords are dense in source code): its
 * Vectorscan hit ends less than DETECT_KW_REACH bytes after the keyword of its name, and its
 * match starts at most `lookback` bytes before the identifier holding that keyword. So PCRE2
 * runs once per keyword found there, from just before its identifier, and tries no start after
 * the keyword (an offset limit): a few dozen positions instead of a window. */
static void
run_near_keywords(struct scan_ctx *c, size_t ri, pcre2_code *code, size_t to)
{
    const struct detect_rule *r = &detect_rules[ri];
    size_t from = to > DETECT_KW_REACH ? to - DETECT_KW_REACH : 0;
    size_t wend = c->len - to > DETECT_RULE_SPAN ? to + DETECT_RULE_SPAN : c->len;

    for (;;) {
        size_t kw = next_keyword(c->data, from, to, r->keywords), id = kw, ws;
        if (kw >= to)
            break;
        while (id > 0 && kw - id < 48 && strchr(GENERIC_NAME_CHARS, c->data[id - 1]) != NULL &&
               c->data[id - 1] != '\0')
            id--;
        ws = id > r->lookback ? id - r->lookback : 0;
        if (ws < c->covered[ri])
            ws = c->covered[ri];
        if (ws <= kw) {
            pcre2_set_offset_limit(c->mctx, kw);
            search(c, ri, code, ws, kw, wend);
            if (c->err != 0)
                return;
        }
        from = kw + 1;
    }
}

/* Vectorscan says rule ri matched ending at `to`: run its PCRE2 pattern in a window. */
static void
run_rule(struct scan_ctx *c, size_t ri, size_t to)
{
    const struct detect_rule *r = &detect_rules[ri];
    size_t span = (r->flags & DR_KEYBLOCK) ? DETECT_MAX_SPAN : DETECT_RULE_SPAN;
    /* A keyword sits inside its match, near the start in practice: look back less. Search
     * ahead further than a match can reach, so that a fruitless search also clears the
     * reports that follow (see `checked` below): hostile inputs stay linear. */
    size_t back = c->e->modes[ri] == DETECT_MODE_KW ? span / 2 : span;
    size_t ahead = 2 * span;
    size_t wstart = to > back ? to - back : 0, wend = c->len - to > ahead ? to + ahead : c->len;
    pcre2_code *code = rule_code(c->e, ri, wend - wstart);

    if (code == NULL)
        return;
    if (r->lookback != 0) {
        run_near_keywords(c, ri, code, to);
        return;
    }
    if (wstart < c->covered[ri])
        wstart = c->covered[ri];
    pcre2_set_offset_limit(c->mctx, PCRE2_UNSET); /* an error for the other rules */
    (void)search(c, ri, code, wstart, wend, wend);
    if (c->err != 0)
        return;
    /* No match starts in [off, wend) and fits before wend: a later report of this rule whose
     * match would start there (it ends within `span` of its start) needs no new search. */
    {
        size_t clear = wend == c->len ? c->len : (wend - span > to ? wend - span : to);
        if (clear > c->checked[ri]) {
            touch(c, ri);
            c->checked[ri] = clear;
        }
    }
}

static int
on_vs_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
            void *ctx)
{
    struct scan_ctx *c = ctx;
    size_t ri = id >= DETECT_KW_ID ? id - DETECT_KW_ID : id;

    (void)from;
    (void)flags;
    if (ri >= c->e->nrules)
        return 0;
    if (to <= c->covered[ri] || to <= c->checked[ri])
        return 0;
    run_rule(c, ri, (size_t)to);
    return c->err != 0 ? 1 : 0;
}

static int
cmp_hits(const void *a, const void *b)
{
    const struct raw_hit *x = a, *y = b;
    if (x->s0 != y->s0)
        return x->s0 < y->s0 ? -1 : 1;
    if (x->s1 != y->s1)
        return x->s1 > y->s1 ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Does a beat b when their secrets overlap? Provider rules beat generic ones, then
 * confidence, then the longer secret, then table order. */
static int
beats(const struct raw_hit *a, const struct raw_hit *b)
{
    int ga = (detect_rules[a->rule].flags & DR_GENERIC) != 0;
    int gb = (detect_rules[b->rule].flags & DR_GENERIC) != 0;
    if (ga != gb)
        return gb;
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence;
    if (a->s1 - a->s0 != b->s1 - b->s0)
        return a->s1 - a->s0 > b->s1 - b->s0;
    return a->rule < b->rule;
}

static void
dedupe(struct scan_ctx *c)
{
    size_t k = 0;

    if (c->nhits == 0)
        return;
    qsort(c->hits, c->nhits, sizeof(*c->hits), cmp_hits);
    for (size_t i = 0; i < c->nhits; i++) {
        if (k > 0 && c->hits[i].s0 < c->hits[k - 1].s1) {
            if (beats(&c->hits[i], &c->hits[k - 1]))
                c->hits[k - 1] = c->hits[i];
            continue;
        }
        c->hits[k++] = c->hits[i];
    }
    c->nhits = k;
}

/* Scans data[0, len) and keeps hits with a secret starting in [from, to). */
static int
scan_buffer(struct detect_engine *e, const char *data, size_t len, size_t from, size_t to,
            struct scan_ctx *c)
{
    hs_error_t herr;

    memset(c, 0, sizeof(*c));
    c->e = e;
    c->data = data;
    c->len = len;
    c->report_from = from;
    c->report_to = to;
    if (slot_take(e, &c->slot) < 0)
        return ERR_NOMEM;
    c->covered = c->slot->covered;
    c->checked = c->covered + e->nrules;
    c->md = c->slot->md;
    c->mctx = c->slot->mctx;
    herr = len > 0 ? hs_scan(e->db, data, (unsigned int)len, 0, c->slot->scratch, on_vs_match, c)
                   : HS_SUCCESS;
    slot_give(e, c->slot);
    c->slot = NULL;
    c->covered = c->checked = NULL;
    c->md = NULL;
    c->mctx = NULL;
    if (c->err != 0) {
        free(c->hits);
        return c->err;
    }
    if (herr != HS_SUCCESS && herr != HS_SCAN_TERMINATED) {
        free(c->hits);
        return err_set(ERR_INTERNAL, "detect: Vectorscan scan failed (error %d)", (int)herr);
    }
    /* Dedupe before keeping only this window's range, so that every window of a stream
     * settles overlaps exactly as one whole-input scan would. */
    dedupe(c);
    {
        size_t k = 0;
        for (size_t i = 0; i < c->nhits; i++)
            if (c->hits[i].s0 >= c->report_from && c->hits[i].s0 < c->report_to)
                c->hits[k++] = c->hits[i];
        c->nhits = k;
    }
    return 0;
}

/* Line/column bookkeeping across calls: offsets are absolute (stream) offsets. */
struct linepos {
    size_t off;        /* absolute offset counted up to */
    int line;          /* line number at `off` */
    size_t line_start; /* absolute offset where that line starts */
};

/* Newlines in p[0, n): every byte of a stream is counted, so 16 bytes at a time where SSE2 is
 * there (all x86-64), eight otherwise; memchr per line costs more on short lines. */
static size_t
count_newlines(const char *p, size_t n)
{
    size_t count = 0, i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n');
    while (n - i >= 16) {
        /* Byte counters (0 - cmp adds 1 per match) summed before they can overflow. */
        __m128i acc = _mm_setzero_si128();
        size_t blocks = (n - i) / 16 > 255 ? 255 : (n - i) / 16;
        for (size_t b = 0; b < blocks; b++, i += 16)
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
        acc = _mm_sad_epu8(acc, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si32(acc) + (size_t)_mm_extract_epi16(acc, 4);
    }
#else
    const uint64_t ones7 = 0x7f7f7f7f7f7f7f7full, nlw = 0x0a0a0a0a0a0a0a0aull;
    for (; n - i >= 8; i += 8) {
        uint64_t w, y;
        memcpy(&w, p + i, 8);
        w ^= nlw;
        y = ~(((w & ones7) + ones7) | w | ones7); /* 0x80 in each byte that was '\n' */
        count += (size_t)(((y >> 7) * 0x0101010101010101ull) >> 56);
    }
#endif
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

static void
linepos_advance(struct linepos *lp, const char *buf, size_t base, size_t to)
{
    const char *from, *last;
    size_t nl;

    if (to <= lp->off)
        return;
    from = buf + (lp->off - base);
    nl = count_newlines(from, to - lp->off);
    if (nl > 0) {
        last = memrchr(from, '\n', to - lp->off);
        lp->line += (int)nl;
        lp->line_start = lp->off + (size_t)(last - from) + 1;
    }
    lp->off = to;
}

/* Turns the kept raw hits into reported ones, in order. `base` is the absolute offset of
 * data[0]. Returns the callback's stop value or 0. */
static int
emit_hits(struct scan_ctx *c, size_t base, struct linepos *lp, detect_hit_fn cb, void *user)
{
    int rc = 0;

    for (size_t i = 0; i < c->nhits && rc >= 0; i++) {
        const struct raw_hit *h = &c->hits[i];
        const struct detect_rule *r = &detect_rules[h->rule];
        struct detect_hit out;

        memset(&out, 0, sizeof(out));
        linepos_advance(lp, c->data, base, base + h->s0);
        out.rule = &r->meta;
        out.provider = r->provider;
        out.match_start = base + h->ms;
        out.match_end = base + h->me;
        out.secret_start = base + h->s0;
        out.secret_end = base + h->s1;
        out.line = lp->line;
        out.column = (int)(base + h->s0 - lp->line_start + 1);
        out.confidence = h->confidence;
        out.is_example = h->example;
        out.is_generic = (r->flags & DR_GENERIC) != 0;
        out.secret = c->data + h->s0;
        detect_redact(c->data + h->s0, h->s1 - h->s0, out.redacted, sizeof(out.redacted));
        detect_fingerprint(c->data + h->s0, h->s1 - h->s0, out.fingerprint);
        {
            size_t from = lp->line_start > base ? lp->line_start - base : 0;
            detect_label(c->data + from, h->s0 > from ? h->s0 - from : 0, out.label);
        }
        rc = cb(&out, user);
        sodium_memzero(&out, sizeof(out));
    }
    return rc < 0 ? rc : 0;
}

int
detect_scan(struct detect_engine *e, const char *data, size_t len, detect_hit_fn cb, void *user)
{
    struct scan_ctx c;
    struct linepos lp = {0, 1, 0};
    int rc;

    if (e == NULL || cb == NULL || (data == NULL && len > 0))
        return err_set(ERR_USAGE, "detect_scan: bad arguments");
    if (len > UINT32_MAX) {
        /* Vectorscan takes 32-bit lengths: very large buffers go through a stream. */
        struct detect_stream *s;
        rc = detect_stream_open(e, cb, user, &s);
        if (rc < 0)
            return rc;
        rc = detect_stream_feed(s, data, len);
        int rc2 = detect_stream_close(s);
        return rc < 0 ? rc : rc2;
    }
    rc = scan_buffer(e, data, len, 0, len, &c);
    if (rc < 0)
        return rc;
    rc = emit_hits(&c, 0, &lp, cb, user);
    free(c.hits);
    return rc;
}

/* ---- Streams ----------------------------------------------------------------------------- */

/* Every window is scanned with OVERLAP bytes after what it reports and OVERLAP before, so a
 * match (at most DETECT_MAX_SPAN long, plus the context its pattern reads) is always whole. */
#define STREAM_CHUNK   (1u << 20)
#define STREAM_OVERLAP (DETECT_MAX_SPAN + DETECT_RULE_SPAN + 4096u)

struct detect_stream {
    struct detect_engine *e;
    detect_hit_fn cb;
    void *user;
    char *buf;
    size_t n, cap;
    size_t used;     /* high-water mark of n: what must be wiped */
    size_t base;     /* absolute offset of buf[0] */
    size_t reported; /* absolute offset: secrets starting before it are done */
    size_t chunk, overlap;
    struct linepos lp;
    int err;
};

int
detect_stream_open(struct detect_engine *e, detect_hit_fn cb, void *user,
                   struct detect_stream **out)
{
    struct detect_stream *s;

    *out = NULL;
    if (e == NULL || cb == NULL)
        return err_set(ERR_USAGE, "detect_stream_open: bad arguments");
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return err_set(ERR_NOMEM, "detect: out of memory");
    s->e = e;
    s->cb = cb;
    s->user = user;
    s->chunk = STREAM_CHUNK;
    s->overlap = STREAM_OVERLAP;
    s->lp.line = 1;
    *out = s;
    return 0;
}

void
detect_stream_tune(struct detect_stream *s, size_t chunk, size_t overlap)
{
    s->chunk = chunk > 0 ? chunk : 1;
    s->overlap = overlap;
}

/* Scans the buffer; reports secrets starting before `limit` (relative), then drops what no
 * later window needs. */
static int
stream_window(struct detect_stream *s, int final)
{
    size_t limit = final ? s->n : s->n - s->overlap, drop;
    struct scan_ctx c;
    int rc;

    rc = scan_buffer(s->e, s->buf, s->n, s->reported - s->base, limit, &c);
    if (rc < 0)
        return rc;
    rc = emit_hits(&c, s->base, &s->lp, s->cb, s->user);
    free(c.hits);
    if (rc < 0)
        return rc;
    s->reported = s->base + limit;
    if (final)
        return 0;
    /* Keep `overlap` bytes before the reporting point as left context. */
    drop = limit > s->overlap ? limit - s->overlap : 0;
    if (drop > 0) {
        linepos_advance(&s->lp, s->buf, s->base, s->base + drop);
        sodium_memzero(s->buf, drop);
        memmove(s->buf, s->buf + drop, s->n - drop);
        s->n -= drop;
        s->base += drop;
    }
    return 0;
}

/* Makes room for at least min(want - n, 64 KiB) more bytes, growing geometrically up to one
 * window so that small inputs stay small. */
static int
stream_grow(struct detect_stream *s)
{
    size_t want = s->chunk + 2 * s->overlap, need = s->n + (64u << 10), ncap;
    char *nb;

    if (need > want)
        need = want;
    if (s->cap >= need)
        return 0;
    ncap = s->cap * 2 > need ? s->cap * 2 : need;
    if (ncap > want)
        ncap = want;
    nb = malloc(ncap);
    if (nb == NULL)
        return s->err = err_set(ERR_NOMEM, "detect: out of memory");
    if (s->n > 0)
        memcpy(nb, s->buf, s->n);
    if (s->buf != NULL) {
        sodium_memzero(s->buf, s->used);
        free(s->buf);
    }
    s->buf = nb;
    s->cap = ncap;
    return 0;
}

int
detect_stream_reserve(struct detect_stream *s, char **ptr, size_t *room)
{
    size_t want;

    if (s == NULL || ptr == NULL || room == NULL)
        return err_set(ERR_USAGE, "detect_stream_reserve: bad arguments");
    if (s->err != 0)
        return s->err;
    if (stream_grow(s) < 0)
        return s->err;
    want = s->chunk + 2 * s->overlap;
    *ptr = s->buf + s->n;
    *room = (s->cap < want ? s->cap : want) - s->n;
    return 0;
}

int
detect_stream_commit(struct detect_stream *s, size_t n)
{
    if (s == NULL || s->err != 0)
        return s != NULL ? s->err : err_set(ERR_USAGE, "detect_stream_commit: bad arguments");
    if (n > s->cap - s->n)
        return s->err = err_set(ERR_USAGE, "detect_stream_commit: more than reserved");
    s->n += n;
    if (s->n > s->used)
        s->used = s->n;
    if (s->n == s->chunk + 2 * s->overlap) {
        int rc = stream_window(s, 0);
        if (rc < 0)
            return s->err = rc;
    }
    return 0;
}

int
detect_stream_feed(struct detect_stream *s, const char *data, size_t len)
{
    if (s == NULL || (data == NULL && len > 0))
        return err_set(ERR_USAGE, "detect_stream_feed: bad arguments");
    while (len > 0) {
        char *p;
        size_t room, take;
        int rc = detect_stream_reserve(s, &p, &room);
        if (rc < 0)
            return rc;
        take = room < len ? room : len;
        memcpy(p, data, take);
        rc = detect_stream_commit(s, take);
        if (rc < 0)
            return rc;
        data += take;
        len -= take;
    }
    return s->err;
}

void
detect_stream_discard(struct detect_stream *s)
{
    if (s == NULL)
        return;
    if (s->buf != NULL) {
        sodium_memzero(s->buf, s->used);
        free(s->buf);
    }
    free(s);
}

int
detect_stream_close(struct detect_stream *s)
{
    int rc = 0;

    if (s == NULL)
        return 0;
    if (s->err == 0 && s->n > s->reported - s->base)
        rc = stream_window(s, 1);
    else if (s->err == 0 && s->n == 0)
        rc = 0;
    if (s->err != 0)
        rc = s->err;
    if (s->buf != NULL) {
        sodium_memzero(s->buf, s->used);
        free(s->buf);
    }
    free(s);
    return rc;
}
