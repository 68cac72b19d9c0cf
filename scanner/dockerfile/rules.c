/* rules: the checks of the Dockerfile rule rows (catalog.c) that look at instructions rather
 * than RUN commands: base images, USER, HEALTHCHECK, EXPOSE, ADD/COPY, WORKDIR/VOLUME, stages,
 * ONBUILD, debug and TLS variables. One function per row; each reports through its row. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

void
df_word_pos(struct df_ctx *c, const struct df_instr *in, size_t w, int *l, int *col)
{
    if (w < in->nwords)
        df_pos(c->df, in, in->words[w].off, l, col);
    else {
        *l = in->line;
        *col = in->col;
    }
}

/* ---- DF000: syntax ------------------------------------------------------------------------- */
static void
mount_types(struct df_ctx *c, const struct rule_meta *r, const struct df_instr *in)
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
            df_report(c, r, in, l, col, NULL, "unknown --mount type '%.*s'", (int)n, t);
        }
    }
}

void
df_check_syntax(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;

    for (size_t s = 0; s < df->nstages; s++) {
        const struct df_stage *st = &df->stages[s];
        if (st->image == NULL || st->image[0] == '\0')
            df_problem(df, df->instrs[st->from].line, df->instrs[st->from].col,
                       "FROM without an image");
    }
    for (size_t i = 0; i < df->nproblems; i++)
        df_report(c, r, NULL, df->problems[i].line, df->problems[i].col, NULL, "%s",
                  df->problems[i].msg ? df->problems[i].msg : "syntax problem");
    EACH_INSTR(c, i, in)
        if (in->kind == DF_RUN)
            mount_types(c, r, in);
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

/* The base image of stage `s` when it names a registry image that can be checked (not a
 * stage, not scratch, no unresolved build argument). */
static int
stage_image(struct df_ctx *c, size_t s, struct df_image *img, const struct df_instr **in, int *l,
            int *col)
{
    const struct df_stage *st = &c->df->stages[s];
    size_t fa;

    *in = &c->df->instrs[st->from];
    fa = (*in)->first_arg;
    df_word_pos(c, *in, fa, l, col);
    if (st->image == NULL || st->image[0] == '\0' || st->base_stage >= 0 ||
        strcasecmp(st->image, "scratch") == 0)
        return 0;
    if (strchr(st->image, '$') != NULL || (fa < (*in)->nwords && strcmp((*in)->words[fa].x, "") == 0))
        return 0; /* unresolved build argument: unknown at scan time */
    df_image_parse(&c->df->arena, st->image, img);
    return 1;
}

void
df_check_duplicate_stage(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;

    for (size_t s = 0; s < df->nstages; s++) {
        const struct df_stage *st = &df->stages[s];
        for (size_t k = 0; k < s; k++)
            if (st->name && df->stages[k].name && strcmp(st->name, df->stages[k].name) == 0)
                df_report(c, r, &df->instrs[st->from], 0, 0, NULL,
                          "stage name '%s' is already used at line %d", st->name,
                          df->instrs[df->stages[k].from].line);
    }
}

void
df_check_latest_tag(struct df_ctx *c, const struct rule_meta *r)
{
    for (size_t s = 0; s < c->df->nstages; s++) {
        const struct df_instr *in;
        struct df_image img;
        int l, col;
        const char *ref = c->df->stages[s].image;
        if (!stage_image(c, s, &img, &in, &l, &col) || img.digest[0] != '\0')
            continue;
        if (img.tag[0] == '\0')
            df_report_as(c, r, "DL3006", in, l, col, NULL,
                         "base image '%s' has no tag, so it means latest and changes under you",
                         ref);
        else if (strcmp(img.tag, "latest") == 0)
            df_report_as(c, r, "DL3007", in, l, col, NULL, "base image '%s' uses the latest tag",
                         ref);
    }
}

void
df_check_digest_pin(struct df_ctx *c, const struct rule_meta *r)
{
    for (size_t s = 0; s < c->df->nstages; s++) {
        const struct df_instr *in;
        struct df_image img;
        int l, col;
        if (stage_image(c, s, &img, &in, &l, &col) && img.digest[0] == '\0')
            df_report(c, r, in, l, col, NULL, "base image '%s' is not pinned by digest",
                      c->df->stages[s].image);
    }
}

void
df_check_trusted_registry(struct df_ctx *c, const struct rule_meta *r)
{
    for (size_t s = 0; s < c->df->nstages; s++) {
        const struct df_instr *in;
        struct df_image img;
        int l, col;
        if (stage_image(c, s, &img, &in, &l, &col) && !registry_trusted(c->cfg, &img))
            df_report_as(c, r, c->cfg->trusted_set ? "DL3026" : NULL, in, l, col, NULL,
                      "base image '%s' is not from a trusted registry (%s)", c->df->stages[s].image,
                      c->cfg->trusted_set ? "the trusted registries configured"
                                          : "default: official Docker Hub images");
    }
}

void
df_check_eol_base(struct df_ctx *c, const struct rule_meta *r)
{
    for (size_t s = 0; s < c->df->nstages; s++) {
        const struct df_instr *in;
        struct df_image img;
        char what[128];
        int l, col;
        if (!stage_image(c, s, &img, &in, &l, &col))
            continue;
        const char *eol = df_image_eol(&c->df->arena, &img, c->cfg->today, what, sizeof(what));
        if (eol != NULL)
            df_report(c, r, in, l, col, NULL, "base image %s reached end of life on %s", what, eol);
    }
}

/* ---- USER and HEALTHCHECK of the final image ------------------------------------------------ */
/* The newest instruction of `kind` in the final stage or the stages it is built on. */
static const struct df_instr *
final_last(const struct dockerfile *df, enum df_kind kind)
{
    for (int s = (int)df->nstages - 1, guard = 0; s >= 0 && guard < (int)df->nstages;
         s = df->stages[s].base_stage, guard++)
        for (size_t i = df->stages[s].end; i-- > df->stages[s].from + 1;)
            if (df->instrs[i].kind == kind)
                return &df->instrs[i];
    return NULL;
}

void
df_check_root_user(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;
    const struct df_instr *last_user;

    if (df->nstages == 0)
        return;
    last_user = final_last(df, DF_USER);
    const struct df_stage *fin = &df->stages[df->nstages - 1];
    if (last_user != NULL && last_user->first_arg < last_user->nwords) {
        const char *u = last_user->words[last_user->first_arg].x;
        if (u[0] != '\0' && user_is_root(u)) /* "" = an unresolved build argument */
            df_report_as(c, r, "DL3002", last_user, 0, 0, NULL,
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
            df_report_as(c, r, "DL3063", &df->instrs[fin->from], 0, 0, NULL,
                         "no USER in the final stage: the container runs as the base image's "
                         "user, root for most images");
    }
}

void
df_check_healthcheck(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;
    const struct df_instr *hc;

    if (df->nstages == 0)
        return;
    hc = final_last(df, DF_HEALTHCHECK);
    if (hc == NULL)
        df_report(c, r, &df->instrs[df->stages[df->nstages - 1].from], 0, 0, NULL,
                  "the final image has no HEALTHCHECK");
    else if (hc->first_arg < hc->nwords &&
             strcasecmp(hc->words[hc->first_arg].text, "NONE") == 0)
        df_report_as(c, r, NULL, hc, 0, 0, NULL,
                     "HEALTHCHECK NONE disables health checking in the final image");
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

/* Each numeric port or range of an EXPOSE: calls `fn` with the bounds; -1 when unparsable. */
int
df_expose_range(const char *x, long *lo, long *hi)
{
    char *end;

    if (strchr(x, '$') != NULL || !isdigit((unsigned char)x[0]))
        return 0;
    *lo = strtol(x, &end, 10);
    *hi = *lo;
    if (*end == '-')
        *hi = strtol(end + 1, &end, 10);
    return 1;
}

void
df_check_port_range(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_EXPOSE)
            continue;
        for (size_t w = in->first_arg; w < in->nwords; w++) {
            long lo, hi;
            int l, col;
            if (!df_expose_range(in->words[w].x, &lo, &hi))
                continue;
            df_word_pos(c, in, w, &l, &col);
            if (lo > 65535 || hi > 65535 || lo < 0)
                df_report(c, r, in, l, col, NULL, "port %s is out of range 0-65535",
                          in->words[w].x);
        }
    }
}

void
df_check_sensitive_port(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_EXPOSE)
            continue;
        for (size_t w = in->first_arg; w < in->nwords; w++) {
            const char *x = in->words[w].x;
            long lo, hi;
            int l, col;
            if (!df_expose_range(x, &lo, &hi) || lo > 65535 || hi > 65535 || lo < 0)
                continue;
            df_word_pos(c, in, w, &l, &col);
            for (size_t k = 0; k < c->cfg->nports; k++) {
                int p = c->cfg->ports[k];
                if (p >= lo && p <= hi) {
                    df_report(c, r, in, l, col, NULL, "EXPOSE %s opens port %d (%s)", x, p,
                              port_name(p));
                    break;
                }
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
                                      ".lz", ".lzma", ".Z", ".tZ", ".tb2", ".tbz", ".tlz",
                                      ".tpz"};
    size_t n = strlen(s);

    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(s + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

int
df_nargs_json_or_words(const struct df_instr *in)
{
    return in->json ? (int)in->njargs : (int)(in->nwords - in->first_arg);
}

const char *
df_arg_at(const struct df_instr *in, size_t i)
{
    return in->json ? in->jargs[i] : in->words[in->first_arg + i].x;
}

void
df_check_copy_chmod(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        const struct df_flag *fl;
        int l, col;
        if ((in->kind != DF_COPY && in->kind != DF_ADD) ||
            (fl = df_flag_get(in, "chmod")) == NULL || fl->value == NULL ||
            !mode_text_world_writable(fl->value))
            continue;
        df_pos(c->df, in, fl->off, &l, &col);
        df_report(c, r, in, l, col, NULL, "%s --chmod=%s makes the files world-writable",
                  df_kind_name(in->kind), fl->value);
    }
}

void
df_check_copy_from(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;

    EACH_INSTR(c, i, in) {
        const struct df_flag *fl;
        int l, col;
        if (in->kind != DF_COPY || (fl = df_flag_get(in, "from")) == NULL || fl->value == NULL)
            continue;
        const char *v = fl->value;
        df_pos(df, in, fl->off, &l, &col);
        int cur = in->stage;
        char *e;
        long idx = strtol(v, &e, 10);
        if (*e == '\0' && e != v) {
            if (idx == cur)
                df_report_as(c, r, "DL3023", in, l, col, NULL, "COPY --from=%s names its own stage",
                             v);
            continue;
        }
        int known = 0;
        for (int s = 0; s < (int)df->nstages && !known; s++)
            known = df->stages[s].name && strcasecmp(df->stages[s].name, v) == 0;
        if (!known && strpbrk(v, ":/@.$") == NULL)
            df_report_as(c, r, "DL3022", in, l, col, NULL,
                         "COPY --from=%s names no stage: the builder pulls an image of that name",
                         v);
        for (int s = 0; s < (int)df->nstages; s++)
            if (df->stages[s].name && strcasecmp(df->stages[s].name, v) == 0) {
                if (s == cur)
                    df_report_as(c, r, "DL3023", in, l, col, NULL,
                                 "COPY --from=%s names its own stage", v);
                else if (s > cur)
                    df_report_as(c, r, "DL3022", in, l, col, NULL,
                                 "COPY --from=%s names a later stage", v);
                break;
            }
        /* an unknown name is an image reference, which is valid */
    }
}

void
df_check_copy_dest_slash(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int n = df_nargs_json_or_words(in);
        if ((in->kind != DF_COPY && in->kind != DF_ADD) || in->nheredocs != 0 || n <= 2)
            continue;
        const char *dest = df_arg_at(in, (size_t)n - 1);
        size_t dl = strlen(dest);
        if (dl > 0 && dest[dl - 1] != '/' && dest[dl - 1] != '\\' && strchr(dest, '$') == NULL)
            df_report_as(c, r, in->kind == DF_COPY ? "DL3021" : NULL, in, 0, 0, NULL,
                         "%s of %d sources to '%s': the destination must end with /",
                         df_kind_name(in->kind), n - 1, dest);
    }
}

void
df_check_add_url(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int n = df_nargs_json_or_words(in);
        if (in->kind != DF_ADD)
            continue;
        for (int a = 0; a + 1 < n; a++) {
            const char *s = df_arg_at(in, (size_t)a);
            int l, col;
            if (strncmp(s, "<<", 2) == 0 || !is_url(s) || df_flag_get(in, "checksum") != NULL ||
                (strncmp(s, "git", 3) == 0 && strchr(s, '#') != NULL))
                continue;
            if (!in->json)
                df_word_pos(c, in, in->first_arg + (size_t)a, &l, &col);
            else
                l = in->line, col = in->col;
            df_report(c, r, in, l, col, NULL,
                      "ADD %s downloads without --checksum: the content is not verified", s);
        }
    }
}

