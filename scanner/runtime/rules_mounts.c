/* runtime_rules_mounts: what of the host filesystem a container sees: engine sockets (directly,
 * or through a parent directory such as /var/run or /run), system directories, propagation. */
#include <string.h>

#include "runtime.h"

/* Sockets of container engines; "*" matches one path component (a user id). */
static const char *const sockets[] = {
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/user/*/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/podman/podman.sock",
    "/run/podman/podman.sock",
    "/run/user/*/podman/podman.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/run/buildkit/buildkitd.sock",
};

/* Host paths whose exposure gives away the host (CIS 5.6 list plus /root and engine state). */
static const char *const sensitive[] = {
    "/", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr", "/root",
    "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/kubelet",
};

/* Read-only binds of these are the usual way to share the host's clock and zone: harmless. */
static const char *const benign_ro[] = {"/etc/localtime", "/etc/timezone"};

/* Length of the next component of `p` (after leading '/'). */
static size_t
component(const char **p)
{
    while (**p == '/')
        (*p)++;
    return strcspn(*p, "/");
}

/* 2: `path` is the socket pattern itself; 1: a directory above it; 0: neither. */
static int
match_socket(const char *path, const char *pattern)
{
    const char *a = path, *b = pattern;

    for (;;) {
        size_t la = component(&a), lb = component(&b);
        if (la == 0)
            return lb == 0 ? 2 : 1;
        if (lb == 0)
            return 0;
        if (!(lb == 1 && b[0] == '*') && (la != lb || memcmp(a, b, la) != 0))
            return 0;
        a += la;
        b += lb;
    }
}

/* A file named like an engine socket anywhere (rootless and desktop engines move them). */
static int
looks_like_socket(const char *path)
{
    const char *base = strrchr(path, '/');
    static const char *const engines[] = {"docker", "containerd", "podman", "crio"};
    size_t n;

    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    if (n < 5 || strcmp(base + n - 5, ".sock") != 0)
        return 0;
    for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
        if (strncmp(base, engines[i], strlen(engines[i])) == 0)
            return 1;
    return 0;
}

int
rt_path_exposes_socket(const char *path, const char **socket_out)
{
    int best = 0;

    if (path == NULL || path[0] != '/')
        return 0;
    for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
        int m = match_socket(path, sockets[i]);
        if (m > best) {
            best = m;
            if (socket_out != NULL)
                *socket_out = sockets[i];
        }
    }
    if (best == 0 && looks_like_socket(path)) {
        best = 2;
        if (socket_out != NULL)
            *socket_out = path;
    }
    return best;
}

const char *
rt_path_sensitive(const char *path)
{
    if (path == NULL || path[0] != '/')
        return NULL;
    for (size_t i = 0; i < sizeof(sensitive) / sizeof(sensitive[0]); i++) {
        size_t n = strlen(sensitive[i]);
        if (n == 1) {
            if (strcmp(path, "/") == 0)
                return sensitive[i];
            continue;
        }
        if (strncmp(path, sensitive[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return sensitive[i];
    }
    return NULL;
}

int
rt_check_socket(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->mounts;
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct rt_mount *m = RT_AT(*l, struct rt_mount, i);
        const char *sock = NULL;
        int how = m->host_path ? rt_path_exposes_socket(m->source, &sock) : 0;

        if (how == 2)
            rc = rt_report(c, r, &m->at, -1, NULL, NULL, "engine socket %s mounted at %s%s",
                           m->source, m->target ? m->target : "?", m->read_only ? " (read-only "
                           "does not help: the API still accepts every call)" : "");
        else if (how == 1)
            rc = rt_report(c, r, &m->at, -1, NULL, NULL,
                           "host directory %s mounted at %s exposes the engine socket %s",
                           m->source, m->target ? m->target : "?", sock);
        else if (m->target != NULL && rt_path_exposes_socket(m->target, &sock) == 2)
            /* Whatever the source, something is put where clients look for the engine. */
            rc = rt_report(c, r, &m->at, -1, NULL, NULL,
                           "%s mounted at the engine socket path %s", m->source ? m->source : "?",
                           m->target);
        else
            rc = 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int
rt_check_sensitive_mounts(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->mounts;
    int rc = 0;

    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_mount *m = RT_AT(*l, struct rt_mount, i);
        const char *s = m->host_path ? rt_path_sensitive(m->source) : NULL;
        int benign = 0;

        if (s == NULL)
            continue;
        for (size_t j = 0; j < sizeof(benign_ro) / sizeof(benign_ro[0]); j++)
            benign |= m->read_only && strcmp(m->source, benign_ro[j]) == 0;
        if (benign)
            continue;
        /* Read-write is the real escape; read-only still leaks host secrets and layout. */
        rc = rt_report(c, r, &m->at, m->read_only ? SEV_MEDIUM : -1, NULL, NULL,
                       "host path %s mounted %s at %s", m->source,
                       m->read_only ? "read-only" : "read-write", m->target ? m->target : "?");
    }
    return rc;
}

int
rt_check_propagation(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->mounts;
    int rc = 0;

    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_mount *m = RT_AT(*l, struct rt_mount, i);
        if (m->shared)
            rc = rt_report(c, r, &m->at, -1, NULL, NULL,
                           "mount %s has shared propagation", m->target ? m->target : "?");
    }
    return rc;
}
