/* image_config: rules on the image config and history: user, ENV values and names, build
 * arguments and secrets in history `created_by`, healthcheck, exposed ports, volumes, labels,
 * and the image's age. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image.h"

#define IMG_DEFAULT_MAX_AGE_DAYS 365

/* Values found by pattern are DF003 and secret-like names with literals DF004 wherever they
 * are (Env, build arguments and ENV lines in the history, labels), as in Dockerfiles. */
enum { KIND_ENV, KIND_HISTORY, KIND_LABEL };

struct cfg {
    const struct img_resolved *r;
    struct img_ctx *c;
    struct findings *f;
    const char *target;
    const char *where; /* "config.Env[2]" */
    int layer;         /* layer of a history entry, or -1 */
    const char *what;  /* "ENV DB_PASSWORD", for the message */
    int kind; /* where values come from: Env, history or labels (one rule set for all) */
    int found;
    char (*seen)[65]; /* fingerprints already reported from Env, to skip in history */
    const char *clear; /* with --show-secrets: the value to print, else NULL */
    size_t clear_len;
    size_t nseen;
};

static int
add_cfg(struct cfg *k, const struct rule_meta *rule, const char *redacted, const char *fp,
        const char *fmt, const char *a, const char *b)
{
    struct location loc;
    struct finding_extra x;

    memset(&loc, 0, sizeof(loc));
    memset(&x, 0, sizeof(x));
    loc.path = k->where;
    loc.layer_index = k->layer;
    if (k->layer >= 0)
        loc.layer = k->r->digests[k->layer];
    x.target = k->target;
    x.secret_redacted = redacted;
    x.secret_fingerprint = fp;
    if (k->clear != NULL && k->c->opts != NULL && k->c->opts->show_secrets) {
        char head[512];
        snprintf(head, sizeof(head), fmt, a, b);
        return findings_add(k->f, rule, &loc, &x, "%s; value '%.*s'", head, (int)k->clear_len,
                            k->clear);
    }
    return findings_add(k->f, rule, &loc, &x, fmt, a, b);
}

static int
seen_fp(const struct cfg *k, const char *fp)
{
    for (size_t i = 0; i < k->nseen; i++)
        if (strcmp(k->seen[i], fp) == 0)
            return 1;
    return 0;
}

/* Each value is reported once: Env first, then the history only for values Env did not
 * already show (an `ENV K=V` history line repeats the config), and a build argument found both
 * by a pattern and by its name once. */
static int
remember_fp(struct cfg *k, const char *fp)
{
    if (k->kind == KIND_HISTORY && seen_fp(k, fp))
        return 0;
    if (k->seen != NULL && k->nseen < 256)
        snprintf(k->seen[k->nseen++], 65, "%s", fp);
    return 1;
}

static int
on_value_hit(const struct detect_hit *hit, void *user)
{
    struct cfg *k = user;
    struct detect_finding d;
    char msg[256];
    int rc;

    if (hit->is_example)
        return 0;
    k->found++;
    detect_finding_from_hit(&d, hit);
    if (!remember_fp(k, d.fingerprint))
        return 0;
    snprintf(msg, sizeof(msg), "%s (%s)", d.title, d.id);
    k->clear = d.secret;
    k->clear_len = d.secret_len;
    rc = add_cfg(k, IMG_RULE_ENV_SECRET, d.redacted, d.fingerprint, "%s: %s", k->what, msg);
    k->clear = NULL;
    return rc;
}

/* A NAME=VALUE whose name says secret and whose value is a literal. */
static int
name_value(struct cfg *k, const char *name, size_t nlen, const char *value, size_t vlen)
{
    struct detect_finding d;
    char label[160];
    const char *red = d.redacted, *fp = d.fingerprint;
    int rc;

    /* GPG_KEY(S) in official images are key fingerprints to verify downloads, not secrets. */
    if (!detect_literal_secret(name, nlen, value, vlen))
        return 0;
    detect_finding_from_value(&d, value, vlen);
    if (!remember_fp(k, fp))
        return 0;
    snprintf(label, sizeof(label), "%.*s", (int)(nlen < 120 ? nlen : 120), name);
    k->clear = value;
    k->clear_len = vlen;
    if (k->kind == KIND_HISTORY)
        rc = add_cfg(k, IMG_RULE_ENV_NAME, red, fp,
                     "the history records %s with a literal value (a build argument or ENV)%s",
                     label, "");
    else
        rc = add_cfg(k, IMG_RULE_ENV_NAME, red, fp, "%s holds a literal value (its name says "
                                                     "secret)%s",
                     k->what, "");
    k->clear = NULL;
    return rc;
}

