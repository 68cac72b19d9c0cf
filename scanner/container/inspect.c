/* container_inspect: reads the security-relevant fields of a container inspect document into a
 * runtime description, naming the inspect field each came from. Fields of the wrong type are
 * treated as absent: the document comes from an engine we do not trust to be well-formed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

static const cJSON *
obj(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsObject(v) ? v : NULL;
}

static const cJSON *
arr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsArray(v) ? v : NULL;
}

static const char *
str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int
boolean(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static struct rt_at
field(const char *name)
{
    struct rt_at at = {NULL, 0, 0, name};
    return at;
}

static void
text_value(struct runtime_desc *d, struct rt_value *v, const cJSON *o, const char *key,
           const char *fieldname)
{
    v->set = 1;
    v->text = rt_strdup(d, str(o, key) ? str(o, key) : "", (size_t)-1);
    v->at = field(fieldname);
}

static void
flag_value(struct rt_value *v, int on, const char *fieldname)
{
    v->set = 1;
    v->on = on;
    v->at = field(fieldname);
}

static int
add_items(struct runtime_desc *d, struct rt_list *l, const cJSON *a, const char *fieldname)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, a) {
        struct rt_item *x;
        if (!cJSON_IsString(it))
            continue;
        if ((x = rt_list_add(l, sizeof(*x))) == NULL)
            return err_set(ERR_LIMIT, "inspect: too many items in %s", fieldname);
        x->text = rt_strdup(d, it->valuestring, (size_t)-1);
        x->at = field(fieldname);
        if (x->text == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int
add_mount(struct runtime_desc *d, const char *type, const char *src, const char *dst, int ro,
          const char *prop, const char *fieldname)
{
    struct rt_mount *m = rt_list_add(&d->mounts, sizeof(*m));
    char norm[PATH_MAX];

    if (m == NULL)
        return err_set(ERR_LIMIT, "inspect: too many mounts");
    m->host_path = type == NULL || strcmp(type, "bind") == 0;
    if (src != NULL && src[0] == '/' && strlen(src) < sizeof(norm)) {
        rt_path_normalise(src, norm, sizeof(norm));
        src = norm;
    } else if (src == NULL || src[0] != '/') {
        m->host_path = 0;
    }
    m->source = rt_strdup(d, src ? src : "", (size_t)-1);
    m->target = rt_strdup(d, dst ? dst : "", (size_t)-1);
    m->read_only = ro;
    m->shared = prop != NULL && (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0);
    m->at = field(fieldname);
    return m->source == NULL || m->target == NULL ? err_set(ERR_NOMEM, "out of memory") : 0;
}

/* Is `word` one of the comma-separated options in `opts`? */
static int
has_opt(const char *opts, const char *word)
{
    size_t n = strlen(word);

    while (opts != NULL && *opts != '\0') {
        size_t len = strcspn(opts, ",");
        if (len == n && strncmp(opts, word, n) == 0)
            return 1;
        opts += len + (opts[len] == ',');
    }
    return 0;
}