void
df_check_add_local(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int n = df_nargs_json_or_words(in), local = 0;
        if (in->kind != DF_ADD)
            continue;
        for (int a = 0; a + 1 < n; a++) {
            const char *s = df_arg_at(in, (size_t)a);
            if (strncmp(s, "<<", 2) != 0 && !is_url(s) && !is_archive(s))
                local = 1;
        }
        if (local)
            df_report(c, r, in, 0, 0, NULL, "ADD of local files: COPY does the same, without "
                      "ADD's archive and URL side effects");
    }
}

/* Does stage `s` (or one it is built on) set a WORKDIR? */
static int
stage_has_workdir(const struct dockerfile *df, int s)
{
    for (size_t guard = 0; s >= 0 && guard <= df->nstages; guard++, s = df->stages[s].base_stage)
        for (size_t i = df->stages[s].from; i < df->stages[s].end; i++)
            if (df->instrs[i].kind == DF_WORKDIR)
                return 1;
    return 0;
}

/* COPY/ADD to a relative destination before any WORKDIR of the stage (or those it is built on). */
void
df_check_copy_no_workdir(struct df_ctx *c, const struct rule_meta *r)
{
    struct dockerfile *df = c->df;
    int workdir = 0;

    EACH_INSTR(c, i, in) {
        if (in->kind == DF_FROM) /* a stage built on another inherits its WORKDIR */
            workdir = in->stage >= 0 && stage_has_workdir(df, df->stages[in->stage].base_stage);
        if (in->kind == DF_WORKDIR)
            workdir = 1;
        if ((in->kind != DF_COPY && in->kind != DF_ADD) || workdir || in->nheredocs != 0)
            continue;
        size_t na = in->json ? in->njargs : in->nwords - in->first_arg;
        const char *dest = na >= 2 ? df_arg_at(in, na - 1) : NULL;
        if (dest != NULL && dest[0] != '/' && dest[0] != '$' && dest[0] != '\\' &&
            !(isalpha((unsigned char)dest[0]) && dest[1] == ':') && in->stage >= 0)
            df_report_as(c, r, in->kind == DF_COPY ? "DL3045" : NULL, in, 0, 0, NULL,
                         "%s to '%s' with no WORKDIR set: it lands in the base image's directory",
                         in->keyword, dest);
    }
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

void
df_check_workdir_relative(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int l, col;
        if (in->kind != DF_WORKDIR || in->first_arg >= in->nwords)
            continue;
        const char *x = in->words[in->first_arg].x;
        df_word_pos(c, in, in->first_arg, &l, &col);
        if (in->words[in->first_arg].text[0] == '$' || x[0] == '\0')
            continue; /* WORKDIR ${work}: a variable, absolute or not at build time */
        if (x[0] != '/' && x[0] != '$' && !(isalpha((unsigned char)x[0]) && x[1] == ':') &&
            x[0] != '\\')
            df_report(c, r, in, l, col, NULL, "WORKDIR %s is relative", x);
    }
}

