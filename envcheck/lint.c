/* lint: dotenv-linter's checks (same names, same triggers, messages that name keys only), as
 * low/info rules of `secrets validate`; each can be switched off like any other rule. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

/* Keys already seen, for DuplicatedKey: an open-addressing set of entry indices. */
/* 32-bit slots: entries are bounded by ENV_MAX_ENTRIES, and half the memory is half the
 * cache misses on big files. */
struct keyslot {
    uint32_t slot; /* first entry index + 1; 0 = empty */
    uint32_t last; /* last entry index of the same key */
    uint32_t hash; /* the key's hash, compared before the key */
};
/* One array of 12-byte slots: a lookup touches one cache line, not three. */
struct keyset {
    struct keyslot *s;
    size_t cap;
};

static size_t
key_hash(const char *k, size_t n)
{
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211u;
    return h;
}

/* The slot of `key`: its own, or the empty one where it would go. */
static size_t
keyset_slot(struct keyset *s, const struct env_entry *all, const char *key, size_t kl)
{
    uint32_t full = (uint32_t)key_hash(key, kl);
    size_t h = full & (s->cap - 1);

    while (s->s[h].slot != 0) {
        if (s->s[h].hash == full) {
            const struct env_entry *x = &all[s->s[h].slot - 1];
            if (x->key_len == kl && memcmp(x->key, key, kl) == 0)
                return h;
        }
        h = (h + 1) & (s->cap - 1);
    }
    s->s[h].hash = full; /* harmless on a lookup miss: the slot stays empty */
    return h;
}

/* Returns the earlier entry with the same key, or NULL; records idx as the key's last. */
static const struct env_entry *
keyset_put(struct keyset *s, const struct env_entry *all, size_t idx)
{
    const struct env_entry *e = &all[idx];
    size_t h = keyset_slot(s, all, e->key, e->key_len);
    const struct env_entry *first = s->s[h].slot != 0 ? &all[s->s[h].slot - 1] : NULL;

    if (first == NULL)
        s->s[h].slot = (uint32_t)idx + 1;
    s->s[h].last = (uint32_t)idx;
    return first;
}

