/* compose_service: one Compose service mapping turned into a runtime description. Every value is
 * interpolated first; every setting keeps the line and column of its key; a setting that is
 * absent points at the service's own key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose.h"

struct svc {
    struct compose_file *cf;
    struct runtime_desc *d;
    const char *name;
    yaml_node_t *node;
    struct rt_at self; /* the service's key: where absent settings are reported */
    struct buf tmp;
};

static struct rt_at
at_of(struct svc *s, const yaml_node_t *key, const char *field)
{
    struct rt_at at = s->self;

    if (key != NULL) {
        at.line = cy_line(key);
        at.column = cy_col(key);
    }
    at.field = rt_printf(s->d, "services.%s.%s", s->name, field);
    return at;
}

static yaml_node_t *
get(struct svc *s, yaml_node_t *map, const char *key, yaml_node_t **key_out, int *rc)
{
    return cy_map_get(s->cf, map, key, key_out, rc);
}

/* The interpolated text of a scalar node (pool-owned), or NULL when `n` is not a scalar. YAML
 * nulls (`~`, `null`, empty plain) give "" with *is_null set. */
static int
scalar(struct svc *s, const yaml_node_t *n, const char **out, int *flags, int *is_null)
{
    const char *raw = cy_scalar(n);
    char where[PATH_MAX + 32];
    int f = 0, rc;

    *out = NULL;
    if (flags != NULL)
        *flags = 0;
    if (is_null != NULL)
        *is_null = 0;
    if (raw == NULL)
        return 0;
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (raw[0] == '\0' || strcmp(raw, "~") == 0 || strcmp(raw, "null") == 0 ||
         strcmp(raw, "Null") == 0 || strcmp(raw, "NULL") == 0)) {
        if (is_null != NULL)
            *is_null = 1;
        *out = "";
        return 0;
    }
    (void)str_format(where, sizeof(where), "%s:%d:%d", s->cf->path, cy_line(n), cy_col(n));
    rc = compose_interpolate(&s->cf->vars, raw, n->data.scalar.length, &s->tmp, &f, where);
    if (rc < 0)
        return rc;
    if (flags != NULL)
        *flags = f;
    *out = rt_strdup(s->d, s->tmp.data, s->tmp.len);
    return *out == NULL ? err_set(ERR_NOMEM, "out of memory") : 0;
}

/* The interpolated text of `key` in mapping `map` (NULL when absent or not a scalar). */
static int
sub_scalar(struct svc *s, yaml_node_t *map, const char *key, const char **out)
{
    int rc;
    yaml_node_t *n = get(s, map, key, NULL, &rc);

    *out = NULL;
    return rc < 0 ? rc : scalar(s, n, out, NULL, NULL);
}

static int
truthy(const char *t)
{
    return t != NULL && (strcasecmp(t, "true") == 0 || strcasecmp(t, "yes") == 0 ||
                         strcasecmp(t, "on") == 0 || strcmp(t, "1") == 0);
}

/* A limit value that means "limited": not empty, not 0, not -1 ("512m", "0.5", "100"). */
static int
limited(const char *t)
{
    char *end;
    double v;

    if (t == NULL || t[0] == '\0')
        return 0;
    v = strtod(t, &end);
    if (end == t)
        return 1; /* not a number we know; Compose would reject it, assume a limit */
    return v > 0;
}

/* Reads a scalar setting `key` of `map` into `v` (text and position; `on` left to the caller). */
static int
read_value(struct svc *s, yaml_node_t *map, const char *key, const char *field,
           struct rt_value *v)
{
    yaml_node_t *k, *n;
    int rc;

    n = get(s, map, key, &k, &rc);
    if (rc < 0 || n == NULL)
        return rc;
    if ((rc = scalar(s, n, &v->text, NULL, NULL)) < 0)
        return rc;
    if (v->text == NULL)
        return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s must be a scalar", s->cf->path,
                       cy_line(n), cy_col(n), s->name, field);
    v->set = 1;
    v->at = at_of(s, k, field);
    return 0;
}

static int
read_bool(struct svc *s, const char *key, struct rt_value *v)
{
    int rc = read_value(s, s->node, key, key, v);

    if (rc == 0 && v->set)
        v->on = truthy(v->text);
    return rc;
}