static int
check_user(struct cfg *k, const cJSON *config)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(config, "User");
    const char *user = cJSON_IsString(u) ? u->valuestring : "";

    if (!user_is_root(user))
        return 0;
    k->where = "config.User";
    return add_cfg(k, IMG_RULE_USER_ROOT, NULL, NULL, "the image runs as %s%s",
                   user[0] == '\0' ? "root (no User set)" : "root: User=", user);
}

static int
check_env(struct cfg *k, const cJSON *config)
{
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(config, "Env"), *e;
    char where[64], what[160];
    int i = 0, rc;

    cJSON_ArrayForEach(e, env) {
        const char *s = cJSON_IsString(e) ? e->valuestring : NULL, *eq;
        if (s == NULL || (eq = strchr(s, '=')) == NULL) {
            i++;
            continue;
        }
        snprintf(where, sizeof(where), "config.Env[%d]", i);
        snprintf(what, sizeof(what), "ENV %.*s", (int)((eq - s) < 120 ? eq - s : 120), s);
        k->where = where;
        k->what = what;
        k->kind = KIND_ENV;
        k->found = 0;
        if (k->c->detect != NULL &&
            (rc = detect_scan(k->c->detect, eq + 1, strlen(eq + 1), on_value_hit, k)) < 0)
            return rc;
        if (k->found == 0 &&
            (rc = name_value(k, s, (size_t)(eq - s), eq + 1, strlen(eq + 1))) < 0)
            return rc;
        i++;
    }
    return 0;
}

/* BuildKit and the classic builder record build args as `|N K1=v1 ... KN=vN <command>`. */
static int
history_args(struct cfg *k, const char *cb)
{
    const char *p = strchr(cb, '|');
    char *end;
    long n;
    int rc;

    if (p == NULL || p[1] < '1' || p[1] > '9')
        return 0;
    n = strtol(p + 1, &end, 10);
    p = end;
    for (long i = 0; i < n && i < 64 && *p != '\0'; i++) {
        while (*p == ' ')
            p++;
        const char *w = p, *eq;
        while (*p != '\0' && *p != ' ')
            p++;
        eq = memchr(w, '=', (size_t)(p - w));
        if (eq == NULL)
            break;
        if ((rc = name_value(k, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1))) < 0)
            return rc;
    }
    return 0;
}

/* `ENV K=V` recorded in the history (a value later replaced in Env is still here). */
static int
history_env(struct cfg *k, const char *cb)
{
    const char *p = strstr(cb, "ENV ");
    int rc;

    if (p == NULL || (p != cb && strstr(cb, "#(nop)") == NULL))
        return 0;
    p += 4;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *w = p, *eq;
        while (*p != '\0' && *p != ' ')
            p++;
        eq = memchr(w, '=', (size_t)(p - w));
        if (eq != NULL &&
            (rc = name_value(k, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1))) < 0)
            return rc;
    }
    return 0;
}

static int
check_history(struct cfg *k, const cJSON *history)
{
    const cJSON *h;
    char where[64];
    int i = 0, layer = 0, rc;

    cJSON_ArrayForEach(h, history) {
        const cJSON *cbj = cJSON_GetObjectItemCaseSensitive(h, "created_by");
        int empty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "empty_layer"));
        snprintf(where, sizeof(where), "history[%d].created_by", i);
        k->where = where;
        k->layer = (!empty && (size_t)layer < k->r->nlayers) ? layer : -1;
        k->kind = KIND_HISTORY;
        if (cJSON_IsString(cbj) && !(k->layer >= 0 && k->r->is_base[k->layer] &&
                                     k->c->opts != NULL && k->c->opts->skip_base)) {
            const char *cb = cbj->valuestring;
            char *shown = image_history_redact(k->c, cb), what[256];
            if (shown == NULL)
                return err_set(ERR_NOMEM, "out of memory");
            snprintf(what, sizeof(what), "`%s`", shown);
            free(shown);
            k->what = what;
            rc = 0;
            if (k->c->detect != NULL)
                rc = detect_scan(k->c->detect, cb, strlen(cb), on_value_hit, k);
            if (rc < 0 || (rc = history_args(k, cb)) < 0 || (rc = history_env(k, cb)) < 0)
                return rc;
        }
        if (!empty)
            layer++;
        i++;
    }
    k->layer = -1;
    return 0;
}

