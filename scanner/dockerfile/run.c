/* run: rules on RUN commands (shell form, exec form with sh -c, and shell heredocs): each simple
 * command goes to the handlers of its program (handlers[], one function per program family):
 * sudo, permissions, TLS/signature switches, pipe-to-shell, package managers, pinning. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "dockerfile.h"

/* Where the analysed text comes from, to turn offsets into file positions. */
struct src {
    const struct df_instr *in;
    const struct df_heredoc *h; /* NULL: the instruction's text */
    int json;                   /* exec form: positions are the instruction's */
    const char *text;
    size_t len;
};

struct word {
    const char *s; /* unquoted */
    size_t off;
};

struct cmd {
    struct word *w;
    size_t n;
    int pipe_out; /* followed by | */
};

/* What one RUN (one layer) did, for rules that look at the whole layer. */
struct layer {
    int apt_update, apt_install, apt_clean, apk_update, apk_add, apk_nocache_clean;
    int yum_install, yum_clean, dnf_install, dnf_clean, zyp_install, zyp_clean;
    int mdnf_install, mdnf_clean, yarn_install, yarn_clean;
    int pipefail, has_pipe, cd;
    int pip_no_cache;  /* PIP_NO_CACHE_DIR=<true> inline or exported in this RUN */
    unsigned mounts;   /* MNT_* caches kept out of the layer by --mount=type=cache|tmpfs */
    struct {
        const char *mode, *path; /* a world-writable chmod, reported at the end of the RUN */
        int l, col;              /* unless the same RUN removes the path */
    } chmods[8];
    size_t nchmods;
    const struct cmd *apt_update_cmd, *apk_update_cmd;
    int apt_upd_l, apt_upd_c, apk_upd_l, apk_upd_c;
};

struct stage_state {
    int curl, wget;
    int pipefail_shell, nonposix_shell;
    int pip_no_cache;
    struct {
        const struct df_instr *in;
        char name[128];
    } archives[16]; /* archives COPY brought into this stage (DF057) */
    size_t narchives;
};

enum {
    MNT_APT = 1 << 0, MNT_APK = 1 << 1, MNT_YUM = 1 << 2, MNT_DNF = 1 << 3,
    MNT_ZYPP = 1 << 4, MNT_PIP = 1 << 5, MNT_YARN = 1 << 6,
};

/* PIP_NO_CACHE_DIR turns the cache off only with a true value (pip's own reading). */
static int
truthy_value(const char *v)
{
    return strcasecmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
           strcasecmp(v, "on") == 0;
}

/* Package caches that --mount=type=cache or tmpfs keeps out of the layer. */
static unsigned
cache_mounts(const struct df_instr *in)
{
    static const struct {
        const char *dir;
        unsigned bit;
    } dirs[] = {
        {"/var/lib/apt", MNT_APT}, {"/var/cache/apk", MNT_APK},
        {"/etc/apk/cache", MNT_APK}, {"/var/cache/yum", MNT_YUM | MNT_DNF},
        {"/var/cache/dnf", MNT_DNF | MNT_YUM}, {"/var/cache/zypp", MNT_ZYPP},
        {".cache/pip", MNT_PIP}, {"/root/.cache", MNT_PIP | MNT_YARN},
        {".cache/yarn", MNT_YARN}, {".yarn", MNT_YARN},
    };
    unsigned m = 0;

    for (size_t i = 0; i < in->nflags; i++) {
        const struct df_flag *fl = &in->flags[i];
        const char *v = fl->value, *t;
        if (v == NULL || strcasecmp(fl->name, "mount") != 0 ||
            (strstr(v, "type=cache") == NULL && strstr(v, "type=tmpfs") == NULL))
            continue;
        if ((t = strstr(v, "target=")) == NULL && (t = strstr(v, "dst=")) == NULL &&
            (t = strstr(v, "destination=")) == NULL)
            continue;
        t = strchr(t, '=') + 1;
        size_t tl = strcspn(t, ",");
        for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
            size_t dl = strlen(dirs[k].dir);
            for (size_t o = 0; o + dl <= tl; o++)
                if (strncmp(t + o, dirs[k].dir, dl) == 0) {
                    m |= dirs[k].bit;
                    break;
                }
        }
    }
    return m;
}

static void
src_pos(struct df_ctx *c, const struct src *s, size_t off, int *l, int *col)
{
    if (s->h != NULL) {
        int line = s->h->line, cc = 1;
        for (size_t i = 0; i < off && i < s->len; i++) {
            if (s->text[i] == '\n') {
                line++;
                cc = 1;
            } else
                cc++;
        }
        *l = line;
        *col = cc;
    } else if (s->json) {
        *l = s->in->line;
        *col = s->in->col;
    } else
        df_pos(c->df, s->in, off, l, col);
}

/* ---- shell splitting -------------------------------------------------------------------------- */
static int
push_word(struct df_arena *a, struct cmd *cm, size_t *cap, const char *s, size_t n, size_t off)
{
    if (cm->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct word *w = df_alloc(a, nc * sizeof(*w));
        if (w == NULL)
            return -1;
        if (cm->n)
            memcpy(w, cm->w, cm->n * sizeof(*w));
        cm->w = w;
        *cap = nc;
    }
    cm->w[cm->n].s = df_strndup(a, s, n);
    cm->w[cm->n].off = off;
    if (cm->w[cm->n].s == NULL)
        return -1;
    cm->n++;
    return 0;
}

/* Splits shell text into simple commands at && || ; | & and newlines, with quotes, backslash
 * escapes and $( ) kept inside words. Linear, no recursion. */
static struct cmd *
shell_split(struct df_arena *a, const char *t, size_t n, size_t *ncmds)
{
    struct cmd *cmds = NULL;
    size_t nc = 0, cc = 0;
    char *tmp = df_alloc(a, n + 1);
    size_t i = 0;

    *ncmds = 0;
    if (tmp == NULL)
        return NULL;
    size_t total = 0;
    for (;;) {
        if (total > DF_MAX_WORDS)
            break; /* bounded: the rest of a giant RUN is not analysed */
        if (nc == cc) {
            size_t ncap = cc ? cc * 2 : 8;
            struct cmd *p = df_alloc(a, ncap * sizeof(*p));
            if (p == NULL)
                return NULL;
            if (nc)
                memcpy(p, cmds, nc * sizeof(*p));
            cmds = p;
            cc = ncap;
        }
        struct cmd *cm = &cmds[nc];
        memset(cm, 0, sizeof(*cm));
        size_t wcap = 0;
        while (i < n && total <= DF_MAX_WORDS) {
            char ch = t[i];
            if (ch == ' ' || ch == '\t' || ch == '\r') {
                i++;
                continue;
            }
            if (ch == '\n' || ch == ';' || ch == '&' || ch == '|') {
                if (ch == '|' && (i + 1 >= n || t[i + 1] != '|'))
                    cm->pipe_out = 1;
                i += (i + 1 < n && (ch == '&' || ch == '|') && t[i + 1] == ch) ? 2 : 1;
                break;
            }
            if (ch == '#') { /* comment to end of line */
                while (i < n && t[i] != '\n')
                    i++;
                continue;
            }
            size_t start = i;
            size_t tl = df_word_next(t, n, &i, '\\', 1, tmp, NULL);
            if (push_word(a, cm, &wcap, tmp, tl, start) < 0)
                return NULL;
            total++;
        }
        if (cm->n > 0)
            nc++;
        if (i >= n)
            break;
    }
    *ncmds = nc;
    return cmds;
}