void
df_check_system_dir(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        int l, col;
        if (in->kind == DF_WORKDIR && in->first_arg < in->nwords) {
            const char *x = in->words[in->first_arg].x;
            df_word_pos(c, in, in->first_arg, &l, &col);
            if (x[0] == '/' && system_dir(x))
                df_report(c, r, in, l, col, NULL, "WORKDIR %s is a system directory", x);
        } else if (in->kind == DF_VOLUME) {
            int n = df_nargs_json_or_words(in);
            for (int a = 0; a < n; a++)
                if (system_dir(df_arg_at(in, (size_t)a)))
                    df_report(c, r, in, 0, 0, NULL, "VOLUME %s covers a system directory",
                              df_arg_at(in, (size_t)a));
        }
    }
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

static int
debug_setting(const char *k, const char *v)
{
    return ((strcasecmp(k, "DEBUG") == 0 || strcasecmp(k, "FLASK_DEBUG") == 0 ||
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
           (strcasecmp(k, "LOG_LEVEL") == 0 && strcasecmp(v, "debug") == 0);
}

static int
tls_setting(const struct df_kv *kv, const char *k, const char *v)
{
    return (strcasecmp(k, "NODE_TLS_REJECT_UNAUTHORIZED") == 0 && strcmp(v, "0") == 0) ||
           (strcasecmp(k, "PYTHONHTTPSVERIFY") == 0 && strcmp(v, "0") == 0) ||
           strcasecmp(k, "GIT_SSL_NO_VERIFY") == 0 ||
           (strcasecmp(k, "NPM_CONFIG_STRICT_SSL") == 0 && falsy(v)) ||
           (strcasecmp(k, "YARN_STRICT_SSL") == 0 && falsy(v)) ||
           strcasecmp(k, "PIP_TRUSTED_HOST") == 0 ||
           (strcasecmp(k, "CURL_CA_BUNDLE") == 0 && v[0] == '\0' && kv->value != NULL) ||
           (strcasecmp(k, "GONOSUMDB") == 0 && strcmp(v, "*") == 0) ||
           (strcasecmp(k, "GOINSECURE") == 0 && v[0]) ||
           (strcasecmp(k, "GOFLAGS") == 0 && strstr(v, "-insecure") != NULL);
}

void
df_check_debug_mode(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind == DF_CMD || in->kind == DF_ENTRYPOINT) {
            if (strstr(in->text, "--debug") != NULL || strstr(in->text, "--inspect") != NULL)
                df_report(c, r, in, 0, 0, NULL, "%s starts the service in debug mode",
                          in->keyword);
            continue;
        }
        if (in->kind != DF_ENV && in->kind != DF_ARG)
            continue;
        for (size_t k = 0; k < in->nkvs; k++) {
            const struct df_kv *kv = &in->kvs[k];
            int l, col;
            if (kv->xvalue == NULL || kv->key == NULL || !debug_setting(kv->key, kv->xvalue))
                continue;
            df_pos(c->df, in, kv->key_off, &l, &col);
            df_report(c, r, in, l, col, NULL, "%s %s=%s turns on a debug/development mode",
                      in->keyword, kv->key, kv->xvalue);
        }
    }
}

