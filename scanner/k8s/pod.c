/* k8s_pod: a pod template turned into one runtime description per container (containers,
 * initContainers, ephemeralContainers). The container's securityContext wins over the pod's;
 * pod-wide settings (host namespaces, the service account token) are put on the first container
 * only, so they are reported once per pod. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "k8s.h"
#include "scanner.h"

struct k8s_pod {
    struct k8s_obj *obj;
    yaml_node_t *spec, *spec_key, *annotations, *psc, *volumes;
    const char *prefix;
    int batch; /* Job or CronJob: runs to completion, probes are not expected */
};

struct ctr {
    struct k8s_pod *p;
    struct runtime_desc *d;
    yaml_node_t *node, *sc;
    const char *list, *cname, *base;
    struct rt_at self;
};

static struct compose_file *
cfof(const struct ctr *c)
{
    return c->p->obj->cf;
}

/* A position: the key node's (or the container's when NULL), and the field under `base`. */
static struct rt_at
at_of(struct ctr *c, const yaml_node_t *key, const char *base, const char *sub)
{
    struct rt_at at = c->self;

    if (key != NULL) {
        at.line = cy_line(key);
        at.column = cy_col(key);
    }
    at.field = rt_printf(c->d, "%s.%s", base, sub);
    return at;
}

static const char *
text(struct ctr *c, const yaml_node_t *n)
{
    const char *s = cy_scalar(n);

    return s != NULL ? rt_strdup(c->d, s, n->data.scalar.length) : NULL;
}

/* A quantity that limits: not empty, not 0 ("512Mi", "500m", "1"). */
static int
limited(const char *t)
{
    char *end;
    double v;

    if (t == NULL || t[0] == '\0')
        return 0;
    v = strtod(t, &end);
    return end == t || v > 0;
}

/* The container's securityContext setting `key`, else the pod's; `key_out` and `base` say which
 * one was used. */
static yaml_node_t *
sc_get(struct ctr *c, const char *key, int pod_too, yaml_node_t **key_out, const char **base,
       int *rc)
{
    yaml_node_t *n = k8s_get(cfof(c), c->sc, key, key_out, rc);

    *base = rt_printf(c->d, "%s.securityContext", c->base);
    if (n == NULL && *rc == 0 && pod_too) {
        n = k8s_get(cfof(c), c->p->psc, key, key_out, rc);
        *base = rt_printf(c->d, "%s.securityContext", c->p->prefix);
    }
    return n;
}

static int
read_bool(struct ctr *c, const char *key, int pod_too, struct rt_value *v)
{
    yaml_node_t *k, *n;
    const char *base;
    int rc, b;

    n = sc_get(c, key, pod_too, &k, &base, &rc);
    if (rc < 0 || n == NULL)
        return rc;
    b = k8s_bool(n);
    if (b < 0)
        return err_set(ERR_PARSE, "%s:%d:%d: %s.%s must be true or false", cfof(c)->path,
                       cy_line(n), cy_col(n), base, key);
    v->set = 1;
    v->on = b;
    v->text = b ? "true" : "false";
    v->at = at_of(c, k, base, key);
    return 0;
}

static int
read_user(struct ctr *c)
{
    struct runtime_desc *d = c->d;
    yaml_node_t *k, *n;
    const char *base, *uid;
    int rc;

    n = sc_get(c, "runAsUser", 1, &k, &base, &rc);
    if (rc < 0)
        return rc;
    if (n != NULL && (uid = text(c, n)) != NULL) {
        d->user.set = 1;
        d->user.text = uid;
        d->user.at = at_of(c, k, base, "runAsUser");
        if (!rt_user_is_root(uid)) {
            d->run_as_non_root.on = 1;
            d->run_as_non_root.set = 1;
        }
    } else {
        /* Not root as far as this file says: the image decides, and RT033 reports that. */
        d->user.text = "(the image's USER)";
    }
    {
        struct rt_value v;
        memset(&v, 0, sizeof(v));
        if ((rc = read_bool(c, "runAsNonRoot", 1, &v)) < 0)
            return rc;
        if (v.set) {
            d->run_as_non_root.at = v.at;
            d->run_as_non_root.set = 1;
            d->run_as_non_root.on |= v.on;
        }
    }
    return 0;
}

