/* dockerfile_rules: rules on instructions other than RUN commands: base images, USER,
 * HEALTHCHECK, EXPOSE, ADD/COPY, WORKDIR/VOLUME, stages, ONBUILD, debug and TLS variables. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

static void
word_pos(struct df_ctx *c, const struct df_instr *in, size_t w, int *l, int *col)
{
    if (w < in->nwords)
        df_pos(c->df, in, in->words[w].off, l, col);
    else {
        *l = in->line;
        *col = in->col;
    }
}

static int
is_root_user(const char *u)
{
    size_t n = strcspn(u, ":");

    return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

/* ---- FROM ----------------------------------------------------------------------------------- */
static int
registry_trusted(const struct df_config *cfg, const struct df_image *img)
{
    if (!cfg->trusted_set)
        return img->official;
    for (size_t i = 0; i < cfg->ntrusted; i++) {
        const char *t = cfg->trusted[i];
        const char *reg = img->registry[0] ? img->registry : "docker.io";
        if (strcmp(t, "docker.io/library") == 0 || strcmp(t, "official") == 0) {
            if (img->official)
                return 1;
            continue;
        }
        if (t[0] == '*' && t[1] == '.') { /* *.gcr.io */
            size_t tl = strlen(t + 1), rl = strlen(reg);
            if (rl > tl && strcmp(reg + rl - tl, t + 1) == 0)
                return 1;
            continue;
        }
        /* "ghcr.io" or "ghcr.io/myorg" */
        size_t tl = strlen(t), rl = strlen(reg);
        if (strncmp(t, reg, rl) == 0 && (t[rl] == '\0' ||
            (t[rl] == '/' && strncmp(t + rl + 1, img->repo, tl - rl - 1) == 0 &&
             (img->repo[tl - rl - 1] == '/' || img->repo[tl - rl - 1] == '\0'))))
            return 1;
    }
    return 0;
}

static void
rules_from(struct df_ctx *c)
{
    struct dockerfile *df = c->df;

    for (size_t s = 0; s < df->nstages; s++) {
        struct df_stage *st = &df->stages[s];
        struct df_instr *in = &df->instrs[st->from];
        size_t fa = in->first_arg;
        int l, col;
        word_pos(c, in, fa, &l, &col);
        for (size_t k = 0; k < s; k++)
            if (st->name && df->stages[k].name && strcmp(st->name, df->stages[k].name) == 0)
                df_report(c, "DF039", in, 0, 0, NULL, "stage name '%s' is already used at line %d",
                          st->name, df->instrs[df->stages[k].from].line);
        if (st->image == NULL || st->image[0] == '\0') {
            df_problem(df, in->line, in->col, "FROM without an image");
            continue;
        }
        if (st->base_stage >= 0 || strcasecmp(st->image, "scratch") == 0)
            continue;
        if (strchr(st->image, '$') != NULL || (fa < in->nwords && strcmp(in->words[fa].x, "") == 0))
            continue; /* unresolved build argument: unknown at scan time */
        struct df_image img;
        df_image_parse(&df->arena, st->image, &img);
        if (img.digest[0] == '\0') {
            if (img.tag[0] == '\0')
                df_report(c, "DF002", in, l, col, NULL,
                          "base image '%s' has no tag, so it means latest and changes under you",
                          st->image);
            else if (strcmp(img.tag, "latest") == 0)
                df_report(c, "DF002", in, l, col, NULL, "base image '%s' uses the latest tag",
                          st->image);
            df_report(c, "DF031", in, l, col, NULL, "base image '%s' is not pinned by digest",
                      st->image);
        }
        if (!registry_trusted(c->cfg, &img))
            df_report(c, "DF024", in, l, col, NULL,
                      "base image '%s' is not from a trusted registry (%s)", st->image,
                      c->cfg->trusted_set ? "trusted_registries in .scanner.ini"
                                          : "default: official Docker Hub images");
        char what[128];
        const char *eol = df_image_eol(&df->arena, &img, c->cfg->today, what, sizeof(what));
        if (eol != NULL)
            df_report(c, "DF025", in, l, col, NULL, "base image %s reached end of life on %s",
                      what, eol);
    }
}