static int
check_healthcheck(struct cfg *k, const cJSON *config)
{
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(config, "Healthcheck");
    const cJSON *test = cJSON_GetObjectItemCaseSensitive(hc, "Test");
    const cJSON *t0 = cJSON_GetArrayItem(test, 0);

    k->where = "config.Healthcheck";
    if (hc == NULL || cJSON_IsNull(hc))
        return add_cfg(k, IMG_RULE_NO_HEALTHCHECK, NULL, NULL, "%s%s", "no HEALTHCHECK", "");
    if (cJSON_IsString(t0) && strcmp(t0->valuestring, "NONE") == 0)
        return add_cfg(k, IMG_RULE_NO_HEALTHCHECK, NULL, NULL, "%s%s",
                       "HEALTHCHECK NONE disables the base image's check", "");
    return 0;
}

static const struct {
    int port;
    const char *what;
} sensitive_ports[] = {
    {21, "FTP"}, {22, "SSH"}, {23, "Telnet"}, {111, "RPC portmapper"}, {445, "SMB"},
    {1433, "SQL Server"}, {2375, "Docker API without TLS"}, {2376, "Docker API"},
    {2379, "etcd"}, {3306, "MySQL"}, {3389, "RDP"}, {5432, "PostgreSQL"}, {5900, "VNC"},
    {5984, "CouchDB"}, {6379, "Redis"}, {9200, "Elasticsearch"}, {10250, "kubelet"},
    {11211, "memcached"}, {27017, "MongoDB"},
};

static int
check_ports(struct cfg *k, const cJSON *config)
{
    const cJSON *ports = cJSON_GetObjectItemCaseSensitive(config, "ExposedPorts"), *p;
    int rc;

    k->where = "config.ExposedPorts";
    cJSON_ArrayForEach(p, ports) {
        int port = p->string != NULL ? atoi(p->string) : 0;
        for (size_t i = 0; i < sizeof(sensitive_ports) / sizeof(sensitive_ports[0]); i++)
            if (sensitive_ports[i].port == port &&
                (rc = add_cfg(k, IMG_RULE_PORT, NULL, NULL, "exposes %s (%s)", p->string,
                              sensitive_ports[i].what)) < 0)
                return rc;
    }
    return 0;
}

static int
check_volumes(struct cfg *k, const cJSON *config)
{
    const cJSON *vols = cJSON_GetObjectItemCaseSensitive(config, "Volumes"), *v;
    static const char *const bad[] = {"/proc", "/sys", "/dev"};
    int rc;

    k->where = "config.Volumes";
    cJSON_ArrayForEach(v, vols) {
        const char *s = v->string != NULL ? v->string : "";
        for (size_t i = 0; i < 3; i++) {
            size_t n = strlen(bad[i]);
            if (strncmp(s, bad[i], n) == 0 && (s[n] == '\0' || s[n] == '/') &&
                (rc = add_cfg(k, &img_rule_volume, NULL, NULL, "VOLUME %s%s", s, "")) < 0)
                return rc;
        }
    }
    return 0;
}

static int
check_labels(struct cfg *k, const cJSON *config)
{
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(config, "Labels"), *l;
    char what[160];
    int rc;

    k->where = "config.Labels";
    cJSON_ArrayForEach(l, labels) {
        if (!cJSON_IsString(l) || l->string == NULL)
            continue;
        snprintf(what, sizeof(what), "LABEL %.120s", l->string);
        k->what = what;
        k->kind = KIND_LABEL;
        k->found = 0;
        if (k->c->detect != NULL && (rc = detect_scan(k->c->detect, l->valuestring,
                                                      strlen(l->valuestring), on_value_hit, k)) < 0)
            return rc;
        if (k->found == 0 && (rc = name_value(k, l->string, strlen(l->string), l->valuestring,
                                              strlen(l->valuestring))) < 0)
            return rc;
    }
    return 0;
}