static int
add_item(struct ctr *c, struct rt_list *l, yaml_node_t *item, const char *base, size_t i)
{
    struct rt_item *it;
    const char *t = text(c, item);
    char sub[32];

    if (t == NULL)
        return err_set(ERR_PARSE, "%s:%d:%d: %s[%zu] must be a string", cfof(c)->path,
                       cy_line(item), cy_col(item), base, i);
    it = rt_list_add(l, sizeof(*it));
    if (it == NULL)
        return err_set(ERR_LIMIT, "%s: too many items in %s", cfof(c)->path, base);
    it->text = t;
    (void)str_format(sub, sizeof(sub), "[%zu]", i);
    it->at = at_of(c, item, base, sub);
    it->at.field = rt_printf(c->d, "%s[%zu]", base, i);
    return 0;
}

static int
each_string(struct ctr *c, yaml_node_t *seq, const char *base, struct rt_list *into)
{
    size_t i = 0;
    int rc = 0;

    if (seq == NULL)
        return 0;
    if (seq->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: %s must be a list", cfof(c)->path, cy_line(seq),
                       cy_col(seq), base);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top && rc == 0; it++, i++)
        rc = add_item(c, into, cy_node(cfof(c), *it), base, i);
    return rc;
}

static int
read_caps(struct ctr *c)
{
    yaml_node_t *caps, *ck, *add, *drop, *dk;
    const char *base = rt_printf(c->d, "%s.securityContext.capabilities", c->base);
    int rc;

    caps = k8s_get(cfof(c), c->sc, "capabilities", &ck, &rc);
    if (rc < 0)
        return rc;
    c->d->cap_drop_key.at = at_of(c, ck, c->base,
                                  ck != NULL ? "securityContext.capabilities" : "securityContext");
    add = k8s_get(cfof(c), caps, "add", NULL, &rc);
    drop = rc == 0 ? k8s_get(cfof(c), caps, "drop", &dk, &rc) : NULL;
    if (rc < 0)
        return rc;
    if (drop != NULL)
        c->d->cap_drop_key.at = at_of(c, dk, base, "drop");
    if ((rc = each_string(c, add, rt_printf(c->d, "%s.add", base), &c->d->cap_add)) < 0)
        return rc;
    return each_string(c, drop, rt_printf(c->d, "%s.drop", base), &c->d->cap_drop);
}

/* "RuntimeDefault", "runtime/default", "docker/default", "Localhost", "localhost/x": a profile;
 * "Unconfined", "unconfined": none. 1, 0, or -1 for anything else. */
static int
profile_kind(const char *t)
{
    if (t == NULL)
        return -1;
    if (strcasecmp(t, "RuntimeDefault") == 0 || strcmp(t, "runtime/default") == 0 ||
        strcmp(t, "docker/default") == 0 || strcasecmp(t, "Localhost") == 0 ||
        strncmp(t, "localhost/", 10) == 0)
        return 1;
    if (strcasecmp(t, "Unconfined") == 0)
        return 0;
    return -1;
}

/* seccompProfile / appArmorProfile: the container's field, the pod's, then the annotations
 * (container, then pod-wide for seccomp). */
static int
read_profile(struct ctr *c, const char *field, const char *ann_ctr, const char *ann_pod,
             struct rt_value *on, struct rt_value *unconfined)
{
    yaml_node_t *k, *n, *type = NULL, *tk = NULL;
    const char *base, *t = NULL;
    char key[512];
    int rc, kind;
    struct rt_at at = c->self;

    n = sc_get(c, field, 1, &k, &base, &rc);
    if (rc == 0 && n != NULL)
        type = k8s_get(cfof(c), n, "type", &tk, &rc);
    if (rc < 0)
        return rc;
    if (type != NULL) {
        t = text(c, type);
        at = at_of(c, tk, rt_printf(c->d, "%s.%s", base, field), "type");
    } else {
        const char *keys[2] = {NULL, ann_pod};
        (void)str_format(key, sizeof(key), "%s/%s", ann_ctr, c->cname);
        keys[0] = key;
        for (size_t i = 0; i < 2 && t == NULL; i++) {
            yaml_node_t *ak, *a;
            if (keys[i] == NULL)
                continue;
            a = k8s_get(cfof(c), c->p->annotations, keys[i], &ak, &rc);
            if (rc < 0)
                return rc;
            if (a != NULL) {
                t = text(c, a);
                at = at_of(c, ak, "metadata.annotations", keys[i]);
            }
        }
    }
    kind = profile_kind(t);
    if (kind == 1) {
        on->set = on->on = 1;
        on->text = t;
        on->at = at;
    } else if (kind == 0) {
        unconfined->set = unconfined->on = 1;
        unconfined->text = rt_printf(c->d, "%s %s", field, t);
        unconfined->at = at;
    }
    return 0;
}

