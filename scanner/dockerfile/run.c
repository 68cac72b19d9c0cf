/* dockerfile_run: rules on RUN commands (shell form, exec form with sh -c, and shell heredocs):
 * sudo, permissions, TLS/signature switches, pipe-to-shell, package managers, pinning. */
#include <ctype.h>
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
    const struct cmd *apt_update_cmd, *apk_update_cmd;
    int apt_upd_l, apt_upd_c, apk_upd_l, apk_upd_c;
};

struct stage_state {
    int curl, wget;
    int pipefail_shell, nonposix_shell;
    int pip_no_cache;
};

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
            size_t start = i, tl = 0;
            char q = 0;
            int depth = 0;
            while (i < n) {
                ch = t[i];
                if (q == 0 && depth == 0 &&
                    (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ';' ||
                     ch == '&' || ch == '|'))
                    break;
                if (q != '\'' && ch == '\\' && i + 1 < n) {
                    if (t[i + 1] != '\n')
                        tmp[tl++] = t[i + 1];
                    i += 2;
                    continue;
                }
                if (q == 0 && (ch == '\'' || ch == '"')) {
                    q = ch;
                    i++;
                    continue;
                }
                if (q != 0 && ch == q) {
                    q = 0;
                    i++;
                    continue;
                }
                if (q != '\'' && ch == '$' && i + 1 < n && t[i + 1] == '(')
                    depth++;
                else if (q == 0 && ch == ')' && depth > 0)
                    depth--;
                tmp[tl++] = ch;
                i++;
            }
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
        if (s[0] == '-' && s[1] != '-' && s[1] != '\0' && strchr(s + 1, c) != NULL) {
            int letters = 1;
            for (const char *p = s + 1; *p; p++)
                if (!isalpha((unsigned char)*p))
                    letters = 0;
            if (letters)
                return 1;
        }
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
                df_report(c, "DF011", s->in, l, col, NULL,
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
/* Reports unpinned packages of one install command (first few names). */
static void
unpinned(struct df_ctx *c, const struct src *s, const struct cmd *cm, size_t from,
         const char *mgr, int (*pinned)(const char *), const char *const *skip_next)
{
    char names[200] = "";
    size_t nn = 0, cnt = 0;
    int l = 0, col = 0;

    for (size_t i = from; i < cm->n; i++) {
        const char *w = cm->w[i].s;
        if (w[0] == '-') {
            for (size_t k = 0; skip_next && skip_next[k]; k++)
                if (strcmp(w, skip_next[k]) == 0)
                    i++;
            continue;
        }
        if (w[0] == '$' || w[0] == '/' || w[0] == '.' || w[0] == '<' || w[0] == '>' ||
            strchr(w, '$') != NULL || strchr(w, '*') != NULL || w[0] == '`' || pinned(w))
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
        df_report(c, "DF032", s->in, l, col, NULL, "%s installs %s%s without a pinned version",
                  mgr, names, cnt > 4 ? ", ..." : "");
}

static int
pin_eq(const char *w)
{
    return strchr(w, '=') != NULL || strstr(w, ".deb") != NULL;
}

static int
pin_pip(const char *w)
{
    return strstr(w, "==") || strstr(w, ">=") || strstr(w, "<=") || strstr(w, "~=") ||
           strchr(w, '@') || strstr(w, "://") || strstr(w, ".whl") || strstr(w, ".tar.gz") ||
           strchr(w, '<') || strchr(w, '>');
}

static int
pin_npm(const char *w)
{
    const char *at = strchr(w[0] == '@' ? w + 1 : w, '@');
    return (at != NULL && strcmp(at, "@latest") != 0) || strstr(w, "://") || strchr(w, '/') ||
           strstr(w, ".tgz");
}

static int
pin_rpm(const char *w)
{
    for (const char *p = w; *p; p++)
        if (*p == '-' && isdigit((unsigned char)p[1]))
            return 1;
    return strstr(w, ".rpm") != NULL || strchr(w, '=') != NULL;
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
    return at != NULL && strcmp(at, "@latest") != 0;
}

static void
tls_off(struct df_ctx *c, const struct src *s, const struct cmd *cm, size_t at, const char *what)
{
    int l, col;
    src_pos(c, s, cm->w[at < cm->n ? at : 0].off, &l, &col);
    df_report(c, "DF013", s->in, l, col, NULL, "%s turns off TLS/signature verification", what);
}

static void
analyse_cmd(struct df_ctx *c, const struct src *s, const struct cmd *cm, const struct cmd *next,
            struct layer *ly, struct stage_state *st)
{
    int sudo, l, col;
    size_t p = program(c, s, cm, &sudo);
    static const char *const apt_skip[] = {"-o", "-t", "--target-release", NULL};
    static const char *const pip_skip[] = {"-r", "--requirement", "-c", "--constraint", "-e",
                                           "--editable", "-i", "--index-url", "--extra-index-url",
                                           "--trusted-host", "-f", "--find-links", "--target",
                                           "-t", "--prefix", "--root", "--platform", NULL};
    static const char *const apk_skip[] = {"-t", "--virtual", "--repository", "-X", NULL};

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
        if (strchr(eq + 1, '$') == NULL && strchr(eq + 1, '`') == NULL) {
            int wl, wc;
            src_pos(c, s, cm->w[i].off, &wl, &wc);
            df_secret_literal(c, s->in, name, eq + 1, wl, wc, "RUN variable");
        }
        if ((strcmp(name, "NODE_TLS_REJECT_UNAUTHORIZED") == 0 && strcmp(eq + 1, "0") == 0) ||
            (strcmp(name, "PYTHONHTTPSVERIFY") == 0 && strcmp(eq + 1, "0") == 0) ||
            strcmp(name, "GIT_SSL_NO_VERIFY") == 0)
            tls_off(c, s, cm, i, name);
    }
    if (p >= cm->n)
        return;
    const char *prog = base(cm->w[p].s);
    const char *sub = p + 1 < cm->n ? cm->w[p + 1].s : "";
    size_t a1 = p + 1;
    src_pos(c, s, cm->w[p].off, &l, &col);

    /* --password X, --token=X, `aws configure set aws_secret_access_key X`, curl -u u:p */
    for (size_t i = a1; i < cm->n; i++) {
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
        } else if (strcmp(prog, "aws") == 0 && i >= a1 + 2 && strcmp(cm->w[i - 1].s, "set") == 0 &&
                   strcmp(cm->w[i - 2].s, "configure") == 0 && i + 1 < cm->n &&
                   strlen(w) < sizeof(name)) {
            snprintf(name, sizeof(name), "%s", w);
            val = cm->w[i + 1].s;
        } else if (strcmp(prog, "curl") == 0 && (strcmp(w, "-u") == 0 || strcmp(w, "--user") == 0) &&
                   i + 1 < cm->n && strchr(cm->w[i + 1].s, ':') != NULL) {
            snprintf(name, sizeof(name), "password");
            val = strchr(cm->w[i + 1].s, ':') + 1;
        }
        if (val == NULL || val[0] == '-' || strchr(val, '$') != NULL || strchr(val, '`') != NULL ||
            strncmp(val, "/run/secrets", 12) == 0)
            continue;
        int wl, wc;
        src_pos(c, s, cm->w[i].off, &wl, &wc);
        df_secret_literal(c, s->in, name, val, wl, wc, "RUN option");
    }
    if (strcmp(prog, "curl") == 0 || strcmp(prog, "wget") == 0) {
        if (prog[0] == 'c')
            st->curl = st->curl ? st->curl : l;
        else
            st->wget = st->wget ? st->wget : l;
        if (prog[0] == 'c' && (has_word(cm, a1, "--insecure") || has_short(cm, a1, 'k')))
            tls_off(c, s, cm, p, "curl -k/--insecure");
        if (prog[0] == 'w' && has_word(cm, a1, "--no-check-certificate"))
            tls_off(c, s, cm, p, "wget --no-check-certificate");
        if (cm->pipe_out && next != NULL) {
            int sudo2;
            size_t q = program(c, s, next, &sudo2);
            if (q < next->n && is_shell(next->w[q].s))
                df_report(c, "DF014", s->in, l, col, NULL,
                          "%s output is piped into %s: the script runs unverified", prog,
                          base(next->w[q].s));
        }
    }
    if (is_shell(prog)) {
        for (size_t i = a1; i < cm->n; i++) {
            const char *w = cm->w[i].s;
            if (strstr(w, "$(curl") || strstr(w, "$(wget") || strstr(w, "<(curl") ||
                strstr(w, "<(wget") || strstr(w, "`curl") || strstr(w, "`wget")) {
                df_report(c, "DF014", s->in, l, col, NULL,
                          "%s runs a downloaded script: it runs unverified", prog);
                break;
            }
        }
    }
    if (strcmp(prog, "cd") == 0 && !ly->cd) {
        ly->cd = 1;
        df_report(c, "DF036", s->in, l, col, NULL, "cd in RUN: use WORKDIR");
    }
    if (strcmp(prog, "set") == 0 && (has_word(cm, a1, "pipefail") ||
                                     has_prefix_word(cm, a1, "-eo") || has_word(cm, a1, "-euo") ||
                                     has_word(cm, a1, "-euxo") || has_word(cm, a1, "-exo")))
        ly->pipefail = 1;
    if (cm->pipe_out)
        ly->has_pipe = 1;
    if (strcmp(prog, "chmod") == 0) {
        for (size_t i = a1; i < cm->n; i++) {
            const char *w = cm->w[i].s;
            if (w[0] == '-' && !isdigit((unsigned char)w[1]) && w[1] != 'w' && w[1] != 'r' &&
                w[1] != 'x')
                continue;
            if (df_world_writable(w))
                df_report(c, "DF012", s->in, l, col, NULL, "chmod %s makes files world-writable",
                          w);
            break;
        }
    }
    if (has_word(cm, a1, "--insecure-skip-tls-verify") || has_word(cm, a1, "--no-verify-ssl") ||
        has_word(cm, a1, "--tls-verify=false") || has_word(cm, a1, "--insecure-skip-tls-verify=true"))
        tls_off(c, s, cm, p, prog);

    if (strcmp(prog, "ln") == 0) {
        for (size_t i = a1; i < cm->n; i++)
            if (strcmp(cm->w[i].s, "/bin/sh") == 0 && i + 1 == cm->n) {
                df_report(c, "DF054", s->in, l, col, NULL,
                          "ln over /bin/sh: use SHELL to change the shell of RUN");
                break;
            }
    }
    if (strcmp(prog, "useradd") == 0 && !has_word(cm, a1, "-l") &&
        !has_word(cm, a1, "--no-log-init") && !has_short(cm, a1, 'l')) {
        for (size_t i = a1; i + 1 < cm->n; i++)
            if ((strcmp(cm->w[i].s, "-u") == 0 || strcmp(cm->w[i].s, "--uid") == 0) &&
                strtol(cm->w[i + 1].s, NULL, 10) > 99999) {
                df_report(c, "DF055", s->in, l, col, NULL,
                          "useradd -u %s without -l: lastlog/faillog grow to gigabytes",
                          cm->w[i + 1].s);
                break;
            }
    }
    /* apt-get / apt */
    if (strcmp(prog, "apt-get") == 0 || strcmp(prog, "apt") == 0 || strcmp(prog, "aptitude") == 0) {
        size_t si = a1;
        while (si < cm->n && cm->w[si].s[0] == '-') {
            if (strcmp(cm->w[si].s, "-o") == 0)
                si++;
            si++;
        }
        sub = si < cm->n ? cm->w[si].s : "";
        if (strcmp(prog, "apt") == 0 && sub[0])
            df_report(c, "DF043", s->in, l, col, NULL, "apt %s: use apt-get in scripts", sub);
        if (has_word(cm, a1, "--allow-unauthenticated") ||
            has_word(cm, a1, "--allow-insecure-repositories") || has_word(cm, a1, "--force-yes") ||
            has_prefix_word(cm, a1, "APT::Get::AllowUnauthenticated=true") ||
            has_prefix_word(cm, a1, "Acquire::AllowInsecureRepositories=true") ||
            has_prefix_word(cm, a1, "Acquire::https::Verify-Peer=false") ||
            0)
            tls_off(c, s, cm, p, "apt-get --allow-unauthenticated/--force-yes");
        if (strcmp(sub, "update") == 0) {
            ly->apt_update = 1;
            ly->apt_upd_l = l;
            ly->apt_upd_c = col;
        } else if (strcmp(sub, "install") == 0) {
            ly->apt_install = 1;
            if (!has_word(cm, a1, "-y") && !has_word(cm, a1, "--yes") &&
                !has_word(cm, a1, "--assume-yes") && !has_word(cm, a1, "-qq") &&
                !has_word(cm, a1, "-q=2") && !has_short(cm, a1, 'y'))
                df_report(c, "DF035", s->in, l, col, NULL, "%s install without -y", prog);
            if (!has_word(cm, a1, "--no-install-recommends") &&
                !has_prefix_word(cm, a1, "APT::Install-Recommends=false") &&
                !has_prefix_word(cm, a1, "APT::Install-Recommends=0"))
                df_report(c, "DF023", s->in, l, col, NULL,
                          "%s install without --no-install-recommends", prog);
            unpinned(c, s, cm, si + 1, prog, pin_eq, apt_skip);
        } else if (strcmp(sub, "dist-upgrade") == 0 || strcmp(sub, "full-upgrade") == 0) {
            df_report(c, "DF045", s->in, l, col, NULL, "%s %s", prog, sub);
        } else if (strcmp(sub, "upgrade") == 0) {
            ly->apt_install = 1;
        } else if (strcmp(sub, "dist-clean") == 0) {
            ly->apt_clean = 1;
        }
    }
    if (strcmp(prog, "rm") == 0) {
        if (has_prefix_word(cm, a1, "/var/lib/apt/lists"))
            ly->apt_clean = 1;
        if (has_prefix_word(cm, a1, "/var/cache/apk"))
            ly->apk_nocache_clean = 1;
        if (has_prefix_word(cm, a1, "/var/cache/yum"))
            ly->yum_clean = 1;
        if (has_prefix_word(cm, a1, "/var/cache/dnf"))
            ly->dnf_clean = ly->mdnf_clean = 1;
        if (has_prefix_word(cm, a1, "/var/cache/zypp"))
            ly->zyp_clean = 1;
        if (has_prefix_word(cm, a1, "/usr/local/share/.cache/yarn"))
            ly->yarn_clean = 1;
    }
    /* apk */
    if (strcmp(prog, "apk") == 0) {
        if (has_word(cm, a1, "--allow-untrusted"))
            tls_off(c, s, cm, p, "apk --allow-untrusted");
        size_t si = a1;
        while (si < cm->n && cm->w[si].s[0] == '-')
            si++;
        sub = si < cm->n ? cm->w[si].s : "";
        if (strcmp(sub, "update") == 0) {
            ly->apk_update = 1;
            ly->apk_upd_l = l;
            ly->apk_upd_c = col;
        } else if (strcmp(sub, "add") == 0) {
            ly->apk_add = 1;
            if (!has_word(cm, a1, "--no-cache"))
                ly->apk_add = 2;
            unpinned(c, s, cm, si + 1, "apk add", pin_eq, apk_skip);
        } else if (strcmp(sub, "upgrade") == 0) {
            ly->apk_add = has_word(cm, a1, "--no-cache") ? 1 : 2;
        }
    }
    /* yum, dnf, microdnf, tdnf, zypper, rpm */
    if (strcmp(prog, "yum") == 0 || strcmp(prog, "dnf") == 0 || strcmp(prog, "microdnf") == 0 ||
        strcmp(prog, "tdnf") == 0) {
        if (has_word(cm, a1, "--nogpgcheck") || has_prefix_word(cm, a1, "--setopt=sslverify=0") ||
            has_prefix_word(cm, a1, "--setopt=sslverify=false") ||
            has_prefix_word(cm, a1, "--setopt=*.sslverify=0") ||
            has_prefix_word(cm, a1, "--setopt=gpgcheck=0") || has_word(cm, a1, "sslverify=false") ||
            has_word(cm, a1, "sslverify=0"))
            tls_off(c, s, cm, p, "yum/dnf --nogpgcheck/sslverify=0");
        size_t si = a1;
        while (si < cm->n && cm->w[si].s[0] == '-')
            si++;
        sub = si < cm->n ? cm->w[si].s : "";
        int is_yum = prog[0] == 'y', is_m = prog[0] == 'm';
        if (strcmp(sub, "install") == 0 || strcmp(sub, "groupinstall") == 0 ||
            strcmp(sub, "localinstall") == 0) {
            if (is_yum)
                ly->yum_install = 1;
            else if (is_m)
                ly->mdnf_install = 1;
            else
                ly->dnf_install = 1;
            if (!has_word(cm, a1, "-y") && !has_word(cm, a1, "--assumeyes") &&
                !has_short(cm, a1, 'y') && !is_m)
                df_report(c, "DF035", s->in, l, col, NULL, "%s install without -y", prog);
            unpinned(c, s, cm, si + 1, prog, pin_rpm, NULL);
        } else if (strcmp(sub, "clean") == 0 && has_word(cm, si + 1, "all")) {
            if (is_yum)
                ly->yum_clean = 1;
            else if (is_m)
                ly->mdnf_clean = 1;
            else
                ly->dnf_clean = 1;
        }
    }
    if (strcmp(prog, "zypper") == 0) {
        size_t si = a1;
        while (si < cm->n && cm->w[si].s[0] == '-')
            si++;
        sub = si < cm->n ? cm->w[si].s : "";
        if (strcmp(sub, "install") == 0 || strcmp(sub, "in") == 0) {
            ly->zyp_install = 1;
            if (!has_word(cm, a1, "-n") && !has_word(cm, a1, "--non-interactive") &&
                !has_word(cm, a1, "-y") && !has_word(cm, a1, "--no-confirm"))
                df_report(c, "DF035", s->in, l, col, NULL, "zypper install without -n/-y");
            unpinned(c, s, cm, si + 1, "zypper", pin_eq, NULL);
        } else if (strcmp(sub, "clean") == 0 || strcmp(sub, "cc") == 0) {
            ly->zyp_clean = 1;
        } else if (strcmp(sub, "dist-upgrade") == 0 || strcmp(sub, "dup") == 0) {
            df_report(c, "DF045", s->in, l, col, NULL, "zypper %s", sub);
        }
        if (has_word(cm, a1, "--no-gpg-checks"))
            tls_off(c, s, cm, p, "zypper --no-gpg-checks");
    }
    if (strcmp(prog, "rpm") == 0 &&
        (has_word(cm, a1, "--nosignature") || has_word(cm, a1, "--nodigest") ||
         has_word(cm, a1, "--noverify") || has_word(cm, a1, "--nofiledigest")))
        tls_off(c, s, cm, p, "rpm --nosignature/--nodigest");
    /* pip */
    int pip = strncmp(prog, "pip", 3) == 0 && (prog[3] == '\0' || isdigit((unsigned char)prog[3]));
    size_t pi = a1;
    if (!pip && strncmp(prog, "python", 6) == 0 && has_word(cm, a1, "-m") &&
        (has_word(cm, a1, "pip") || has_word(cm, a1, "pip3"))) {
        pip = 1;
        for (pi = a1; pi < cm->n && strncmp(cm->w[pi].s, "pip", 3) != 0; pi++)
            ;
        pi++;
    }
    if (pip) {
        if (has_word(cm, pi, "--trusted-host") || has_prefix_word(cm, pi, "--trusted-host=") ||
            has_prefix_word(cm, pi, "global.trusted-host"))
            tls_off(c, s, cm, p, "pip --trusted-host");
        size_t si = pi;
        while (si < cm->n && cm->w[si].s[0] == '-')
            si++;
        if (si < cm->n && strcmp(cm->w[si].s, "install") == 0) {
            if (!has_word(cm, si, "--no-cache-dir") && !st->pip_no_cache)
                df_report(c, "DF021", s->in, l, col, NULL,
                          "pip install without --no-cache-dir keeps the wheel cache in the layer");
            unpinned(c, s, cm, si + 1, "pip", pin_pip, pip_skip);
        }
    }
    /* npm / yarn / pnpm */
    if (strcmp(prog, "npm") == 0 || strcmp(prog, "yarn") == 0 || strcmp(prog, "pnpm") == 0) {
        if ((has_word(cm, a1, "strict-ssl") && has_word(cm, a1, "false")) ||
            has_prefix_word(cm, a1, "--strict-ssl=false") ||
            has_prefix_word(cm, a1, "strict-ssl=false") ||
            (has_word(cm, a1, "strictSSL") && has_word(cm, a1, "false")))
            tls_off(c, s, cm, p, "npm/yarn strict-ssl false");
        if ((strcmp(sub, "install") == 0 || strcmp(sub, "i") == 0 || strcmp(sub, "add") == 0) &&
            strcmp(prog, "npm") == 0 && (has_word(cm, a1 + 1, "-g") || has_word(cm, a1 + 1, "--global")))
            unpinned(c, s, cm, a1 + 1, "npm", pin_npm, NULL);
        if (strcmp(prog, "yarn") == 0 && (strcmp(sub, "install") == 0 || cm->n == p + 1))
            ly->yarn_install = 1;
        if (strcmp(prog, "yarn") == 0 && strcmp(sub, "cache") == 0 && has_word(cm, a1, "clean"))
            ly->yarn_clean = 1;
    }
    if (strcmp(prog, "gem") == 0 && strcmp(sub, "install") == 0 && !has_word(cm, a1, "-v") &&
        !has_word(cm, a1, "--version") && !has_prefix_word(cm, a1, "--version="))
        unpinned(c, s, cm, a1 + 1, "gem", pin_gem, NULL);
    if (strcmp(prog, "go") == 0 && strcmp(sub, "install") == 0)
        unpinned(c, s, cm, a1 + 1, "go install", pin_go, NULL);
    if (strcmp(prog, "git") == 0) {
        for (size_t i = a1; i < cm->n; i++) {
            const char *w = cm->w[i].s;
            if ((contains_ci(w, "http.sslverify=false") || contains_ci(w, "http.sslverify=0")) ||
                (contains_ci(w, "sslverify") && i + 1 < cm->n &&
                 (strcasecmp(cm->w[i + 1].s, "false") == 0 || strcmp(cm->w[i + 1].s, "0") == 0))) {
                tls_off(c, s, cm, p, "git http.sslVerify false");
                break;
            }
        }
    }
    if ((strcmp(prog, "echo") == 0 || strcmp(prog, "printf") == 0)) {
        for (size_t i = a1; i < cm->n; i++) {
            const char *w = cm->w[i].s;
            if (strstr(w, "[trusted=yes]") || contains_ci(w, "AllowUnauthenticated \"true\"") ||
                contains_ci(w, "AllowUnauthenticated true") || contains_ci(w, "gpgcheck=0") ||
                contains_ci(w, "sslverify=0") || contains_ci(w, "sslverify=false") ||
                contains_ci(w, "strict-ssl=false") || contains_ci(w, "Verify-Peer \"false\"")) {
                tls_off(c, s, cm, p, "a package-manager setting written by echo");
                break;
            }
        }
    }
}