/* ---- helpers ----------------------------------------------------------------------------------- */
static int
has_word(const struct cmd *cm, size_t from, const char *w)
{
    for (size_t i = from; i < cm->n; i++)
        if (strcmp(cm->w[i].s, w) == 0)
            return 1;
    return 0;
}

static int
has_prefix_word(const struct cmd *cm, size_t from, const char *p)
{
    for (size_t i = from; i < cm->n; i++)
        if (strncmp(cm->w[i].s, p, strlen(p)) == 0)
            return 1;
    return 0;
}

/* A short-option cluster (-sSLk) containing letter c. */
static int
has_short(const struct cmd *cm, size_t from, char c)
{
    for (size_t i = from; i < cm->n; i++) {
        const char *s = cm->w[i].s;
        /* the letters of the cluster, up to an attached value (-qO- -> q, O) */
        if (s[0] == '-' && s[1] != '-' && s[1] != '\0')
            for (const char *p = s + 1; *p && isalpha((unsigned char)*p); p++)
                if (*p == c)
                    return 1;
    }
    return 0;
}

static const char *
base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int
is_shell(const char *p)
{
    static const char *const sh[] = {"sh", "bash", "zsh", "dash", "ash", "ksh", "fish",
                                     "python", "python2", "python3", "perl", "ruby", "node",
                                     "php", "pwsh"};
    p = base(p);
    for (size_t i = 0; i < sizeof(sh) / sizeof(sh[0]); i++)
        if (strcmp(p, sh[i]) == 0)
            return 1;
    return 0;
}

static int
contains_ci(const char *h, const char *n)
{
    size_t nl = strlen(n);
    for (; *h; h++)
        if (strncasecmp(h, n, nl) == 0)
            return 1;
    return 0;
}

/* Index of the program word: past VAR=x assignments and sudo/env/exec/nohup/time/command. */
static size_t
program(struct df_ctx *c, const struct src *s, const struct cmd *cm, int *sudo)
{
    size_t i = 0;

    *sudo = 0;
    while (i < cm->n) {
        const char *w = cm->w[i].s;
        const char *eq = strchr(w, '=');
        if (eq != NULL && eq != w && w[0] != '-') {
            int ok = 1;
            for (const char *p = w; p < eq; p++)
                if (!isalnum((unsigned char)*p) && *p != '_')
                    ok = 0;
            if (ok) {
                i++;
                continue;
            }
        }
        const char *b = base(w);
        if (strcmp(b, "sudo") == 0 || strcmp(b, "doas") == 0) {
            if (!*sudo) {
                int l, col;
                src_pos(c, s, cm->w[i].off, &l, &col);
                df_report(c, DF_RULE(DF011), s->in, l, col, NULL,
                          "%s in RUN: the build already runs as the current USER", b);
            }
            *sudo = 1;
            i++;
            while (i < cm->n && cm->w[i].s[0] == '-') {
                const char *o = cm->w[i].s;
                i++;
                if ((strcmp(o, "-u") == 0 || strcmp(o, "-g") == 0) && i < cm->n)
                    i++;
            }
            continue;
        }
        if (strcmp(b, "env") == 0 || strcmp(b, "exec") == 0 || strcmp(b, "nohup") == 0 ||
            strcmp(b, "time") == 0 || strcmp(b, "command") == 0 || strcmp(b, "eval") == 0) {
            i++;
            continue;
        }
        break;
    }
    return i;
}

/* ---- package managers ------------------------------------------------------------------------ */
/* Reports unpinned packages of one install command (first few names) as DF032, with the hadolint
 * rule of that manager. Options in `with_value` take the next word; "--" ends the packages. */
static void
unpinned(struct df_ctx *c, const struct src *s, const struct cmd *cm, size_t from,
         const char *mgr, const char *dl, int (*pinned)(const char *),
         const char *const *with_value)
{
    char names[200] = "";
    size_t nn = 0, cnt = 0;
    int l = 0, col = 0;

    for (size_t i = from; i < cm->n; i++) {
        const char *w = cm->w[i].s;
        if (strcmp(w, "--") == 0)
            break;
        if (w[0] == '-') {
            for (size_t k = 0; with_value && with_value[k]; k++)
                if (strcmp(w, with_value[k]) == 0) {
                    i++;
                    break;
                }
            continue;
        }
        if (w[0] == '$' || w[0] == '/' || w[0] == '.' || w[0] == '~' || w[0] == '<' ||
            w[0] == '>' || w[0] == '\0' || strchr(w, '$') != NULL || strchr(w, '*') != NULL ||
            w[0] == '`' || pinned(w))
            continue;
        if (cnt == 0)
            src_pos(c, s, cm->w[i].off, &l, &col);
        if (cnt < 4) {
            int k = snprintf(names + nn, sizeof(names) - nn, "%s%s", cnt ? ", " : "", w);
            if (k > 0 && (size_t)k < sizeof(names) - nn)
                nn += (size_t)k;
        }
        cnt++;
    }
    if (cnt > 0)
        df_report_as(c, DF_RULE(DF032), dl, s->in, l, col, NULL,
                     "%s installs %s%s without a pinned version", mgr, names,
                     cnt > 4 ? ", ..." : "");
}

static int
ends_with(const char *w, const char *suffix)
{
    size_t n = strlen(w), k = strlen(suffix);
    return n >= k && strcmp(w + n - k, suffix) == 0;
}

/* apt: pkg=1.2, pkg=1.*, a .deb file */
static int
pin_apt(const char *w)
{
    return strchr(w, '=') != NULL || ends_with(w, ".deb");
}

/* apk: pkg=1.2, pkg~1.2 (range), pkg>1, pkg<2, an .apk file */
static int
pin_apk(const char *w)
{
    return strpbrk(w, "=~<>") != NULL || ends_with(w, ".apk");
}

/* zypper: pkg=1.2, pkg>=1, an .rpm file */
static int
pin_zypper(const char *w)
{
    return strpbrk(w, "=<>") != NULL || ends_with(w, ".rpm");
}

static int
vcs_url(const char *w)
{
    static const char *const vcs[] = {"git+", "git:", "hg+", "svn+", "svn:", "bzr+", NULL};

    for (size_t i = 0; vcs[i] != NULL; i++)
        if (strncmp(w, vcs[i], strlen(vcs[i])) == 0)
            return 1;
    return 0;
}

/* pip: a version operator, a VCS URL with @ref, a wheel/sdist file, a path */
static int
pin_pip(const char *w)
{
    static const char *const ops[] = {"==", ">=", "<=", "!=", "~=", ">", "<", NULL};

    for (size_t i = 0; ops[i] != NULL; i++)
        if (strstr(w, ops[i]) != NULL)
            return 1;
    if (vcs_url(w)) {
        const char *host = strstr(w, "://");
        const char *path = strchr(host != NULL ? host + 3 : w, '/');
        return path != NULL && strchr(path, '@') != NULL; /* @commit, @tag; not user@host */
    }
    if (strstr(w, " @ ") != NULL || strstr(w, "@") != NULL)
        return strstr(w, "://") != NULL; /* name @ https://... direct reference */
    return ends_with(w, ".whl") || ends_with(w, ".tar.gz") || ends_with(w, ".zip") ||
           strchr(w, '/') != NULL;
}