static int
read_security(struct ctr *c)
{
    struct runtime_desc *d = c->d;
    yaml_node_t *k, *n;
    const char *base;
    struct rt_value v;
    int rc;

    if ((rc = read_bool(c, "privileged", 0, &d->privileged)) < 0 ||
        (rc = read_bool(c, "readOnlyRootFilesystem", 0, &d->read_only)) < 0 ||
        (rc = read_user(c)) < 0 || (rc = read_caps(c)) < 0)
        return rc;
    memset(&v, 0, sizeof(v));
    if ((rc = read_bool(c, "allowPrivilegeEscalation", 0, &v)) < 0)
        return rc;
    /* allowPrivilegeEscalation: false is no_new_privs; true or absent lets setuid work. */
    d->no_new_privileges.set = v.set;
    d->no_new_privileges.on = v.set && !v.on && !d->privileged.on;
    d->no_new_privileges.text = v.text;
    if (v.set)
        d->no_new_privileges.at = v.at;
    n = sc_get(c, "procMount", 0, &k, &base, &rc);
    if (rc < 0)
        return rc;
    if (n != NULL && cy_scalar(n) != NULL && strcmp(cy_scalar(n), "Unmasked") == 0) {
        d->systempaths_unconfined.set = d->systempaths_unconfined.on = 1;
        d->systempaths_unconfined.text = "procMount: Unmasked";
        d->systempaths_unconfined.at = at_of(c, k, base, "procMount");
    }
    if ((rc = read_profile(c, "seccompProfile", "container.seccomp.security.alpha.kubernetes.io",
                           "seccomp.security.alpha.kubernetes.io/pod", &d->seccomp_profile,
                           &d->seccomp_unconfined)) < 0)
        return rc;
    return read_profile(c, "appArmorProfile", "container.apparmor.security.beta.kubernetes.io",
                        NULL, &d->apparmor_profile, &d->apparmor_unconfined);
}

static int
read_limits(struct ctr *c)
{
    yaml_node_t *res, *lim, *lk, *k, *n;
    const char *keys[] = {"memory", "cpu"};
    struct rt_value *into[] = {&c->d->memory, &c->d->cpu};
    int rc;

    res = k8s_get(cfof(c), c->node, "resources", NULL, &rc);
    lim = rc == 0 ? k8s_get(cfof(c), res, "limits", &lk, &rc) : NULL;
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < 2; i++) {
        n = k8s_get(cfof(c), lim, keys[i], &k, &rc);
        if (rc < 0)
            return rc;
        if (lim != NULL)
            into[i]->at = at_of(c, k != NULL ? k : lk, c->base,
                                k != NULL ? (i == 0 ? "resources.limits.memory"
                                                    : "resources.limits.cpu")
                                          : "resources.limits");
        if (n != NULL) {
            into[i]->set = 1;
            into[i]->text = text(c, n);
            into[i]->on = limited(into[i]->text);
        }
    }
    return 0;
}

