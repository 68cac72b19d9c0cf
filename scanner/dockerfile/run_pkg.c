/* run_pkg: the RUN handlers of package managers (apt-get, apk, yum/dnf/microdnf, zypper, rpm,
 * pip/pipx, npm/yarn/pnpm, gem, go): unpinned installs at each manager's hadolint semantics
 * (DF032), caches left in the layer (DF021, with run.c at the end of the RUN), -y (DF035),
 * verification switches (DF013). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dockerfile.h"
#include "run_internal.h"

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
        if (i > from && cm->w[i - 1].s[0] == '-' &&
            (strcmp(w, "true") == 0 || strcmp(w, "false") == 0 || strcmp(w, "yes") == 0 ||
             strcmp(w, "no") == 0 || strcmp(w, "ignore") == 0))
            continue; /* the value of an option: --use-system-libraries true */
        if (w[0] == '$' || w[0] == '/' || w[0] == '.' || w[0] == '~' || w[0] == '<' ||
            w[0] == '>' || w[0] == '\0' || strchr(w, '$') != NULL || strchr(w, '*') != NULL ||
            w[0] == '`' || pinned(w))
            continue;
        if (cnt == 0)
            run_src_pos(c, s, cm->w[i].off, &l, &col);
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
    if (vcs_url(w))
        return strchr(w, '@') != NULL; /* git+https://host/repo@v1.2 (hadolint: any @) */
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
    if (strncmp(w, "file:", 5) == 0)
        return 1;
    /* name@version or name@tag, after a @scope/ (hadolint's reading: a tag pins) */
    const char *at = strchr(w[0] == '@' ? w + 1 : w, '@');
    if (w[0] == '@') {
        const char *slash = strchr(w, '/');
        at = slash != NULL ? strchr(slash, '@') : NULL;
    }
    return at != NULL && at[1] != '\0';
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

    if (run_has_word(cm, from, "-y") || run_has_word(cm, from, "--yes") ||
        run_has_word(cm, from, "--assume-yes") || run_has_word(cm, from, "--force-yes") ||
        run_has_short(cm, from, 'y') || run_has_word(cm, from, "-q=2") || run_has_word(cm, from, "--quiet=2"))
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