void
df_check_tls_env(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_ENV && in->kind != DF_ARG)
            continue;
        for (size_t k = 0; k < in->nkvs; k++) {
            const struct df_kv *kv = &in->kvs[k];
            int l, col;
            if (kv->xvalue == NULL || kv->key == NULL || !tls_setting(kv, kv->key, kv->xvalue))
                continue;
            df_pos(c->df, in, kv->key_off, &l, &col);
            df_report(c, r, in, l, col, NULL, "%s %s=%s turns off TLS/signature checks",
                      in->keyword, kv->key, kv->xvalue);
        }
    }
}

/* ENV a=1 b=$a: b gets the value from before the instruction, not 1. */
void
df_check_env_self(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, n, in) {
        if (in->kind != DF_ENV)
            continue;
        int done = 0;
        for (size_t i = 1; i < in->nkvs && !done; i++) {
            const char *raw = in->kvs[i].value_off < in->text_len ? in->text + in->kvs[i].value_off
                                                                   : "";
            size_t vl = strcspn(raw, " \t");
            for (size_t k = 0; k < i && !done; k++) {
                const char *key = in->kvs[k].key;
                size_t kl = key ? strlen(key) : 0;
                for (const char *p = raw; kl && p < raw + vl && !done; p++) {
                    if (*p != '$')
                        continue;
                    const char *q = p + 1 + (p[1] == '{');
                    if ((size_t)(raw + vl - q) >= kl && strncmp(q, key, kl) == 0 &&
                        !(isalnum((unsigned char)q[kl]) || q[kl] == '_')) {
                        int l, col;
                        df_pos(c->df, in, in->kvs[i].value_off, &l, &col);
                        df_report(c, r, in, l, col, NULL,
                                  "%s uses $%s, which this same ENV sets: it gets the older value",
                                  in->kvs[i].key, key);
                        done = 1;
                    }
                }
            }
        }
    }
}