/* Compose's `!reset` / `!override` tags on a list: a later layer replaces it (merge.c). */
static void
note_replace(struct svc *s, const char *key, const yaml_node_t *n)
{
    static const struct {
        const char *key;
        unsigned bit;
    } lists[] = {
        {"volumes", RT_REPLACE_MOUNTS}, {"ports", RT_REPLACE_PORTS},
        {"environment", RT_REPLACE_ENV}, {"env_file", RT_REPLACE_ENV},
        {"cap_add", RT_REPLACE_CAP_ADD}, {"cap_drop", RT_REPLACE_CAP_DROP},
        {"devices", RT_REPLACE_DEVICES},
    };
    const char *tag = n != NULL ? (const char *)n->tag : NULL;

    if (tag == NULL || (strcmp(tag, "!reset") != 0 && strcmp(tag, "!override") != 0))
        return;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (strcmp(key, lists[i].key) == 0)
            s->d->replace_lists |= lists[i].bit;
}

/* Calls `fn` for each item of a sequence (a lone scalar counts as one item). */
typedef int (*item_fn)(struct svc *s, yaml_node_t *item, size_t index, const char *field);

static int
each_item(struct svc *s, const char *key, item_fn fn, yaml_node_t **key_out)
{
    yaml_node_t *k, *n;
    size_t i = 0;
    int rc;

    n = get(s, s->node, key, &k, &rc);
    if (key_out != NULL)
        *key_out = k;
    if (rc < 0 || n == NULL)
        return rc;
    note_replace(s, key, n);
    if (n->type == YAML_SCALAR_NODE)
        return cy_scalar(n)[0] == '\0' ? 0 : fn(s, n, 0, key);
    if (n->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s must be a list", s->cf->path,
                       cy_line(n), cy_col(n), s->name, key);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++, i++) {
        char field[96];
        (void)str_format(field, sizeof(field), "%s[%zu]", key, i);
        if ((rc = fn(s, cy_node(s->cf, *it), i, field)) < 0)
            return rc;
    }
    return 0;
}

static int
add_item(struct svc *s, struct rt_list *l, const yaml_node_t *node, const char *text,
         const char *field)
{
    struct rt_item *it = rt_list_add(l, sizeof(*it));

    if (it == NULL)
        return err_set(ERR_LIMIT, "%s: too many items in services.%s.%s", s->cf->path, s->name,
                       field);
    it->text = text;
    it->at = at_of(s, node, field);
    return 0;
}

static int
scalar_item(struct svc *s, yaml_node_t *item, const char **text, const char *field)
{
    int rc = scalar(s, item, text, NULL, NULL);

    if (rc == 0 && *text == NULL)
        rc = err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s must be a string", s->cf->path,
                     cy_line(item), cy_col(item), s->name, field);
    return rc;
}

static int
cap_add_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *t;
    int rc = scalar_item(s, item, &t, field);
    (void)i;
    return rc < 0 ? rc : add_item(s, &s->d->cap_add, item, t, field);
}

static int
cap_drop_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *t;
    int rc = scalar_item(s, item, &t, field);
    (void)i;
    return rc < 0 ? rc : add_item(s, &s->d->cap_drop, item, t, field);
}

static int
security_opt_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *t;
    struct rt_at at;
    int rc = scalar_item(s, item, &t, field);
    (void)i;
    if (rc < 0)
        return rc;
    at = at_of(s, item, field);
    rt_apply_security_opt(s->d, t, &at);
    return 0;
}

static int
device_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *t = NULL;
    int rc;
    (void)i;

    if (item != NULL && item->type == YAML_MAPPING_NODE) {
        if ((rc = sub_scalar(s, item, "source", &t)) < 0)
            return rc;
        if (t == NULL)
            t = "?";
    } else if ((rc = scalar_item(s, item, &t, field)) < 0) {
        return rc;
    }
    return add_item(s, &s->d->devices, item, t, field);
}

static int
cgroup_rule_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *t;
    int rc = scalar_item(s, item, &t, field);
    (void)i;
    if (rc < 0)
        return rc;
    t = rt_printf(s->d, "(cgroup rule '%s')", t);
    return t == NULL ? err_set(ERR_NOMEM, "out of memory") : add_item(s, &s->d->devices, item, t, field);
}

