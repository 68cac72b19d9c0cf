/* lint: dotenv-linter's checks (same names, same triggers, messages that name keys only), as
 * low/info rules of `secrets validate`; each can be switched off like any other rule. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

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

/* UnorderedKey names the key a misplaced one should go before: the smallest key of its group
 * greater than it. The statements are marked as the chunks go by (c->keys.flag); at the end,
 * when every key is known, the groups are replayed with the keys' sorted ranks and a Fenwick
 * tree of the group's ranks: O(n log n), and only for files with a misplaced key. */
struct order {
    const struct envcheck_keys *k;
    size_t n;
    uint32_t *rank;    /* statement -> position in key order */
    uint32_t *greater; /* statement -> first position with a greater key */
    uint32_t *byrank;  /* position -> statement */
    uint32_t *tree;    /* Fenwick counts over positions */
};

static const struct envcheck_keys *order_keys;

static int
key_cmp(const struct envcheck_keys *k, uint32_t x, uint32_t y)
{
    size_t n = k->len[x] < k->len[y] ? k->len[x] : k->len[y];
    int c = memcmp(k->data + k->off[x], k->data + k->off[y], n);

    return c != 0 ? c : (k->len[x] > k->len[y]) - (k->len[x] < k->len[y]);
}

static int
cmp_key_idx(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = key_cmp(order_keys, x, y);
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

static void
order_free(struct order *o)
{
    free(o->rank);
    free(o->greater);
    free(o->byrank);
    free(o->tree);
}

static int
order_build(struct order *o, const struct envcheck_keys *k)
{
    size_t n = k->n;

    memset(o, 0, sizeof(*o));
    o->k = k;
    o->n = n;
    o->rank = malloc((n + 1) * sizeof(uint32_t));
    o->greater = malloc((n + 1) * sizeof(uint32_t));
    o->byrank = malloc((n + 1) * sizeof(uint32_t));
    o->tree = calloc(n + 1, sizeof(uint32_t));
    if (o->rank == NULL || o->greater == NULL || o->byrank == NULL || o->tree == NULL) {
        order_free(o);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        o->byrank[i] = (uint32_t)i;
    order_keys = k;
    qsort(o->byrank, n, sizeof(uint32_t), cmp_key_idx);
    for (size_t p = n; p-- > 0;) {
        o->rank[o->byrank[p]] = (uint32_t)p;
        o->greater[o->byrank[p]] = p + 1 < n && key_cmp(k, o->byrank[p + 1], o->byrank[p]) == 0
                                       ? o->greater[o->byrank[p + 1]]
                                       : (uint32_t)(p + 1);
    }
    return 0;
}

/* The replay: every misplaced key's finding, naming the smallest greater key of its group. */
static int
order_report(struct envcheck_ctx *c)
{
    const struct envcheck_keys *k = &c->keys;
    struct order o;
    size_t gs = 0, i;
    int rc = 0, any = 0;

    for (i = 0; i < k->n && !any; i++)
        any = (k->flag[i] & KF_UNORDERED) != 0;
    if (!any)
        return 0;
    if ((rc = order_build(&o, k)) < 0)
        return rc;
    for (i = 0; i < k->n && rc == 0; i++) {
        if (k->flag[i] & KF_RESET) {
            for (size_t m = gs; m < i; m++)
                if (k->flag[m] & KF_MEMBER)
                    tree_add(&o, o.rank[m], -1);
            gs = i;
        }
        if (!(k->flag[i] & KF_MEMBER))
            continue;
        if (k->flag[i] & KF_UNORDERED) {
            size_t g = o.greater[i], before = tree_prefix(&o, g);
            if (before < tree_prefix(&o, o.n)) {
                uint32_t nx = o.byrank[tree_find(&o, before + 1)];
                int l = (int)k->line[i];
                int col = (int)(k->off[i] - c->line_off[l]) + 1;
                rc = envcheck_emit(c, R_UNORDERED_KEY, l, col, NULL, 0,
                                   "The %.*s key should go before the %.*s key", (int)k->len[i],
                                   k->data + k->off[i], (int)k->len[nx], k->data + k->off[nx]);
            }
        }
        tree_add(&o, o.rank[i], 1);
    }
    order_free(&o);
    return rc;
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

/* Does e refer to a key defined at or after statement `from` (and before e)? */
static int
refers_to_group(const struct envcheck_keys *k, const struct env_entry *e, size_t self,
                size_t from)
{
    for (size_t r = 0; r < e->nrefs; r++) {
        const struct envcheck_keyslot *x =
            envcheck_keys_find(k, e->value + e->refs[r].name_start, e->refs[r].name_len);
        if (x != NULL && x->last >= from && x->last != self)
            return 1;
    }
    return 0;
}

static int
any_lint(const struct envcheck_ctx *c)
{
    for (int r = R_DUPLICATED_KEY; r <= R_LAST_LINT; r++)
        if (envcheck_enabled(c, (enum envcheck_rule)r))
            return 1;
    return 0;
}

/* Per chunk: the statements of c->f, numbered from c->base; c->keys gets each one (the
 * caller made it ready). */
int
envcheck_check_lint(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    struct envcheck_keys *k = &c->keys;
    int rc = 0, lint = any_lint(c);

    for (size_t j = 0; j < f->n && rc == 0; j++) {
        const struct env_entry *e = &f->entries[j];
        const char *raw = f->data + e->value_span.start;
        size_t rn = e->value_span.end - e->value_span.start, i = c->base + j;
        int l = e->stmt.line, kc = e->key_span.column;
        long dup;

        if (j + 8 < f->n) /* the key set is too big for the cache: fetch a slot ahead */
            envcheck_keys_prefetch(k, &f->entries[j + 8]);
#define EMIT(rule, col, ...)                                                                   \
    do {                                                                                       \
        if ((rc = envcheck_emit(c, rule, l, col, NULL, 0, __VA_ARGS__)) < 0)                   \
            return rc;                                                                         \
    } while (0)

        /* UnorderedKey: groups end at a blank line, a control comment, or a line that refers
         * to a key of the group (as dotenv-linter: that line belongs to no group) */
        if (c->prev_end_line > 0 && group_break_between(c, c->prev_end_line, e->stmt.line)) {
            c->group_max = -1;
            c->group_start = i;
            k->flag[i] |= KF_RESET;
        }
        if (e->nrefs > 0 && c->group_start < i && refers_to_group(k, e, i, c->group_start)) {
            c->group_max = -1;
            c->group_start = i + 1;
            k->flag[i] |= KF_RESET;
            if (i + 1 < k->cap)
                k->flag[i + 1] |= KF_RESET;
        } else {
            const char *key = f->data + e->key_span.start;
            int cmp = 1;
            if (c->group_max >= 0) {
                size_t gl = k->len[c->group_max];
                size_t n = gl < e->key_len ? gl : e->key_len;
                cmp = memcmp(key, k->data + k->off[c->group_max], n);
                if (cmp == 0)
                    cmp = (e->key_len > gl) - (e->key_len < gl);
            }
            k->flag[i] |= KF_MEMBER;
            if (cmp < 0)
                k->flag[i] |= KF_UNORDERED; /* reported at the end, with the key it goes before */
            else if (cmp > 0)
                c->group_max = (long)i;
        }
        /* after the order check: the group test above looks at the statements before */
        if ((dup = envcheck_keys_add(k, e)) < -1)
            return (int)dup;
        if (c->group_max == (long)i && k->n != i + 1)
            return err_set(ERR_INTERNAL, "statement numbering");
        c->prev_end_line = e->stmt.end_line > e->stmt.line ? e->stmt.end_line : e->stmt.line;
        if (!lint)
            continue;
        if (dup >= 0)
            EMIT(R_DUPLICATED_KEY, kc, "The %s key is duplicated (first at line %u)", e->key,
                 k->line[dup]);
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
#undef EMIT
    }
    return rc;
}

/* Once every chunk is through: the line checks, the keys of unreadable lines, the order. */
int
envcheck_check_lint_final(struct envcheck_ctx *c)
{
    int rc;

    if (!any_lint(c))
        return 0;
    if ((rc = check_lines(c)) == 0 && (rc = lint_error_lines(c)) == 0 &&
        envcheck_enabled(c, R_UNORDERED_KEY))
        rc = order_report(c);
    return rc;
}