/* ---- RUN flags ------------------------------------------------------------------------------- */
void
df_check_insecure_run(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_RUN)
            continue;
        for (size_t k = 0; k < in->nflags; k++) {
            const struct df_flag *fl = &in->flags[k];
            int l, col;
            if (fl->value == NULL || strcasecmp(fl->name, "security") != 0 ||
                strcasecmp(fl->value, "insecure") != 0)
                continue;
            df_pos(c->df, in, fl->off, &l, &col);
            df_report(c, r, in, l, col, NULL,
                      "RUN --security=insecure runs this step without the sandbox");
        }
    }
}

/* The secret ids RUN --mount=type=secret names (id=, else the target's file name). */
void
df_check_build_secrets(struct df_ctx *c, const struct rule_meta *r)
{
    struct buf ids = {0};
    const struct df_instr *first = NULL;

    EACH_INSTR(c, i, in) {
        if (in->kind != DF_RUN)
            continue;
        for (size_t k = 0; k < in->nflags; k++) {
            const struct df_flag *fl = &in->flags[k];
            int l, col;
            if (fl->value == NULL || strcasecmp(fl->name, "mount") != 0 ||
                strstr(fl->value, "type=secret") == NULL)
                continue;
            df_pos(c->df, in, fl->off, &l, &col);
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
                    for (size_t q = 0; q < tl; q++)
                        if (t[q] == '/')
                            b = t + q + 1;
                    snprintf(one, sizeof(one), "%.*s", (int)(tl - (size_t)(b - t)), b);
                }
            }
            if (one[0] != '\0') {
                buf_printf(&ids, "%s%s (line %d)", ids.len ? ", " : "", one, l);
                if (first == NULL)
                    first = in;
            }
        }
    }
    if (ids.len > 0)
        df_report(c, r, first, 0, 0, NULL, "build secrets mounted by RUN: %s", ids.data);
    buf_free(&ids);
}

