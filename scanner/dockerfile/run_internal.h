/* run_internal: what the RUN analysis (run.c) and its package-manager handlers (run_pkg.c)
 * share: the analysed text, its shell words and commands, the state of one layer and one stage,
 * and the helpers that look at a command's words. Only scanner/dockerfile includes it. */
#ifndef SCANNER_DOCKERFILE_RUN_INTERNAL_H
#define SCANNER_DOCKERFILE_RUN_INTERNAL_H

#include <stddef.h>

#include "dockerfile.h"

/* Where the analysed text comes from, to turn offsets into file positions. */
struct src {
    const struct df_instr *in;
    const struct df_heredoc *h; /* NULL: the instruction's text */
    int json;                   /* exec form: positions are the instruction's */
    const char *text;
    size_t len;
    const size_t *nl; /* heredocs: offsets of every '\n' in text, for run_src_pos */
    size_t nnl;
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


/* One simple command being analysed, as a handler gets it. */
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

void run_src_pos(struct df_ctx *c, const struct src *s, size_t off, int *l, int *col);
int run_has_word(const struct cmd *cm, size_t from, const char *w);
int run_has_prefix(const struct cmd *cm, size_t from, const char *p);
/* A short-option cluster (-sSLk, -qO-) containing letter c. */
int run_has_short(const struct cmd *cm, size_t from, char c);
/* Index of the subcommand: the first word from `from` that is not an option; an option listed
 * in `with_value` takes the next word as its value. */
size_t run_subcommand(const struct cmd *cm, size_t from, const char *const *with_value);
const char *run_word(const struct cmd *cm, size_t i); /* "" past the end */
void run_tls_off(struct run *r, const char *what);      /* DF013 at the program word */

/* Package managers (run_pkg.c): installs, pins, caches, -y. */
void h_apt(struct run *r);
void h_rm(struct run *r);
void h_apk(struct run *r);
void h_yum(struct run *r);
void h_zypper(struct run *r);
void h_rpm(struct run *r);
void h_pip(struct run *r);
void h_node(struct run *r);
void h_gem(struct run *r);
void h_go(struct run *r);

#endif
