/* findings: the one model of a finding shared by every rule of both programs, with the
 * operations reports need (add, sort, count, filter). Renderers live in report_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *
severity_name(enum severity s)
{
    return (unsigned)s < 5 ? sev_names[s] : "unknown";
}

int
severity_parse(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (name != NULL && strcmp(name, sev_names[i]) == 0)
            return i;
    return -1;
}

void
findings_init(struct findings *f)
{
    memset(f, 0, sizeof(*f));
}

/* ---- The arena of a pooled list: strings bump-allocated in chunks, and the ones that repeat
 * (rule id, title, remediation, path, target...) stored once, found by a hash of their length
 * and end bytes, checked with memcmp. */
struct pool_chunk {
    struct pool_chunk *next;
    size_t size, used;
    char data[];
};

struct pool_str {
    const char *s;
    size_t len;
};

struct findings_pool {
    struct pool_chunk *chunks;
    struct pool_str *tab; /* open addressing, power of two */
    size_t cap, n;
};

#define POOL_CHUNK ((size_t)64 * 1024)

static char *
pool_alloc(struct findings_pool *p, size_t n)
{
    struct pool_chunk *c = p->chunks;

    if (c == NULL || c->size - c->used < n) {
        size_t size = n > POOL_CHUNK / 4 ? n : POOL_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        if (size == n && p->chunks != NULL) { /* a big one: keep filling the current chunk */
            c->next = p->chunks->next;
            p->chunks->next = c;
        } else {
            c->next = p->chunks;
            p->chunks = c;
        }
    }
    c->used += n;
    return c->data + c->used - n;
}

