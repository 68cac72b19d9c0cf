/* runtime_rules_host: how much of the host a container gets: privileged mode, the user,
 * capabilities, shared namespaces, seccomp/AppArmor/SELinux, devices, no-new-privileges. */
#include <string.h>
#include <strings.h>

#include "runtime.h"

/* Docker's default capability set (moby oci/caps/defaults.go); CIS 5.4 counts only additions
 * beyond it, and "dropped" means all of these are gone. */
static const char *const default_caps[] = {
    "AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",   "MKNOD",
    "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
};

/* Capabilities that break isolation or give host-wide power (docker-bench C.5.3.x and more).
 * Others beyond the default set (SYS_NICE, IPC_LOCK, WAKE_ALARM, ...) are reported low. */
static const char *const dangerous_caps[] = {
    "ALL",        "SYS_ADMIN",    "NET_ADMIN", "SYS_PTRACE",      "SYS_MODULE",
    "DAC_READ_SEARCH", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME",       "MAC_ADMIN",
    "MAC_OVERRIDE", "BPF",        "PERFMON",   "SYSLOG",          "LINUX_IMMUTABLE",
    "SYS_RESOURCE", "AUDIT_CONTROL", "CHECKPOINT_RESTORE", "IPC_OWNER",
};

static int
in_set(const char *name, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, set[i]) == 0)
            return 1;
    return 0;
}

static int
list_has_cap(const struct rt_list *l, const char *cap)
{
    char name[64];

    for (size_t i = 0; i < l->n; i++) {
        rt_cap_name(RT_AT(*l, struct rt_item, i)->text, name, sizeof(name));
        if (strcmp(name, cap) == 0)
            return 1;
    }
    return 0;
}

int
rt_check_privileged(struct rt_ctx *c, const struct rule_meta *r)
{
    if (c->d->privileged.on)
        return rt_report(c, r, &c->d->privileged.at, -1, NULL, NULL,
                         "runs privileged: every capability, every device, no seccomp or "
                         "AppArmor confinement");
    return 0;
}

int
rt_check_root(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (d->kind == RT_COMPOSE && (!d->user.set || d->user.text == NULL || d->user.text[0] == '\0'))
        /* Compose alone cannot tell: the image's USER applies, and it is root unless set. */
        return rt_report(c, r, &d->user.at, SEV_HIGH, NULL, NULL,
                         "no `user:`%s; the service runs as the image's USER, root unless the "
                         "image sets one",
                         d->user.set ? " (empty)" : "");
    if (rt_user_is_root(d->user.text))
        return rt_report(c, r, &d->user.at, -1, NULL, NULL, "runs as root (user '%s')",
                         d->user.text != NULL && d->user.text[0] != '\0' ? d->user.text
                                                                          : "<image default: root>");
    return 0;
}

int
rt_check_caps_added(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->cap_add;
    char name[64];
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct rt_item *it = RT_AT(*l, struct rt_item, i);
        rt_cap_name(it->text, name, sizeof(name));
        if (in_set(name, dangerous_caps, sizeof(dangerous_caps) / sizeof(dangerous_caps[0])))
            rc = rt_report(c, r, &it->at, -1, NULL, NULL, "capability %s added", name);
        else if (!in_set(name, default_caps, sizeof(default_caps) / sizeof(default_caps[0])))
            /* Beyond the default set but not known to be dangerous: CIS 5.4 still warns. */
            rc = rt_report(c, r, &it->at, SEV_LOW, NULL, NULL,
                           "capability %s added beyond the default set", name);
        else
            rc = 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int
rt_check_caps_not_dropped(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (list_has_cap(&d->cap_drop, "ALL"))
        return 0;
    /* Engines report `--cap-drop ALL` as the default set itemised; a cap in both lists was
     * dropped and deliberately added back. */
    for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++) {
        if (list_has_cap(&d->cap_drop, default_caps[i]) ||
            list_has_cap(&d->cap_add, default_caps[i]))
            continue;
        return rt_report(c, r, &d->cap_drop_key.at, -1, NULL, NULL,
                         "capabilities not dropped (%s kept; no cap_drop ALL)", default_caps[i]);
    }
    return 0;
}

static int
host_ns(struct rt_ctx *c, const struct rule_meta *r, const struct rt_value *v, const char *what)
{
    if (v->set && v->text != NULL && strcasecmp(v->text, "host") == 0)
        return rt_report(c, r, &v->at, -1, NULL, NULL, "shares the host's %s namespace", what);
    return 0;
}

int
rt_check_host_net(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->network_mode, "network");
}

int
rt_check_host_pid(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->pid_mode, "PID");
}

int
rt_check_host_ipc(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->ipc_mode, "IPC");
}

int
rt_check_host_uts(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->uts_mode, "UTS");
}

int
rt_check_host_userns(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->userns_mode, "user");
}

int
rt_check_host_cgroupns(struct rt_ctx *c, const struct rule_meta *r)
{
    return host_ns(c, r, &c->d->cgroupns_mode, "cgroup");
}

int
rt_check_seccomp(struct rt_ctx *c, const struct rule_meta *r)
{
    if (c->d->seccomp_unconfined.on)
        return rt_report(c, r, &c->d->seccomp_unconfined.at, -1, NULL, NULL,
                         "seccomp disabled (%s)", c->d->seccomp_unconfined.text);
    return 0;
}

int
rt_check_mac(struct rt_ctx *c, const struct rule_meta *r)
{
    int rc = 0;

    if (c->d->apparmor_unconfined.on)
        rc = rt_report(c, r, &c->d->apparmor_unconfined.at, -1, NULL, NULL,
                       "AppArmor disabled (%s)", c->d->apparmor_unconfined.text);
    if (rc == 0 && c->d->label_disabled.on)
        rc = rt_report(c, r, &c->d->label_disabled.at, -1, NULL, NULL,
                       "SELinux labelling disabled (%s)", c->d->label_disabled.text);
    return rc;
}

int
rt_check_systempaths(struct rt_ctx *c, const struct rule_meta *r)
{
    if (c->d->systempaths_unconfined.on)
        return rt_report(c, r, &c->d->systempaths_unconfined.at, -1, NULL, NULL,
                         "/proc and /sys are not masked (%s)", c->d->systempaths_unconfined.text);
    return 0;
}

int
rt_check_devices(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->devices;
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct rt_item *it = RT_AT(*l, struct rt_item, i);
        rc = rt_report(c, r, &it->at, -1, NULL, NULL, "host device %s passed through", it->text);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int
rt_check_nnp(struct rt_ctx *c, const struct rule_meta *r)
{
    if (!c->d->no_new_privileges.on)
        return rt_report(c, r, &c->d->no_new_privileges.at, -1, NULL, NULL,
                         "no-new-privileges not set: setuid binaries can still raise privileges");
    return 0;
}

int
rt_check_cgroup_parent(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_value *v = &c->d->cgroup_parent;

    if (v->set && v->text != NULL && v->text[0] != '\0')
        return rt_report(c, r, &v->at, -1, NULL, NULL, "cgroup parent set to %s", v->text);
    return 0;
}
