/* runtime: one normalised description of how a container runs, built from a container inspect
 * document or a Compose service, and the one set of runtime rules evaluated against it. */
#ifndef SCANNER_RUNTIME_H
#define SCANNER_RUNTIME_H

#include <stddef.h>

#include "common.h"

struct detect_engine;

enum rt_kind {
    RT_CONTAINER = 0,
    RT_COMPOSE,
    RT_K8S, /* a container of a Kubernetes pod template (scanner/k8s/) */
};

/* Where a setting was read. Compose and Kubernetes: the file, line and column of the key. Containers: the
 * inspect field. `field` is always set when the setting was present ("HostConfig.Privileged",
 * "services.web.privileged"); `path` is NULL for containers. */
struct rt_at {
    const char *path;
    int line, column;
    const char *field;
};

/* A scalar setting. `set` = the source said something; `on` = its boolean meaning (privileged
 * true, a limit present, ...); `text` = the value as written, after interpolation. */
struct rt_value {
    int set;
    int on;
    const char *text;
    struct rt_at at;
};

/* A string in a list (capabilities, security options, devices). */
struct rt_item {
    const char *text;
    struct rt_at at;
};

struct rt_mount {
    const char *source;  /* absolute, normalised host path for binds; the name for volumes */
    const char *target;
    int host_path;       /* a bind of a host path (not a named volume or tmpfs) */
    int read_only;
    int shared;          /* propagation shared or rshared */
    struct rt_at at;
};

struct rt_port {
    const char *host_ip; /* NULL or "" = all interfaces */
    long host_port;      /* first host port; 0 = chosen by the engine */
    long host_port_end;  /* last host port of a range (== host_port otherwise) */
    long container_port;
    const char *proto;
    struct rt_at at;
};

enum rt_env_origin {
    RT_ENV_LITERAL = 0,  /* written literally where `at` points (Compose file, env_file, inspect) */
    RT_ENV_INTERPOLATED, /* Compose ${VAR} resolved from the .env beside the file */
    RT_ENV_UNRESOLVED,   /* ${VAR} not set at scan time, or a bare name passed through */
};

struct rt_env {
    const char *name;
    const char *value;   /* NULL = no value (passed through from the environment) */
    size_t value_len;
    enum rt_env_origin origin;
    const char *via;     /* "environment", "env_file NAME", "Config.Env" */
    struct rt_at at;
};

struct rt_list {
    void *items;
    size_t n, cap;
};

struct runtime_desc {
    enum rt_kind kind;
    const char *name;   /* container name, or Compose service name */
    const char *target; /* the scanned target's name (container name, Compose file path) */
    const char *image;

    struct rt_value privileged, user, read_only, no_new_privileges;
    struct rt_value network_mode, pid_mode, ipc_mode, uts_mode, userns_mode, cgroupns_mode;
    struct rt_value cgroup_parent, seccomp_unconfined, apparmor_unconfined, label_disabled;
    struct rt_value systempaths_unconfined;
    struct rt_value memory, cpu, pids, healthcheck, log_driver, restart, default_bridge;
    struct rt_value publish_all;
    struct rt_value cap_drop_key; /* where cap_drop is (or would be): for RT017's location */
    int uses_compose_secrets; /* the service has a `secrets:` list */

    struct rt_list mounts;   /* struct rt_mount */
    struct rt_list ports;    /* struct rt_port */
    struct rt_list env;      /* struct rt_env */
    struct rt_list cap_add;  /* struct rt_item */
    struct rt_list cap_drop; /* struct rt_item */
    struct rt_list devices;  /* struct rt_item */

    char **pool; /* every string above is owned here */
    size_t npool, pool_cap;

    /* Kubernetes settings with no Docker or Compose equivalent (only RT_K8S sets them). */
    struct rt_value run_as_non_root;  /* on: runAsNonRoot true, or a non-zero runAsUser */
    struct rt_value seccomp_profile;  /* on: RuntimeDefault or Localhost (field or annotation) */
    struct rt_value apparmor_profile; /* on: runtime/default or localhost/... */
    struct rt_value sa_token;         /* on: the service account token is mounted (the default) */
    struct rt_at image_at;            /* where `image` was read */

    /* Compose: lists this layer tagged `!reset` or `!override` (RT_REPLACE_*): a later layer
     * replaces them instead of merging (scanner/compose/merge.c). */
    unsigned replace_lists;
};
#define RT_REPLACE_MOUNTS   0x01u
#define RT_REPLACE_PORTS    0x02u
#define RT_REPLACE_ENV      0x04u
#define RT_REPLACE_CAP_ADD  0x08u
#define RT_REPLACE_CAP_DROP 0x10u
#define RT_REPLACE_DEVICES  0x20u

