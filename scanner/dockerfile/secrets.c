/* dockerfile_secrets: secrets in the Dockerfile itself: every instruction's text and heredoc
 * through the detection engine, and secret-like names (ENV/ARG/LABEL, RUN assignments and
 * options) with literal values. A secret outside the final image is DF016 instead. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "dockerfile.h"

struct hit_ctx {
    struct df_ctx *c;
    const struct df_instr *in;
    const struct df_heredoc *h;
    const char *data;
    size_t base; /* offset of data inside the instruction's text */
    const char *where;
    int count;
};

static int
stage_final(const struct df_ctx *c, int stage)
{
    return stage < 0 || (size_t)stage >= c->df->nstages || c->df->stages[stage].in_final;
}

static void
heredoc_pos(const struct df_heredoc *h, size_t off, int *l, int *col)
{
    int line = h->line, cc = 1;

    for (size_t i = 0; i < off && i < h->body_len; i++) {
        if (h->body[i] == '\n') {
            line++;
            cc = 1;
        } else
            cc++;
    }
    *l = line;
    *col = cc;
}

static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct hit_ctx *hc = user;
    struct df_ctx *c = hc->c;
    struct detect_finding d;
    int l, col;
    int final = stage_final(c, hc->in->stage);

    /* In ENV/ARG/LABEL a generic name=value hit is what DF004 reports, with the variable's name. */
    if (hit->is_generic && hc->h == NULL &&
        (hc->in->kind == DF_ENV || hc->in->kind == DF_ARG || hc->in->kind == DF_LABEL))
        return 0;
    detect_finding_from_hit(&d, hit);
    /* The secret's position; a match that starts on an earlier line (a private key's BEGIN
     * line before its base64 body) gives the finding that line. */
    int ml, mc;
    if (hc->h != NULL) {
        heredoc_pos(hc->h, hit->secret_start, &l, &col);
        heredoc_pos(hc->h, hit->match_start, &ml, &mc);
    } else {
        df_pos(c->df, hc->in, hc->base + hit->secret_start, &l, &col);
        df_pos(c->df, hc->in, hc->base + hit->match_start, &ml, &mc);
    }
    if (ml < l) {
        l = ml;
        col = mc;
    }
    const char *rid = d.id, *title = d.title;
    if (c->o != NULL && c->o->show_secrets)
        df_report(c, final ? DF_RULE(DF003) : DF_RULE(DF016), hc->in, l, col, &d.x,
                  "%s (%s) in %s%s: %.*s", title, rid, hc->where,
                  final ? "" : " of a build stage that is not the final image",
                  (int)(hit->secret_end - hit->secret_start), hc->data + hit->secret_start);
    else
        df_report(c, final ? DF_RULE(DF003) : DF_RULE(DF016), hc->in, l, col, &d.x, "%s (%s) in %s%s", title, rid,
                  hc->where, final ? "" : " of a build stage that is not the final image");
    hc->count++;
    return 0;
}

static int
scan_text(struct df_ctx *c, const struct df_instr *in, const struct df_heredoc *h,
          const char *data, size_t len, size_t base, const char *where)
{
    struct hit_ctx hc = {c, in, h, data, base, where, 0};
    int rc;

    if (c->engine == NULL || len == 0)
        return 0;
    rc = detect_scan(c->engine, data, len, on_hit, &hc);
    if (rc < 0 && c->rc == 0)
        c->rc = rc;
    return hc.count;
}

/* Would the detection engine report this value on its own (then DF003 already did)? */
static int
count_cb(const struct detect_hit *hit, void *user)
{
    (void)hit;
    (*(int *)user)++;
    return 0;
}

int
df_secret_literal(struct df_ctx *c, const struct df_instr *in, const char *name,
                  const char *value, int line, int col, const char *where)
{
    struct detect_finding d;
    int hits = 0;
    size_t vl;

    if (name == NULL || value == NULL)
        return 0;
    vl = strlen(value);
    if (!detect_literal_secret(name, strlen(name), value, vl))
        return 0;
    if (c->engine != NULL && detect_scan(c->engine, value, vl, count_cb, &hits) == 0 && hits > 0)
        return 1;
    /* The engine may have matched NAME=value as a whole (generic rules): one finding is enough. */
    int span = col + (int)(strlen(name) + vl) + 3;
    for (size_t i = c->f->n; i-- > c->first;) {
        const struct finding *prev = &c->f->items[i];
        if (prev->line != line || prev->path == NULL || strcmp(prev->path, c->df->path) != 0)
            continue;
        if ((strcmp(prev->rule, DF_RULE(DF003)->id) == 0 ||
             strcmp(prev->rule, DF_RULE(DF016)->id) == 0) &&
            prev->column >= col && prev->column <= span)
            return 1;
    }
    detect_finding_from_value(&d, value, vl);
    int final = stage_final(c, in->stage);
    if (c->o != NULL && c->o->show_secrets)
        df_report(c, final ? DF_RULE(DF004) : DF_RULE(DF016), in, line, col, &d.x, "%s %s is set to a literal: %s%s",
                  where, name, value, final ? "" : " (build stage, not the final image)");
    else
        df_report(c, final ? DF_RULE(DF004) : DF_RULE(DF016), in, line, col, &d.x, "%s %s is set to a literal%s",
                  where, name, final ? "" : " (build stage, not the final image)");
    return 1;
}