/* ---- USER and HEALTHCHECK of the final image ------------------------------------------------ */
static void
rules_final(struct df_ctx *c)
{
    struct dockerfile *df = c->df;
    const struct df_instr *last_user = NULL, *hc = NULL;

    if (df->nstages == 0)
        return;
    /* Walk the final stage, then the stages it is built on, newest instruction first. */
    for (int s = (int)df->nstages - 1, guard = 0; s >= 0 && guard < (int)df->nstages;
         s = df->stages[s].base_stage, guard++) {
        for (size_t i = df->stages[s].end; i-- > df->stages[s].from + 1;) {
            const struct df_instr *in = &df->instrs[i];
            if (in->kind == DF_USER && last_user == NULL)
                last_user = in;
            if (in->kind == DF_HEALTHCHECK && hc == NULL)
                hc = in;
        }
    }
    const struct df_stage *fin = &df->stages[df->nstages - 1];
    const struct df_instr *from = &df->instrs[fin->from];
    if (last_user != NULL && last_user->first_arg < last_user->nwords) {
        const char *u = last_user->words[last_user->first_arg].x;
        if (is_root_user(u))
            df_report(c, "DF001", last_user, 0, 0, NULL,
                      "the last USER of the final stage is '%s', which is root", u);
    } else if (last_user == NULL) {
        struct df_image img;
        const struct df_stage *root = fin;
        for (size_t guard = 0; root->base_stage >= 0 && guard < df->nstages; guard++)
            root = &df->stages[root->base_stage];
        df_image_parse(&df->arena, root->image ? root->image : "", &img);
        /* Images that already run as non-root by name (distroless :nonroot, *-nonroot). */
        if (strstr(img.tag, "nonroot") == NULL && strstr(img.repo, "nonroot") == NULL &&
            strstr(img.tag, "rootless") == NULL)
            df_report(c, "DF001", from, 0, 0, NULL,
                      "no USER in the final stage: the container runs as the base image's user, "
                      "root for most images");
    }
    if (hc == NULL || (hc->first_arg < hc->nwords &&
                       strcasecmp(hc->words[hc->first_arg].text, "NONE") == 0))
        df_report(c, "DF020", hc ? hc : from, 0, 0, NULL,
                  hc ? "HEALTHCHECK NONE disables health checking in the final image"
                     : "the final image has no HEALTHCHECK");
}

/* ---- EXPOSE --------------------------------------------------------------------------------- */
static const char *
port_name(int p)
{
    switch (p) {
    case 21: return "FTP";
    case 22: return "SSH";
    case 23: return "Telnet";
    case 445: case 139: return "SMB";
    case 2375: return "Docker API (plain)";
    case 2376: return "Docker API";
    case 2379: case 2380: return "etcd";
    case 3306: return "MySQL";
    case 3389: return "RDP";
    case 5432: return "PostgreSQL";
    case 5900: return "VNC";
    case 6379: return "Redis";
    case 6443: return "Kubernetes API";
    case 9200: case 9300: return "Elasticsearch";
    case 11211: return "Memcached";
    case 27017: return "MongoDB";
    case 1433: return "SQL Server";
    case 1521: return "Oracle";
    default: return "sensitive";
    }
}

static void
rule_expose(struct df_ctx *c, const struct df_instr *in)
{
    for (size_t w = in->first_arg; w < in->nwords; w++) {
        const char *x = in->words[w].x;
        char *end;
        int l, col;
        if (strchr(x, '$') != NULL || !isdigit((unsigned char)x[0]))
            continue;
        long lo = strtol(x, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtol(end + 1, &end, 10);
        word_pos(c, in, w, &l, &col);
        if (lo > 65535 || hi > 65535 || lo < 0) {
            df_report(c, "DF041", in, l, col, NULL, "port %s is out of range 0-65535", x);
            continue;
        }
        for (size_t k = 0; k < c->cfg->nports; k++) {
            int p = c->cfg->ports[k];
            if (p >= lo && p <= hi) {
                df_report(c, "DF010", in, l, col, NULL, "EXPOSE %s opens port %d (%s)", x, p,
                          port_name(p));
                break;
            }
        }
    }
}

/* ---- ADD / COPY ------------------------------------------------------------------------------ */
static int
is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
           strncmp(s, "git@", 4) == 0 || strncmp(s, "git://", 6) == 0 ||
           strncmp(s, "ftp://", 6) == 0;
}