void runtime_desc_init(struct runtime_desc *d, enum rt_kind kind);
/* Zeroes strings (environment values may be secrets) and frees them. */
void runtime_desc_free(struct runtime_desc *d);
/* Copies `len` bytes (or strlen when len == (size_t)-1) into the pool; NULL on OOM. */
const char *rt_strdup(struct runtime_desc *d, const char *s, size_t len);
const char *rt_printf(struct runtime_desc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Moves every string of src's pool into dst's (src's lists may then be freed without them);
 * for descriptions merged from several sources. ERR_NOMEM leaves both intact. */
int rt_pool_adopt(struct runtime_desc *dst, struct runtime_desc *src);
/* Appends a zeroed element of `size` bytes to `l`; NULL on OOM or over RT_MAX_ITEMS. */
void *rt_list_add(struct rt_list *l, size_t size);
#define RT_MAX_ITEMS 100000
#define RT_AT(l, type, i) (&((type *)(l).items)[i])

/* Path helpers shared by both sources. */
/* Lexically normalises an absolute path: "//", "/./", "/x/../" and trailing "/" removed.
 * Writes into `out` (size >= strlen(in) + 1). */
void rt_path_normalise(const char *in, char *out, size_t outsz);
/* Is `user` (as in Config.User or Compose `user:`) root: the one answer, common's. */
#define rt_user_is_root(user) user_is_root(user)
/* Capability name without "CAP_", upper-cased, into out. */
void rt_cap_name(const char *in, char *out, size_t outsz);
/* Parses a security option ("seccomp=unconfined", "no-new-privileges:true", ...) into `d`. */
void rt_apply_security_opt(struct runtime_desc *d, const char *opt, const struct rt_at *at);

/* What a rule reports through. */
struct rt_ctx {
    const struct runtime_desc *d;
    struct findings *f;
    struct detect_engine *detect; /* NULL: names only, no value detection */
    int show_secrets;
};

/* Adds a finding of `rule` at `at`, optionally with another severity (`sev` < 0: the rule's). */
int rt_report(struct rt_ctx *c, const struct rule_meta *rule, const struct rt_at *at, int sev,
              const char *redacted, const char *fingerprint, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* A rule: its row and its check. */
struct runtime_rule {
    struct rule_meta meta;
    int (*check)(struct rt_ctx *c, const struct rule_meta *rule);
};
extern const struct runtime_rule runtime_rules[];
extern const size_t runtime_rule_count;

/* Evaluates every rule against `d`. `detect` may be NULL. */
int runtime_check(const struct runtime_desc *d, struct detect_engine *detect, int show_secrets,
                  struct findings *f);

/* Rule checks (runtime_rules_*.c). */
int rt_check_privileged(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_socket(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_root(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_env_secrets(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_sensitive_mounts(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_caps_added(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_net(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_pid(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_ipc(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_uts(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_userns(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_seccomp(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_mac(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_sensitive_ports(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_devices(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_systempaths(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_caps_not_dropped(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_rootfs(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_memory(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_cpu(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_pids(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_nnp(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_healthcheck(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_logging(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_env_secret_names(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_propagation(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_cgroupns(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_restart(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_default_bridge(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_privileged_ports(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_ports_all_interfaces(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_cgroup_parent(struct rt_ctx *c, const struct rule_meta *r);
/* Rows appended for Kubernetes (rules_k8s.c); the image ones apply to Compose too. */
int rt_check_run_as_non_root(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_image_latest(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_image_digest(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_seccomp_profile(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_apparmor_profile(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_sa_token(struct rt_ctx *c, const struct rule_meta *r);
int rt_check_host_path(struct rt_ctx *c, const struct rule_meta *r);

/* Exposed for tests. */
/* The tag of an image reference ("" when none; NULL when pinned by digest only). */
const char *rt_image_tag(const char *image, char *out, size_t outsz);
int rt_port_is_sensitive(long port);
/* Is `path` (normalised, absolute) a container runtime socket or a directory above one? */
int rt_path_exposes_socket(const char *path, const char **socket_out);
/* Is `path` a sensitive host path or below one? Returns the listed path, or NULL. */
const char *rt_path_sensitive(const char *path);

#endif