/* Names that say "secret" to us or to hadolint (DL3064) and BuildKit (SecretsUsedInArgOrEnv);
 * `strict` (hadolint's and BuildKit's lists) is set when one of those names it. */
static int
secret_named(const char *name, int *strict)
{
    static const char *const known[] = {
        "ACCESS_TOKEN", "APPLICATION_KEY", "APP_SECRET", "AUTH_TOKEN", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "CF_PASSWORD", "CF_USERNAME", "CI_DEPLOY_PASSWORD",
        "CI_DEPLOY_USER", "DOCKERHUB_PASSWORD", "DOCKER_EMAIL", "DOCKER_PASSWORD",
        "DOCKER_USERNAME", "FACEBOOK_ACCESS_TOKEN", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET",
        "FIREBASE_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "HEROKU_API_KEY", "HEROKU_API_USER",
        "NPM_TOKEN", "OKTA_CLIENT_ORGURL", "OKTA_OAUTH2_CLIENTID", "OS_PASSWORD", "OS_USERNAME",
        "SLACK_TOKEN", "STRIPE_API_KEY", "STRIPE_DEVICE_NAME", "TRAVIS_OS_NAME",
        "TRAVIS_SECURE_ENV_VARS", "TRAVIS_SUDO", "VAULT_CLIENT_KEY", "VAULT_TOKEN", NULL};
    static const char *const parts[] = {"api_key", "client_key", "password", "private", "secret",
                                        "token", "username", NULL};
    size_t n = strlen(name);

    *strict = 1;
    for (size_t i = 0; known[i] != NULL; i++)
        if (strcasecmp(name, known[i]) == 0)
            return 1;
    for (size_t i = 0; parts[i] != NULL; i++)
        for (size_t k = 0; k + strlen(parts[i]) <= n; k++)
            if (strncasecmp(name + k, parts[i], strlen(parts[i])) == 0)
                return 1;
    *strict = 0;
    return detect_name_is_secret(name, n);
}

/* Does a RUN of the stage after `in` use $name / ${name}? */
static int
run_uses(const struct df_ctx *c, size_t start, const char *name)
{
    size_t nl = strlen(name);
    const struct dockerfile *df = c->df;

    for (size_t i = start + 1; i < df->n && df->instrs[i].kind != DF_FROM; i++) {
        const struct df_instr *r = &df->instrs[i];
        if (r->kind != DF_RUN)
            continue;
        for (int h = -1; h < (int)r->nheredocs; h++) {
            const char *t = h < 0 ? r->text : r->heredocs[h].body;
            for (const char *p = strchr(t, '$'); p != NULL; p = strchr(p + 1, '$')) {
                const char *q = p + 1 + (p[1] == '{');
                if (strncmp(q, name, nl) == 0 && !(isalnum((unsigned char)q[nl]) || q[nl] == '_'))
                    return 1;
            }
        }
    }
    return 0;
}

/* DF065: a secret-named ARG or ENV whose value is not itself reported as a secret. */
static void
secret_name(struct df_ctx *c, size_t idx, const struct df_instr *in, const struct df_kv *kv)
{
    int l, col, strict;

    if (kv->key == NULL || !secret_named(kv->key, &strict))
        return;
    if (!strict && kv->value != NULL && kv->literal &&
        detect_value_is_public(kv->key, strlen(kv->key), kv->value, strlen(kv->value)))
        return; /* GPG_KEY: a key fingerprint; a checksum, a version, a plain URL */
    df_pos(c->df, in, kv->key_off, &l, &col);
    if (in->kind == DF_ARG && kv->value == NULL && in == &c->df->instrs[idx] &&
        run_uses(c, idx, kv->key)) {
        struct finding_extra x;
        memset(&x, 0, sizeof(x));
        x.override_severity = 1;
        x.severity = SEV_HIGH;
        df_report(c, DF_RULE(DF065), in, l, col, &x,
                  "ARG %s names a secret and a RUN uses it: the value given with --build-arg is "
                  "recorded in the image history", kv->key);
        return;
    }
    df_report(c, DF_RULE(DF065), in, l, col, NULL,
              "%s %s names a secret: ARG and ENV values stay in the image history and config",
              in->kind == DF_ARG ? "ARG" : "ENV", kv->key);
}