void
h_apt(struct run *r)
{
    static const char *const apt_opt_value[] = {"-o", "-t", "-c", NULL};
    static const char *const apt_skip[] = {"-o", "-t", "--target-release", "-c", "--config-file",
                                           "--option", NULL};
    const struct cmd *cm = r->cm;
    struct layer *ly = r->ly;
    size_t a1 = r->a1, si = run_subcommand(cm, a1, apt_opt_value);
    const char *prog = r->prog, *sub = run_word(cm, si);

    if (strcmp(prog, "apt") == 0 && sub[0])
        df_report(r->c, DF_RULE(DF043), r->s->in, r->l, r->col, NULL,
                  "apt %s: use apt-get in scripts", sub);
    if (run_has_word(cm, a1, "--allow-unauthenticated") ||
        run_has_word(cm, a1, "--allow-insecure-repositories") || run_has_word(cm, a1, "--force-yes") ||
        run_has_prefix(cm, a1, "APT::Get::AllowUnauthenticated=true") ||
        run_has_prefix(cm, a1, "Acquire::AllowInsecureRepositories=true") ||
        run_has_prefix(cm, a1, "Acquire::https::Verify-Peer=false"))
        run_tls_off(r, "apt-get --allow-unauthenticated/--force-yes");
    if (strcmp(sub, "update") == 0) {
        ly->apt_update = 1;
        ly->apt_upd_l = r->l;
        ly->apt_upd_c = r->col;
    } else if (strcmp(sub, "install") == 0) {
        ly->apt_install = 1;
        if (!apt_assumes_yes(cm, a1))
            df_report_as(r->c, DF_RULE(DF035), "DL3014", r->s->in, r->l, r->col, NULL,
                         "%s install without -y", prog);
        if (!run_has_word(cm, a1, "--no-install-recommends") &&
            !run_has_prefix(cm, a1, "APT::Install-Recommends=false") &&
            !run_has_prefix(cm, a1, "APT::Install-Recommends=0"))
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
void
h_rm(struct run *r)
{
    struct layer *ly = r->ly;

    for (size_t k = 0; k < ly->nchmods; k++) /* a temporary directory: gone from the layer */
        if (ly->chmods[k].path[0] != '\0' && run_has_word(r->cm, r->a1, ly->chmods[k].path))
            ly->chmods[k].path = NULL;
    if (run_has_prefix(r->cm, r->a1, "/var/lib/apt/lists"))
        ly->apt_clean = 1;
    if (run_has_prefix(r->cm, r->a1, "/var/cache/apk"))
        ly->apk_nocache_clean = 1;
    if (run_has_prefix(r->cm, r->a1, "/var/cache/yum")) {
        ly->yum_clean = ly->yum_install != 0;
        ly->dnf_clean = ly->dnf_install != 0;
        ly->mdnf_clean = ly->mdnf_install != 0;
    }
    if (run_has_prefix(r->cm, r->a1, "/var/cache/dnf")) {
        ly->dnf_clean = ly->dnf_install != 0;
        ly->mdnf_clean = ly->mdnf_install != 0;
    }
    if (run_has_prefix(r->cm, r->a1, "/var/cache/zypp"))
        ly->zyp_clean = ly->zyp_install != 0;
    if (run_has_prefix(r->cm, r->a1, "/usr/local/share/.cache/yarn"))
        ly->yarn_clean = ly->yarn_install != 0;
}

void
h_apk(struct run *r)
{
    static const char *const apk_skip[] = {"-t", "--virtual", "--repository", "-X", "--root",
                                           "-p", "--arch", "--keys-dir", "--repositories-file",
                                           "--cache-dir", "--cache-max-age", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = run_subcommand(cm, a1, apk_skip);
    const char *sub = run_word(cm, si);

    if (run_has_word(cm, a1, "--allow-untrusted"))
        run_tls_off(r, "apk --allow-untrusted");
    if (strcmp(sub, "update") == 0) {
        r->ly->apk_update = 1;
        r->ly->apk_upd_l = r->l;
        r->ly->apk_upd_c = r->col;
    } else if (strcmp(sub, "add") == 0) {
        r->ly->apk_add = run_has_word(cm, a1, "--no-cache") ? 1 : 2;
        unpinned(r->c, r->s, cm, si + 1, "apk add", "DL3018", pin_apk, apk_skip);
    } else if (strcmp(sub, "upgrade") == 0) {
        r->ly->apk_add = run_has_word(cm, a1, "--no-cache") ? 1 : 2;
    }
}

/* yum, dnf, microdnf, tdnf */
void
h_yum(struct run *r)
{
    static const char *const yum_skip[] = {"-c", "--config", "--installroot", "--releasever",
                                           "--enablerepo", "--disablerepo", "-x", "--exclude",
                                           "--setopt", "--repo", "--repoid", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = run_subcommand(cm, a1, yum_skip);
    const char *prog = r->prog, *sub = run_word(cm, si);
    int is_yum = prog[0] == 'y', is_m = prog[0] == 'm';
    int module = strcmp(sub, "module") == 0, group = strcmp(sub, "group") == 0;

    if (run_has_word(cm, a1, "--nogpgcheck") || run_has_prefix(cm, a1, "--setopt=sslverify=0") ||
        run_has_prefix(cm, a1, "--setopt=sslverify=false") ||
        run_has_prefix(cm, a1, "--setopt=*.sslverify=0") ||
        run_has_prefix(cm, a1, "--setopt=gpgcheck=0") || run_has_word(cm, a1, "sslverify=false") ||
        run_has_word(cm, a1, "sslverify=0"))
        run_tls_off(r, "yum/dnf --nogpgcheck/sslverify=0");
    if (module || group) {
        si = run_subcommand(cm, si + 1, yum_skip);
        sub = run_word(cm, si);
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
        if (!run_has_word(cm, a1, "-y") && !run_has_word(cm, a1, "--assumeyes") &&
            !run_has_short(cm, a1, 'y') && !is_m)
            df_report_as(r->c, DF_RULE(DF035), is_yum ? "DL3030" : "DL3038", r->s->in, r->l,
                         r->col, NULL, "%s install without -y", prog);
    }
    if ((install || upgrade) && !group && strcmp(sub, "groupinstall") != 0)
        unpinned(r->c, r->s, cm, si + 1, prog, is_yum ? "DL3033" : "DL3041",
                 module ? pin_module : is_yum ? pin_yum : pin_dnf, yum_skip);
    if (strcmp(sub, "clean") == 0 && run_has_word(cm, si + 1, "all")) {
        if (is_yum)
            r->ly->yum_clean = r->ly->yum_install != 0;
        else if (is_m)
            r->ly->mdnf_clean = r->ly->mdnf_install != 0;
        else
            r->ly->dnf_clean = r->ly->dnf_install != 0;
    }
}

void
h_zypper(struct run *r)
{
    static const char *const zyp_skip[] = {"-r", "--repo", "--from", "-t", "--type", "--root",
                                           "-R", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = run_subcommand(cm, a1, zyp_skip);
    const char *sub = run_word(cm, si);

    int install = strcmp(sub, "install") == 0 || strcmp(sub, "in") == 0;
    if ((install || strcmp(sub, "remove") == 0 || strcmp(sub, "rm") == 0 ||
         strcmp(sub, "source-install") == 0 || strcmp(sub, "si") == 0 ||
         strcmp(sub, "patch") == 0) &&
        !run_has_word(cm, a1, "-n") && !run_has_word(cm, a1, "--non-interactive") &&
        !run_has_word(cm, a1, "-y") && !run_has_word(cm, a1, "--no-confirm"))
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
    if (run_has_word(cm, a1, "--no-gpg-checks"))
        run_tls_off(r, "zypper --no-gpg-checks");
}

void
h_rpm(struct run *r)
{
    const struct cmd *cm = r->cm;

    if (run_has_word(cm, r->a1, "--nosignature") || run_has_word(cm, r->a1, "--nodigest") ||
        run_has_word(cm, r->a1, "--noverify") || run_has_word(cm, r->a1, "--nofiledigest"))
        run_tls_off(r, "rpm --nosignature/--nodigest");
}

/* pip, pip3, pip3.12, python -m pip, pipx */
void
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
        if (!run_has_word(cm, r->a1, "-m") ||
            !(run_has_word(cm, r->a1, "pip") || run_has_word(cm, r->a1, "pip3")))
            return;
        for (pi = r->a1; pi < cm->n && strncmp(cm->w[pi].s, "pip", 3) != 0; pi++)
            ;
        pi++;
    }
    if (run_has_word(cm, pi, "--trusted-host") || run_has_prefix(cm, pi, "--trusted-host=") ||
        run_has_prefix(cm, pi, "global.trusted-host"))
        run_tls_off(r, "pip --trusted-host");
    size_t si = run_subcommand(cm, pi, pip_skip);
    if (si >= cm->n || strcmp(cm->w[si].s, "install") != 0)
        return;
    if (!pipx && !run_has_word(cm, si, "--no-cache-dir") && !r->st->pip_no_cache &&
        !r->ly->pip_no_cache && !(r->ly->mounts & MNT_PIP))
        df_report_as(r->c, DF_RULE(DF021), "DL3042", r->s->in, r->l, r->col, NULL,
                     "pip install without --no-cache-dir keeps the wheel cache in the layer");
    /* Requirements, constraints or the local project pin what is installed. */
    if (run_has_word(cm, pi, "-r") || run_has_word(cm, pi, "--requirement") ||
        run_has_prefix(cm, pi, "--requirement=") || run_has_prefix(cm, pi, "-r") ||
        run_has_word(cm, pi, "-c") || run_has_word(cm, pi, "--constraint") ||
        run_has_prefix(cm, pi, "--constraint=") || run_has_word(cm, si + 1, "."))
        return;
    unpinned(r->c, r->s, cm, si + 1, pipx ? "pipx" : "pip", "DL3013", pin_pip, pip_skip);
}

/* npm, yarn, pnpm */
void
h_node(struct run *r)
{
    static const char *const npm_skip[] = {"--registry", "--prefix", "--cache", "--tag",
                                           "--loglevel", "-w", "--workspace", "--omit",
                                           "--include", "--userconfig", "-C", NULL};
    const struct cmd *cm = r->cm;
    size_t a1 = r->a1, si = run_subcommand(cm, a1, npm_skip);
    const char *prog = r->prog, *sub = run_word(cm, si);

    if ((run_has_word(cm, a1, "strict-ssl") && run_has_word(cm, a1, "false")) ||
        run_has_prefix(cm, a1, "--strict-ssl=false") ||
        run_has_prefix(cm, a1, "strict-ssl=false") ||
        (run_has_word(cm, a1, "strictSSL") && run_has_word(cm, a1, "false")))
        run_tls_off(r, "npm/yarn strict-ssl false");
    if (strcmp(prog, "npm") == 0 &&
        (strcmp(sub, "install") == 0 ||
         ((strcmp(sub, "i") == 0 || strcmp(sub, "add") == 0) &&
          (run_has_word(cm, si + 1, "-g") || run_has_word(cm, si + 1, "--global")))))
        unpinned(r->c, r->s, cm, si + 1, "npm", "DL3016", pin_npm, npm_skip);
    if (strcmp(prog, "yarn") == 0 && (strcmp(sub, "install") == 0 || cm->n == r->p + 1))
        r->ly->yarn_install = 1;
    if (strcmp(prog, "yarn") == 0 && strcmp(sub, "cache") == 0 && run_has_word(cm, a1, "clean"))
        r->ly->yarn_clean = r->ly->yarn_install != 0;
}

void
h_gem(struct run *r)
{
    static const char *const gem_skip[] = {"-s", "--source", "-i", "--install-dir", "-n",
                                           "--bindir", "--platform", "-P", "--trust-policy",
                                           "-g", "--file", "--build-root", NULL};
    const struct cmd *cm = r->cm;
    size_t si = run_subcommand(cm, r->a1, gem_skip);
    const char *sub = run_word(cm, si);

    if ((strcmp(sub, "install") == 0 || strcmp(sub, "i") == 0) && !run_has_word(cm, si, "-v") &&
        !run_has_word(cm, si, "--version") && !run_has_prefix(cm, si, "--version="))
        unpinned(r->c, r->s, cm, si + 1, "gem", "DL3028", pin_gem, gem_skip);
}

/* go install / go get of a module without @version (or with @latest) */
void
h_go(struct run *r)
{
    static const char *const go_skip[] = {"-o", "-tags", "-ldflags", "-gcflags", "-mod",
                                          "-modfile", "-p", "-pkgdir", NULL};
    const char *sub = run_word(r->cm, r->a1);

    if (strcmp(sub, "install") == 0 || strcmp(sub, "get") == 0)
        unpinned(r->c, r->s, r->cm, r->a1 + 1, strcmp(sub, "get") == 0 ? "go get" : "go install",
                 "DL3062", pin_go, go_skip);
}