/* Host paths are made absolute against the Compose file's directory, as Compose does. */
static const char *
host_source(struct svc *s, const char *src, int *host)
{
    char joined[PATH_MAX * 2], norm[PATH_MAX * 2];

    *host = src[0] == '/' || src[0] == '.' || src[0] == '~';
    if (!*host || src[0] == '~')
        return src;
    if (src[0] == '/')
        (void)str_format(joined, sizeof(joined), "%s", src);
    else
        (void)str_format(joined, sizeof(joined), "%s/%s", s->cf->dir, src);
    rt_path_normalise(joined, norm, sizeof(norm));
    return rt_strdup(s->d, norm, (size_t)-1);
}

static int
has_opt(const char *opts, const char *want)
{
    size_t n = strlen(want);

    for (const char *p = opts; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, want, n) == 0)
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int
volume_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    struct rt_mount *m;
    const char *src = NULL, *dst = NULL, *type = NULL, *ro = NULL, *prop = NULL;
    int rc, host = 0;
    (void)i;

    if (item != NULL && item->type == YAML_MAPPING_NODE) {
        yaml_node_t *bind;
        if ((rc = sub_scalar(s, item, "source", &src)) < 0 ||
            (rc = sub_scalar(s, item, "target", &dst)) < 0 ||
            (rc = sub_scalar(s, item, "type", &type)) < 0 ||
            (rc = sub_scalar(s, item, "read_only", &ro)) < 0)
            return rc;
        bind = get(s, item, "bind", NULL, &rc);
        if (rc < 0 || (rc = sub_scalar(s, bind, "propagation", &prop)) < 0)
            return rc;
        if (src != NULL && (type == NULL || strcmp(type, "bind") == 0))
            src = host_source(s, src, &host);
        if (type != NULL && strcmp(type, "bind") != 0)
            host = 0;
    } else {
        char a[PATH_MAX], b[PATH_MAX], o[256];
        const char *t;
        if ((rc = scalar_item(s, item, &t, field)) < 0)
            return rc;
        if (compose_volume_split(t, a, sizeof(a), b, sizeof(b), o, sizeof(o)) < 0)
            return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s: volume spec too long",
                           s->cf->path, cy_line(item), cy_col(item), s->name, field);
        src = a[0] != '\0' ? host_source(s, a, &host) : NULL;
        if (src == a)
            src = rt_strdup(s->d, a, (size_t)-1);
        dst = rt_strdup(s->d, b, (size_t)-1);
        ro = has_opt(o, "ro") ? "true" : NULL;
        prop = has_opt(o, "shared") ? "shared" : has_opt(o, "rshared") ? "rshared" : NULL;
    }
    m = rt_list_add(&s->d->mounts, sizeof(*m));
    if (m == NULL)
        return err_set(ERR_LIMIT, "%s: too many volumes in services.%s", s->cf->path, s->name);
    m->source = src;
    m->target = dst;
    m->host_path = host;
    m->read_only = truthy(ro);
    m->shared = prop != NULL && (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0);
    m->at = at_of(s, item, field);
    return 0;
}

