/* runtime_rules_env: secrets in a container's environment. Values go through the detection
 * engine; names go through the secret-name rules. Values are never shown, only redacted. */
#include <string.h>

#include "detect.h"
#include "runtime.h"

/* GPG_KEY(S) in official images (python, ruby, ...) are fingerprints of the keys that verify
 * downloads, and the like: public by nature (detect's one classifier says which). */
static int
public_value(const struct rt_env *e)
{
    return e->value != NULL && detect_value_is_public(e->name, strlen(e->name), e->value, e->value_len);
}

struct env_scan {
    struct rt_ctx *c;
    const struct rule_meta *rule;
    const struct rt_env *e;
    int hits;
};

static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct env_scan *s = user;
    const struct rt_env *e = s->e;
    struct detect_finding d;

    detect_finding_from_hit(&d, hit);
    s->hits++;
    return rt_report(s->c, s->rule, &e->at, d.x.override_severity ? (int)d.x.severity : -1,
                     d.redacted, d.fingerprint,
                     "environment variable %s (%s) holds a secret: %s [%s]%s%.*s", e->name, e->via,
                     d.title, d.id, s->c->show_secrets ? ": " : "",
                     s->c->show_secrets ? (int)e->value_len : 0, s->c->show_secrets ? e->value : "");
}

int
rt_check_env_secrets(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->env;
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct rt_env *e = RT_AT(*l, struct rt_env, i);
        struct env_scan s = {c, r, e, 0};
        struct detect_finding d;

        if (e->value == NULL || e->value_len == 0)
            continue;
        if (c->detect != NULL) {
            rc = detect_scan(c->detect, e->value, e->value_len, on_hit, &s);
            if (rc < 0)
                return rc;
            if (s.hits > 0)
                continue;
        }
        /* A secret-named variable set to a literal: the value is a secret whatever it looks like.
         * Values interpolated from the .env are RT025's: the secret lives in the .env file. */
        if (e->origin != RT_ENV_LITERAL ||
            !detect_literal_secret(e->name, strlen(e->name), e->value, e->value_len))
            continue;
        detect_finding_from_value(&d, e->value, e->value_len);
        rc = rt_report(c, r, &e->at, -1, d.redacted, d.fingerprint,
                       "environment variable %s (%s) holds a secret in clear%s%.*s", e->name,
                       e->via, c->show_secrets ? ": " : "", c->show_secrets ? (int)e->value_len : 0,
                       c->show_secrets ? e->value : "");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Does the detection engine find anything in the value? (Those are RT004's.) */
static int
count_hit(const struct detect_hit *hit, void *user)
{
    (void)hit;
    (*(int *)user)++;
    return 0;
}

int
rt_check_env_secret_names(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->env;
    int rc;

    /* Only Compose has `secrets:` to offer instead; a container's values are all literal. */
    if (c->d->kind != RT_COMPOSE)
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct rt_env *e = RT_AT(*l, struct rt_env, i);
        int hits = 0, placeholder;

        if (!detect_name_is_secret(e->name, strlen(e->name)) || public_value(e))
            continue;
        placeholder = e->value == NULL || e->value_len == 0 ||
                      detect_value_is_placeholder(e->value, e->value_len);
        if (e->origin == RT_ENV_LITERAL && !placeholder)
            continue; /* RT004 */
        if (e->origin == RT_ENV_LITERAL && e->value != NULL && e->value_len == 0)
            continue; /* explicitly empty: nothing is passed */
        if (c->detect != NULL && e->value != NULL && e->value_len > 0) {
            rc = detect_scan(c->detect, e->value, e->value_len, count_hit, &hits);
            if (rc < 0)
                return rc;
            if (hits > 0)
                continue; /* RT004 */
        }
        rc = rt_report(c, r, &e->at, -1, NULL, NULL,
                       "%s is passed as an environment variable (%s%s); use Compose `secrets:`",
                       e->name, e->via,
                       e->origin == RT_ENV_INTERPOLATED ? ", value from the .env file"
                       : e->origin == RT_ENV_UNRESOLVED ? ", value from the deploy environment"
                                                        : ", placeholder value");
        if (rc < 0)
            return rc;
    }
    return 0;
}