static int
read_env(struct ctr *c)
{
    yaml_node_t *env, *ek;
    size_t i = 0;
    int rc;

    env = k8s_get(cfof(c), c->node, "env", &ek, &rc);
    if (rc < 0 || env == NULL)
        return rc;
    if (env->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: %s.env must be a list", cfof(c)->path, cy_line(env),
                       cy_col(env), c->base);
    for (yaml_node_item_t *it = env->data.sequence.items.start; it < env->data.sequence.items.top;
         it++, i++) {
        yaml_node_t *item = cy_node(cfof(c), *it), *name, *val, *vk;
        struct rt_env *e;
        const char *nm, *vt;

        name = k8s_get(cfof(c), item, "name", NULL, &rc);
        val = rc == 0 ? k8s_get(cfof(c), item, "value", &vk, &rc) : NULL;
        if (rc < 0)
            return rc;
        nm = text(c, name);
        /* valueFrom (secretKeyRef, configMapKeyRef, fieldRef) holds no value here. */
        if (nm == NULL || val == NULL || (vt = cy_scalar(val)) == NULL)
            continue;
        e = rt_list_add(&c->d->env, sizeof(*e));
        if (e == NULL)
            return err_set(ERR_LIMIT, "%s: too many environment variables in %s", cfof(c)->path,
                           c->base);
        e->name = nm;
        e->value = text(c, val);
        e->value_len = val->data.scalar.length;
        e->origin = RT_ENV_LITERAL;
        e->via = "env";
        e->at = at_of(c, vk, c->base, rt_printf(c->d, "env[%zu].value", i));
        if (e->value == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int
read_ports(struct ctr *c)
{
    yaml_node_t *ports;
    size_t i = 0;
    int rc;

    ports = k8s_get(cfof(c), c->node, "ports", NULL, &rc);
    if (rc < 0 || ports == NULL || ports->type != YAML_SEQUENCE_NODE)
        return rc;
    for (yaml_node_item_t *it = ports->data.sequence.items.start;
         it < ports->data.sequence.items.top; it++, i++) {
        yaml_node_t *item = cy_node(cfof(c), *it), *hp, *hk, *cp, *ip, *pr;
        const char *hps, *cps;
        struct rt_port *p;

        hp = k8s_get(cfof(c), item, "hostPort", &hk, &rc);
        cp = rc == 0 ? k8s_get(cfof(c), item, "containerPort", NULL, &rc) : NULL;
        ip = rc == 0 ? k8s_get(cfof(c), item, "hostIP", NULL, &rc) : NULL;
        pr = rc == 0 ? k8s_get(cfof(c), item, "protocol", NULL, &rc) : NULL;
        if (rc < 0)
            return rc;
        /* Only a hostPort opens the port on the node. */
        if ((hps = cy_scalar(hp)) == NULL || atol(hps) <= 0)
            continue;
        cps = cy_scalar(cp);
        p = rt_list_add(&c->d->ports, sizeof(*p));
        if (p == NULL)
            return err_set(ERR_LIMIT, "%s: too many ports in %s", cfof(c)->path, c->base);
        p->host_port = p->host_port_end = atol(hps);
        p->container_port = cps != NULL ? atol(cps) : p->host_port;
        p->host_ip = text(c, ip);
        p->proto = pr != NULL ? text(c, pr) : "tcp";
        p->at = at_of(c, hk, c->base, rt_printf(c->d, "ports[%zu].hostPort", i));
    }
    return 0;
}

/* The pod volume named `name`, or NULL. */
static yaml_node_t *
volume(struct ctr *c, const char *name, int *rc)
{
    yaml_node_t *v = c->p->volumes;

    *rc = 0;
    if (v == NULL || v->type != YAML_SEQUENCE_NODE)
        return NULL;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = cy_node(cfof(c), *it);
        const char *n = cy_scalar(k8s_get(cfof(c), item, "name", NULL, rc));
        if (*rc < 0)
            return NULL;
        if (n != NULL && strcmp(n, name) == 0)
            return item;
    }
    return NULL;
}

static int
read_mounts(struct ctr *c)
{
    yaml_node_t *vm;
    size_t i = 0;
    int rc;

    vm = k8s_get(cfof(c), c->node, "volumeMounts", NULL, &rc);
    if (rc < 0 || vm == NULL || vm->type != YAML_SEQUENCE_NODE)
        return rc;
    for (yaml_node_item_t *it = vm->data.sequence.items.start; it < vm->data.sequence.items.top;
         it++, i++) {
        yaml_node_t *item = cy_node(cfof(c), *it), *name, *path, *ro, *prop, *vol, *hp, *hpath;
        struct rt_mount *m;
        const char *vn;

        name = k8s_get(cfof(c), item, "name", NULL, &rc);
        path = rc == 0 ? k8s_get(cfof(c), item, "mountPath", NULL, &rc) : NULL;
        ro = rc == 0 ? k8s_get(cfof(c), item, "readOnly", NULL, &rc) : NULL;
        prop = rc == 0 ? k8s_get(cfof(c), item, "mountPropagation", NULL, &rc) : NULL;
        if (rc < 0)
            return rc;
        if ((vn = cy_scalar(name)) == NULL)
            continue;
        vol = volume(c, vn, &rc);
        hp = rc == 0 ? k8s_get(cfof(c), vol, "hostPath", NULL, &rc) : NULL;
        hpath = rc == 0 ? k8s_get(cfof(c), hp, "path", NULL, &rc) : NULL;
        if (rc < 0)
            return rc;
        m = rt_list_add(&c->d->mounts, sizeof(*m));
        if (m == NULL)
            return err_set(ERR_LIMIT, "%s: too many volume mounts in %s", cfof(c)->path, c->base);
        if (cy_scalar(hpath) != NULL) {
            const char *raw = cy_scalar(hpath);
            size_t n = strlen(raw) + 2;
            char *norm = malloc(n);
            if (norm == NULL)
                return err_set(ERR_NOMEM, "out of memory");
            rt_path_normalise(raw, norm, n);
            m->source = rt_strdup(c->d, norm, (size_t)-1);
            free(norm);
            m->host_path = 1;
        } else {
            m->source = text(c, name);
        }
        m->target = text(c, path);
        m->read_only = k8s_bool(ro) == 1;
        m->shared = cy_scalar(prop) != NULL && strcmp(cy_scalar(prop), "Bidirectional") == 0;
        m->at = at_of(c, item, c->base, rt_printf(c->d, "volumeMounts[%zu]", i));
        if (m->host_path)
            m->at.field = rt_printf(c->d, "%s.volumeMounts[%zu] (hostPath %s)", c->base, i,
                                    m->source);
    }
    return 0;
}

/* Host namespaces and the token: pod-wide, on the first container only. */
static int
read_pod_wide(struct ctr *c)
{
    struct runtime_desc *d = c->d;
    struct {
        const char *key;
        struct rt_value *into;
    } ns[] = {
        {"hostNetwork", &d->network_mode},
        {"hostPID", &d->pid_mode},
        {"hostIPC", &d->ipc_mode},
    };
    yaml_node_t *k, *n;
    int rc;

    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        n = k8s_get(cfof(c), c->p->spec, ns[i].key, &k, &rc);
        if (rc < 0)
            return rc;
        if (k8s_bool(n) == 1) {
            ns[i].into->set = ns[i].into->on = 1;
            ns[i].into->text = "host";
            ns[i].into->at = at_of(c, k, c->p->prefix, ns[i].key);
        }
    }
    n = k8s_get(cfof(c), c->p->spec, "automountServiceAccountToken", &k, &rc);
    if (rc < 0)
        return rc;
    d->sa_token.set = 1;
    d->sa_token.on = k8s_bool(n) != 0;
    d->sa_token.at = at_of(c, n != NULL ? k : c->p->spec_key, c->p->prefix,
                           "automountServiceAccountToken");
    return 0;
}

static void
default_positions(struct ctr *c)
{
    struct runtime_desc *d = c->d;
    struct rt_value *all[] = {
        &d->privileged, &d->user,        &d->read_only,        &d->no_new_privileges,
        &d->memory,     &d->cpu,         &d->pids,             &d->healthcheck,
        &d->cap_drop_key, &d->run_as_non_root, &d->seccomp_profile, &d->apparmor_profile,
        &d->sa_token,
    };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        all[i]->at = c->self;
    d->image_at = c->self;
}

static int
describe(struct ctr *c, int first)
{
    struct runtime_desc *d = c->d;
    struct k8s_obj *o = c->p->obj;
    yaml_node_t *k, *n;
    int rc, ephemeral = strcmp(c->list, "ephemeralContainers") == 0,
            init = strcmp(c->list, "initContainers") == 0;

    d->target = rt_strdup(d, cfof(c)->path, (size_t)-1);
    d->name = rt_printf(d, "%s/%s %s %s", o->kind, o->name,
                        ephemeral ? "ephemeral container" : init ? "init container" : "container",
                        c->cname);
    c->self.path = d->target;
    c->self.line = cy_line(c->node);
    c->self.column = cy_col(c->node);
    c->self.field = c->base;
    if (d->target == NULL || d->name == NULL || c->base == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    default_positions(c);
    c->sc = k8s_get(cfof(c), c->node, "securityContext", &k, &rc);
    if (rc < 0)
        return rc;
    if (c->sc != NULL) {
        /* Settings absent from a securityContext are reported at it. */
        struct rt_at at = at_of(c, k, c->base, "securityContext");
        d->privileged.at = d->read_only.at = d->no_new_privileges.at = d->run_as_non_root.at =
            d->seccomp_profile.at = d->apparmor_profile.at = d->user.at = at;
    }
    n = k8s_get(cfof(c), c->node, "image", &k, &rc);
    if (rc < 0)
        return rc;
    if (n != NULL) {
        d->image = text(c, n);
        d->image_at = at_of(c, k, c->base, "image");
    }
    if ((rc = read_security(c)) < 0 || (rc = read_env(c)) < 0 || (rc = read_mounts(c)) < 0 ||
        (rc = read_ports(c)) < 0)
        return rc;
    if (ephemeral) {
        /* Ephemeral containers may not set resources or probes. */
        d->memory.on = d->cpu.on = 1;
    } else if ((rc = read_limits(c)) < 0) {
        return rc;
    }
    /* The pod's PIDs limit is the kubelet's (podPidsLimit), not the manifest's. */
    d->pids.set = d->pids.on = 1;
    n = k8s_get(cfof(c), c->node, "livenessProbe", &k, &rc);
    if (rc < 0)
        return rc;
    d->healthcheck.set = n != NULL;
    d->healthcheck.on = n != NULL || init || ephemeral || c->p->batch;
    if (n != NULL)
        d->healthcheck.at = at_of(c, k, c->base, "livenessProbe");
    if (first)
        return read_pod_wide(c);
    return 0;
}

static int
scan_list(struct k8s_pod *p, const char *list, int *first)
{
    struct k8s_obj *o = p->obj;
    yaml_node_t *seq;
    size_t i = 0;
    int rc;

    seq = k8s_get(o->cf, p->spec, list, NULL, &rc);
    if (rc < 0 || seq == NULL)
        return rc;
    if (seq->type != YAML_SEQUENCE_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: %s.%s must be a list", o->cf->path, cy_line(seq),
                       cy_col(seq), p->prefix, list);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top && rc == 0; it++, i++) {
        struct runtime_desc d;
        struct ctr c;
        yaml_node_t *item = cy_node(o->cf, *it);
        const char *nm;

        if (item == NULL || item->type != YAML_MAPPING_NODE)
            return err_set(ERR_PARSE, "%s:%d:%d: %s.%s[%zu] must be a mapping", o->cf->path,
                           cy_line(item), cy_col(item), p->prefix, list, i);
        if (o->containers != NULL && ++*o->containers > K8S_MAX_CONTAINERS)
            return err_set(ERR_LIMIT, "%s:%d:%d: more than %d containers in one scan; scan "
                                      "fewer manifests at a time",
                           o->cf->path, cy_line(item), cy_col(item), K8S_MAX_CONTAINERS);
        runtime_desc_init(&d, RT_K8S);
        memset(&c, 0, sizeof(c));
        c.p = p;
        c.d = &d;
        c.node = item;
        c.list = list;
        c.base = rt_printf(&d, "%s.%s[%zu]", p->prefix, list, i);
        nm = cy_scalar(k8s_get(o->cf, item, "name", NULL, &rc));
        c.cname = rt_strdup(&d, nm != NULL ? nm : "?", (size_t)-1);
        if (rc == 0)
            rc = c.cname == NULL ? err_set(ERR_NOMEM, "out of memory") : describe(&c, *first);
        if (rc == 0)
            rc = runtime_check(&d, o->det, o->o != NULL && o->o->show_secrets, o->f);
        *first = 0;
        runtime_desc_free(&d);
    }
    return rc;
}

int
k8s_pod_scan(struct k8s_obj *obj, yaml_node_t *spec, yaml_node_t *spec_key, yaml_node_t *meta,
             const char *prefix)
{
    struct k8s_pod p;
    int rc, first = 1;

    memset(&p, 0, sizeof(p));
    p.obj = obj;
    p.spec = spec;
    p.spec_key = spec_key;
    p.prefix = prefix;
    p.batch = strcmp(obj->kind, "Job") == 0 || strcmp(obj->kind, "CronJob") == 0;
    if (spec->type != YAML_MAPPING_NODE)
        return err_set(ERR_PARSE, "%s:%d:%d: %s must be a mapping", obj->cf->path, cy_line(spec),
                       cy_col(spec), prefix);
    p.annotations = k8s_get(obj->cf, meta, "annotations", NULL, &rc);
    if (rc == 0)
        p.psc = k8s_get(obj->cf, spec, "securityContext", NULL, &rc);
    if (rc == 0)
        p.volumes = k8s_get(obj->cf, spec, "volumes", NULL, &rc);
    if (rc == 0)
        rc = scan_list(&p, "containers", &first);
    if (rc == 0)
        rc = scan_list(&p, "initContainers", &first);
    if (rc == 0)
        rc = scan_list(&p, "ephemeralContainers", &first);
    return rc;
}
