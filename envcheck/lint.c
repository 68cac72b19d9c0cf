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

/* Was there a blank line between two statements (a new group for UnorderedKey)? */
static int
blank_between(const struct envcheck_ctx *c, int from_line, int to_line)
{
    for (int l = from_line + 1; l < to_line; l++)
        if (is_blank_line(c, l))
            return 1;
    return 0;
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
    size_t group_start = 0;
    int rc = 0;

    {
        int any = 0;
        for (int r = R_DUPLICATED_KEY; r <= R_ENDING_BLANK_LINE; r++)
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
        if (prev != NULL && blank_between(c, prev->stmt.end_line, e->stmt.line))
            group_max = NULL, group_start = i;
        if (group_max != NULL && e->nrefs > 0 && refers_to_group(&ks, f->entries, e, group_start)) {
            group_max = NULL;
            group_start = i;
        }
        if (group_max != NULL && strcmp(e->key, group_max->key) < 0)
            EMIT(R_UNORDERED_KEY, kc, "The %s key should go before the %s key", e->key,
                 group_max->key);
        else
            group_max = e;
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
            if (e->flags & ENV_F_BAD_REF)
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
    rc = check_lines(c);
out:
    free(ks.s);
    return rc;
}