/* npm: name@version (after a @scope/), git URL with #ref, a tarball, a folder */
static int
pin_npm(const char *w)
{
    if (strncmp(w, "git://", 6) == 0 || strncmp(w, "git+ssh://", 10) == 0 ||
        strncmp(w, "git+http://", 11) == 0 || strncmp(w, "git+https://", 12) == 0)
        return strchr(w, '#') != NULL;
    if (ends_with(w, ".tar") || ends_with(w, ".tar.gz") || ends_with(w, ".tgz"))
        return 1;
    if (strncmp(w, "http://", 7) == 0 || strncmp(w, "https://", 8) == 0 ||
        strncmp(w, "file:", 5) == 0)
        return 1;
    const char *at = strchr(w[0] == '@' ? w + 1 : w, '@');
    if (w[0] == '@') {
        const char *slash = strchr(w, '/');
        at = slash != NULL ? strchr(slash, '@') : NULL;
    }
    return at != NULL && at[1] != '\0' && strcmp(at, "@latest") != 0;
}

/* yum: hadolint's rule: any '-' (name-version) or an .rpm file */
static int
pin_yum(const char *w)
{
    return strchr(w, '-') != NULL || ends_with(w, ".rpm");
}

/* dnf: name-version where what follows the first '-' looks like a version (a part starting
 * with a digit, only [A-Za-z0-9.~^_:+]), or an .rpm file */
static int
pin_dnf(const char *w)
{
    const char *d = strchr(w, '-');
    int digit = 0;

    if (ends_with(w, ".rpm"))
        return 1;
    if (d == NULL)
        return 0;
    for (const char *p = d + 1; *p; p++) {
        if (*p == '-') {
            continue;
        }
        if (!isalnum((unsigned char)*p) && strchr(".~^_:+", *p) == NULL)
            return 0;
        if (isdigit((unsigned char)*p) && p[-1] == '-')
            digit = 1;
    }
    return digit;
}

static int
pin_module(const char *w)
{
    return strchr(w, ':') != NULL;
}

static int
pin_gem(const char *w)
{
    return strchr(w, ':') != NULL;
}

static int
pin_go(const char *w)
{
    const char *at = strchr(w, '@');
    return at != NULL && at[1] != '\0' && strcmp(at, "@latest") != 0;
}

/* apt-get -y, --yes, --assume-yes, -qq / -q -q / -q=2 (quiet level 2 implies yes). */
static int
apt_assumes_yes(const struct cmd *cm, size_t from)
{
    int q = 0;

    if (has_word(cm, from, "-y") || has_word(cm, from, "--yes") ||
        has_word(cm, from, "--assume-yes") || has_word(cm, from, "--force-yes") ||
        has_short(cm, from, 'y') || has_word(cm, from, "-q=2") || has_word(cm, from, "--quiet=2"))
        return 1;
    for (size_t i = from; i < cm->n; i++) {
        const char *s = cm->w[i].s;
        if (strcmp(s, "--quiet") == 0)
            q++;
        else if (s[0] == '-' && s[1] != '-')
            for (const char *p = s + 1; *p && isalpha((unsigned char)*p); p++)
                q += *p == 'q';
    }
    return q >= 2;
}

/* ---- one simple command, and the handlers of the programs it may run ---------------------------- */
struct run {
    struct df_ctx *c;
    const struct src *s;
    const struct cmd *cm, *next; /* next: the command after it (for pipes) */
    struct layer *ly;
    struct stage_state *st;
    size_t p, a1;     /* index of the program word, of its first argument */
    const char *prog; /* the program's base name */
    int l, col;       /* position of the program word */
};

static void
tls_off(struct run *r, const char *what)
{
    int l, col;
    src_pos(r->c, r->s, r->cm->w[r->p < r->cm->n ? r->p : 0].off, &l, &col);
    df_report(r->c, DF_RULE(DF013), r->s->in, l, col, NULL,
              "%s turns off TLS/signature verification", what);
}

/* Index of the subcommand: the first word from `from` that is not an option; an option listed
 * in `with_value` takes the next word as its value. */
static size_t
subcommand(const struct cmd *cm, size_t from, const char *const *with_value)
{
    size_t si = from;

    while (si < cm->n && cm->w[si].s[0] == '-') {
        for (size_t k = 0; with_value != NULL && with_value[k] != NULL; k++)
            if (strcmp(cm->w[si].s, with_value[k]) == 0) {
                si++;
                break;
            }
        si++;
    }
    return si;
}

static const char *
word_or_empty(const struct cmd *cm, size_t i)
{
    return i < cm->n ? cm->w[i].s : "";
}

/* curl, wget: which tool the stage uses, -k, and output piped into a shell. */
static void
h_download(struct run *r)
{
    const struct cmd *cm = r->cm;
    int curl = r->prog[0] == 'c';

    if (curl)
        r->st->curl = r->st->curl ? r->st->curl : r->l;
    else
        r->st->wget = r->st->wget ? r->st->wget : r->l;
    if (curl && (has_word(cm, r->a1, "--insecure") || has_short(cm, r->a1, 'k')))
        tls_off(r, "curl -k/--insecure");
    if (!curl && has_word(cm, r->a1, "--no-check-certificate"))
        tls_off(r, "wget --no-check-certificate");
    if (!curl && !has_prefix_word(cm, r->a1, "--progress") && !has_short(cm, r->a1, 'q') &&
        !has_word(cm, r->a1, "--quiet") && !has_short(cm, r->a1, 'o') &&
        !has_prefix_word(cm, r->a1, "--output-file") && !has_short(cm, r->a1, 'a') &&
        !has_prefix_word(cm, r->a1, "--append-output") && !has_word(cm, r->a1, "-nv") &&
        !has_word(cm, r->a1, "--no-verbose"))
        df_report(r->c, DF_RULE(DF058), r->s->in, r->l, r->col, NULL,
                  "wget without --progress=dot:giga, -q or -nv floods the build log");
    if (cm->pipe_out && r->next != NULL) {
        int sudo2;
        size_t q = program(r->c, r->s, r->next, &sudo2);
        if (q < r->next->n && is_shell(r->next->w[q].s))
            df_report(r->c, DF_RULE(DF014), r->s->in, r->l, r->col, NULL,
                      "%s output is piped into %s: the script runs unverified", r->prog,
                      base(r->next->w[q].s));
    }
}

/* A shell or interpreter running a downloaded script: bash -c "$(curl ...)", <(wget ...). */
static void
h_shell(struct run *r)
{
    for (size_t i = r->a1; i < r->cm->n; i++) {
        const char *w = r->cm->w[i].s;
        if (strstr(w, "$(curl") || strstr(w, "$(wget") || strstr(w, "<(curl") ||
            strstr(w, "<(wget") || strstr(w, "`curl") || strstr(w, "`wget")) {
            df_report(r->c, DF_RULE(DF014), r->s->in, r->l, r->col, NULL,
                      "%s runs a downloaded script: it runs unverified", r->prog);
            break;
        }
    }
}

static void
h_cd(struct run *r)
{
    if (r->ly->cd)
        return;
    r->ly->cd = 1;
    df_report(r->c, DF_RULE(DF036), r->s->in, r->l, r->col, NULL, "cd in RUN: use WORKDIR");
}

static void
h_set(struct run *r)
{
    const struct cmd *cm = r->cm;

    if (has_word(cm, r->a1, "pipefail") || has_prefix_word(cm, r->a1, "-eo") ||
        has_word(cm, r->a1, "-euo") || has_word(cm, r->a1, "-euxo") || has_word(cm, r->a1, "-exo"))
        r->ly->pipefail = 1;
}