static void
secrets_instr(struct df_ctx *c, size_t idx)
{
    const struct df_instr *in = &c->df->instrs[idx];
    char where[64];

    snprintf(where, sizeof(where), "%s", in->keyword);
    scan_text(c, in, NULL, in->text, in->text_len, 0, where);
    for (size_t k = 0; k < in->nheredocs; k++) {
        snprintf(where, sizeof(where), "a %s heredoc", in->keyword);
        scan_text(c, in, &in->heredocs[k], in->heredocs[k].body, in->heredocs[k].body_len, 0,
                  where);
    }
    const struct df_instr *kvi = in->sub != NULL ? in->sub : in;
    unsigned char kv_done[64] = {0};
    if (kvi->kind == DF_ENV || kvi->kind == DF_ARG || kvi->kind == DF_LABEL) {
        for (size_t i = 0; i < kvi->nkvs; i++) {
            const struct df_kv *kv = &kvi->kvs[i];
            int l, col;
            if (kv->value == NULL || !kv->literal)
                continue;
            df_pos(c->df, kvi, kv->value_off, &l, &col);
            snprintf(where, sizeof(where), "%s", kvi->kind == DF_ARG ? "ARG default" : kvi->keyword);
            if (df_secret_literal(c, kvi, kv->key, kv->xvalue ? kv->xvalue : kv->value, l, col,
                                  where))
                kv_done[i < 64 ? i : 63] = 1;
        }
        for (size_t i = 0; kvi->kind != DF_LABEL && i < kvi->nkvs; i++)
            if (i >= 64 || !kv_done[i])
                secret_name(c, idx, kvi, &kvi->kvs[i]);
    }
    if (in->sub != NULL)
        for (size_t k = 0; k < in->sub->nheredocs; k++)
            scan_text(c, in->sub, &in->sub->heredocs[k], in->sub->heredocs[k].body,
                      in->sub->heredocs[k].body_len, 0, "an ONBUILD heredoc");
}

void
df_rules_secrets(struct df_ctx *c)
{
    for (size_t i = 0; i < c->df->n; i++)
        secrets_instr(c, i);
}

/* File names that are secrets by themselves (1), or only when they hold credentials (2). */
int
df_secret_file_name(const char *path)
{
    const char *b = strrchr(path, '/');
    size_t n;

    b = b ? b + 1 : path;
    n = strlen(b);
    static const char *const exact[] = {
        "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
        "credentials.json", "client_secret.json", "application_default_credentials.json",
        ".boto", ".s3cfg", ".htpasswd", ".pgpass", ".my.cnf", ".vault-token", "kubeconfig",
        "secrets.yml", "secrets.yaml", "secret.json", "master.key", "credentials.xml",
        ".env", "terraform.tfstate",
    };
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
        if (strcmp(b, exact[i]) == 0)
            return 1;
    if (strncmp(b, ".env.", 5) == 0) {
        static const char *const safe[] = {"example", "sample", "template", "dist", "defaults",
                                           "schema"};
        for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
            if (strcmp(b + 5, safe[i]) == 0)
                return 0;
        return 1;
    }
    if (strncmp(b, "service-account", 15) == 0 && n > 5 && strcmp(b + n - 5, ".json") == 0)
        return 1;
    static const char *const ext[] = {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore",
                                      ".ppk", ".p8", ".ovpn", ".kdbx", ".gpg"};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(b + n - e, ext[i]) == 0)
            return 1;
    }
    if (strstr(path, ".aws/credentials") != NULL || strstr(path, ".kube/config") != NULL ||
        strstr(path, ".ssh/") != NULL)
        return strstr(path, ".pub") == NULL && strstr(path, "known_hosts") == NULL ? 1 : 0;
    /* Credential stores by their well-known path: what they hold is a credential, whether or
     * not a token pattern recognises it. */
    if (strcmp(b, ".pypirc") == 0 || strcmp(b, ".netrc") == 0 || strcmp(b, "_netrc") == 0 ||
        strcmp(b, ".git-credentials") == 0 || strcmp(b, ".dockercfg") == 0 ||
        strstr(path, ".docker/config.json") != NULL || strstr(path, ".gem/credentials") != NULL ||
        strstr(path, ".config/gh/hosts.yml") != NULL)
        return 1;
    if (strcmp(b, ".npmrc") == 0 || strcmp(b, ".yarnrc.yml") == 0 || strcmp(b, "pip.conf") == 0)
        return 2;
    return 0;
}
