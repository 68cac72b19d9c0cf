/* layer_files: the checks on one file of a layer: secrets in text content (detection engine),
 * .env files, and credential files, keys and histories recognised by name and content. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "image.h"

int
layer_add_pending(struct img_ctx *c, struct img_layer *l, const struct rule_meta *rule,
                  const char *path, int line, int column, int is_secret,
                  const struct detect_finding *d, const char *fmt, ...)
{
    struct img_pending *p;
    char *msg;
    va_list ap;
    int n;

    if (c->total_pending >= IMG_MAX_PENDING)
        return 0; /* enough to act on; the count is bounded so memory is too */
    if (l->npending == l->pcap) {
        size_t cap = l->pcap ? l->pcap * 2 : 8;
        p = realloc(l->pending, cap * sizeof(*p));
        if (p == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        l->pending = p;
        l->pcap = cap;
    }
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "format error");
    msg = malloc((size_t)n + 1);
    if (msg == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    p = &l->pending[l->npending];
    memset(p, 0, sizeof(*p));
    p->rule = rule;
    p->path = strdup(path);
    p->message = msg;
    if (p->path == NULL) {
        free(p->message);
        return err_set(ERR_NOMEM, "out of memory");
    }
    p->line = line;
    p->column = column;
    p->is_secret = is_secret;
    if (d != NULL) {
        snprintf(p->redacted, sizeof(p->redacted), "%s", d->redacted);
        snprintf(p->fingerprint, sizeof(p->fingerprint), "%s", d->fingerprint);
        /* --show-secrets is the explicit flag that puts the value in the report. */
        if (c->opts != NULL && c->opts->show_secrets && d->secret != NULL &&
            (p->clear = strndup(d->secret, d->secret_len)) == NULL) {
            free(p->path);
            free(p->message);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    l->npending++;
    c->total_pending++;
    return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
path_has(const char *path, const char *tail)
{
    /* "x/.aws/credentials" or ".aws/credentials" */
    size_t n = strlen(path), m = strlen(tail);
    return n >= m && strcmp(path + n - m, tail) == 0 && (n == m || path[n - m - 1] == '/');
}

static const char *const histories[] = {
    ".bash_history", ".zsh_history", ".sh_history", ".ash_history", ".python_history",
    ".mysql_history", ".psql_history", ".node_repl_history", ".lesshst", NULL,
};

/* What a path is, by name: 'c' credential file, 'k' key, 'h' history, 'e' .env, 0 nothing. */
static int
name_kind(const char *path, const char **base_out)
{
    const char *base = strrchr(path, '/');

    base = base != NULL ? base + 1 : path;
    *base_out = base;
    if (path_has(path, ".aws/credentials") || path_has(path, ".docker/config.json") ||
        strcmp(base, ".npmrc") == 0 || strcmp(base, ".pypirc") == 0 ||
        strcmp(base, ".netrc") == 0 || strcmp(base, "_netrc") == 0 ||
        strcmp(base, ".git-credentials") == 0 || path_has(path, ".kube/config") ||
        strcmp(base, "kubeconfig") == 0 || strcmp(base, "terraform.tfstate") == 0 ||
        strcmp(base, "terraform.tfstate.backup") == 0)
        return 'c';
    if ((strncmp(base, "id_", 3) == 0 && !ends_with(base, ".pub") && strchr(base, '.') == NULL &&
         (strcmp(base, "id_rsa") == 0 || strcmp(base, "id_dsa") == 0 ||
          strcmp(base, "id_ecdsa") == 0 || strcmp(base, "id_ed25519") == 0 ||
          strncmp(base, "id_ecdsa_", 9) == 0 || strncmp(base, "id_ed25519_", 11) == 0)) ||
        ends_with(base, ".pem") || ends_with(base, ".key") || ends_with(base, ".p12") ||
        ends_with(base, ".pfx"))
        return 'k';
    for (size_t i = 0; histories[i] != NULL; i++)
        if (strcmp(base, histories[i]) == 0)
            return 'h';
    if (strcmp(base, ".env") == 0 || strncmp(base, ".env.", 5) == 0) {
        /* .env.example / .env.sample / .env.template document settings, they hold none */
        if (ends_with(base, ".example") || ends_with(base, ".sample") ||
            ends_with(base, ".template") || ends_with(base, ".dist"))
            return 0;
        return 'e';
    }
    return 0;
}

const struct rule_meta *
layer_name_rule(const char *path, int *is_secret)
{
    const char *base;

    *is_secret = 0;
    switch (name_kind(path, &base)) {
    case 'c':
        *is_secret = 1;
        return &img_rule_cred_file;
    case 'k':
        *is_secret = 1;
        return &img_rule_private_key;
    case 'h':
        return &img_rule_history_file;
    case 'e':
        *is_secret = 1;
        return &img_rule_env_file;
    }
    return NULL;
}

static int
has(const char *data, size_t len, const char *needle)
{
    return memmem(data, len, needle, strlen(needle)) != NULL;
}

/* Does the credential file hold a credential (not just settings)? */
static int
cred_confirmed(const char *path, const char *base, const char *data, size_t len)
{
    if (len == 0)
        return 0;
    if (path_has(path, ".aws/credentials"))
        return has(data, len, "aws_secret_access_key") || has(data, len, "aws_session_token");
    if (path_has(path, ".docker/config.json"))
        return has(data, len, "\"auths\"") && has(data, len, "\"auth\"");
    if (strcmp(base, ".npmrc") == 0)
        return has(data, len, "_authToken") || has(data, len, "_auth") ||
               has(data, len, "_password");
    if (strcmp(base, ".pypirc") == 0 || strcmp(base, ".netrc") == 0 ||
        strcmp(base, "_netrc") == 0)
        return has(data, len, "password");
    if (path_has(path, ".kube/config") || strcmp(base, "kubeconfig") == 0)
        return has(data, len, "token:") || has(data, len, "client-key-data") ||
               has(data, len, "password:");
    return 1; /* .git-credentials, terraform state: any content is a credential */
}

static const char *
cred_what(const char *path, const char *base)
{
    if (path_has(path, ".aws/credentials"))
        return "AWS credentials file";
    if (path_has(path, ".docker/config.json"))
        return "Docker config with registry auths";
    if (strcmp(base, ".npmrc") == 0)
        return ".npmrc with a registry token";
    if (strcmp(base, ".pypirc") == 0)
        return ".pypirc with a password";
    if (strcmp(base, ".netrc") == 0 || strcmp(base, "_netrc") == 0)
        return ".netrc with a password";
    if (strcmp(base, ".git-credentials") == 0)
        return "git credential store";
    if (strncmp(base, "terraform.tfstate", 17) == 0)
        return "Terraform state (holds resource secrets)";
    return "kubeconfig with credentials";
}

struct hit_ctx {
    struct img_ctx *c;
    struct img_layer *l;
    const char *path;
    int line_base; /* for .env values: the line the value is on */
    int col_base;
    int lockfile; /* hashes in lock files look random: generic hits are noise there */
    int docpath;  /* package documentation and headers: `password = ...` examples abound */
};

static int
is_doc_path(const char *path)
{
    return strncmp(path, "usr/share/", 10) == 0 || strncmp(path, "usr/include/", 12) == 0 ||
           strncmp(path, "usr/local/share/", 16) == 0;
}

static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct hit_ctx *h = user;
    struct detect_finding d;

    if (hit->is_example || ((h->lockfile || h->docpath) && hit->is_generic))
        return 0;
    detect_finding_from_hit(&d, hit);
    return layer_add_pending(h->c, h->l, hit->rule, h->path,
                             h->line_base ? h->line_base : hit->line,
                             h->line_base ? h->col_base + hit->column - 1 : hit->column, 1, &d,
                             "%s (%s) in file %s", d.title,
                             hit->provider ? hit->provider : "secret", h->path);
}

/* .env files are read with envcheck's lexer (Compose semantics: quotes, escapes, export,
 * multi-line values): each value goes through the detection engine, and a secret-named key
 * with a literal value is reported even when no pattern knows the value. */
static int
check_env_file(struct img_ctx *c, struct img_layer *l, const char *path, const char *data,
               size_t len)
{
    struct env_file ef;
    int rc;

    memset(&ef, 0, sizeof(ef));
    if ((rc = env_lex(data, len, path, &ef)) < 0) {
        env_file_free(&ef);
        return rc == ERR_LIMIT ? 0 : rc; /* too many entries: not a settings file worth more */
    }
    for (size_t i = 0; i < ef.n; i++) {
        const struct env_entry *e = &ef.entries[i];
        size_t before = l->npending;
        /* Columns of hits are within the decoded value: point at the value's start. */
        struct hit_ctx h = {c, l, path, e->value_span.line, e->value_span.column, 0, 0};
        if (e->value_len == 0 || (e->flags & ENV_F_NO_EQUALS))
            continue;
        if (c->detect != NULL &&
            (rc = detect_scan(c->detect, e->value, e->value_len, on_hit, &h)) < 0)
            break;
        rc = 0;
        if (l->npending == before &&
            detect_literal_secret(e->key, e->key_len, e->value, e->value_len)) {
            struct detect_finding d;
            detect_finding_from_value(&d, e->value, e->value_len);
            if ((rc = layer_add_pending(c, l, &img_rule_env_file, path, e->value_span.line,
                                        e->value_span.column, 1, &d,
                                        ".env file %s sets %.*s to a literal value", path,
                                        (int)(e->key_len < 120 ? e->key_len : 120), e->key)) < 0)
                break;
        }
    }
    env_file_free(&ef);
    return rc;
}

int
layer_check_file(struct img_ctx *c, struct img_layer *l, const char *path, uint32_t mode,
                 const char *data, size_t len, int truncated)
{
    const char *base;
    int kind = name_kind(path, &base), rc;

    (void)mode;
    switch (kind) {
    case 'c':
        if (!cred_confirmed(path, base, data, len) && !truncated)
            return 0;
        return layer_add_pending(c, l, &img_rule_cred_file, path, 0, 0, 1, NULL, "%s %s",
                                 cred_what(path, base), path);
    case 'k':
        if (ends_with(base, ".p12") || ends_with(base, ".pfx")) {
            if (len == 0)
                return 0;
            return layer_add_pending(c, l, &img_rule_private_key, path, 0, 0, 1, NULL,
                                     "PKCS#12 key store %s", path);
        }
        if (!has(data, len, "PRIVATE KEY") && strncmp(base, "id_", 3) != 0)
            break; /* a certificate or public key: scan it like any text */
        if (len == 0)
            return 0;
        return layer_add_pending(c, l, &img_rule_private_key, path, 0, 0, 1, NULL,
                                 "private key file %s", path);
    case 'h':
        if (len == 0)
            return 0;
        if ((rc = layer_add_pending(c, l, &img_rule_history_file, path, 0, 0, 0, NULL,
                                    "shell history %s (%zu bytes) kept in the image", path,
                                    len)) < 0)
            return rc;
        break; /* and scan it: histories hold pasted tokens */
    case 'e':
        if (detect_content_is_binary(data, len))
            return 0;
        return check_env_file(c, l, path, data, len);
    }
    if (c->detect == NULL || len < 8 || detect_content_is_binary(data, len))
        return 0;
    struct hit_ctx h = {c, l, path, 0, 0, detect_path_is_lockfile(path), is_doc_path(path)};
    return detect_scan(c->detect, data, len, on_hit, &h);
}
