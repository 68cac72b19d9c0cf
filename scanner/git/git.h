/* git: secrets anywhere in a git repository's history, read with libgit2. Every blob a scanned
 * commit introduces is streamed through the detector once (deduplicated by object id); each
 * secret is reported once, at the commit that introduced it. */
#ifndef GITSCAN_H
#define GITSCAN_H

#include "common.h"

struct gitscan_opts {
    const char *branch;       /* --branch REF: only history reachable from it */
    const char *since_commit; /* --since-commit REV: only commits after REV */
    const char *range;        /* REV..REV */
    long long since;          /* --since DATE as seconds since the epoch; 0 = no bound */
    long max_commits;         /* --max-commits N: the newest N; 0 = all */
    int staged;               /* --staged: the index against HEAD (pre-commit hooks) */
    int unstaged;             /* --unstaged: the working tree against the index */
    int reflog;               /* --reflog: also commits only the reflogs reach */
    long max_file_size;       /* blobs over this are skipped; 0 = 10 MiB (as --path) */
    int show_secrets;         /* --show-secrets: the explicit flag to print values */
    unsigned jobs;            /* --jobs N: blob-reading threads at most; 0 = one a core */
    const char *ignore_file;  /* commit:path:rule list; NULL = .scanner-gitignore and
                               * .gitleaksignore at the work tree's root */
};

/* Scans the repository at (or above) `dir`, adding one "git" target and its findings to `f`.
 * Returns 0 when the scan completed, or a negative ERR_* (with err_message naming the object or
 * path) when it could not: not a repository, a corrupt or missing object. On error nothing is
 * added to `f` beyond the target. */
int gitscan_scan(const char *dir, const struct gitscan_opts *o, struct findings *f);

/* Parses --since DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], or @SECONDS. */
int gitscan_parse_date(const char *s, long long *out);

#endif
