/* check: secrets past their expiry date or due for rotation, as findings (text/JSON/SARIF), so
 * `secrets check` can fail a CI job. Rules are table rows plus one function. */
#include <stdio.h>
#include <time.h>

#include "vault_internal.h"

static const struct rule_meta rule_expired = {
    "VAULT001", SEV_HIGH, "secret-lifecycle", "Secret has expired",
    "Rotate it (`secrets rotate NAME` or `secrets set NAME`) and set a new --expires date", NULL,
};
static const struct rule_meta rule_overdue = {
    "VAULT002", SEV_MEDIUM, "secret-lifecycle", "Secret is due for rotation",
    "Rotate it (`secrets rotate NAME`); --rotate-after DAYS sets the period", NULL,
};
static const struct rule_meta rule_soon = {
    "VAULT003", SEV_LOW, "secret-lifecycle", "Secret expires or is due for rotation soon",
    "Plan the rotation before the date", NULL,
};

/* The rows above one by one (NULL past the last), for listings (docs/rules.md). */
const struct rule_meta *
vault_check_rule_at(size_t i)
{
    static const struct rule_meta *const rules[] = {&rule_expired, &rule_overdue, &rule_soon};
    return i < sizeof(rules) / sizeof(rules[0]) ? rules[i] : NULL;
}

static void
day(long long t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, size, "%Y-%m-%d", &tm) == 0)
        (void)str_format(out, size, "?");
}

int
vault_check(struct vault *v, long long now, long within_days, struct findings *f)
{
    struct vault_info *infos;
    size_t n;
    long long horizon = now + (long long)within_days * 86400;
    char when[32];
    int rc;

    if ((rc = vault_list(v, 0, &infos, &n)) < 0)
        return rc;
    if ((rc = findings_add_target(f, "vault", v->path)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct vault_info *x = &infos[i];
        struct location loc = {.path = x->name, .layer_index = -1};
        struct finding_extra ex = {.target = v->path};
        long long due = x->rotate_after > 0 ? x->updated + (long long)x->rotate_after * 86400 : 0;
        if (x->expires > 0) {
            day(x->expires, when, sizeof(when));
            if (x->expires <= now)
                rc = findings_add(f, &rule_expired, &loc, &ex, "secret '%s' expired on %s",
                                  x->name, when);
            else if (x->expires <= horizon)
                rc = findings_add(f, &rule_soon, &loc, &ex, "secret '%s' expires on %s", x->name,
                                  when);
        }
        if (rc == 0 && due > 0) {
            day(due, when, sizeof(when));
            if (due <= now)
                rc = findings_add(f, &rule_overdue, &loc, &ex,
                                  "secret '%s' was due for rotation on %s (every %ld days)",
                                  x->name, when, x->rotate_after);
            else if (due <= horizon)
                rc = findings_add(f, &rule_soon, &loc, &ex,
                                  "secret '%s' is due for rotation on %s (every %ld days)",
                                  x->name, when, x->rotate_after);
        }
    }
out:
    vault_infos_free(infos, n);
    return rc;
}
