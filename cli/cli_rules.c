/* cli_rules: every rule both programs know, from the modules' own tables, to check the ids a
 * user names (--ignore, config files) and to suggest the closest one for a typo. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "detect.h"
#include "dockerfile.h"
#include "envcheck.h"
#include "image.h"
#include "runtime.h"
#include "vault.h"

/* Calls fn for every rule of every table; stops at fn's first non-zero answer and returns it. */
static int
each_rule(int (*fn)(const struct rule_meta *m, void *user), void *user)
{
    static struct detect_engine *eng;
    static int eng_tried;
    const struct rule_meta *m;
    int rc = 0;

    if (!eng_tried) {
        eng_tried = 1;
        if (detect_open(&eng) < 0)
            eng = NULL;
    }
    for (size_t i = 0; eng != NULL && rc == 0 && i < detect_rule_count(eng); i++)
        rc = fn(detect_rule_at(eng, i), user);
    for (size_t i = 0; rc == 0 && (m = envcheck_rule_at(i)) != NULL; i++)
        rc = fn(m, user);
    for (size_t i = 0; rc == 0 && (m = df_rule_at(i)) != NULL; i++)
        rc = fn(m, user);
    for (size_t i = 0; rc == 0 && (m = img_rule_at(i)) != NULL; i++)
        rc = fn(m, user);
    for (size_t i = 0; rc == 0 && i < runtime_rule_count; i++)
        rc = fn(&runtime_rules[i].meta, user);
    for (size_t i = 0; rc == 0 && (m = vault_check_rule_at(i)) != NULL; i++)
        rc = fn(m, user);
    return rc;
}

static int
is_it(const struct rule_meta *m, void *user)
{
    return rule_has_id(m->id, m->aliases, user);
}

int
cli_rule_known(const char *id)
{
    return each_rule(is_it, (void *)id) != 0;
}

/* Case-insensitive edit distance, for ids of at most 63 characters. */
static size_t
distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];

    if (la > 63 || lb > 63)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

struct closest {
    const char *id;
    char best[64];
    size_t dist;
};

static void
consider(struct closest *c, const char *cand, size_t len)
{
    char s[64];
    size_t d;

    if (len == 0 || len >= sizeof(s))
        return;
    memcpy(s, cand, len);
    s[len] = '\0';
    d = distance(c->id, s);
    if (d < c->dist) {
        c->dist = d;
        memcpy(c->best, s, len + 1);
    }
}

static int
closest_of(const struct rule_meta *m, void *user)
{
    struct closest *c = user;
    const char *p = m->aliases;

    consider(c, m->id, strlen(m->id));
    while (p != NULL && *p) {
        size_t l = strcspn(p, ",");
        while (l > 0 && *p == ' ') {
            p++;
            l--;
        }
        consider(c, p, l);
        p += l;
        if (*p == ',')
            p++;
    }
    return 0;
}

void
cli_rule_closest(const char *id, char *out, size_t outsz)
{
    struct closest c;

    memset(&c, 0, sizeof(c));
    c.id = id;
    c.dist = (size_t)-1;
    each_rule(closest_of, &c);
    snprintf(out, outsz, "%s", c.best);
}