static int
port_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    struct rt_port *p, tmp;
    char ip[128], proto[16];
    int rc;
    (void)i;

    memset(&tmp, 0, sizeof(tmp));
    ip[0] = '\0';
    (void)str_format(proto, sizeof(proto), "tcp");
    if (item != NULL && item->type == YAML_MAPPING_NODE) {
        const char *target = NULL, *published = NULL, *hip = NULL, *pr = NULL;
        if ((rc = sub_scalar(s, item, "target", &target)) < 0 ||
            (rc = sub_scalar(s, item, "published", &published)) < 0 ||
            (rc = sub_scalar(s, item, "host_ip", &hip)) < 0 ||
            (rc = sub_scalar(s, item, "protocol", &pr)) < 0)
            return rc;
        char spec[256];
        if (target == NULL ||
            str_format(spec, sizeof(spec), "%s%s%s", published ? published : "",
                       published ? ":" : "", target) < 0 ||
            compose_port_parse(spec, &tmp, ip, sizeof(ip), proto, sizeof(proto)) < 0)
            return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s: invalid port", s->cf->path,
                           cy_line(item), cy_col(item), s->name, field);
        if (hip != NULL)
            (void)str_format(ip, sizeof(ip), "%s", hip);
        if (pr != NULL)
            (void)str_format(proto, sizeof(proto), "%s", pr);
    } else {
        const char *t;
        if ((rc = scalar_item(s, item, &t, field)) < 0)
            return rc;
        if (compose_port_parse(t, &tmp, ip, sizeof(ip), proto, sizeof(proto)) < 0)
            return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s: invalid port '%.64s'",
                           s->cf->path, cy_line(item), cy_col(item), s->name, field, t);
    }
    p = rt_list_add(&s->d->ports, sizeof(*p));
    if (p == NULL)
        return err_set(ERR_LIMIT, "%s: too many ports in services.%s", s->cf->path, s->name);
    *p = tmp;
    p->host_ip = rt_strdup(s->d, ip, (size_t)-1);
    p->proto = rt_strdup(s->d, proto, (size_t)-1);
    p->at = at_of(s, item, field);
    return 0;
}

static int
add_env(struct svc *s, const char *name, size_t nlen, const char *value, size_t vlen,
        enum rt_env_origin origin, const char *via, struct rt_at at)
{
    struct rt_env *e = rt_list_add(&s->d->env, sizeof(*e));

    if (e == NULL)
        return err_set(ERR_LIMIT, "%s: too many environment variables in services.%s",
                       s->cf->path, s->name);
    e->name = rt_strdup(s->d, name, nlen);
    e->value = value != NULL ? rt_strdup(s->d, value, vlen) : NULL;
    e->value_len = vlen;
    e->origin = origin;
    e->via = via;
    e->at = at;
    if (e->name == NULL || (value != NULL && e->value == NULL))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

static enum rt_env_origin
origin_of(int flags)
{
    if (flags & INTERP_UNSET)
        return RT_ENV_UNRESOLVED;
    return flags & INTERP_USED ? RT_ENV_INTERPOLATED : RT_ENV_LITERAL;
}

static int
read_environment(struct svc *s)
{
    yaml_node_t *k, *n;
    int rc;

    n = get(s, s->node, "environment", &k, &rc);
    if (rc < 0 || n == NULL)
        return rc;
    note_replace(s, "environment", n);
    if (n->type == YAML_MAPPING_NODE) {
        struct cy_pair *pairs;
        size_t np;
        if ((rc = cy_map_pairs(s->cf, n, &pairs, &np)) < 0)
            return rc;
        for (size_t i = 0; i < np && rc == 0; i++) {
            const char *name = cy_scalar(pairs[i].key), *val;
            int flags, is_null;
            if (name == NULL)
                continue;
            rc = scalar(s, pairs[i].value, &val, &flags, &is_null);
            if (rc == 0 && val == NULL)
                rc = err_set(ERR_PARSE, "%s:%d:%d: services.%s.environment.%s must be a scalar",
                             s->cf->path, cy_line(pairs[i].value), cy_col(pairs[i].value),
                             s->name, name);
            if (rc == 0) {
                char field[160];
                (void)str_format(field, sizeof(field), "environment.%s", name);
                rc = add_env(s, name, strlen(name), is_null ? NULL : val, is_null ? 0 : strlen(val),
                             is_null ? RT_ENV_UNRESOLVED : origin_of(flags), "environment",
                             at_of(s, pairs[i].key, field));
            }
        }
        free(pairs);
        return rc;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: services.%s.environment must be a mapping or a list",
                       s->cf->path, cy_line(n), cy_col(n), s->name);
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top && rc == 0; it++) {
        yaml_node_t *item = cy_node(s->cf, *it);
        const char *t, *raw = cy_scalar(item), *eq;
        char field[160];
        int flags;
        size_t nlen;
        if (raw == NULL)
            return err_set(ERR_PARSE, "%s:%d:%d: services.%s.environment items must be strings",
                           s->cf->path, cy_line(item), cy_col(item), s->name);
        if ((rc = scalar(s, item, &t, &flags, NULL)) < 0)
            return rc;
        /* The name is what was written before '='; only the value is interpolated. */
        eq = strchr(raw, '=');
        nlen = eq != NULL ? (size_t)(eq - raw) : strlen(raw);
        (void)str_format(field, sizeof(field), "environment.%.*s", (int)nlen, raw);
        if (eq == NULL) {
            rc = add_env(s, raw, nlen, NULL, 0, RT_ENV_UNRESOLVED, "environment",
                         at_of(s, item, field));
        } else {
            const char *v = strchr(t, '=');
            v = v != NULL ? v + 1 : "";
            rc = add_env(s, raw, nlen, v, strlen(v), origin_of(flags), "environment",
                         at_of(s, item, field));
        }
    }
    return rc;
}

