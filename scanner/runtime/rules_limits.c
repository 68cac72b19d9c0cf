/* runtime_rules_limits: how a container is contained over time: read-only root, memory, CPU and
 * PIDs limits, health check, logging, restart policy. */
#include <string.h>
#include <strings.h>

#include "runtime.h"

int
rt_check_rootfs(struct rt_ctx *c, const struct rule_meta *r)
{
    if (!c->d->read_only.on)
        return rt_report(c, r, &c->d->read_only.at, -1, NULL, NULL,
                         "root filesystem is writable");
    return 0;
}

int
rt_check_memory(struct rt_ctx *c, const struct rule_meta *r)
{
    if (!c->d->memory.on)
        return rt_report(c, r, &c->d->memory.at, -1, NULL, NULL, "no memory limit");
    return 0;
}

int
rt_check_cpu(struct rt_ctx *c, const struct rule_meta *r)
{
    if (!c->d->cpu.on)
        return rt_report(c, r, &c->d->cpu.at, -1, NULL, NULL, "no CPU limit");
    return 0;
}

int
rt_check_pids(struct rt_ctx *c, const struct rule_meta *r)
{
    if (!c->d->pids.on)
        return rt_report(c, r, &c->d->pids.at, -1, NULL, NULL, "no PIDs limit");
    return 0;
}

int
rt_check_healthcheck(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (d->healthcheck.on)
        return 0;
    if (d->healthcheck.set)
        return rt_report(c, r, &d->healthcheck.at, -1, NULL, NULL, "health check disabled");
    if (d->kind == RT_COMPOSE)
        return rt_report(c, r, &d->healthcheck.at, -1, NULL, NULL,
                         "no `healthcheck:` (fine only if the image has a HEALTHCHECK)");
    return rt_report(c, r, &d->healthcheck.at, -1, NULL, NULL, "no health check");
}

int
rt_check_logging(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_value *v = &c->d->log_driver;

    if (v->set && v->text != NULL && strcasecmp(v->text, "none") == 0)
        return rt_report(c, r, &v->at, -1, NULL, NULL, "logging driver is none: no logs kept");
    return 0;
}

int
rt_check_restart(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_value *v = &c->d->restart;

    if (!v->set || v->text == NULL || v->on)
        return 0;
    if (strcasecmp(v->text, "always") == 0 || strcasecmp(v->text, "unless-stopped") == 0 ||
        strcasecmp(v->text, "any") == 0 || strcasecmp(v->text, "on-failure") == 0)
        return rt_report(c, r, &v->at, -1, NULL, NULL, "restart policy %s has no retry limit",
                         v->text);
    return 0;
}
