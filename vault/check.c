/* check: secrets past their expiry date or due for rotation, as findings (text/JSON/SARIF), so
 * `secrets check` can fail a CI job. Rules are table rows plus one function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static const struct rule_meta rule_removed_member = {
    "VAULT004", SEV_HIGH, "secret-lifecycle",
    "Secret readable by a removed member, not rotated since",
    "Rotate it (`secrets rotate NAME` or `secrets set NAME`): the removed member may have kept "
    "a copy of the vault (a git clone) that opens with their key",
    NULL,
};

/* The rows above one by one (NULL past the last), for listings (docs/rules.md). */
const struct rule_meta *
vault_check_rule_at(size_t i)
{
    static const struct rule_meta *const rules[] = {&rule_expired, &rule_overdue, &rule_soon,
                                                    &rule_removed_member};
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

/* 1 when the current value of NAME was first written after `at`: the current version, or for
 * a rollback the version it brought back (followed), is later than `at`. A rollback to a
 * value from before the removal does not count. */
static int
rotated_since(struct vault *v, const char *name, long long at)
{
    struct vault_info h;
    size_t i, steps = 0;
    int yes = 0, to;

    memset(&h, 0, sizeof(h));
    if (vault_history(v, name, &h) < 0 || h.nversions == 0) {
        free(h.versions);
        return 0;
    }
    i = h.nversions - 1;
    while (steps++ <= h.nversions) {
        if (sscanf(h.versions[i].how, "rollback to %d", &to) != 1) {
            yes = h.versions[i].at > at;
            break;
        }
        for (i = 0; i < h.nversions && h.versions[i].n != to; i++)
            ;
        if (i == h.nversions)
            break; /* that version is no longer kept: unknown, so not rotated */
    }
    free(h.versions);
    return yes;
}

/* VAULT004: a secret whose current version was written before a member's removal, or brought
 * back by a rollback since. */
static int
check_removed(struct vault *v, const struct vault_info *x, const struct vault_removed *r, size_t nr,
              struct findings *f, const char *path)
{
    struct location loc = {.path = x->name, .layer_index = -1};
    struct finding_extra ex = {.target = path};
    char when[32];
    int rc = 0;

    for (size_t k = 0; k < nr && rc == 0; k++) {
        if (x->updated > r[k].at && rotated_since(v, x->name, r[k].at))
            continue;
        day(r[k].at, when, sizeof(when));
        rc = findings_add(f, &rule_removed_member, &loc, &ex,
                          "secret '%s' was readable by '%s' (removed from the vault on %s) and "
                          "has not been rotated since",
                          x->name, r[k].name, when);
    }
    return rc;
}

int
vault_check(struct vault *v, long long now, long within_days, struct findings *f)
{
    struct vault_info *infos;
    struct vault_removed *removed = NULL;
    size_t n, nremoved = 0;
    long long horizon = now + (long long)within_days * 86400;
    char when[32];
    int rc;

    if ((rc = vault_list(v, 0, &infos, &n)) < 0)
        return rc;
    if ((rc = findings_add_target(f, "vault", v->path)) < 0 ||
        (rc = vault_removed_list(v, &removed, &nremoved)) < 0)
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
        if (rc == 0)
            rc = check_removed(v, x, removed, nremoved, f, v->path);
    }
out:
    free(removed);
    vault_infos_free(infos, n);
    return rc;
}
