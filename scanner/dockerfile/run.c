/* run: rules on RUN commands (shell form, exec form with sh -c, and shell heredocs): each simple
 * command goes to the handlers of its program (handlers[], one function per program family):
 * sudo, permissions, TLS/signature switches, pipe-to-shell, package managers, pinning. */
#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "dockerfile.h"
#include "run_internal.h"

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

/* The newline index of a heredoc body: positions cost a binary search, not a walk from the
 * start (which made an unclosed heredoc over the rest of a big file quadratic). */
static void
src_index_lines(struct df_arena *a, struct src *s)
{
    size_t n = 0, k = 0;
    size_t *nl;

    for (size_t i = 0; i < s->len; i++)
        n += s->text[i] == '\n';
    s->nl = NULL;
    s->nnl = 0;
    if (n == 0 || (nl = df_alloc(a, n * sizeof(*nl))) == NULL)
        return;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            nl[k++] = i;
    s->nl = nl;
    s->nnl = n;
}

void
run_src_pos(struct df_ctx *c, const struct src *s, size_t off, int *l, int *col)
{
    if (s->h != NULL) {
        size_t lo = 0, hi = s->nnl; /* newlines before off: nl[0..lo) */
        if (off > s->len)
            off = s->len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->nl[mid] < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        *l = s->h->line + (int)lo;
        *col = lo == 0 ? (int)off + 1 : (int)(off - s->nl[lo - 1]);
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
int
run_has_word(const struct cmd *cm, size_t from, const char *w)
{
    for (size_t i = from; i < cm->n; i++)
        if (strcmp(cm->w[i].s, w) == 0)
            return 1;
    return 0;
}

int
run_has_prefix(const struct cmd *cm, size_t from, const char *p)
{
    for (size_t i = from; i < cm->n; i++)
        if (strncmp(cm->w[i].s, p, strlen(p)) == 0)
            return 1;
    return 0;
}

/* A short-option cluster (-sSLk) containing letter c. */
int
run_has_short(const struct cmd *cm, size_t from, char c)
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
    int c0 = tolower((unsigned char)n[0]);

    for (; *h; h++)
        if (tolower((unsigned char)*h) == c0 && strncasecmp(h, n, nl) == 0)
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
                run_src_pos(c, s, cm->w[i].off, &l, &col);
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

/* ---- one simple command, and the handlers of the programs it may run ---------------------------- */

void
run_tls_off(struct run *r, const char *what)
{
    int l, col;
    run_src_pos(r->c, r->s, r->cm->w[r->p < r->cm->n ? r->p : 0].off, &l, &col);
    df_report(r->c, DF_RULE(DF013), r->s->in, l, col, NULL,
              "%s turns off TLS/signature verification", what);
}

/* Index of the run_subcommand: the first word from `from` that is not an option; an option listed
 * in `with_value` takes the next word as its value. */
size_t
run_subcommand(const struct cmd *cm, size_t from, const char *const *with_value)
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

const char *
run_word(const struct cmd *cm, size_t i)
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
    if (curl && (run_has_word(cm, r->a1, "--insecure") || run_has_short(cm, r->a1, 'k')))
        run_tls_off(r, "curl -k/--insecure");
    if (!curl && run_has_word(cm, r->a1, "--no-check-certificate"))
        run_tls_off(r, "wget --no-check-certificate");
    if (!curl && !run_has_prefix(cm, r->a1, "--progress") && !run_has_short(cm, r->a1, 'q') &&
        !run_has_word(cm, r->a1, "--quiet") && !run_has_short(cm, r->a1, 'o') &&
        !run_has_prefix(cm, r->a1, "--output-file") && !run_has_short(cm, r->a1, 'a') &&
        !run_has_prefix(cm, r->a1, "--append-output") && !run_has_word(cm, r->a1, "-nv") &&
        !run_has_word(cm, r->a1, "--no-verbose"))
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

    if (run_has_word(cm, r->a1, "pipefail") || run_has_prefix(cm, r->a1, "-eo") ||
        run_has_word(cm, r->a1, "-euo") || run_has_word(cm, r->a1, "-euxo") || run_has_word(cm, r->a1, "-exo"))
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

    if (run_has_word(cm, r->a1, "-l") || run_has_word(cm, r->a1, "--no-log-init") ||
        run_has_short(cm, r->a1, 'l'))
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
            run_tls_off(r, "git http.sslVerify false");
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
            run_tls_off(r, "a package-manager setting written by echo");
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

/* The handlers of a program, once per command, as a bit set in table order (a name "pip#" also
 * matches pip3 and pip3.12): the table's names are read once into entries bucketed by first
 * letter, so a program is compared with the few names that start like it. Every command of
 * every RUN asks this; walking all the names was 13% of a scan. */
#define NHANDLERS (sizeof(handlers) / sizeof(handlers[0]))
_Static_assert(NHANDLERS <= 32, "the handler sets are 32-bit");
#define HNAMES_MAX 128
static struct hname {
    const char *name; /* into handlers[].names, `len` bytes, '#' excluded */
    unsigned char len, suffix, handler;
} hnames[HNAMES_MAX];
static unsigned char hbucket[257]; /* hnames[hbucket[c]..hbucket[c + 1]): names starting with c */
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void
handlers_index(void)
{
    size_t n = 0;

    for (unsigned c = 0; c < 256; c++) {
        hbucket[c] = (unsigned char)n;
        for (size_t i = 0; i < NHANDLERS; i++)
            for (const char *p = handlers[i].names; *p;) {
                size_t k = strcspn(p, " ");
                if ((unsigned char)p[0] == c && n < HNAMES_MAX && k < 32) {
                    int suffix = p[k - 1] == '#';
                    hnames[n++] = (struct hname){p, (unsigned char)(k - (size_t)suffix),
                                                 (unsigned char)suffix, (unsigned char)i};
                }
                p += k;
                while (*p == ' ')
                    p++;
            }
    }
    hbucket[256] = (unsigned char)n;
}

static uint32_t
handlers_for(const char *prog)
{
    unsigned char c = (unsigned char)prog[0];
    size_t pl = strlen(prog);
    uint32_t out = 0;

    pthread_once(&handlers_once, handlers_index);
    for (size_t e = hbucket[c]; e < hbucket[c + 1]; e++) {
        const struct hname *h = &hnames[e];
        if (pl >= h->len && memcmp(h->name, prog, h->len) == 0 &&
            (pl == h->len || (h->suffix && isdigit((unsigned char)prog[h->len]))))
            out |= 1u << h->handler;
    }
    return out;
}

/* Checks that look at any command: secret assignments and options, generic TLS switches. */
static void
any_command(struct run *r)
{
    const struct cmd *cm = r->cm;
    size_t p = r->p;
    /* Asked once per command, not once per word (this runs for every command of every RUN). */
    int exported = p < cm->n && (strcmp(cm->w[p].s, "export") == 0 ||
                                 strcmp(cm->w[p].s, "declare") == 0);
    int is_aws = p < cm->n && strcmp(r->prog, "aws") == 0;
    int is_curl = p < cm->n && strcmp(r->prog, "curl") == 0;

    /* Secret-like assignments before the program, and exported ones. */
    for (size_t i = 0; i < cm->n; i++) {
        const char *w = cm->w[i].s, *eq;
        if ((i >= p && !exported) || w[0] == '-' || (eq = strchr(w, '=')) == NULL || eq == w)
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
            run_src_pos(r->c, r->s, cm->w[i].off, &wl, &wc);
            df_secret_literal(r->c, r->s->in, name, eq + 1, wl, wc, "RUN variable");
        }
        if ((strcmp(name, "NODE_TLS_REJECT_UNAUTHORIZED") == 0 && strcmp(eq + 1, "0") == 0) ||
            (strcmp(name, "PYTHONHTTPSVERIFY") == 0 && strcmp(eq + 1, "0") == 0) ||
            strcmp(name, "GIT_SSL_NO_VERIFY") == 0) {
            size_t keep = r->p;
            r->p = i;
            run_tls_off(r, name);
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
        } else if (is_aws && i >= r->a1 + 2 &&
                   strcmp(cm->w[i - 1].s, "set") == 0 && strcmp(cm->w[i - 2].s, "configure") == 0 &&
                   i + 1 < cm->n && strlen(w) < sizeof(name)) {
            snprintf(name, sizeof(name), "%s", w);
            val = cm->w[i + 1].s;
        } else if (is_curl &&
                   (strcmp(w, "-u") == 0 || strcmp(w, "--user") == 0) && i + 1 < cm->n &&
                   strchr(cm->w[i + 1].s, ':') != NULL) {
            snprintf(name, sizeof(name), "password");
            val = strchr(cm->w[i + 1].s, ':') + 1;
        }
        if (val == NULL || val[0] == '-' || strchr(val, '$') != NULL || strchr(val, '`') != NULL ||
            strncmp(val, "/run/secrets", 12) == 0)
            continue;
        int wl, wc;
        run_src_pos(r->c, r->s, cm->w[i].off, &wl, &wc);
        df_secret_literal(r->c, r->s->in, name, val, wl, wc, "RUN option");
    }
    if (cm->pipe_out)
        r->ly->has_pipe = 1;
    for (size_t i = r->a1; i < cm->n; i++) {
        const char *w = cm->w[i].s;
        if (w[0] == '-' && w[1] == '-' &&
            (strcmp(w, "--insecure-skip-tls-verify") == 0 || strcmp(w, "--no-verify-ssl") == 0 ||
             strcmp(w, "--tls-verify=false") == 0 ||
             strcmp(w, "--insecure-skip-tls-verify=true") == 0)) {
            run_tls_off(r, r->prog);
            break;
        }
    }
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
        run_src_pos(c, s, cm->w[r.p].off, &r.l, &r.col);
    }
    any_command(&r);
    if (r.p >= cm->n)
        return;
    uint32_t set = handlers_for(r.prog);
    for (size_t i = 0; set != 0 && i < NHANDLERS; i++)
        if (set >> i & 1u)
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
                src_index_lines(&c->df->arena, &s);
                analyse_text(c, &s, &ly, &st);
            }
        }
        analyse_layer_end(c, run, &ly, &st);
    }
    stage_end(c, &st, stage);
}
