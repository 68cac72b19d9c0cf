/* compose_merge: one service described from several layers (an `extends:` base and the service
 * that extends it; the same service in a later `-f` file or YAML document), merged the way
 * Compose merges them: a later scalar overrides, `volumes` merge by target path, `environment`
 * by name, `ports` append (identical ones once), `cap_add` / `cap_drop` / `devices` /
 * `security_opt` are unions; a list tagged `!reset` or `!override` replaces the earlier one.
 * Each setting keeps the file and line it came from. */
#include <string.h>
#include <strings.h>

#include "compose.h"

static void
value_over(struct rt_value *dst, const struct rt_value *src, int src_positions)
{
    if (src->set)
        *dst = *src;
    else if (!dst->set && src_positions)
        dst->at = src->at; /* absent from both: point at the service being checked */
}

static int
items_union(struct rt_list *dst, const struct rt_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct rt_item *s = RT_AT(*src, struct rt_item, i);
        struct rt_item *d;
        int found = 0;

        for (size_t j = 0; j < dst->n && !found; j++)
            found = strcasecmp(RT_AT(*dst, struct rt_item, j)->text, s->text) == 0;
        if (found)
            continue;
        if ((d = rt_list_add(dst, sizeof(*d))) == NULL)
            return err_set(ERR_LIMIT, "too many items in a merged service");
        *d = *s;
    }
    return 0;
}

static int
same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
mounts_merge(struct rt_list *dst, const struct rt_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct rt_mount *s = RT_AT(*src, struct rt_mount, i);
        struct rt_mount *d = NULL;

        for (size_t j = 0; j < dst->n && d == NULL; j++)
            if (s->target != NULL && same_str(RT_AT(*dst, struct rt_mount, j)->target, s->target))
                d = RT_AT(*dst, struct rt_mount, j);
        if (d == NULL && (d = rt_list_add(dst, sizeof(*d))) == NULL)
            return err_set(ERR_LIMIT, "too many volumes in a merged service");
        *d = *s;
    }
    return 0;
}

static int
ports_merge(struct rt_list *dst, const struct rt_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct rt_port *s = RT_AT(*src, struct rt_port, i);
        struct rt_port *d;
        int found = 0;

        for (size_t j = 0; j < dst->n && !found; j++) {
            const struct rt_port *o = RT_AT(*dst, struct rt_port, j);
            found = o->host_port == s->host_port && o->host_port_end == s->host_port_end &&
                    o->container_port == s->container_port && same_str(o->host_ip, s->host_ip) &&
                    same_str(o->proto, s->proto);
        }
        if (found)
            continue;
        if ((d = rt_list_add(dst, sizeof(*d))) == NULL)
            return err_set(ERR_LIMIT, "too many ports in a merged service");
        *d = *s;
    }
    return 0;
}

static int
env_merge(struct rt_list *dst, const struct rt_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct rt_env *s = RT_AT(*src, struct rt_env, i);
        struct rt_env *d = NULL;

        for (size_t j = 0; j < dst->n && d == NULL; j++)
            if (strcmp(RT_AT(*dst, struct rt_env, j)->name, s->name) == 0)
                d = RT_AT(*dst, struct rt_env, j);
        if (d == NULL && (d = rt_list_add(dst, sizeof(*d))) == NULL)
            return err_set(ERR_LIMIT, "too many environment variables in a merged service");
        *d = *s;
    }
    return 0;
}

int
compose_desc_merge(struct runtime_desc *dst, struct runtime_desc *src, int src_positions)
{
    struct rt_value *dv[] = {
        &dst->privileged,     &dst->user,         &dst->read_only,
        &dst->no_new_privileges, &dst->network_mode, &dst->pid_mode,
        &dst->ipc_mode,       &dst->uts_mode,     &dst->userns_mode,
        &dst->cgroupns_mode,  &dst->cgroup_parent, &dst->seccomp_unconfined,
        &dst->apparmor_unconfined, &dst->label_disabled, &dst->systempaths_unconfined,
        &dst->memory,         &dst->cpu,          &dst->pids,
        &dst->healthcheck,    &dst->log_driver,   &dst->restart,
        &dst->default_bridge, &dst->publish_all,
    };
    const struct rt_value *sv[] = {
        &src->privileged,     &src->user,         &src->read_only,
        &src->no_new_privileges, &src->network_mode, &src->pid_mode,
        &src->ipc_mode,       &src->uts_mode,     &src->userns_mode,
        &src->cgroupns_mode,  &src->cgroup_parent, &src->seccomp_unconfined,
        &src->apparmor_unconfined, &src->label_disabled, &src->systempaths_unconfined,
        &src->memory,         &src->cpu,          &src->pids,
        &src->healthcheck,    &src->log_driver,   &src->restart,
        &src->default_bridge, &src->publish_all,
    };
    int rc;

    /* Strings first: everything below points into src's pool. */
    if ((rc = rt_pool_adopt(dst, src)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof(dv) / sizeof(dv[0]); i++)
        value_over(dv[i], sv[i], src_positions);
    if (src->network_mode.set) /* the default bridge is a network_mode; it goes with it */
        dst->default_bridge = src->default_bridge;
    if (src->cap_drop.n > 0 || src_positions)
        dst->cap_drop_key = src->cap_drop_key;
    if (src->image != NULL)
        dst->image = src->image;
    dst->uses_compose_secrets |= src->uses_compose_secrets;
    /* `!reset` / `!override`: the earlier list is dropped (its strings stay in the pool). */
    {
        struct rt_list *lists[] = {&dst->mounts, &dst->ports,    &dst->env,
                                   &dst->cap_add, &dst->cap_drop, &dst->devices};
        const unsigned bits[] = {RT_REPLACE_MOUNTS,  RT_REPLACE_PORTS,    RT_REPLACE_ENV,
                                 RT_REPLACE_CAP_ADD, RT_REPLACE_CAP_DROP, RT_REPLACE_DEVICES};
        for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
            if (src->replace_lists & bits[i])
                lists[i]->n = 0;
    }
    if ((rc = mounts_merge(&dst->mounts, &src->mounts)) < 0 ||
        (rc = ports_merge(&dst->ports, &src->ports)) < 0 ||
        (rc = env_merge(&dst->env, &src->env)) < 0 ||
        (rc = items_union(&dst->cap_add, &src->cap_add)) < 0 ||
        (rc = items_union(&dst->cap_drop, &src->cap_drop)) < 0 ||
        (rc = items_union(&dst->devices, &src->devices)) < 0)
        return rc;
    return 0;
}