static int
read_mounts(struct runtime_desc *d, const cJSON *doc, const cJSON *hc)
{
    const cJSON *mounts = arr(doc, "Mounts"), *it;
    size_t i = 0;
    int rc;

    if (mounts != NULL && cJSON_GetArraySize(mounts) > 0) {
        cJSON_ArrayForEach(it, mounts) {
            const char *f = rt_printf(d, "Mounts[%zu]", i++);
            if (!cJSON_IsObject(it))
                continue;
            rc = add_mount(d, str(it, "Type"), str(it, "Source"), str(it, "Destination"),
                           !boolean(it, "RW"), str(it, "Propagation"), f);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    /* Older engines: only HostConfig.Binds ("src:dst[:opts]"). */
    cJSON_ArrayForEach(it, arr(hc, "Binds")) {
        char src[PATH_MAX], dst[PATH_MAX];
        const char *s = cJSON_IsString(it) ? it->valuestring : NULL, *c1, *c2;
        const char *f = rt_printf(d, "HostConfig.Binds[%zu]", i++);
        if (s == NULL || (c1 = strchr(s, ':')) == NULL || (size_t)(c1 - s) >= sizeof(src))
            continue;
        memcpy(src, s, (size_t)(c1 - s));
        src[c1 - s] = '\0';
        c2 = strchr(c1 + 1, ':');
        (void)str_format(dst, sizeof(dst), "%.*s", (int)(c2 ? c2 - c1 - 1 : (long)strlen(c1 + 1)),
                         c1 + 1);
        c2 = c2 != NULL ? c2 + 1 : NULL;
        rc = add_mount(d, src[0] == '/' ? "bind" : "volume", src, dst, has_opt(c2, "ro"),
                       has_opt(c2, "rshared") ? "rshared" : has_opt(c2, "shared") ? "shared" : NULL,
                       f);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
read_ports(struct runtime_desc *d, const cJSON *doc, const cJSON *hc)
{
    const cJSON *bindings = obj(hc, "PortBindings"), *key;
    const char *fieldname = "HostConfig.PortBindings";

    if (bindings == NULL || cJSON_GetArraySize(bindings) == 0) {
        bindings = obj(obj(doc, "NetworkSettings"), "Ports");
        fieldname = "NetworkSettings.Ports";
    }
    cJSON_ArrayForEach(key, bindings) {
        const cJSON *b;
        char proto[16] = "tcp";
        long cport = strtol(key->string ? key->string : "0", NULL, 10);
        const char *slash = key->string ? strchr(key->string, '/') : NULL;
        if (slash != NULL)
            (void)str_format(proto, sizeof(proto), "%s", slash + 1);
        const cJSON *list = cJSON_IsArray(key) ? key : NULL;
        cJSON_ArrayForEach(b, list) {
            struct rt_port *p;
            const char *hp = str(b, "HostPort"), *dash;
            if (!cJSON_IsObject(b))
                continue;
            if ((p = rt_list_add(&d->ports, sizeof(*p))) == NULL)
                return err_set(ERR_LIMIT, "inspect: too many port bindings");
            p->container_port = cport;
            p->host_port = hp ? strtol(hp, NULL, 10) : 0;
            dash = hp ? strchr(hp, '-') : NULL;
            p->host_port_end = dash ? strtol(dash + 1, NULL, 10) : p->host_port;
            p->host_ip = rt_strdup(d, str(b, "HostIp") ? str(b, "HostIp") : "", (size_t)-1);
            p->proto = rt_strdup(d, proto, (size_t)-1);
            p->at = field(rt_printf(d, "%s[\"%.32s\"]", fieldname, key->string));
        }
    }
    return 0;
}

static int
read_env(struct runtime_desc *d, const cJSON *config)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr(config, "Env")) {
        struct rt_env *e;
        const char *s = cJSON_IsString(it) ? it->valuestring : NULL, *eq;
        if (s == NULL)
            continue;
        if ((e = rt_list_add(&d->env, sizeof(*e))) == NULL)
            return err_set(ERR_LIMIT, "inspect: too many environment variables");
        eq = strchr(s, '=');
        e->name = rt_strdup(d, s, eq ? (size_t)(eq - s) : (size_t)-1);
        e->value = eq ? rt_strdup(d, eq + 1, (size_t)-1) : NULL;
        e->value_len = eq ? strlen(eq + 1) : 0;
        e->origin = RT_ENV_LITERAL;
        e->via = "Config.Env";
        e->at = field(rt_printf(d, "Config.Env %.*s", (int)(eq ? eq - s : 64), s));
        if (e->name == NULL)
            return err_set(ERR_NOMEM, "out of memory");
    }
    return 0;
}

static void
read_limits(struct runtime_desc *d, const cJSON *hc)
{
    const char *cpuset = str(hc, "CpusetCpus");

    flag_value(&d->memory, num(hc, "Memory") > 0, "HostConfig.Memory");
    flag_value(&d->cpu,
               num(hc, "NanoCpus") > 0 || num(hc, "CpuQuota") > 0 ||
                   (cpuset != NULL && cpuset[0] != '\0'),
               "HostConfig.NanoCpus");
    /* 0, -1 and null all mean unlimited (CIS 5.29). */
    flag_value(&d->pids, num(hc, "PidsLimit") > 0, "HostConfig.PidsLimit");
}

static void
read_network(struct runtime_desc *d, const cJSON *doc, const cJSON *hc)
{
    const cJSON *nets = obj(obj(doc, "NetworkSettings"), "Networks");
    const char *mode = str(hc, "NetworkMode");

    text_value(d, &d->network_mode, hc, "NetworkMode", "HostConfig.NetworkMode");
    d->default_bridge.at = field("NetworkSettings.Networks");
    if (nets != NULL && cJSON_GetArraySize(nets) > 0) {
        /* "bridge" is Docker's docker0; "podman" is Podman's default network. */
        const char *def = cJSON_GetObjectItemCaseSensitive(nets, "bridge") ? "bridge"
                          : cJSON_GetObjectItemCaseSensitive(nets, "podman") ? "podman"
                                                                             : NULL;
        d->default_bridge.set = 1;
        d->default_bridge.on = def != NULL;
        d->default_bridge.text = def;
    } else if (mode != NULL && (strcmp(mode, "default") == 0 || strcmp(mode, "bridge") == 0)) {
        d->default_bridge.set = d->default_bridge.on = 1;
        d->default_bridge.text = "bridge";
        d->default_bridge.at = field("HostConfig.NetworkMode");
    }
}

int
container_describe(const cJSON *doc, const char *fallback_name, struct runtime_desc *d)
{
    const cJSON *hc, *config, *health, *restart, *it;
    const char *name, *s;
    size_t i = 0;
    int rc;

    if (!cJSON_IsObject(doc))
        return err_set(ERR_PARSE, "container %s: inspect document is not a JSON object",
                       fallback_name);
    hc = obj(doc, "HostConfig");
    config = obj(doc, "Config");
    name = str(doc, "Name");
    if (name != NULL && name[0] == '/')
        name++;
    d->name = rt_strdup(d, name != NULL && name[0] != '\0' ? name : fallback_name, (size_t)-1);
    d->target = d->name;
    d->image = rt_strdup(d, str(config, "Image") ? str(config, "Image") : str(doc, "Image"),
                         (size_t)-1);
    if (d->name == NULL)
        return err_set(ERR_NOMEM, "out of memory");

    flag_value(&d->privileged, boolean(hc, "Privileged"), "HostConfig.Privileged");
    text_value(d, &d->user, config, "User", "Config.User");
    flag_value(&d->read_only, boolean(hc, "ReadonlyRootfs"), "HostConfig.ReadonlyRootfs");
    d->no_new_privileges.at = field("HostConfig.SecurityOpt");
    cJSON_ArrayForEach(it, arr(hc, "SecurityOpt")) {
        struct rt_at at = field(rt_printf(d, "HostConfig.SecurityOpt[%zu]", i++));
        if (cJSON_IsString(it))
            rt_apply_security_opt(d, rt_strdup(d, it->valuestring, (size_t)-1), &at);
    }
    s = str(doc, "AppArmorProfile");
    if (s != NULL && strcmp(s, "unconfined") == 0 && !d->apparmor_unconfined.on) {
        flag_value(&d->apparmor_unconfined, 1, "AppArmorProfile");
        d->apparmor_unconfined.text = "AppArmorProfile=unconfined";
    }
    read_network(d, doc, hc);
    text_value(d, &d->pid_mode, hc, "PidMode", "HostConfig.PidMode");
    text_value(d, &d->ipc_mode, hc, "IpcMode", "HostConfig.IpcMode");
    text_value(d, &d->uts_mode, hc, "UTSMode", "HostConfig.UTSMode");
    text_value(d, &d->userns_mode, hc, "UsernsMode", "HostConfig.UsernsMode");
    text_value(d, &d->cgroupns_mode, hc, "CgroupnsMode", "HostConfig.CgroupnsMode");
    text_value(d, &d->cgroup_parent, hc, "CgroupParent", "HostConfig.CgroupParent");
    read_limits(d, hc);

    health = obj(config, "Healthcheck");
    d->healthcheck.at = field("Config.Healthcheck");
    if (health != NULL) {
        const cJSON *test = arr(health, "Test");
        const cJSON *first = test ? cJSON_GetArrayItem(test, 0) : NULL;
        d->healthcheck.set = 1;
        d->healthcheck.on = cJSON_IsString(first) && strcmp(first->valuestring, "NONE") != 0;
    }
    text_value(d, &d->log_driver, obj(hc, "LogConfig"), "Type", "HostConfig.LogConfig.Type");
    restart = obj(hc, "RestartPolicy");
    s = str(restart, "Name");
    if (s != NULL && s[0] != '\0' && strcmp(s, "no") != 0) {
        text_value(d, &d->restart, restart, "Name", "HostConfig.RestartPolicy");
        d->restart.on = num(restart, "MaximumRetryCount") > 0;
    }
    flag_value(&d->publish_all, boolean(hc, "PublishAllPorts"), "HostConfig.PublishAllPorts");
    d->cap_drop_key.at = field("HostConfig.CapDrop");

    if ((rc = add_items(d, &d->cap_add, arr(hc, "CapAdd"), "HostConfig.CapAdd")) < 0 ||
        (rc = add_items(d, &d->cap_drop, arr(hc, "CapDrop"), "HostConfig.CapDrop")) < 0 ||
        (rc = add_items(d, &d->devices, arr(hc, "DeviceCgroupRules"), "HostConfig.DeviceCgroupRules")) < 0)
        return rc;
    cJSON_ArrayForEach(it, arr(hc, "Devices")) {
        struct rt_item *x;
        if (!cJSON_IsObject(it))
            continue;
        if ((x = rt_list_add(&d->devices, sizeof(*x))) == NULL)
            return err_set(ERR_LIMIT, "inspect: too many devices");
        x->text = rt_printf(d, "%s:%s", str(it, "PathOnHost") ? str(it, "PathOnHost") : "?",
                            str(it, "PathInContainer") ? str(it, "PathInContainer") : "?");
        x->at = field("HostConfig.Devices");
    }
    if ((rc = read_mounts(d, doc, hc)) < 0 || (rc = read_ports(d, doc, hc)) < 0 ||
        (rc = read_env(d, config)) < 0)
        return rc;
    return 0;
}