static void
h_chmod(struct run *r)
{
    for (size_t i = r->a1; i < r->cm->n; i++) {
        const char *w = r->cm->w[i].s;
        if (w[0] == '-' && !isdigit((unsigned char)w[1]) && w[1] != 'w' && w[1] != 'r' &&
            w[1] != 'x')
            continue;
        if (mode_text_world_writable(w) && r->ly->nchmods < sizeof(r->ly->chmods) / sizeof(r->ly->chmods[0])) {
            r->ly->chmods[r->ly->nchmods].mode = w;
            r->ly->chmods[r->ly->nchmods].path = i + 1 < r->cm->n ? r->cm->w[i + 1].s : "";
            r->ly->chmods[r->ly->nchmods].l = r->l;
            r->ly->chmods[r->ly->nchmods].col = r->col;
            r->ly->nchmods++;
        }
        break;
    }
}

static void
h_ln(struct run *r)
{
    for (size_t i = r->a1; i < r->cm->n; i++)
        if (strcmp(r->cm->w[i].s, "/bin/sh") == 0 && i + 1 == r->cm->n) {
            df_report(r->c, DF_RULE(DF054), r->s->in, r->l, r->col, NULL,
                      "ln over /bin/sh: use SHELL to change the shell of RUN");
            break;
        }
}

static void
h_useradd(struct run *r)
{
    const struct cmd *cm = r->cm;

    if (has_word(cm, r->a1, "-l") || has_word(cm, r->a1, "--no-log-init") ||
        has_short(cm, r->a1, 'l'))
        return;
    for (size_t i = r->a1; i < cm->n; i++) {
        const char *w = cm->w[i].s, *uid = NULL;
        if ((strcmp(w, "-u") == 0 || strcmp(w, "--uid") == 0) && i + 1 < cm->n)
            uid = cm->w[i + 1].s;
        else if (strncmp(w, "--uid=", 6) == 0)
            uid = w + 6;
        else if (strncmp(w, "-u", 2) == 0 && isdigit((unsigned char)w[2]))
            uid = w + 2;
        if (uid != NULL && strtol(uid, NULL, 10) > 99999) {
            df_report(r->c, DF_RULE(DF055), r->s->in, r->l, r->col, NULL,
                      "useradd -u %s without -l: lastlog/faillog grow to gigabytes", uid);
            break;
        }
    }
}

static void
h_apt(struct run *r)
{
    static const char *const apt_opt_value[] = {"-o", "-t", "-c", NULL};
    static const char *const apt_skip[] = {"-o", "-t", "--target-release", "-c", "--config-file",
                                           "--option", NULL};
    const struct cmd *cm = r->cm;
    struct layer *ly = r->ly;
    size_t a1 = r->a1, si = subcommand(cm, a1, apt_opt_value);
    const char *prog = r->prog, *sub = word_or_empty(cm, si);

    if (strcmp(prog, "apt") == 0 && sub[0])
        df_report(r->c, DF_RULE(DF043), r->s->in, r->l, r->col, NULL,
                  "apt %s: use apt-get in scripts", sub);
    if (has_word(cm, a1, "--allow-unauthenticated") ||
        has_word(cm, a1, "--allow-insecure-repositories") || has_word(cm, a1, "--force-yes") ||
        has_prefix_word(cm, a1, "APT::Get::AllowUnauthenticated=true") ||
        has_prefix_word(cm, a1, "Acquire::AllowInsecureRepositories=true") ||
        has_prefix_word(cm, a1, "Acquire::https::Verify-Peer=false"))
        tls_off(r, "apt-get --allow-unauthenticated/--force-yes");
    if (strcmp(sub, "update") == 0) {
        ly->apt_update = 1;
        ly->apt_upd_l = r->l;
        ly->apt_upd_c = r->col;
    } else if (strcmp(sub, "install") == 0) {
        ly->apt_install = 1;
        if (!apt_assumes_yes(cm, a1))
            df_report_as(r->c, DF_RULE(DF035), "DL3014", r->s->in, r->l, r->col, NULL,
                         "%s install without -y", prog);
        if (!has_word(cm, a1, "--no-install-recommends") &&
            !has_prefix_word(cm, a1, "APT::Install-Recommends=false") &&
            !has_prefix_word(cm, a1, "APT::Install-Recommends=0"))
            df_report(r->c, DF_RULE(DF023), r->s->in, r->l, r->col, NULL,
                      "%s install without --no-install-recommends", prog);
        unpinned(r->c, r->s, cm, si + 1, prog, "DL3008", pin_apt, apt_skip);
    } else if (strcmp(sub, "dist-upgrade") == 0 || strcmp(sub, "full-upgrade") == 0) {
        df_report_as(r->c, DF_RULE(DF045), NULL, r->s->in, r->l, r->col, NULL, "%s %s", prog, sub);
    } else if (strcmp(sub, "upgrade") == 0) {
        ly->apt_install = 1;
    } else if (strcmp(sub, "dist-clean") == 0) {
        ly->apt_clean = 1;
    }
}

/* rm of a package manager's cache counts as cleaning it (after the install, for the rules
 * where hadolint wants the clean to follow). */
static void
h_rm(struct run *r)
{
    struct layer *ly = r->ly;

    for (size_t k = 0; k < ly->nchmods; k++) /* a temporary directory: gone from the layer */
        if (ly->chmods[k].path[0] != '\0' && has_word(r->cm, r->a1, ly->chmods[k].path))
            ly->chmods[k].path = NULL;
    if (has_prefix_word(r->cm, r->a1, "/var/lib/apt/lists"))
        ly->apt_clean = 1;
    if (has_prefix_word(r->cm, r->a1, "/var/cache/apk"))
        ly->apk_nocache_clean = 1;
    if (has_prefix_word(r->cm, r->a1, "/var/cache/yum")) {
        ly->yum_clean = ly->yum_install != 0;
        ly->dnf_clean = ly->dnf_install != 0;
        ly->mdnf_clean = ly->mdnf_install != 0;
    }
    if (has_prefix_word(r->cm, r->a1, "/var/cache/dnf")) {
        ly->dnf_clean = ly->dnf_install != 0;
        ly->mdnf_clean = ly->mdnf_install != 0;
    }
    if (has_prefix_word(r->cm, r->a1, "/var/cache/zypp"))
        ly->zyp_clean = ly->zyp_install != 0;
    if (has_prefix_word(r->cm, r->a1, "/usr/local/share/.cache/yarn"))
        ly->yarn_clean = ly->yarn_install != 0;
}

