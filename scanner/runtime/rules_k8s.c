/* runtime_rules_k8s: settings a Kubernetes pod template has and a Docker or Compose container
 * does not: runAsNonRoot, seccomp and AppArmor profiles that must be asked for, the service
 * account token, and image references (tags move; digests do not). */
#include <string.h>

#include "runtime.h"

int
rt_check_run_as_non_root(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    /* runAsUser: 0 is RT003's; here: nothing stops the image's root user from being used. */
    if (d->kind != RT_K8S || d->run_as_non_root.on || rt_user_is_root(d->user.text))
        return 0;
    return rt_report(c, r, &d->run_as_non_root.at, -1, NULL, NULL,
                     "runAsNonRoot is not true and runAsUser is not set: the image's USER "
                     "decides, root unless the image sets one");
}

const char *
rt_image_tag(const char *image, char *out, size_t outsz)
{
    const char *slash, *colon;
    size_t n;

    if (outsz == 0)
        return NULL;
    out[0] = '\0';
    if (image == NULL)
        return out;
    if (strchr(image, '@') != NULL)
        return NULL;
    /* The tag follows the last ':' after the last '/' (a registry's ":5000" comes before). */
    slash = strrchr(image, '/');
    colon = strrchr(slash != NULL ? slash : image, ':');
    if (colon == NULL)
        return out;
    n = strlen(colon + 1);
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, colon + 1, n);
    out[n] = '\0';
    return out;
}

int
rt_check_image_latest(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;
    char tag[256];
    const char *t;

    if (d->kind != RT_K8S || d->image == NULL)
        return 0;
    t = rt_image_tag(d->image, tag, sizeof(tag));
    if (t == NULL)
        return 0; /* pinned by digest: whatever the tag says, the content is fixed */
    if (t[0] == '\0')
        return rt_report(c, r, &d->image_at, -1, NULL, NULL,
                         "image %s has no tag: it means :latest, whatever was pushed last",
                         d->image);
    if (strcmp(t, "latest") == 0)
        return rt_report(c, r, &d->image_at, -1, NULL, NULL,
                         "image %s uses the :latest tag", d->image);
    return 0;
}

int
rt_check_image_digest(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (d->kind != RT_K8S || d->image == NULL || strchr(d->image, '@') != NULL)
        return 0;
    return rt_report(c, r, &d->image_at, -1, NULL, NULL,
                     "image %s is not pinned by digest (@sha256:...)", d->image);
}

int
rt_check_seccomp_profile(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    /* Unconfined is RT012's; Docker applies its default profile, the kubelet does not. */
    if (d->kind != RT_K8S || d->seccomp_profile.on || d->seccomp_unconfined.on)
        return 0;
    return rt_report(c, r, &d->seccomp_profile.at, -1, NULL, NULL,
                     "no seccomp profile (seccompProfile.type RuntimeDefault or Localhost): the "
                     "container runs Unconfined unless the kubelet's SeccompDefault is on");
}

int
rt_check_apparmor_profile(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (d->kind != RT_K8S || d->apparmor_profile.on || d->apparmor_unconfined.on)
        return 0;
    return rt_report(c, r, &d->apparmor_profile.at, -1, NULL, NULL,
                     "no AppArmor profile asked for (appArmorProfile or the "
                     "container.apparmor.security.beta.kubernetes.io annotation)");
}

int
rt_check_sa_token(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct runtime_desc *d = c->d;

    if (d->kind != RT_K8S || !d->sa_token.on)
        return 0;
    return rt_report(c, r, &d->sa_token.at, -1, NULL, NULL,
                     "the service account token is mounted (automountServiceAccountToken is "
                     "not false): the API credentials are one file read away");
}

int
rt_check_host_path(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->mounts;
    int rc = 0;

    if (c->d->kind != RT_K8S)
        return 0; /* Compose binds of project directories are the normal case */
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_mount *m = RT_AT(*l, struct rt_mount, i);
        /* Sockets and system paths are RT002's and RT005's, reported higher. */
        if (!m->host_path || rt_path_exposes_socket(m->source, NULL) ||
            rt_path_sensitive(m->source) != NULL)
            continue;
        rc = rt_report(c, r, &m->at, -1, NULL, NULL, "hostPath %s mounted %sat %s", m->source,
                       m->read_only ? "read-only " : "", m->target ? m->target : "?");
    }
    return rc;
}