struct env_file_ctx {
    struct svc *s;
    const char *path;  /* absolute, to read */
    const char *shown; /* as the user would write it: beside the Compose file's path */
    const char *via;
};

static int
env_file_entry(const char *key, size_t klen, const char *value, size_t vlen, int origin, int line,
               int col, void *user)
{
    struct env_file_ctx *e = user;
    struct rt_at at = {e->shown, line, col, NULL}; /* the message names the env_file */

    return add_env(e->s, key, klen, value, vlen, (enum rt_env_origin)origin, e->via, at);
}

static int
env_file_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    const char *path = NULL, *req = NULL;
    char joined[PATH_MAX * 2], norm[PATH_MAX * 2];
    struct env_file_ctx ctx;
    int rc;
    (void)i;

    if (item != NULL && item->type == YAML_MAPPING_NODE) {
        if ((rc = sub_scalar(s, item, "path", &path)) < 0 ||
            (rc = sub_scalar(s, item, "required", &req)) < 0)
            return rc;
        if (path == NULL)
            return err_set(ERR_PARSE, "%s:%d:%d: services.%s.%s needs a path", s->cf->path,
                           cy_line(item), cy_col(item), s->name, field);
    } else if ((rc = scalar_item(s, item, &path, field)) < 0) {
        return rc;
    }
    if (path[0] == '/')
        (void)str_format(joined, sizeof(joined), "%s", path);
    else
        (void)str_format(joined, sizeof(joined), "%s/%s", s->cf->dir, path);
    rt_path_normalise(joined, norm, sizeof(norm));
    ctx.s = s;
    ctx.path = rt_strdup(s->d, norm, (size_t)-1);
    ctx.via = rt_printf(s->d, "env_file %s", path);
    {
        const char *slash = strrchr(s->cf->path, '/');
        ctx.shown = path[0] == '/' || slash == NULL
                        ? rt_strdup(s->d, path, (size_t)-1)
                        : rt_printf(s->d, "%.*s/%s", (int)(slash - s->cf->path), s->cf->path, path);
    }
    if (ctx.path == NULL || ctx.via == NULL || ctx.shown == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    rc = compose_env_file_read(ctx.path, ctx.shown, s->cf->max_file, &s->cf->vars,
                               env_file_entry, &ctx);
    if (rc == ERR_NOTFOUND) {
        /* Compose refuses to start without a required env_file; the rest can still be read. */
        if (req == NULL || truthy(req))
            diag_warn("%s:%d:%d: env_file %s not found; its variables were not checked",
                      s->cf->path, cy_line(item), cy_col(item), path);
        return 0;
    }
    return rc;
}

static int
secret_item(struct svc *s, yaml_node_t *item, size_t i, const char *field)
{
    (void)item;
    (void)i;
    (void)field;
    s->d->uses_compose_secrets = 1;
    return 0;
}