static char *
pool_copy(struct findings_pool *p, const char *s, size_t n)
{
    char *d = pool_alloc(p, n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *
pool_dup(struct findings_pool *p, const char *s)
{
    return s != NULL ? pool_copy(p, s, strlen(s)) : NULL;
}

static size_t
pool_hash(const char *s, size_t n)
{
    size_t h = n * 0x9e3779b97f4a7c15u;

    for (size_t i = 0; i < n && i < 8; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    for (size_t i = n > 8 ? n - 8 : n; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h ^ (h >> 29);
}

static int
pool_grow(struct findings_pool *p)
{
    size_t cap = p->cap ? p->cap * 2 : 256;
    struct pool_str *t = calloc(cap, sizeof(*t));

    if (t == NULL)
        return -1;
    for (size_t i = 0; i < p->cap; i++) {
        if (p->tab[i].s == NULL)
            continue;
        size_t h = pool_hash(p->tab[i].s, p->tab[i].len) & (cap - 1);
        while (t[h].s != NULL)
            h = (h + 1) & (cap - 1);
        t[h] = p->tab[i];
    }
    free(p->tab);
    p->tab = t;
    p->cap = cap;
    return 0;
}

/* One stored copy per distinct string: NULL stays NULL. */
static char *
pool_intern(struct findings_pool *p, const char *s)
{
    size_t n, h;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    if (p->n * 2 >= p->cap && pool_grow(p) < 0)
        return NULL;
    h = pool_hash(s, n) & (p->cap - 1);
    for (; p->tab[h].s != NULL; h = (h + 1) & (p->cap - 1))
        if (p->tab[h].len == n && memcmp(p->tab[h].s, s, n) == 0)
            return (char *)p->tab[h].s;
    if ((p->tab[h].s = pool_copy(p, s, n)) == NULL)
        return NULL;
    p->tab[h].len = n;
    p->n++;
    return (char *)p->tab[h].s;
}

static void
pool_free(struct findings_pool *p)
{
    while (p->chunks != NULL) {
        struct pool_chunk *c = p->chunks;
        p->chunks = c->next;
        free(c);
    }
    free(p->tab);
    free(p);
}

int
findings_use_pool(struct findings *f)
{
    if (f->pool != NULL)
        return 0;
    if (f->n > 0)
        return err_set(ERR_INTERNAL, "findings_use_pool on a list that has findings");
    if ((f->pool = calloc(1, sizeof(*f->pool))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static void
finding_free(struct finding *x)
{
    free(x->rule);
    free(x->category);
    free(x->title);
    free(x->message);
    free(x->remediation);
    free(x->aliases);
    free(x->target);
    free(x->path);
    free(x->layer);
    free(x->container);
    free(x->secret_redacted);
    free(x->secret_fingerprint);
    free(x->label);
    free(x->description);
    finding_vcs_free(x->vcs);
    finding_vuln_free(x->vuln);
}

void
finding_vcs_free(struct finding_vcs *v)
{
    if (v == NULL)
        return;
    free(v->commit);
    free(v->author);
    free(v->date);
    free(v->subject);
    free(v->removed_in);
    free(v);
}

int
findings_set_vcs(struct findings *f, size_t i, const struct finding_vcs *v)
{
    struct finding_vcs *c;

    if (i >= f->n)
        return err_set(ERR_INTERNAL, "no finding %zu", i);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *c = (struct finding_vcs){xstrdup_or_null(v->commit), xstrdup_or_null(v->author),
                              xstrdup_or_null(v->date),   xstrdup_or_null(v->subject),
                              xstrdup_or_null(v->removed_in), v->at_head, v->commits};
    if ((v->commit && !c->commit) || (v->author && !c->author) || (v->date && !c->date) ||
        (v->subject && !c->subject) || (v->removed_in && !c->removed_in)) {
        finding_vcs_free(c);
        return err_set(ERR_NOMEM, "out of memory");
    }
    finding_vcs_free(f->items[i].vcs);
    f->items[i].vcs = c;
    return 0;
}

void
finding_vuln_free(struct finding_vuln *v)
{
    if (v == NULL)
        return;
    free(v->id);
    free(v->aliases);
    free(v->package);
    free(v->ecosystem);
    free(v->installed);
    free(v->fixed);
    free(v->purl);
    free(v->layer);
    free(v->sources);
    free(v);
}

int
findings_set_vuln(struct findings *f, size_t i, const struct finding_vuln *v)
{
    struct finding_vuln *c;

    if (i >= f->n)
        return err_set(ERR_INTERNAL, "no finding %zu", i);
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *c = (struct finding_vuln){xstrdup_or_null(v->id),        xstrdup_or_null(v->aliases),
                               xstrdup_or_null(v->package),   xstrdup_or_null(v->ecosystem),
                               xstrdup_or_null(v->installed), xstrdup_or_null(v->fixed),
                               xstrdup_or_null(v->purl),      xstrdup_or_null(v->layer),
                               xstrdup_or_null(v->sources)};
    if ((v->id && !c->id) || (v->aliases && !c->aliases) || (v->package && !c->package) ||
        (v->ecosystem && !c->ecosystem) || (v->installed && !c->installed) ||
        (v->fixed && !c->fixed) || (v->purl && !c->purl) || (v->layer && !c->layer) ||
        (v->sources && !c->sources)) {
        finding_vuln_free(c);
        return err_set(ERR_NOMEM, "out of memory");
    }
    finding_vuln_free(f->items[i].vuln);
    f->items[i].vuln = c;
    return 0;
}

int
findings_set_target_vcs(struct findings *f, const char *uri, const char *revision,
                        const char *branch)
{
    struct target *t;

    if (f->ntargets == 0)
        return err_set(ERR_INTERNAL, "no target");
    t = &f->targets[f->ntargets - 1];
    t->vcs_uri = xstrdup_or_null(uri);
    t->vcs_revision = xstrdup_or_null(revision);
    t->vcs_branch = xstrdup_or_null(branch);
    if ((uri && !t->vcs_uri) || (revision && !t->vcs_revision) || (branch && !t->vcs_branch))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

void
findings_free(struct findings *f)
{
    if (f->pool != NULL) {
        for (size_t i = 0; i < f->n; i++) {
            finding_vcs_free(f->items[i].vcs); /* not in the pool: allocated on its own */
            finding_vuln_free(f->items[i].vuln);
        }
        pool_free(f->pool);
    } else
        for (size_t i = 0; i < f->n; i++)
            finding_free(&f->items[i]);
    for (size_t i = 0; i < f->ntargets; i++) {
        free(f->targets[i].type);
        free(f->targets[i].name);
        free(f->targets[i].vcs_uri);
        free(f->targets[i].vcs_revision);
        free(f->targets[i].vcs_branch);
    }
    free(f->items);
    free(f->targets);
    findings_free_errors(f);
    findings_init(f);
}

int
findings_add_target(struct findings *f, const char *type, const char *name)
{
    if (f->ntargets == f->tcap) {
        size_t cap = f->tcap ? f->tcap * 2 : 4;
        struct target *t = realloc(f->targets, cap * sizeof(*t));
        if (t == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        f->targets = t;
        f->tcap = cap;
    }
    memset(&f->targets[f->ntargets], 0, sizeof(f->targets[f->ntargets]));
    f->targets[f->ntargets].type = strdup(type);
    f->targets[f->ntargets].name = strdup(name);
    if (f->targets[f->ntargets].type == NULL || f->targets[f->ntargets].name == NULL) {
        free(f->targets[f->ntargets].type);
        free(f->targets[f->ntargets].name);
        return err_set(ERR_NOMEM, "out of memory");
    }
    f->ntargets++;
    return 0;
}

/* Fills x's strings: interned in the pool, or malloc'd one by one. `message` (msg_len bytes)
 * is taken over when `owned` (a malloc'd string, plain mode only), copied otherwise. */
static int
fill_strings(struct findings *f, struct finding *x, const struct rule_meta *rule,
             const struct location *loc, const struct finding_extra *extra, const char *message,
             size_t msg_len, char *owned)
{
    const char *target = extra != NULL ? extra->target : NULL;
    struct findings_pool *p = f->pool;

    if (target == NULL && f->ntargets > 0)
        target = f->targets[f->ntargets - 1].name;
    if (p != NULL) {
        x->message = pool_copy(p, message, msg_len);
        x->rule = pool_intern(p, rule->id);
        x->category = pool_intern(p, rule->category ? rule->category : "general");
        x->title = pool_intern(p, rule->title ? rule->title : rule->id);
        x->remediation = pool_intern(p, rule->remediation);
        x->aliases = pool_intern(p, rule->aliases);
        x->description = pool_intern(p, rule->description);
        x->target = pool_intern(p, target);
        if (loc != NULL) {
            x->path = pool_intern(p, loc->path);
            x->layer = pool_intern(p, loc->layer);
            x->container = pool_intern(p, loc->container);
        }
        if (extra != NULL) {
            x->secret_redacted = pool_dup(p, extra->secret_redacted);
            x->secret_fingerprint = pool_dup(p, extra->secret_fingerprint);
            x->label = pool_dup(p, extra->label);
        }
        /* a NULL where the source was not NULL is an allocation failure */
        if (x->message == NULL || x->rule == NULL || x->category == NULL || x->title == NULL ||
            (rule->remediation && !x->remediation) || (rule->aliases && !x->aliases) ||
            (rule->description && !x->description) ||
            (target && !x->target) ||
            (loc && ((loc->path && !x->path) || (loc->layer && !x->layer) ||
                     (loc->container && !x->container))) ||
            (extra && ((extra->secret_redacted && !x->secret_redacted) ||
                       (extra->secret_fingerprint && !x->secret_fingerprint) ||
                       (extra->label && !x->label))))
            return err_set(ERR_NOMEM, "out of memory");
        return 0;
    }
    x->message = owned != NULL ? owned : strndup(message, msg_len);
    x->rule = strdup(rule->id);
    x->category = xstrdup_or_null(rule->category ? rule->category : "general");
    x->title = xstrdup_or_null(rule->title ? rule->title : rule->id);
    x->remediation = xstrdup_or_null(rule->remediation);
    x->aliases = xstrdup_or_null(rule->aliases);
    x->description = xstrdup_or_null(rule->description);
    x->target = xstrdup_or_null(target);
    if (loc != NULL) {
        x->path = xstrdup_or_null(loc->path);
        x->layer = xstrdup_or_null(loc->layer);
        x->container = xstrdup_or_null(loc->container);
    }
    if (extra != NULL) {
        x->secret_redacted = xstrdup_or_null(extra->secret_redacted);
        x->secret_fingerprint = xstrdup_or_null(extra->secret_fingerprint);
        x->label = xstrdup_or_null(extra->label);
    }
    if (x->message == NULL || x->rule == NULL || x->category == NULL || x->title == NULL) {
        finding_free(x);
        return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static findings_redactor_fn redactor;

void
findings_set_redactor(findings_redactor_fn fn)
{
    redactor = fn;
}

/* Runs the message through the redactor, if one is installed: 0 when it is fine as it is, 1 when
 * `out` holds the text to use instead (on the redactor's error, a note rather than the message
 * as it was), negative on a lack of memory. */
static int
redact_message(const char *message, size_t len, struct buf *out)
{
    int rc;

    if (redactor == NULL || (rc = redactor(message, len, out)) == 0)
        return 0;
    if (rc < 0 || out->data == NULL) {
        static const char withheld[] = "(message withheld: it could not be checked for secrets)";
        out->len = 0;
        if (buf_append(out, withheld, sizeof(withheld) - 1) < 0)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 1;
}

static int
add_finding(struct findings *f, const struct rule_meta *rule, const struct location *loc,
            const struct finding_extra *extra, const char *message, size_t msg_len, char *owned)
{
    struct finding x;
    struct buf red = {0};
    int rc;

    if ((rc = redact_message(message, msg_len, &red)) < 0) {
        free(owned);
        buf_free(&red);
        return rc;
    }
    if (rc > 0) {
        /* the redacted text replaces the message (and is copied below) */
        free(owned);
        owned = NULL;
        message = red.data;
        msg_len = red.len;
    }
    memset(&x, 0, sizeof(x));
    x.severity = extra != NULL && extra->override_severity ? extra->severity : rule->severity;
    x.layer_index = -1;
    if (loc != NULL) {
        x.line = loc->line;
        x.column = loc->column;
        x.end_line = loc->end_line;
        x.end_column = loc->end_column;
        x.layer_index = loc->layer ? loc->layer_index : -1;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        struct finding *items = realloc(f->items, cap * sizeof(*items));
        if (items == NULL) {
            free(owned);
            buf_free(&red);
            return err_set(ERR_NOMEM, "out of memory");
        }
        f->items = items;
        f->cap = cap;
    }
    rc = fill_strings(f, &x, rule, loc, extra, message, msg_len, owned);
    buf_free(&red);
    if (rc < 0)
        return rc;
    f->items[f->n++] = x;
    return 0;
}

int
findings_add_msg(struct findings *f, const struct rule_meta *rule, const struct location *loc,
                 const struct finding_extra *extra, const char *message)
{
    return add_finding(f, rule, loc, extra, message, strlen(message), NULL);
}

int
findings_add(struct findings *f, const struct rule_meta *rule, const struct location *loc,
             const struct finding_extra *extra, const char *fmt, ...)
{
    char small[512], *big = NULL;
    va_list ap;
    int n;

    /* one formatting pass for the usual message; a second only when it is longer */
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "format error");
    if ((size_t)n < sizeof(small))
        return add_finding(f, rule, loc, extra, small, (size_t)n, NULL);
    if ((big = malloc((size_t)n + 1)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (f->pool != NULL) {
        n = add_finding(f, rule, loc, extra, big, (size_t)n, NULL);
        free(big);
        return n;
    }
    return add_finding(f, rule, loc, extra, big, (size_t)n, big);
}

static int
cmp_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int
cmp_finding(const void *pa, const void *pb)
{
    const struct finding *a = pa, *b = pb;
    int c;

    if ((c = cmp_str(a->target, b->target)) != 0)
        return c;
    if ((c = cmp_str(a->path, b->path)) != 0)
        return c;
    if (a->layer_index != b->layer_index)
        return a->layer_index < b->layer_index ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if ((c = cmp_str(a->rule, b->rule)) != 0)
        return c;
    return cmp_str(a->message, b->message);
}

void
findings_sort(struct findings *f)
{
    if (f->n > 1)
        qsort(f->items, f->n, sizeof(f->items[0]), cmp_finding);
}

size_t
findings_count_at_least(const struct findings *f, enum severity threshold)
{
    size_t n = 0;

    for (size_t i = 0; i < f->n; i++)
        if (f->items[i].severity >= threshold)
            n++;
    return n;
}

static int
at_least(const struct finding *x, void *user)
{
    return x->severity >= *(const enum severity *)user;
}

void
findings_filter_min(struct findings *f, enum severity min)
{
    (void)findings_keep_if(f, at_least, &min);
}

size_t
findings_keep_if(struct findings *f, int (*keep)(const struct finding *x, void *user), void *user)
{
    size_t w = 0, dropped = 0;

    for (size_t i = 0; i < f->n; i++) {
        if (keep(&f->items[i], user)) {
            f->items[w++] = f->items[i];
        } else {
            if (f->pool == NULL)
                finding_free(&f->items[i]);
            else {
                finding_vcs_free(f->items[i].vcs); /* pooled strings go with the pool */
                finding_vuln_free(f->items[i].vuln);
            }
            dropped++;
        }
    }
    f->n = w;
    return dropped;
}