static int
is_archive(const char *s)
{
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz",
                                      ".txz", ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst",
                                      ".lz", ".lzma", ".Z"};
    size_t n = strlen(s);

    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(s + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

/* Octal or symbolic mode that makes a file writable by others. */
int
df_world_writable(const char *m)
{
    size_t n = strlen(m);

    if (n == 0)
        return 0;
    if (strspn(m, "01234567") == n)
        return n >= 1 && ((m[n - 1] - '0') & 2) != 0 && n >= 3;
    for (const char *p = m; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        size_t who = strspn(p, "ugoa");
        int others = who == 0;
        for (size_t k = 0; k < who; k++)
            if (p[k] == 'o' || p[k] == 'a')
                others = 1;
        if (others && who < l && (p[who] == '+' || p[who] == '=') &&
            memchr(p + who, 'w', l - who) != NULL)
            return 1;
        p = e ? e + 1 : p + l;
    }
    return 0;
}

static int
nargs_json_or_words(const struct df_instr *in)
{
    return in->json ? (int)in->njargs : (int)(in->nwords - in->first_arg);
}

static const char *
arg_at(const struct df_instr *in, size_t i)
{
    return in->json ? in->jargs[i] : in->words[in->first_arg + i].x;
}

static void
rule_copy(struct df_ctx *c, const struct df_instr *in)
{
    struct dockerfile *df = c->df;
    int n = nargs_json_or_words(in);
    const struct df_flag *fl;
    int l, col;

    if ((fl = df_flag_get(in, "chmod")) != NULL && fl->value && df_world_writable(fl->value)) {
        df_pos(df, in, fl->off, &l, &col);
        df_report(c, "DF012", in, l, col, NULL, "%s --chmod=%s makes the files world-writable",
                  df_kind_name(in->kind), fl->value);
    }
    if (in->kind == DF_COPY && (fl = df_flag_get(in, "from")) != NULL && fl->value) {
        const char *v = fl->value;
        df_pos(df, in, fl->off, &l, &col);
        int cur = in->stage, found = 0;
        char *e;
        long idx = strtol(v, &e, 10);
        if (*e == '\0' && e != v) {
            if (idx == cur)
                df_report(c, "DF038", in, l, col, NULL, "COPY --from=%s names its own stage", v);
            found = 1;
        } else {
            for (int s = 0; s < (int)df->nstages; s++)
                if (df->stages[s].name && strcasecmp(df->stages[s].name, v) == 0) {
                    if (s == cur)
                        df_report(c, "DF038", in, l, col, NULL,
                                  "COPY --from=%s names its own stage", v);
                    else if (s > cur)
                        df_report(c, "DF038", in, l, col, NULL,
                                  "COPY --from=%s names a later stage", v);
                    found = 1;
                    break;
                }
        }
        (void)found; /* an unknown name is an image reference, which is valid */
    }
    if (in->nheredocs == 0 && n > 2) {
        const char *dest = arg_at(in, (size_t)n - 1);
        size_t dl = strlen(dest);
        if (dl > 0 && dest[dl - 1] != '/' && dest[dl - 1] != '\\' && strchr(dest, '$') == NULL)
            df_report(c, "DF042", in, 0, 0, NULL,
                      "%s of %d sources to '%s': the destination must end with /",
                      df_kind_name(in->kind), n - 1, dest);
    }
    if (in->kind != DF_ADD)
        return;
    int local = 0;
    for (int i = 0; i + 1 < n; i++) {
        const char *s = arg_at(in, (size_t)i);
        if (strncmp(s, "<<", 2) == 0)
            continue;
        if (is_url(s)) {
            if (df_flag_get(in, "checksum") == NULL &&
                !(strncmp(s, "git", 3) == 0 && strchr(s, '#') != NULL)) {
                if (!in->json)
                    word_pos(c, in, in->first_arg + (size_t)i, &l, &col);
                else
                    l = in->line, col = in->col;
                df_report(c, "DF015", in, l, col, NULL,
                          "ADD %s downloads without --checksum: the content is not verified", s);
            }
        } else if (!is_archive(s)) {
            local = 1;
        }
    }
    if (local)
        df_report(c, "DF030", in, 0, 0, NULL, "ADD of local files: COPY does the same, without "
                  "ADD's archive and URL side effects");
}

/* ---- WORKDIR / VOLUME -------------------------------------------------------------------------- */
static int
system_dir(const char *p)
{
    static const char *const dirs[] = {"/", "/proc", "/sys", "/dev", "/boot", "/etc", "/usr",
                                       "/lib", "/bin", "/sbin"};
    size_t n = strlen(p);

    while (n > 1 && p[n - 1] == '/')
        n--;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (strlen(dirs[i]) == n && strncmp(dirs[i], p, n) == 0)
            return 1;
    if (strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/sys/", 5) == 0 || strncmp(p, "/dev/", 5) == 0)
        return 1;
    return 0;
}

static void
rule_workdir(struct df_ctx *c, const struct df_instr *in)
{
    if (in->first_arg >= in->nwords)
        return;
    const char *x = in->words[in->first_arg].x;
    int l, col;
    word_pos(c, in, in->first_arg, &l, &col);
    if (x[0] != '/' && x[0] != '$' && !(isalpha((unsigned char)x[0]) && x[1] == ':') &&
        x[0] != '\\')
        df_report(c, "DF034", in, l, col, NULL, "WORKDIR %s is relative", x);
    else if (system_dir(x))
        df_report(c, "DF049", in, l, col, NULL, "WORKDIR %s is a system directory", x);
}

static void
rule_volume(struct df_ctx *c, const struct df_instr *in)
{
    int n = nargs_json_or_words(in);

    for (int i = 0; i < n; i++)
        if (system_dir(arg_at(in, (size_t)i)))
            df_report(c, "DF049", in, 0, 0, NULL, "VOLUME %s covers a system directory",
                      arg_at(in, (size_t)i));
}

/* ---- ENV/ARG: debug modes and verification switches ------------------------------------------ */
static int
truthy(const char *v)
{
    return strcasecmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
           strcasecmp(v, "on") == 0;
}

static int
falsy(const char *v)
{
    return strcasecmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
           strcasecmp(v, "off") == 0;
}

static void
rule_env_modes(struct df_ctx *c, const struct df_instr *in)
{
    for (size_t i = 0; i < in->nkvs; i++) {
        const struct df_kv *kv = &in->kvs[i];
        const char *k = kv->key, *v = kv->xvalue;
        int l, col;
        if (v == NULL || k == NULL)
            continue;
        df_pos(c->df, in, kv->key_off, &l, &col);
        if (((strcasecmp(k, "DEBUG") == 0 || strcasecmp(k, "FLASK_DEBUG") == 0 ||
              strcasecmp(k, "DJANGO_DEBUG") == 0 || strcasecmp(k, "APP_DEBUG") == 0 ||
              strcasecmp(k, "PYTHONDEVMODE") == 0 || strcasecmp(k, "SPRING_DEVTOOLS") == 0 ||
              strcasecmp(k, "XDEBUG_MODE") == 0 || strcasecmp(k, "PHP_XDEBUG_ENABLED") == 0 ||
              strcasecmp(k, "VERBOSE") == 0 || strcasecmp(k, "RAILS_LOG_LEVEL") == 0) &&
             (truthy(v) || (strcasecmp(k, "XDEBUG_MODE") == 0 && strcmp(v, "off") != 0 && v[0]))) ||
            ((strcasecmp(k, "NODE_ENV") == 0 || strcasecmp(k, "FLASK_ENV") == 0 ||
              strcasecmp(k, "RAILS_ENV") == 0 || strcasecmp(k, "RACK_ENV") == 0 ||
              strcasecmp(k, "APP_ENV") == 0 || strcasecmp(k, "ASPNETCORE_ENVIRONMENT") == 0 ||
              strcasecmp(k, "SPRING_PROFILES_ACTIVE") == 0) &&
             (strcasecmp(v, "development") == 0 || strcasecmp(v, "dev") == 0)) ||
            (strcasecmp(k, "LOG_LEVEL") == 0 && strcasecmp(v, "debug") == 0))
            df_report(c, "DF026", in, l, col, NULL, "%s %s=%s turns on a debug/development mode",
                      in->keyword, k, v);
        if ((strcasecmp(k, "NODE_TLS_REJECT_UNAUTHORIZED") == 0 && strcmp(v, "0") == 0) ||
            (strcasecmp(k, "PYTHONHTTPSVERIFY") == 0 && strcmp(v, "0") == 0) ||
            strcasecmp(k, "GIT_SSL_NO_VERIFY") == 0 ||
            (strcasecmp(k, "NPM_CONFIG_STRICT_SSL") == 0 && falsy(v)) ||
            (strcasecmp(k, "YARN_STRICT_SSL") == 0 && falsy(v)) ||
            strcasecmp(k, "PIP_TRUSTED_HOST") == 0 ||
            (strcasecmp(k, "CURL_CA_BUNDLE") == 0 && v[0] == '\0' && kv->value != NULL) ||
            (strcasecmp(k, "GONOSUMDB") == 0 && strcmp(v, "*") == 0) ||
            (strcasecmp(k, "GOINSECURE") == 0 && v[0]) ||
            (strcasecmp(k, "GOFLAGS") == 0 && strstr(v, "-insecure") != NULL))
            df_report(c, "DF013", in, l, col, NULL, "%s %s=%s turns off TLS/signature checks",
                      in->keyword, k, v);
    }
}

/* ---- everything else per instruction -------------------------------------------------------- */
static void
rule_run_flags(struct df_ctx *c, const struct df_instr *in, struct buf *ids)
{
    for (size_t i = 0; i < in->nflags; i++) {
        const struct df_flag *fl = &in->flags[i];
        int l, col;
        if (fl->value == NULL)
            continue;
        df_pos(c->df, in, fl->off, &l, &col);
        if (strcasecmp(fl->name, "security") == 0 && strcasecmp(fl->value, "insecure") == 0)
            df_report(c, "DF006", in, l, col, NULL,
                      "RUN --security=insecure runs this step without the sandbox");
        if (strcasecmp(fl->name, "mount") == 0 && strstr(fl->value, "type=secret") != NULL) {
            const char *id = strstr(fl->value, "id=");
            char one[128] = "";
            if (id != NULL && (id == fl->value || id[-1] == ','))
                snprintf(one, sizeof(one), "%.*s", (int)strcspn(id + 3, ","), id + 3);
            else {
                const char *t = strstr(fl->value, "target=");
                if (t == NULL)
                    t = strstr(fl->value, "dst=");
                if (t != NULL) {
                    t = strchr(t, '=') + 1;
                    size_t tl = strcspn(t, ",");
                    const char *b = t;
                    for (size_t k = 0; k < tl; k++)
                        if (t[k] == '/')
                            b = t + k + 1;
                    snprintf(one, sizeof(one), "%.*s", (int)(tl - (size_t)(b - t)), b);
                }
            }
            if (one[0] != '\0')
                buf_printf(ids, "%s%s (line %d)", ids->len ? ", " : "", one, l);
        }
    }
}

/* ENV a=1 b=$a: b gets the value from before the instruction, not 1. */
static void
rule_env_self(struct df_ctx *c, const struct df_instr *in)
{
    for (size_t i = 1; i < in->nkvs; i++) {
        const char *raw = in->kvs[i].value_off < in->text_len ? in->text + in->kvs[i].value_off
                                                               : "";
        size_t vl = strcspn(raw, " \t");
        for (size_t k = 0; k < i; k++) {
            const char *key = in->kvs[k].key;
            size_t kl = key ? strlen(key) : 0;
            for (const char *p = raw; kl && p < raw + vl; p++) {
                if (*p != '$')
                    continue;
                const char *q = p + 1 + (p[1] == '{');
                if ((size_t)(raw + vl - q) >= kl && strncmp(q, key, kl) == 0 &&
                    !(isalnum((unsigned char)q[kl]) || q[kl] == '_')) {
                    int l, col;
                    df_pos(c->df, in, in->kvs[i].value_off, &l, &col);
                    df_report(c, "DF052", in, l, col, NULL,
                              "%s uses $%s, which this same ENV sets: it gets the older value",
                              in->kvs[i].key, key);
                    return;
                }
            }
        }
    }
}

static void
rule_mount_types(struct df_ctx *c, const struct df_instr *in)
{
    for (size_t i = 0; i < in->nflags; i++) {
        const struct df_flag *fl = &in->flags[i];
        const char *t;
        if (strcasecmp(fl->name, "mount") != 0 || fl->value == NULL)
            continue;
        t = strstr(fl->value, "type=");
        if (t == NULL || (t != fl->value && t[-1] != ','))
            continue; /* default type: bind */
        t += 5;
        size_t n = strcspn(t, ",");
        static const char *const types[] = {"bind", "cache", "tmpfs", "secret", "ssh"};
        int ok = 0;
        for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
            ok |= strlen(types[k]) == n && strncmp(types[k], t, n) == 0;
        if (!ok) {
            int l, col;
            df_pos(c->df, in, fl->off, &l, &col);
            df_report(c, "DF000", in, l, col, NULL, "unknown --mount type '%.*s'", (int)n, t);
        }
    }
}

void
df_rules_instr(struct df_ctx *c)
{
    struct dockerfile *df = c->df;
    struct buf ids = {0};
    const struct df_instr *first_secret_run = NULL, *prev_run = NULL;
    int ncmd = 0, nentry = 0, nhc = 0, first_checked = 0, workdir = 0;

    for (size_t i = 0; i < df->nproblems; i++)
        df_report(c, "DF000", NULL, df->problems[i].line, df->problems[i].col, NULL, "%s",
                  df->problems[i].msg ? df->problems[i].msg : "syntax problem");
    rules_from(c);
    rules_final(c);
    for (size_t i = 0; i < df->n; i++) {
        const struct df_instr *in = &df->instrs[i];
        if (!first_checked && in->kind != DF_UNKNOWN) {
            if (in->kind != DF_ARG) {
                first_checked = 1;
                if (in->kind != DF_FROM)
                    df_report(c, "DF047", in, 0, 0, NULL, "%s before the first FROM",
                              in->keyword);
            }
        }
        if (in->kind == DF_FROM) {
            ncmd = nentry = nhc = 0;
            workdir = 0;
            prev_run = NULL;
            continue;
        }
        if (in->kind == DF_RUN && prev_run != NULL && prev_run->end_line + 1 == in->line &&
            in->nflags == 0 && prev_run->nflags == 0 && !in->json && !prev_run->json &&
            in->nheredocs == 0 && prev_run->nheredocs == 0)
            df_report(c, "DF051", in, 0, 0, NULL, "RUN right after the RUN at line %d",
                      prev_run->line);
        prev_run = in->kind == DF_RUN ? in : NULL;
        if (in->kind == DF_WORKDIR)
            workdir = 1;
        if ((in->kind == DF_COPY || in->kind == DF_ADD) && !workdir && in->nheredocs == 0) {
            size_t na = in->json ? in->njargs : in->nwords - in->first_arg;
            const char *dest = na >= 2 ? arg_at(in, na - 1) : NULL;
            if (dest != NULL && dest[0] != '/' && dest[0] != '$' && dest[0] != '\\' &&
                !(isalpha((unsigned char)dest[0]) && dest[1] == ':') && in->stage >= 0 &&
                df->stages[in->stage].base_stage < 0)
                df_report(c, "DF053", in, 0, 0, NULL,
                          "%s to '%s' with no WORKDIR set: it lands in the base image's directory",
                          in->keyword, dest);
        }
        switch (in->kind) {
        case DF_EXPOSE:
            rule_expose(c, in);
            break;
        case DF_ADD:
        case DF_COPY:
            rule_copy(c, in);
            break;
        case DF_WORKDIR:
            rule_workdir(c, in);
            break;
        case DF_VOLUME:
            rule_volume(c, in);
            break;
        case DF_MAINTAINER:
            df_report(c, "DF033", in, 0, 0, NULL, "MAINTAINER is deprecated");
            break;
        case DF_ENV:
        case DF_ARG:
            rule_env_modes(c, in);
            if (in->kind == DF_ENV)
                rule_env_self(c, in);
            break;
        case DF_RUN: {
            size_t before = ids.len;
            rule_mount_types(c, in);
            rule_run_flags(c, in, &ids);
            if (ids.len != before && first_secret_run == NULL)
                first_secret_run = in;
            break;
        }
        case DF_CMD:
        case DF_ENTRYPOINT:
            if ((in->kind == DF_CMD ? ++ncmd : ++nentry) == 2)
                df_report(c, "DF037", in, 0, 0, NULL, "second %s in this stage: only the last "
                          "takes effect", in->keyword);
            if (!in->json && in->nwords > 0)
                df_report(c, "DF040", in, 0, 0, NULL, "%s in shell form runs under /bin/sh -c "
                          "and the process does not get signals", in->keyword);
            if (strstr(in->text, "--debug") != NULL || strstr(in->text, "--inspect") != NULL)
                df_report(c, "DF026", in, 0, 0, NULL, "%s starts the service in debug mode",
                          in->keyword);
            break;
        case DF_HEALTHCHECK:
            if (++nhc == 2)
                df_report(c, "DF037", in, 0, 0, NULL,
                          "second HEALTHCHECK in this stage: only the last takes effect");
            break;
        case DF_ONBUILD:
            if (in->sub != NULL && (in->sub->kind == DF_FROM || in->sub->kind == DF_MAINTAINER))
                df_report(c, "DF048", in, 0, 0, NULL, "ONBUILD %s is not allowed",
                          in->sub->keyword);
            if (in->sub != NULL && in->sub->kind == DF_ONBUILD)
                df_report(c, "DF048", in, 0, 0, NULL, "ONBUILD ONBUILD is not allowed");
            break;
        default:
            break;
        }
    }
    if (ids.len > 0)
        df_report(c, "DF050", first_secret_run, 0, 0, NULL, "build secrets mounted by RUN: %s", ids.data);
    buf_free(&ids);
}