static void
analyse_layer_end(struct df_ctx *c, const struct df_instr *in, const struct layer *ly,
                  const struct stage_state *st)
{
    if (ly->apt_update && !ly->apt_install)
        df_report(c, "DF022", in, ly->apt_upd_l, ly->apt_upd_c, NULL,
                  "apt-get update without an install in the same RUN: the cached index goes "
                  "stale");
    if (ly->apk_update && !ly->apk_add)
        df_report(c, "DF022", in, ly->apk_upd_l, ly->apk_upd_c, NULL,
                  "apk update without an add in the same RUN");
    if (ly->apt_install && ly->apt_update && !ly->apt_clean)
        df_report(c, "DF021", in, 0, 0, NULL,
                  "apt-get lists are not removed in the same RUN (rm -rf /var/lib/apt/lists/*)");
    if (ly->apk_add == 2 && !ly->apk_nocache_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "apk add without --no-cache keeps the index");
    if (ly->yum_install && !ly->yum_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "yum install without yum clean all");
    if (ly->dnf_install && !ly->dnf_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "dnf install without dnf clean all");
    if (ly->mdnf_install && !ly->mdnf_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "microdnf install without microdnf clean all");
    if (ly->zyp_install && !ly->zyp_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "zypper install without zypper clean");
    if (ly->yarn_install && !ly->yarn_clean)
        df_report(c, "DF021", in, 0, 0, NULL, "yarn install without yarn cache clean");
    if (ly->has_pipe && !ly->pipefail && !st->pipefail_shell && !st->nonposix_shell && !in->json)
        df_report(c, "DF046", in, 0, 0, NULL,
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
        df_report(c, "DF044", &c->df->instrs[c->df->stages[stage].from], 0, 0, NULL,
                  "this stage uses both curl (line %d) and wget (line %d)", st->curl, st->wget);
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
            for (size_t k = 0; k < in->nkvs; k++)
                if (strcmp(in->kvs[k].key, "PIP_NO_CACHE_DIR") == 0)
                    st.pip_no_cache = 1;
        const struct df_instr *run = in->kind == DF_RUN ? in
                                     : (in->sub && in->sub->kind == DF_RUN) ? in->sub : NULL;
        if (run == NULL)
            continue;
        struct layer ly;
        struct src s;
        memset(&ly, 0, sizeof(ly));
        memset(&s, 0, sizeof(s));
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