static int
read_limits(struct svc *s)
{
    yaml_node_t *deploy, *res, *lim, *k;
    struct rt_value v;
    int rc;
    struct {
        const char *key;
        struct rt_value *into;
    } direct[] = {
        {"mem_limit", &s->d->memory}, {"cpus", &s->d->cpu},     {"cpu_quota", &s->d->cpu},
        {"cpuset", &s->d->cpu},       {"pids_limit", &s->d->pids},
    };

    for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
        memset(&v, 0, sizeof(v));
        if ((rc = read_value(s, s->node, direct[i].key, direct[i].key, &v)) < 0)
            return rc;
        v.on = limited(v.text);
        /* The first setting that limits wins; an unlimited one is kept only for its position. */
        if (v.set && !direct[i].into->on)
            *direct[i].into = v;
    }
    deploy = get(s, s->node, "deploy", NULL, &rc);
    res = rc == 0 ? get(s, deploy, "resources", NULL, &rc) : NULL;
    lim = rc == 0 ? get(s, res, "limits", &k, &rc) : NULL;
    if (rc < 0)
        return rc;
    if (lim != NULL) {
        const char *keys[] = {"memory", "cpus", "pids"};
        struct rt_value *into[] = {&s->d->memory, &s->d->cpu, &s->d->pids};
        for (size_t i = 0; i < 3; i++) {
            char field[64];
            memset(&v, 0, sizeof(v));
            (void)str_format(field, sizeof(field), "deploy.resources.limits.%s", keys[i]);
            if ((rc = read_value(s, lim, keys[i], field, &v)) < 0)
                return rc;
            v.on = limited(v.text);
            if (v.set && !into[i]->on)
                *into[i] = v;
        }
    }
    return 0;
}

static int
read_restart(struct svc *s)
{
    struct rt_value v;
    yaml_node_t *deploy, *pol, *k;
    int rc;

    memset(&v, 0, sizeof(v));
    if ((rc = read_value(s, s->node, "restart", "restart", &v)) < 0)
        return rc;
    if (v.set) {
        const char *colon = strchr(v.text, ':');
        if (colon != NULL) {
            v.on = atol(colon + 1) > 0;
            v.text = rt_strdup(s->d, v.text, (size_t)(colon - v.text));
        }
        s->d->restart = v;
        return 0;
    }
    deploy = get(s, s->node, "deploy", NULL, &rc);
    pol = rc == 0 ? get(s, deploy, "restart_policy", &k, &rc) : NULL;
    if (rc < 0 || pol == NULL)
        return rc;
    memset(&v, 0, sizeof(v));
    if ((rc = read_value(s, pol, "condition", "deploy.restart_policy.condition", &v)) < 0)
        return rc;
    if (!v.set) { /* Swarm's default condition is "any" */
        v.set = 1;
        v.text = "any";
        v.at = at_of(s, k, "deploy.restart_policy");
    }
    {
        struct rt_value max;
        memset(&max, 0, sizeof(max));
        if ((rc = read_value(s, pol, "max_attempts", "deploy.restart_policy.max_attempts", &max)) < 0)
            return rc;
        v.on = max.set && atol(max.text) > 0;
    }
    if (strcasecmp(v.text, "none") != 0)
        s->d->restart = v;
    return 0;
}

static int
read_healthcheck(struct svc *s)
{
    yaml_node_t *k, *n, *test, *dis;
    const char *t = NULL;
    int rc;

    n = get(s, s->node, "healthcheck", &k, &rc);
    if (rc < 0 || n == NULL)
        return rc;
    s->d->healthcheck.set = 1;
    s->d->healthcheck.on = 1;
    s->d->healthcheck.at = at_of(s, k, "healthcheck");
    dis = get(s, n, "disable", NULL, &rc);
    if (rc == 0)
        rc = scalar(s, dis, &t, NULL, NULL);
    if (rc < 0)
        return rc;
    if (truthy(t))
        s->d->healthcheck.on = 0;
    test = get(s, n, "test", NULL, &rc);
    if (rc < 0)
        return rc;
    if (test != NULL && test->type == YAML_SEQUENCE_NODE &&
        test->data.sequence.items.top > test->data.sequence.items.start) {
        const char *first = cy_scalar(cy_node(s->cf, test->data.sequence.items.start[0]));
        if (first != NULL && strcmp(first, "NONE") == 0)
            s->d->healthcheck.on = 0;
    }
    return 0;
}