static void
h_apk(struct run *r)
{
    static const char *const apk_skip[] = {"-t", "--virtual", "--repository", "-X", "--root",
                                           "-p", "--arch", "--keys-dir", "--repositories-file",
                                           "--cache-dir", "--cache-max-age", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = subcommand(cm, a1, apk_skip);
    const char *sub = word_or_empty(cm, si);

    if (has_word(cm, a1, "--allow-untrusted"))
        tls_off(r, "apk --allow-untrusted");
    if (strcmp(sub, "update") == 0) {
        r->ly->apk_update = 1;
        r->ly->apk_upd_l = r->l;
        r->ly->apk_upd_c = r->col;
    } else if (strcmp(sub, "add") == 0) {
        r->ly->apk_add = has_word(cm, a1, "--no-cache") ? 1 : 2;
        unpinned(r->c, r->s, cm, si + 1, "apk add", "DL3018", pin_apk, apk_skip);
    } else if (strcmp(sub, "upgrade") == 0) {
        r->ly->apk_add = has_word(cm, a1, "--no-cache") ? 1 : 2;
    }
}

/* yum, dnf, microdnf, tdnf */
static void
h_yum(struct run *r)
{
    static const char *const yum_skip[] = {"-c", "--config", "--installroot", "--releasever",
                                           "--enablerepo", "--disablerepo", "-x", "--exclude",
                                           "--setopt", "--repo", "--repoid", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = subcommand(cm, a1, yum_skip);
    const char *prog = r->prog, *sub = word_or_empty(cm, si);
    int is_yum = prog[0] == 'y', is_m = prog[0] == 'm';
    int module = strcmp(sub, "module") == 0, group = strcmp(sub, "group") == 0;

    if (has_word(cm, a1, "--nogpgcheck") || has_prefix_word(cm, a1, "--setopt=sslverify=0") ||
        has_prefix_word(cm, a1, "--setopt=sslverify=false") ||
        has_prefix_word(cm, a1, "--setopt=*.sslverify=0") ||
        has_prefix_word(cm, a1, "--setopt=gpgcheck=0") || has_word(cm, a1, "sslverify=false") ||
        has_word(cm, a1, "sslverify=0"))
        tls_off(r, "yum/dnf --nogpgcheck/sslverify=0");
    if (module || group) {
        si = subcommand(cm, si + 1, yum_skip);
        sub = word_or_empty(cm, si);
    }
    int install = strcmp(sub, "install") == 0 || strcmp(sub, "groupinstall") == 0 ||
                  strcmp(sub, "localinstall") == 0 ||
                  (!is_yum && (strcmp(sub, "in") == 0 || strcmp(sub, "reinstall") == 0));
    int upgrade = !is_yum && (strcmp(sub, "upgrade") == 0 || strcmp(sub, "up") == 0);
    if (install) {
        if (is_yum)
            r->ly->yum_install = 1;
        else if (is_m)
            r->ly->mdnf_install = 1;
        else
            r->ly->dnf_install = 1;
        if (!has_word(cm, a1, "-y") && !has_word(cm, a1, "--assumeyes") &&
            !has_short(cm, a1, 'y') && !is_m)
            df_report_as(r->c, DF_RULE(DF035), is_yum ? "DL3030" : "DL3038", r->s->in, r->l,
                         r->col, NULL, "%s install without -y", prog);
    }
    if ((install || upgrade) && !group && strcmp(sub, "groupinstall") != 0)
        unpinned(r->c, r->s, cm, si + 1, prog, is_yum ? "DL3033" : "DL3041",
                 module ? pin_module : is_yum ? pin_yum : pin_dnf, yum_skip);
    if (strcmp(sub, "clean") == 0 && has_word(cm, si + 1, "all")) {
        if (is_yum)
            r->ly->yum_clean = r->ly->yum_install != 0;
        else if (is_m)
            r->ly->mdnf_clean = r->ly->mdnf_install != 0;
        else
            r->ly->dnf_clean = r->ly->dnf_install != 0;
    }
}

static void
h_zypper(struct run *r)
{
    static const char *const zyp_skip[] = {"-r", "--repo", "--from", "-t", "--type", "--root",
                                           "-R", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = subcommand(cm, a1, zyp_skip);
    const char *sub = word_or_empty(cm, si);

    int install = strcmp(sub, "install") == 0 || strcmp(sub, "in") == 0;
    if ((install || strcmp(sub, "remove") == 0 || strcmp(sub, "rm") == 0 ||
         strcmp(sub, "source-install") == 0 || strcmp(sub, "si") == 0 ||
         strcmp(sub, "patch") == 0) &&
        !has_word(cm, a1, "-n") && !has_word(cm, a1, "--non-interactive") &&
        !has_word(cm, a1, "-y") && !has_word(cm, a1, "--no-confirm"))
        df_report_as(r->c, DF_RULE(DF035), "DL3034", r->s->in, r->l, r->col, NULL,
                     "zypper %s without -n/-y", sub);
    if (install) {
        r->ly->zyp_install = 1;
        unpinned(r->c, r->s, cm, si + 1, "zypper", "DL3037", pin_zypper, zyp_skip);
    } else if (strcmp(sub, "clean") == 0 || strcmp(sub, "cc") == 0) {
        r->ly->zyp_clean = r->ly->zyp_install != 0;
    } else if (strcmp(sub, "dist-upgrade") == 0 || strcmp(sub, "dup") == 0) {
        df_report_as(r->c, DF_RULE(DF045), "DL3035", r->s->in, r->l, r->col, NULL, "zypper %s",
                     sub);
    }
    if (has_word(cm, a1, "--no-gpg-checks"))
        tls_off(r, "zypper --no-gpg-checks");
}

static void
h_rpm(struct run *r)
{
    const struct cmd *cm = r->cm;

    if (has_word(cm, r->a1, "--nosignature") || has_word(cm, r->a1, "--nodigest") ||
        has_word(cm, r->a1, "--noverify") || has_word(cm, r->a1, "--nofiledigest"))
        tls_off(r, "rpm --nosignature/--nodigest");
}

/* pip, pip3, pip3.12, python -m pip, pipx */
static void
h_pip(struct run *r)
{
    static const char *const pip_skip[] = {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
        "--extra-index-url", "--trusted-host", "-f", "--find-links", "--target", "-t",
        "--prefix", "--root", "--platform", "--python-version", "--implementation", "--abi",
        "--no-binary", "--only-binary", "--progress-bar", "--proxy", "--src", "--upgrade-strategy",
        "-b", "--build", "--cache-dir", "--log", "--timeout", "--retries", "-C",
        "--config-settings", "--global-option", "--install-option", "--report",
        "--root-user-action", "--python", "--pip-args", "--suffix", NULL};
    const struct cmd *cm = r->cm;
    size_t pi = r->a1;
    int pipx = strcmp(r->prog, "pipx") == 0;

    if (strncmp(r->prog, "python", 6) == 0) {
        if (!has_word(cm, r->a1, "-m") ||
            !(has_word(cm, r->a1, "pip") || has_word(cm, r->a1, "pip3")))
            return;
        for (pi = r->a1; pi < cm->n && strncmp(cm->w[pi].s, "pip", 3) != 0; pi++)
            ;
        pi++;
    }
    if (has_word(cm, pi, "--trusted-host") || has_prefix_word(cm, pi, "--trusted-host=") ||
        has_prefix_word(cm, pi, "global.trusted-host"))
        tls_off(r, "pip --trusted-host");
    size_t si = subcommand(cm, pi, pip_skip);
    if (si >= cm->n || strcmp(cm->w[si].s, "install") != 0)
        return;
    if (!pipx && !has_word(cm, si, "--no-cache-dir") && !r->st->pip_no_cache &&
        !r->ly->pip_no_cache && !(r->ly->mounts & MNT_PIP))
        df_report_as(r->c, DF_RULE(DF021), "DL3042", r->s->in, r->l, r->col, NULL,
                     "pip install without --no-cache-dir keeps the wheel cache in the layer");
    /* Requirements, constraints or the local project pin what is installed. */
    if (has_word(cm, pi, "-r") || has_word(cm, pi, "--requirement") ||
        has_prefix_word(cm, pi, "--requirement=") || has_prefix_word(cm, pi, "-r") ||
        has_word(cm, pi, "-c") || has_word(cm, pi, "--constraint") ||
        has_prefix_word(cm, pi, "--constraint=") || has_word(cm, si + 1, "."))
        return;
    unpinned(r->c, r->s, cm, si + 1, pipx ? "pipx" : "pip", "DL3013", pin_pip, pip_skip);
}

/* npm, yarn, pnpm */
static void
h_node(struct run *r)
{
    static const char *const npm_skip[] = {"--registry", "--prefix", "--cache", "--tag",
                                           "--loglevel", "-w", "--workspace", "--omit",
                                           "--include", "--userconfig", "-C", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = subcommand(cm, a1, npm_skip);
    const char *prog = r->prog, *sub = word_or_empty(cm, si);

    if ((has_word(cm, a1, "strict-ssl") && has_word(cm, a1, "false")) ||
        has_prefix_word(cm, a1, "--strict-ssl=false") ||
        has_prefix_word(cm, a1, "strict-ssl=false") ||
        (has_word(cm, a1, "strictSSL") && has_word(cm, a1, "false")))
        tls_off(r, "npm/yarn strict-ssl false");
    if (strcmp(prog, "npm") == 0 &&
        (strcmp(sub, "install") == 0 ||
         ((strcmp(sub, "i") == 0 || strcmp(sub, "add") == 0) &&
          (has_word(cm, si + 1, "-g") || has_word(cm, si + 1, "--global")))))
        unpinned(r->c, r->s, cm, si + 1, "npm", "DL3016", pin_npm, npm_skip);
    if (strcmp(prog, "yarn") == 0 && (strcmp(sub, "install") == 0 || cm->n == r->p + 1))
        r->ly->yarn_install = 1;
    if (strcmp(prog, "yarn") == 0 && strcmp(sub, "cache") == 0 && has_word(cm, a1, "clean"))
        r->ly->yarn_clean = r->ly->yarn_install != 0;
}

static void
h_gem(struct run *r)
{
    static const char *const gem_skip[] = {"-s", "--source", "-i", "--install-dir", "-n",
                                           "--bindir", "--platform", "-P", "--trust-policy",
                                           "-g", "--file", "--build-root", NULL};
    const struct cmd *cm = r->cm;
    size_t si = subcommand(cm, r->a1, gem_skip);
    const char *sub = word_or_empty(cm, si);

    if ((strcmp(sub, "install") == 0 || strcmp(sub, "i") == 0) && !has_word(cm, si, "-v") &&
        !has_word(cm, si, "--version") && !has_prefix_word(cm, si, "--version="))
        unpinned(r->c, r->s, cm, si + 1, "gem", "DL3028", pin_gem, gem_skip);
}

/* go install / go get of a module without @version (or with @latest) */
static void
h_go(struct run *r)
{
    static const char *const go_skip[] = {"-o", "-tags", "-ldflags", "-gcflags", "-mod",
                                          "-modfile", "-p", "-pkgdir", NULL};
    const char *sub = word_or_empty(r->cm, r->a1);

    if (strcmp(sub, "install") == 0 || strcmp(sub, "get") == 0)
        unpinned(r->c, r->s, r->cm, r->a1 + 1, strcmp(sub, "get") == 0 ? "go get" : "go install",
                 "DL3062", pin_go, go_skip);
}

/* Commands that make no sense in a build (hadolint's list). */
static void
h_nonsense(struct run *r)
{
    df_report(r->c, DF_RULE(DF056), r->s->in, r->l, r->col, NULL,
              "%s in RUN: the build has no terminal, init or running services", r->prog);
}

/* tar -x / unzip of an archive that a COPY of this stage brought in. */
static void
h_extract(struct run *r)
{
    const struct cmd *cm = r->cm;
    int tar = strcmp(r->prog, "tar") == 0, extract = !tar;

    for (size_t i = r->a1; tar && i < cm->n; i++) {
        const char *w = cm->w[i].s;
        if (strcmp(w, "--extract") == 0 || strcmp(w, "--get") == 0 ||
            (w[0] == '-' && w[1] != '-' && strchr(w, 'x') != NULL) ||
            (i == r->a1 && w[0] != '-' && strchr(w, 'x') != NULL && strlen(w) < 8))
            extract = 1;
    }
    if (!extract)
        return;
    for (size_t i = r->a1; i < cm->n; i++) {
        const char *w = cm->w[i].s, *b = strrchr(w, '/');
        b = b ? b + 1 : w;
        for (size_t k = 0; k < r->st->narchives; k++)
            if (r->st->archives[k].in != NULL && strcmp(r->st->archives[k].name, b) == 0) {
                df_report(r->c, DF_RULE(DF057), r->st->archives[k].in, 0, 0, NULL,
                          "%s is copied, then extracted by RUN at line %d: ADD extracts it in "
                          "one step", b, r->s->in->line);
                r->st->archives[k].in = NULL; /* once */
            }
    }
}

static void
h_git(struct run *r)
{
    const struct cmd *cm = r->cm;

    for (size_t i = r->a1; i < cm->n; i++) {
        const char *w = cm->w[i].s;
        if ((contains_ci(w, "http.sslverify=false") || contains_ci(w, "http.sslverify=0")) ||
            (contains_ci(w, "sslverify") && i + 1 < cm->n &&
             (strcasecmp(cm->w[i + 1].s, "false") == 0 || strcmp(cm->w[i + 1].s, "0") == 0))) {
            tls_off(r, "git http.sslVerify false");
            break;
        }
    }
}

/* echo/printf writing a package manager's setting that turns verification off. */
static void
h_echo(struct run *r)
{
    for (size_t i = r->a1; i < r->cm->n; i++) {
        const char *w = r->cm->w[i].s;
        if (strstr(w, "[trusted=yes]") || contains_ci(w, "AllowUnauthenticated \"true\"") ||
            contains_ci(w, "AllowUnauthenticated true") || contains_ci(w, "gpgcheck=0") ||
            contains_ci(w, "sslverify=0") || contains_ci(w, "sslverify=false") ||
            contains_ci(w, "strict-ssl=false") || contains_ci(w, "Verify-Peer \"false\"")) {
            tls_off(r, "a package-manager setting written by echo");
            break;
        }
    }
}

/* Program names, space-separated; "pip#" also matches pip3 and pip3.12 (a version suffix). */
static const struct handler {
    const char *names;
    void (*fn)(struct run *r);
} handlers[] = {
    {"curl wget", h_download},
    {"sh bash zsh dash ash ksh fish python python2 python3 perl ruby node php pwsh", h_shell},
    {"cd", h_cd},
    {"set", h_set},
    {"chmod", h_chmod},
    {"ln", h_ln},
    {"useradd", h_useradd},
    {"apt-get apt aptitude", h_apt},
    {"rm", h_rm},
    {"apk", h_apk},
    {"yum dnf microdnf tdnf", h_yum},
    {"zypper", h_zypper},
    {"rpm", h_rpm},
    {"pip# python# pipx", h_pip},
    {"free kill mount ps service shutdown ssh top vim", h_nonsense},
    {"tar unzip gunzip bunzip2 unlzma unxz zgz uncompress zcat gzcat", h_extract},
    {"npm yarn pnpm", h_node},
    {"gem", h_gem},
    {"go", h_go},
    {"git", h_git},
    {"echo printf", h_echo},
};

static int
handler_matches(const char *names, const char *prog)
{
    size_t pl = strlen(prog);

    for (const char *p = names; *p;) {
        size_t n = strcspn(p, " ");
        int suffix = n > 0 && p[n - 1] == '#';
        size_t k = suffix ? n - 1 : n;
        if (pl >= k && strncmp(p, prog, k) == 0 &&
            (pl == k || (suffix && isdigit((unsigned char)prog[k]))))
            return 1;
        p += n;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* Checks that look at any command: secret assignments and options, generic TLS switches. */
static void
any_command(struct run *r)
{
    const struct cmd *cm = r->cm;
    size_t p = r->p;

    /* Secret-like assignments before the program, and exported ones. */
    for (size_t i = 0; i < cm->n; i++) {
        const char *w = cm->w[i].s, *eq = strchr(w, '=');
        if (eq == NULL || eq == w || w[0] == '-' || (i >= p && !(p < cm->n &&
            (strcmp(cm->w[p].s, "export") == 0 || strcmp(cm->w[p].s, "declare") == 0))))
            continue;
        char name[128];
        size_t nl = (size_t)(eq - w);
        if (nl >= sizeof(name))
            continue;
        memcpy(name, w, nl);
        name[nl] = '\0';
        if (strcmp(name, "PIP_NO_CACHE_DIR") == 0 && truthy_value(eq + 1))
            r->ly->pip_no_cache = 1;
        if (strchr(eq + 1, '$') == NULL && strchr(eq + 1, '`') == NULL) {
            int wl, wc;
            src_pos(r->c, r->s, cm->w[i].off, &wl, &wc);
            df_secret_literal(r->c, r->s->in, name, eq + 1, wl, wc, "RUN variable");
        }
        if ((strcmp(name, "NODE_TLS_REJECT_UNAUTHORIZED") == 0 && strcmp(eq + 1, "0") == 0) ||
            (strcmp(name, "PYTHONHTTPSVERIFY") == 0 && strcmp(eq + 1, "0") == 0) ||
            strcmp(name, "GIT_SSL_NO_VERIFY") == 0) {
            size_t keep = r->p;
            r->p = i;
            tls_off(r, name);
            r->p = keep;
        }
    }
    if (p >= cm->n)
        return;
    /* --password X, --token=X, `aws configure set aws_secret_access_key X`, curl -u u:p */
    for (size_t i = r->a1; i < cm->n; i++) {
        const char *w = cm->w[i].s, *val = NULL;
        char name[64];
        if (strncmp(w, "--", 2) == 0 && strlen(w) < sizeof(name)) {
            const char *eq = strchr(w, '=');
            size_t nl = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
            memcpy(name, w + 2, nl);
            name[nl] = '\0';
            for (char *q = name; *q; q++)
                if (*q == '-')
                    *q = '_';
            if (!detect_name_is_secret(name, nl))
                continue;
            val = eq ? eq + 1 : (i + 1 < cm->n ? cm->w[i + 1].s : NULL);
        } else if (strcmp(r->prog, "aws") == 0 && i >= r->a1 + 2 &&
                   strcmp(cm->w[i - 1].s, "set") == 0 && strcmp(cm->w[i - 2].s, "configure") == 0 &&
                   i + 1 < cm->n && strlen(w) < sizeof(name)) {
            snprintf(name, sizeof(name), "%s", w);
            val = cm->w[i + 1].s;
        } else if (strcmp(r->prog, "curl") == 0 &&
                   (strcmp(w, "-u") == 0 || strcmp(w, "--user") == 0) && i + 1 < cm->n &&
                   strchr(cm->w[i + 1].s, ':') != NULL) {
            snprintf(name, sizeof(name), "password");
            val = strchr(cm->w[i + 1].s, ':') + 1;
        }
        if (val == NULL || val[0] == '-' || strchr(val, '$') != NULL || strchr(val, '`') != NULL ||
            strncmp(val, "/run/secrets", 12) == 0)
            continue;
        int wl, wc;
        src_pos(r->c, r->s, cm->w[i].off, &wl, &wc);
        df_secret_literal(r->c, r->s->in, name, val, wl, wc, "RUN option");
    }
    if (cm->pipe_out)
        r->ly->has_pipe = 1;
    if (has_word(cm, r->a1, "--insecure-skip-tls-verify") || has_word(cm, r->a1, "--no-verify-ssl") ||
        has_word(cm, r->a1, "--tls-verify=false") ||
        has_word(cm, r->a1, "--insecure-skip-tls-verify=true"))
        tls_off(r, r->prog);
}

static void
analyse_cmd(struct df_ctx *c, const struct src *s, const struct cmd *cm, const struct cmd *next,
            struct layer *ly, struct stage_state *st)
{
    int sudo;
    struct run r = {c, s, cm, next, ly, st, 0, 0, "", 0, 0};

    r.p = program(c, s, cm, &sudo);
    r.a1 = r.p + 1;
    if (r.p < cm->n) {
        r.prog = base(cm->w[r.p].s);
        src_pos(c, s, cm->w[r.p].off, &r.l, &r.col);
    }
    any_command(&r);
    if (r.p >= cm->n)
        return;
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (handler_matches(handlers[i].names, r.prog))
            handlers[i].fn(&r);
}

static void
analyse_layer_end(struct df_ctx *c, const struct df_instr *in, const struct layer *ly,
                  const struct stage_state *st)
{
    if (ly->apt_update && !ly->apt_install)
        df_report(c, DF_RULE(DF022), in, ly->apt_upd_l, ly->apt_upd_c, NULL,
                  "apt-get update without an install in the same RUN: the cached index goes "
                  "stale");
    if (ly->apk_update && !ly->apk_add)
        df_report(c, DF_RULE(DF022), in, ly->apk_upd_l, ly->apk_upd_c, NULL,
                  "apk update without an add in the same RUN");
    for (size_t k = 0; k < ly->nchmods; k++)
        if (ly->chmods[k].path != NULL)
            df_report(c, DF_RULE(DF012), in, ly->chmods[k].l, ly->chmods[k].col, NULL,
                      "chmod %s makes files world-writable", ly->chmods[k].mode);
    /* hadolint's DL3009 counts only stages that end up in the image */
    int shipped = in->stage < 0 || (size_t)in->stage >= c->df->nstages ||
                  c->df->stages[in->stage].in_final;
    if (ly->apt_update && !ly->apt_clean && !(ly->mounts & MNT_APT))
        df_report_as(c, DF_RULE(DF021), shipped ? "DL3009" : NULL, in, 0, 0, NULL,
                     "apt-get lists are not removed in the same RUN (rm -rf /var/lib/apt/lists/*)");
    if (ly->apk_add == 2 && !ly->apk_nocache_clean && !(ly->mounts & MNT_APK))
        df_report_as(c, DF_RULE(DF021), "DL3019", in, 0, 0, NULL,
                     "apk add without --no-cache keeps the index");
    if (ly->yum_install && !ly->yum_clean && !(ly->mounts & MNT_YUM))
        df_report_as(c, DF_RULE(DF021), "DL3032", in, 0, 0, NULL,
                     "yum install without yum clean all after it");
    if (ly->dnf_install && !ly->dnf_clean && !(ly->mounts & MNT_DNF))
        df_report_as(c, DF_RULE(DF021), "DL3040", in, 0, 0, NULL,
                     "dnf install without dnf clean all after it");
    if (ly->mdnf_install && !ly->mdnf_clean && !(ly->mounts & MNT_DNF))
        df_report_as(c, DF_RULE(DF021), "DL3040", in, 0, 0, NULL,
                     "microdnf install without microdnf clean all after it");
    if (ly->zyp_install && !ly->zyp_clean && !(ly->mounts & MNT_ZYPP))
        df_report_as(c, DF_RULE(DF021), "DL3036", in, 0, 0, NULL,
                     "zypper install without zypper clean after it");
    if (ly->yarn_install && !ly->yarn_clean && !(ly->mounts & MNT_YARN))
        df_report_as(c, DF_RULE(DF021), "DL3060", in, 0, 0, NULL,
                     "yarn install without yarn cache clean after it");
    if (ly->has_pipe && !ly->pipefail && !st->pipefail_shell && !st->nonposix_shell && !in->json)
        df_report(c, DF_RULE(DF046), in, 0, 0, NULL,
                  "a pipe in RUN fails only if its last command fails: set -o pipefail");
}

static void
analyse_text(struct df_ctx *c, const struct src *s, struct layer *ly, struct stage_state *st)
{
    size_t n;
    struct cmd *cmds = shell_split(&c->df->arena, s->text, s->len, &n);

    for (size_t i = 0; cmds != NULL && i < n; i++)
        analyse_cmd(c, s, &cmds[i], i + 1 < n ? &cmds[i + 1] : NULL, ly, st);
}

/* Is a heredoc body a shell script for this RUN? */
static int
heredoc_is_shell(const struct df_instr *in, size_t k)
{
    const struct df_heredoc *h = &in->heredocs[k];

    if (strncmp(h->body, "#!", 2) == 0) {
        size_t e = strcspn(h->body, "\n");
        char sb[128];
        snprintf(sb, sizeof(sb), "%.*s", (int)(e < 127 ? e : 127), h->body);
        return strstr(sb, "sh") != NULL && strstr(sb, "python") == NULL;
    }
    /* `RUN <<EOF` alone, or `RUN bash <<EOF` */
    for (size_t i = in->first_arg; i < in->nwords; i++) {
        const char *w = in->words[i].raw;
        if (strstr(w, "<<") != NULL)
            return i == in->first_arg ||
                   (i > in->first_arg &&
                    (strcmp(base(in->words[i - 1].text), "sh") == 0 ||
                     strcmp(base(in->words[i - 1].text), "bash") == 0 ||
                     strcmp(base(in->words[i - 1].text), "ash") == 0));
    }
    return 0;
}

/* At the end of a stage: rules over the whole stage. */
static void
stage_end(struct df_ctx *c, const struct stage_state *st, int stage)
{
    if (st->curl && st->wget && stage >= 0)
        df_report(c, DF_RULE(DF044), &c->df->instrs[c->df->stages[stage].from], 0, 0, NULL,
                  "this stage uses both curl (line %d) and wget (line %d)", st->curl, st->wget);
}

/* ENV PIP_NO_CACHE_DIR=<true> turns pip's cache off for the rest of the stage; a false value
 * (0, off) turns it back on. */
static int
env_pip_no_cache(const struct df_instr *in, int cur)
{
    for (size_t k = 0; k < in->nkvs; k++)
        if (in->kvs[k].key != NULL && strcmp(in->kvs[k].key, "PIP_NO_CACHE_DIR") == 0)
            cur = truthy_value(in->kvs[k].xvalue ? in->kvs[k].xvalue
                                                 : in->kvs[k].value ? in->kvs[k].value : "");
    return cur;
}

/* The value at the end of stage `s`, through the stages it is built on. */
static int
stage_pip_no_cache(const struct dockerfile *df, int s)
{
    int chain[64], n = 0, v = 0;

    for (; s >= 0 && n < 64; s = df->stages[s].base_stage)
        chain[n++] = s;
    while (n-- > 0)
        for (size_t k = df->stages[chain[n]].from; k < df->stages[chain[n]].end; k++)
            if (df->instrs[k].kind == DF_ENV)
                v = env_pip_no_cache(&df->instrs[k], v);
    return v;
}

/* Archive names (base names) a COPY brings in: its sources, or its destination's file name. */
static void
remember_archives(struct stage_state *st, const struct df_instr *in)
{
    static const char *const ext[] = {".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2",
                                      ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz",
                                      ".zip", NULL};
    size_t n = in->json ? in->njargs : in->nwords - in->first_arg;

    for (size_t i = 0; i < n && st->narchives < sizeof(st->archives) / sizeof(st->archives[0]);
         i++) {
        const char *a = in->json ? in->jargs[i] : in->words[in->first_arg + i].x;
        const char *b = strrchr(a, '/');
        int is = 0;
        b = b ? b + 1 : a;
        for (size_t k = 0; ext[k] != NULL; k++)
            is |= strlen(b) > strlen(ext[k]) && strcmp(b + strlen(b) - strlen(ext[k]), ext[k]) == 0;
        if (!is)
            continue;
        st->archives[st->narchives].in = in;
        snprintf(st->archives[st->narchives].name, sizeof(st->archives[0].name), "%s", b);
        st->narchives++;
    }
}

void
df_rules_run(struct df_ctx *c)
{
    struct dockerfile *df = c->df;
    struct stage_state st;
    int stage = -2;

    memset(&st, 0, sizeof(st));
    for (size_t i = 0; i < df->n; i++) {
        const struct df_instr *in = &df->instrs[i];
        if (in->stage != stage) {
            stage_end(c, &st, stage);
            stage = in->stage;
            memset(&st, 0, sizeof(st));
            /* A stage built FROM another inherits its SHELL and ENV. */
            if (stage >= 0 && df->stages[stage].base_stage >= 0) {
                const struct df_stage *b = &df->stages[df->stages[stage].base_stage];
                for (size_t k = b->from; k < b->end; k++) {
                    const struct df_instr *x = &df->instrs[k];
                    if (x->kind == DF_SHELL && x->json && x->njargs > 0) {
                        st.pipefail_shell = 0;
                        for (size_t a = 0; a < x->njargs; a++)
                            if (strcmp(x->jargs[a], "pipefail") == 0)
                                st.pipefail_shell = 1;
                    }
                }
                st.pip_no_cache = stage_pip_no_cache(df, df->stages[stage].base_stage);
            }
        }
        if (in->kind == DF_SHELL) {
            st.pipefail_shell = 0;
            st.nonposix_shell = 0;
            for (size_t a = 0; in->json && a < in->njargs; a++) {
                if (strcmp(in->jargs[a], "pipefail") == 0)
                    st.pipefail_shell = 1;
                if (a == 0 && (contains_ci(in->jargs[a], "pwsh") ||
                               contains_ci(in->jargs[a], "powershell") ||
                               contains_ci(in->jargs[a], "cmd")))
                    st.nonposix_shell = 1;
            }
            continue;
        }
        if (in->kind == DF_ENV)
            st.pip_no_cache = env_pip_no_cache(in, st.pip_no_cache);
        if (in->kind == DF_COPY && df_flag_get(in, "from") == NULL)
            remember_archives(&st, in);
        const struct df_instr *run = in->kind == DF_RUN ? in
                                     : (in->sub && in->sub->kind == DF_RUN) ? in->sub : NULL;
        if (run == NULL)
            continue;
        struct layer ly;
        struct src s;
        memset(&ly, 0, sizeof(ly));
        memset(&s, 0, sizeof(s));
        ly.mounts = cache_mounts(run);
        s.in = run;
        if (run->json) {
            s.json = 1;
            if (run->njargs >= 3 && is_shell(run->jargs[0]) && strcmp(run->jargs[1], "-c") == 0) {
                s.text = run->jargs[2];
                s.len = strlen(run->jargs[2]);
                analyse_text(c, &s, &ly, &st);
            } else if (run->njargs > 0) {
                struct buf b = {0};
                for (size_t a = 0; a < run->njargs; a++)
                    buf_printf(&b, "%s'%s'", a ? " " : "", run->jargs[a]);
                s.text = b.data ? b.data : "";
                s.len = b.len;
                analyse_text(c, &s, &ly, &st);
                buf_free(&b);
            }
        } else {
            s.text = run->text + run->args_off;
            s.len = run->text_len - run->args_off;
            /* Offsets of the shell text are relative to args_off. */
            struct df_instr shifted = *run;
            shifted.text_base = run->text_base + run->args_off;
            s.in = &shifted;
            analyse_text(c, &s, &ly, &st);
            s.in = run;
            for (size_t k = 0; k < run->nheredocs; k++) {
                if (!heredoc_is_shell(run, k))
                    continue;
                s.h = &run->heredocs[k];
                s.text = s.h->body;
                s.len = s.h->body_len;
                analyse_text(c, &s, &ly, &st);
            }
        }
        analyse_layer_end(c, run, &ly, &st);
    }
    stage_end(c, &st, stage);
}