static int
check_age(struct cfg *k, const cJSON *doc)
{
    const cJSON *cr = cJSON_GetObjectItemCaseSensitive(doc, "created");
    long max_days = (k->c->opts != NULL && k->c->opts->max_image_age_days > 0)
                        ? k->c->opts->max_image_age_days
                        : IMG_DEFAULT_MAX_AGE_DAYS;
    struct tm tm;
    time_t t;
    char msg[128];
    long days;

    if (!cJSON_IsString(cr))
        return 0;
    memset(&tm, 0, sizeof(tm));
    if (strptime(cr->valuestring, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return 0;
    t = timegm(&tm);
    days = (long)((time(NULL) - t) / 86400);
    if (days <= max_days)
        return 0;
    k->where = "created";
    snprintf(msg, sizeof(msg), "image built %.10s, %ld days ago (limit %ld)", cr->valuestring,
             days, max_days);
    return add_cfg(k, &img_rule_old, NULL, NULL, "%s%s", msg, "");
}

int
image_check_config(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                   const char *target)
{
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r->config, "config");
    char(*seen)[65] = calloc(256, sizeof(*seen));
    struct cfg k;
    int rc;

    if (seen == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    memset(&k, 0, sizeof(k));
    k.r = r;
    k.c = c;
    k.f = f;
    k.target = target;
    k.layer = -1;
    k.seen = seen;
    if ((rc = check_user(&k, config)) < 0 || (rc = check_env(&k, config)) < 0 ||
        (rc = check_history(&k, cJSON_GetObjectItemCaseSensitive(r->config, "history"))) < 0 ||
        (rc = check_healthcheck(&k, config)) < 0 || (rc = check_ports(&k, config)) < 0 ||
        (rc = check_volumes(&k, config)) < 0 || (rc = check_labels(&k, config)) < 0 ||
        (rc = check_age(&k, r->config)) < 0) {
        free(seen);
        return rc;
    }
    free(seen);
    return 0;
}

struct mask_ctx {
    char *mask;
    size_t len;
};

static int
on_mask_hit(const struct detect_hit *hit, void *user)
{
    struct mask_ctx *m = user;

    for (size_t i = hit->secret_start; i < hit->secret_end && i < m->len; i++)
        m->mask[i] = 1;
    return 0;
}

char *
image_history_redact(struct img_ctx *c, const char *cb)
{
    size_t len = strlen(cb), o = 0, shown = 0;
    struct mask_ctx m;
    char *out;

    if (len > 64 * 1024)
        len = 64 * 1024;
    m.mask = calloc(len + 1, 1);
    out = malloc(200 + 8);
    if (m.mask == NULL || out == NULL) {
        free(m.mask);
        free(out);
        return NULL;
    }
    m.len = len;
    if (c->detect != NULL)
        detect_scan(c->detect, cb, len, on_mask_hit, &m);
    /* NAME=VALUE words with a secret-like NAME: build args, ENV lines. */
    for (size_t i = 0; i < len;) {
        size_t w = i, eq;
        while (i < len && cb[i] != ' ')
            i++;
        for (eq = w; eq < i && cb[eq] != '='; eq++)
            ;
        if (eq < i && eq > w && detect_name_is_secret(cb + w, eq - w) &&
            !detect_value_is_placeholder(cb + eq + 1, i - eq - 1))
            memset(m.mask + eq + 1, 1, i - eq - 1);
        while (i < len && cb[i] == ' ')
            i++;
    }
    for (size_t i = 0; i < len && shown < 160; i++) {
        if (m.mask[i]) {
            if (i == 0 || !m.mask[i - 1]) {
                memcpy(out + o, "***", 3);
                o += 3;
                shown += 3;
            }
            continue;
        }
        out[o++] = cb[i] == '\n' || cb[i] == '\t' ? ' ' : cb[i];
        shown++;
    }
    if (shown >= 160 && len > 0) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    free(m.mask);
    return out;
}