static int
read_namespaces(struct svc *s)
{
    struct {
        const char *key;
        struct rt_value *into;
    } ns[] = {
        {"network_mode", &s->d->network_mode}, {"pid", &s->d->pid_mode},
        {"ipc", &s->d->ipc_mode},              {"uts", &s->d->uts_mode},
        {"userns_mode", &s->d->userns_mode},   {"cgroup", &s->d->cgroupns_mode},
        {"cgroup_parent", &s->d->cgroup_parent},
    };
    int rc;

    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
        if ((rc = read_value(s, s->node, ns[i].key, ns[i].key, ns[i].into)) < 0)
            return rc;
    if (s->d->network_mode.set && (strcmp(s->d->network_mode.text, "bridge") == 0 ||
                                   strcmp(s->d->network_mode.text, "default") == 0)) {
        s->d->default_bridge = s->d->network_mode;
        s->d->default_bridge.on = 1;
    }
    return 0;
}

static void
default_positions(struct svc *s)
{
    struct runtime_desc *d = s->d;
    struct rt_value *all[] = {
        &d->privileged, &d->user,     &d->read_only,   &d->no_new_privileges, &d->memory,
        &d->cpu,        &d->pids,     &d->healthcheck, &d->log_driver,        &d->restart,
        &d->cap_drop_key,
    };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        all[i]->at = s->self;
}

int
compose_service_describe(struct compose_file *cf, const char *name, yaml_node_t *key,
                         yaml_node_t *svc, struct runtime_desc *d)
{
    struct svc s = {cf, d, name, svc, {NULL, 0, 0, NULL}, {NULL, 0, 0}};
    yaml_node_t *k, *logging;
    int rc;

    d->name = rt_strdup(d, name, (size_t)-1);
    d->target = rt_strdup(d, cf->path, (size_t)-1);
    s.name = d->name;
    s.self.path = d->target;
    s.self.line = cy_line(key);
    s.self.column = cy_col(key);
    s.self.field = rt_printf(d, "services.%s", name);
    if (d->name == NULL || d->target == NULL || s.self.field == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    default_positions(&s);
    if (svc != NULL && svc->type != YAML_MAPPING_NODE &&
        !(svc->type == YAML_SCALAR_NODE && cy_scalar(svc)[0] == '\0'))
        return err_set(ERR_PARSE, "%s:%d:%d: service %s must be a mapping", cf->path, cy_line(svc),
                       cy_col(svc), name);

    struct rt_value image;
    memset(&image, 0, sizeof(image));
    if ((rc = read_value(&s, svc, "image", "image", &image)) < 0 ||
        (rc = read_bool(&s, "privileged", &d->privileged)) < 0 ||
        (rc = read_bool(&s, "read_only", &d->read_only)) < 0 ||
        (rc = read_value(&s, svc, "user", "user", &d->user)) < 0 ||
        (rc = read_namespaces(&s)) < 0 || (rc = read_limits(&s)) < 0 ||
        (rc = read_restart(&s)) < 0 || (rc = read_healthcheck(&s)) < 0)
        goto out;
    d->image = image.text;

    if ((rc = each_item(&s, "security_opt", security_opt_item, &k)) < 0)
        goto out;
    if (!d->no_new_privileges.set && k != NULL)
        d->no_new_privileges.at = at_of(&s, k, "security_opt");
    if ((rc = each_item(&s, "cap_add", cap_add_item, NULL)) < 0 ||
        (rc = each_item(&s, "cap_drop", cap_drop_item, &k)) < 0)
        goto out;
    if (k != NULL)
        d->cap_drop_key.at = at_of(&s, k, "cap_drop");
    if ((rc = each_item(&s, "devices", device_item, NULL)) < 0 ||
        (rc = each_item(&s, "device_cgroup_rules", cgroup_rule_item, NULL)) < 0 ||
        (rc = each_item(&s, "volumes", volume_item, NULL)) < 0 ||
        (rc = each_item(&s, "ports", port_item, NULL)) < 0 ||
        (rc = each_item(&s, "env_file", env_file_item, NULL)) < 0 ||
        (rc = read_environment(&s)) < 0 || (rc = each_item(&s, "secrets", secret_item, NULL)) < 0)
        goto out;

    logging = get(&s, svc, "logging", &k, &rc);
    if (rc == 0 && logging != NULL)
        rc = read_value(&s, logging, "driver", "logging.driver", &d->log_driver);
out:
    buf_free(&s.tmp);
    return rc;
}