/* ---- stages and the order of instructions ------------------------------------------------------ */
void
df_check_first_instr(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind == DF_UNKNOWN || in->kind == DF_ARG)
            continue;
        if (in->kind != DF_FROM)
            df_report(c, r, in, 0, 0, NULL, "%s before the first FROM", in->keyword);
        return;
    }
}

/* Simple commands of a RUN, roughly: separators outside quotes, plus one. */
static size_t
run_commands(const struct df_instr *in)
{
    size_t n = 1;
    char q = 0;

    if (in->json)
        return 1;
    for (const char *p = in->text + in->args_off; *p; p++) {
        if (q != 0) {
            q = *p == q ? 0 : q;
            continue;
        }
        if (*p == '\'' || *p == '"')
            q = *p;
        else if (*p == ';' || (*p == '&' && p[1] == '&') || (*p == '|' && p[1] == '|') ||
                 (*p == '|' && p[1] != '|' && (p == in->text || p[-1] != '|')))
            n++;
        if ((*p == '&' || *p == '|') && p[1] == *p)
            p++;
    }
    return n;
}

/* Both RUNs have the same flags (--mount, --network, ...). */
static int
same_flags(const struct df_instr *a, const struct df_instr *b)
{
    if (a->nflags != b->nflags)
        return 0;
    for (size_t i = 0; i < a->nflags; i++)
        if (strcmp(a->flags[i].name, b->flags[i].name) != 0 ||
            strcmp(a->flags[i].value ? a->flags[i].value : "", b->flags[i].value ? b->flags[i].value : "") != 0)
            return 0;
    return 1;
}

