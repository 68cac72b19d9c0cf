/* findings: the one model of a finding shared by every rule of both programs, with the
 * operations reports need (add, sort, count, filter). Renderers live in report_*.c. */
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
}

void
findings_free(struct findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        finding_free(&f->items[i]);
    for (size_t i = 0; i < f->ntargets; i++) {
        free(f->targets[i].type);
        free(f->targets[i].name);
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

int
findings_add(struct findings *f, const struct rule_meta *rule, const struct location *loc,
             const struct finding_extra *extra, const char *fmt, ...)
{
    struct finding x;
    va_list ap;
    int n;

    memset(&x, 0, sizeof(x));
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "format error");
    x.message = malloc((size_t)n + 1);
    if (x.message == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(x.message, (size_t)n + 1, fmt, ap);
    va_end(ap);

    x.rule = strdup(rule->id);
    x.severity = extra != NULL && extra->override_severity ? extra->severity : rule->severity;
    x.category = xstrdup_or_null(rule->category ? rule->category : "general");
    x.title = xstrdup_or_null(rule->title ? rule->title : rule->id);
    x.remediation = xstrdup_or_null(rule->remediation);
    x.aliases = xstrdup_or_null(rule->aliases);
    x.description = xstrdup_or_null(rule->description);
    x.layer_index = -1;
    if (loc != NULL) {
        x.path = xstrdup_or_null(loc->path);
        x.line = loc->line;
        x.column = loc->column;
        x.end_line = loc->end_line;
        x.end_column = loc->end_column;
        x.layer_index = loc->layer ? loc->layer_index : -1;
        x.layer = xstrdup_or_null(loc->layer);
        x.container = xstrdup_or_null(loc->container);
    }
    if (extra != NULL) {
        x.target = xstrdup_or_null(extra->target);
        x.secret_redacted = xstrdup_or_null(extra->secret_redacted);
        x.secret_fingerprint = xstrdup_or_null(extra->secret_fingerprint);
        x.label = xstrdup_or_null(extra->label);
    }
    if (x.target == NULL && f->ntargets > 0)
        x.target = xstrdup_or_null(f->targets[f->ntargets - 1].name);
    if (x.rule == NULL || x.category == NULL || x.title == NULL) {
        finding_free(&x);
        return err_set(ERR_NOMEM, "out of memory");
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        struct finding *items = realloc(f->items, cap * sizeof(*items));
        if (items == NULL) {
            finding_free(&x);
            return err_set(ERR_NOMEM, "out of memory");
        }
        f->items = items;
        f->cap = cap;
    }
    f->items[f->n++] = x;
    return 0;
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

void
findings_filter_min(struct findings *f, enum severity min)
{
    size_t w = 0;

    for (size_t i = 0; i < f->n; i++) {
        if (f->items[i].severity >= min)
            f->items[w++] = f->items[i];
        else
            finding_free(&f->items[i]);
    }
    f->n = w;
}

size_t
findings_keep_if(struct findings *f, int (*keep)(const struct finding *x, void *user), void *user)
{
    size_t w = 0, dropped = 0;

    for (size_t i = 0; i < f->n; i++) {
        if (keep(&f->items[i], user)) {
            f->items[w++] = f->items[i];
        } else {
            finding_free(&f->items[i]);
            dropped++;
        }
    }
    f->n = w;
    return dropped;
}