static int
is_blank_line(const struct envcheck_ctx *c, int l)
{
    const char *s = c->f->data + c->line_off[l], *e = c->f->data + c->line_off[l + 1];

    for (; s < e; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* Lines that are not part of a multi-line value: trailing whitespace, blank lines. */
static int
check_lines(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    int rc = 0, prev_blank = 0;

    for (int l = 1; l <= c->nlines && rc == 0; l++) {
        const char *s = f->data + c->line_off[l], *e = f->data + c->line_off[l + 1];
        int blank;
        if (c->in_value[l]) {
            prev_blank = 0;
            continue;
        }
        if (e > s && e[-1] == '\n')
            e--;
        if (e > s && e[-1] == '\r')
            e--;
        if (e > s && e[-1] == ' ')
            rc = envcheck_emit(c, R_TRAILING_WHITESPACE, l, (int)(e - s), NULL, 0,
                               "Trailing whitespace detected");
        blank = is_blank_line(c, l);
        if (rc == 0 && blank && prev_blank)
            rc = envcheck_emit(c, R_EXTRA_BLANK_LINE, l, 1, NULL, 0, "Extra blank line detected");
        prev_blank = blank;
    }
    /* dotenv-linter reads one more, empty, line after a final newline: a blank last line is
     * followed by it, and that one is extra */
    if (rc == 0 && prev_blank && f->len > 0 && f->data[f->len - 1] == '\n')
        rc = envcheck_emit(c, R_EXTRA_BLANK_LINE, c->nlines + 1, 1, NULL, 0,
                           "Extra blank line detected");
    if (rc == 0 && f->len > (size_t)(f->has_bom ? 3 : 0) && f->data[f->len - 1] != '\n')
        rc = envcheck_emit(c, R_ENDING_BLANK_LINE, c->nlines, 1, NULL, 0,
                           "No blank line at the end of the file");
    return rc;
}

static int
has_lower(const char *k)
{
    for (; *k != '\0'; k++)
        if (islower((unsigned char)*k))
            return 1;
    return 0;
}

static int
bad_delimiter(const char *k)
{
    while (*k != '\0' && !isalpha((unsigned char)*k) && *k != '_')
        k++;
    for (; *k != '\0'; k++)
        if (!isalnum((unsigned char)*k) && *k != '_')
            return 1;
    return 0;
}

/* dotenv-linter's QuoteCharacter: quotes in the raw value where none of the characters that
 * need them occurs. */
static int
needless_quotes(const char *raw, size_t n)
{
    int quote = 0;

    if (memchr(raw, '"', n) == NULL && memchr(raw, '\'', n) == NULL)
        return 0;

    for (size_t i = 0; i < n; i++) {
        char ch = raw[i];
        if (ch == '\'' || ch == '"')
            quote = 1;
        else if (isspace((unsigned char)ch) || ch == '$' || ch == '#' || ch == '&' || ch == '=')
            return 0;
        else if (ch == '\\' && i + 1 < n && raw[i + 1] == 'n')
            return 0;
    }
    return quote;
}

/* Was there a blank line or a control comment between two statements (a new group for
 * UnorderedKey)? */
static int
group_break_between(const struct envcheck_ctx *c, int from_line, int to_line)
{
    for (int l = from_line + 1; l < to_line; l++)
        if (is_blank_line(c, l))
            return 1;
    return envcheck_control_between(c, from_line, to_line);
}

/* dotenv-linter's SubstitutionKey on the raw value (not single-quoted): each `$` starts a
 * name running to the next `$`; it is wrong when it has one brace of `{`...`}` without the
 * other, or braces around anything but letters, digits and '_'; a `$` after an odd number of
 * backslashes is skipped. */
static int
bad_substitution(const char *v, size_t n)
{
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    if (n > 0 && v[0] == '\'')
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t j, k, bs = 0, brace = 0;
        int start, end = 0, bad;
        if (v[i] != '$')
            continue;
        for (k = i; k > 0 && v[k - 1] == '\\'; k--)
            bs++;
        j = i + 1;
        while (j < n && v[j] != '$')
            j++;
        /* the name is v[i+1 .. j) */
        start = i + 1 < j && v[i + 1] == '{';
        for (k = i + 1; k < j; k++)
            if (v[k] == '}') {
                end = 1;
                brace = k;
                break;
            }
        bad = start != end;
        for (k = i + 2; !bad && end && k < brace; k++)
            bad = !isalnum((unsigned char)v[k]) && v[k] != '_';
        if (bad && bs % 2 == 0)
            return 1;
        i = j - 1;
    }
    return 0;
}

/* UnorderedKey names the key a misplaced one should go before: the smallest key of the group
 * above it. The keys' sorted ranks and a Fenwick tree of the group's ranks answer that in
 * O(log n); built on the first misplaced key only (sorted files never pay for it). */
struct order {
    const struct env_entry *all;
    size_t n;
    uint32_t *rank;    /* entry -> position in key order */
    uint32_t *greater; /* entry -> first position with a greater key */
    uint32_t *byrank;  /* position -> entry */
    uint32_t *tree;    /* Fenwick counts over positions */
    int ready;
};

static const struct env_entry *order_all;

static int
cmp_key_idx(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(order_all[x].key, order_all[y].key);
    return c != 0 ? c : (x > y) - (x < y);
}

static void
tree_add(struct order *o, size_t pos, int d)
{
    for (size_t i = pos + 1; i <= o->n; i += i & (~i + 1))
        o->tree[i - 1] += (uint32_t)d;
}

static size_t
tree_prefix(const struct order *o, size_t pos) /* count of positions < pos */
{
    size_t s = 0;
    for (size_t i = pos; i > 0; i -= i & (~i + 1))
        s += o->tree[i - 1];
    return s;
}

/* The position of the k-th (1-based) present position. */
static size_t
tree_find(const struct order *o, size_t k)
{
    size_t pos = 0, step = 1;
    while (step * 2 <= o->n)
        step *= 2;
    for (; step > 0; step /= 2)
        if (pos + step <= o->n && o->tree[pos + step - 1] < k) {
            pos += step;
            k -= o->tree[pos - 1];
        }
    return pos;
}

static int
order_build(struct order *o, size_t group_start, size_t upto)
{
    size_t n = o->n;

    o->rank = malloc(n * sizeof(uint32_t));
    o->greater = malloc(n * sizeof(uint32_t));
    o->byrank = malloc(n * sizeof(uint32_t));
    o->tree = calloc(n, sizeof(uint32_t));
    if (o->rank == NULL || o->greater == NULL || o->byrank == NULL || o->tree == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        o->byrank[i] = (uint32_t)i;
    order_all = o->all;
    qsort(o->byrank, n, sizeof(uint32_t), cmp_key_idx);
    for (size_t p = n; p-- > 0;) {
        o->rank[o->byrank[p]] = (uint32_t)p;
        o->greater[o->byrank[p]] =
            p + 1 < n && strcmp(o->all[o->byrank[p + 1]].key, o->all[o->byrank[p]].key) == 0
                ? o->greater[o->byrank[p + 1]]
                : (uint32_t)(p + 1);
    }
    for (size_t i = group_start; i < upto; i++)
        tree_add(o, o->rank[i], 1);
    o->ready = 1;
    return 0;
}

/* The smallest key of the group greater than entry i's, or NULL. */
static const char *
order_successor(const struct order *o, size_t i)
{
    size_t g = o->greater[i], before = tree_prefix(o, g), total = tree_prefix(o, o->n);

    if (before == total)
        return NULL;
    return o->all[o->byrank[tree_find(o, before + 1)]].key;
}

static void
order_free(struct order *o)
{
    free(o->rank);
    free(o->greater);
    free(o->byrank);
    free(o->tree);
}

/* dotenv-linter's key checks on a line our lexer could not read (ENV001): its key is the
 * trimmed text up to the first '=' (without `export `). */
static int
lint_error_lines(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    int rc = 0, last = 0;

    for (size_t i = 0; i < f->ndiags && rc == 0; i++) {
        const struct env_diag *d = &f->diags[i];
        const char *s, *e, *eq;
        char key[128];
        size_t kn;
        if (d->kind != ENV_DIAG_ERROR || d->line < 1 || d->line > c->nlines || d->line == last)
            continue;
        last = d->line;
        s = f->data + c->line_off[d->line];
        e = f->data + c->line_off[d->line + 1];
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (e - s > 7 && memcmp(s, "export ", 7) == 0)
            s += 7;
        eq = memchr(s, '=', (size_t)(e - s));
        kn = (size_t)((eq != NULL ? eq : e) - s);
        while (kn > 0 && (s[kn - 1] == ' ' || s[kn - 1] == '\t'))
            kn--;
        if (kn == 0 || kn >= sizeof(key) || memchr(s, '\0', kn) != NULL)
            continue;
        memcpy(key, s, kn);
        key[kn] = '\0';
        for (size_t k = 0; k < kn; k++)
            if ((unsigned char)key[k] < 0x20 || (unsigned char)key[k] >= 0x7f)
                key[k] = '?'; /* never a control byte in a message */
        if (eq == NULL)
            rc = envcheck_emit(c, R_KEY_WITHOUT_VALUE, d->line, 1, NULL, 0,
                               "The %s key should be with a value or have an equal sign", key);
        if (rc == 0 && bad_delimiter(key))
            rc = envcheck_emit(c, R_INCORRECT_DELIMITER, d->line, 1, NULL, 0,
                               "The %s key has incorrect delimiter", key);
        if (rc == 0 && has_lower(key))
            rc = envcheck_emit(c, R_LOWERCASE_KEY, d->line, 1, NULL, 0,
                               "The %s key should be in uppercase", key);
    }
    return rc;
}

/* Does e refer to a key defined at or after entry `from` (and before e)? */
static int
refers_to_group(struct keyset *s, const struct env_entry *all, const struct env_entry *e,
                size_t from)
{
    for (size_t k = 0; k < e->nrefs; k++) {
        size_t h = keyset_slot(s, all, e->value + e->refs[k].name_start, e->refs[k].name_len);
        if (s->s[h].slot != 0 && s->s[h].last >= from && &all[s->s[h].last] != e)
            return 1;
    }
    return 0;
}

int
envcheck_check_lint(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    struct keyset ks = {NULL, 16};
    const struct env_entry *group_max = NULL, *prev = NULL;
    struct order ord;
    size_t group_start = 0;
    int rc = 0;

    memset(&ord, 0, sizeof(ord));
    ord.all = f->entries;
    ord.n = f->n;

    {
        int any = 0;
        for (int r = R_DUPLICATED_KEY; r <= R_LAST_LINT; r++)
            any |= envcheck_enabled(c, (enum envcheck_rule)r);
        if (!any)
            return 0;
    }
    while (ks.cap < f->n * 2)
        ks.cap *= 2;
    if ((ks.s = envcheck_big_calloc(ks.cap, sizeof(*ks.s))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct env_entry *e = &f->entries[i], *dup;
        if (i + 8 < f->n) { /* the keyset is too big for the cache: fetch a slot ahead */
            const struct env_entry *a = &f->entries[i + 8];
            __builtin_prefetch(&ks.s[(uint32_t)key_hash(a->key, a->key_len) & (ks.cap - 1)]);
        }
        const char *raw = f->data + e->value_span.start;
        size_t rn = e->value_span.end - e->value_span.start;
        int l = e->stmt.line, kc = e->key_span.column;

#define EMIT(rule, col, ...)                                                                   \
    do {                                                                                       \
        if ((rc = envcheck_emit(c, rule, l, col, NULL, 0, __VA_ARGS__)) < 0)                   \
            goto out;                                                                          \
    } while (0)

        /* UnorderedKey: groups end at a blank line or at a line that refers to a key of the
         * group (its order then matters). */
        if (prev != NULL && group_break_between(c, prev->stmt.end_line, e->stmt.line)) {
            for (size_t k = group_start; ord.ready && k < i; k++)
                tree_add(&ord, ord.rank[k], -1);
            group_max = NULL, group_start = i;
        }
        if (e->nrefs > 0 && group_start < i && refers_to_group(&ks, f->entries, e, group_start)) {
            /* as dotenv-linter: the group ends here and this line belongs to none */
            for (size_t k = group_start; ord.ready && k < i; k++)
                tree_add(&ord, ord.rank[k], -1);
            group_max = NULL;
            group_start = i + 1;
        } else {
            if (group_max != NULL && strcmp(e->key, group_max->key) < 0 &&
                envcheck_enabled(c, R_UNORDERED_KEY)) {
                const char *next;
                if (!ord.ready && (rc = order_build(&ord, group_start, i)) < 0)
                    goto out;
                next = order_successor(&ord, i);
                EMIT(R_UNORDERED_KEY, kc, "The %s key should go before the %s key", e->key,
                     next != NULL ? next : group_max->key);
            } else if (group_max == NULL || strcmp(e->key, group_max->key) > 0) {
                group_max = e;
            }
            if (ord.ready)
                tree_add(&ord, ord.rank[i], 1);
        }
        if ((dup = keyset_put(&ks, f->entries, i)) != NULL)
            EMIT(R_DUPLICATED_KEY, kc, "The %s key is duplicated (first at line %d)", e->key,
                 dup->stmt.line);
        if (has_lower(e->key))
            EMIT(R_LOWERCASE_KEY, kc, "The %s key should be in uppercase", e->key);
        if (bad_delimiter(e->key))
            EMIT(R_INCORRECT_DELIMITER, kc, "The %s key has incorrect delimiter", e->key);
        if (e->stmt.column != 1 || !(isalpha((unsigned char)e->key[0]) || e->key[0] == '_'))
            if (!(e->flags & ENV_F_EXPORT) || e->stmt.column != 1)
                EMIT(R_LEADING_CHARACTER, 1, "Invalid leading character detected");
        if (e->flags & ENV_F_NO_EQUALS)
            EMIT(R_KEY_WITHOUT_VALUE, kc,
                 "The %s key should be with a value or have an equal sign", e->key);
        if (!(e->flags & ENV_F_NO_EQUALS)) {
            size_t eq = e->key_span.end;
            if (needless_quotes(raw, rn))
                EMIT(R_QUOTE_CHARACTER, e->value_span.column,
                     "The value has quote characters (', \")");
            if (f->data[eq] == ' ' || f->data[eq] == '\t' ||
                (rn > 0 && e->value_span.start > eq + 1))
                EMIT(R_SPACE_CHARACTER, kc, "The line has spaces around equal sign");
            if (bad_substitution(raw, rn))
                EMIT(R_SUBSTITUTION_KEY, e->value_span.column,
                     "The %s key is not assigned properly", e->key);
            if (e->quote == ENV_QUOTE_NONE && memchr(raw, ' ', rn) != NULL)
                EMIT(R_VALUE_WITHOUT_QUOTES, e->value_span.column,
                     "This value needs to be surrounded in quotes");
            else if (e->quote == ENV_QUOTE_NONE && memchr(raw, '\t', rn) != NULL)
                EMIT(R_VALUE_WITHOUT_QUOTES, e->value_span.column,
                     "This value needs to be surrounded in quotes");
        }
        prev = e;
#undef EMIT
    }
    if ((rc = check_lines(c)) == 0)
        rc = lint_error_lines(c);
out:
    free(ks.s);
    order_free(&ord);
    return rc;
}