/* Two RUNs in a row (comments between do not count) with the same flags, each of at most two
 * commands: a longer chain is a deliberate split. */
void
df_check_consecutive_run(struct df_ctx *c, const struct rule_meta *r)
{
    const struct df_instr *prev = NULL;

    EACH_INSTR(c, i, in) {
        if (in->kind == DF_UNKNOWN)
            continue;
        if (in->kind != DF_RUN) {
            prev = NULL;
            continue;
        }
        if (prev != NULL && same_flags(prev, in) && in->nheredocs == 0 && prev->nheredocs == 0 &&
            run_commands(prev) <= 2 && run_commands(in) <= 2)
            df_report(c, r, in, 0, 0, NULL, "RUN right after the RUN at line %d", prev->line);
        prev = in;
    }
}

void
df_check_duplicate_cmd(struct df_ctx *c, const struct rule_meta *r)
{
    int ncmd = 0, nentry = 0, nhc = 0;

    EACH_INSTR(c, i, in) {
        if (in->kind == DF_FROM)
            ncmd = nentry = nhc = 0;
        else if ((in->kind == DF_CMD && ++ncmd == 2) || (in->kind == DF_ENTRYPOINT && ++nentry == 2))
            df_report_as(c, r, in->kind == DF_CMD ? "DL4003" : "DL4004", in, 0, 0, NULL,
                         "second %s in this stage: only the last takes effect", in->keyword);
        else if (in->kind == DF_HEALTHCHECK && ++nhc == 2)
            df_report_as(c, r, "DL3012", in, 0, 0, NULL,
                         "second HEALTHCHECK in this stage: only the last takes effect");
    }
}

void
df_check_shell_form(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in)
        if ((in->kind == DF_CMD || in->kind == DF_ENTRYPOINT) && !in->json && in->nwords > 0)
            df_report(c, r, in, 0, 0, NULL, "%s in shell form runs under /bin/sh -c "
                      "and the process does not get signals", in->keyword);
}

void
df_check_maintainer(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in)
        if (in->kind == DF_MAINTAINER)
            df_report(c, r, in, 0, 0, NULL, "MAINTAINER is deprecated");
}

void
df_check_onbuild(struct df_ctx *c, const struct rule_meta *r)
{
    EACH_INSTR(c, i, in) {
        if (in->kind != DF_ONBUILD || in->sub == NULL)
            continue;
        if (in->sub->kind == DF_FROM || in->sub->kind == DF_MAINTAINER)
            df_report(c, r, in, 0, 0, NULL, "ONBUILD %s is not allowed", in->sub->keyword);
        if (in->sub->kind == DF_ONBUILD)
            df_report(c, r, in, 0, 0, NULL, "ONBUILD ONBUILD is not allowed");
    }
}

/* Every row's check, in table order. */
void
df_rules_checks(struct df_ctx *c)
{
    for (size_t i = 0; i < DFR_COUNT; i++)
        if (df_rules[i].check != NULL)
            df_rules[i].check(c, &df_rules[i].meta);
}
