/* gitscan_internal: what the files of scanner/git/ share: the scan context, the object-id map,
 * the blob and secret tables, the tree differ. Not for use outside scanner/git/ and its tests. */
#ifndef GITSCAN_INTERNAL_H
#define GITSCAN_INTERNAL_H

#include <stdint.h>

#include <git2.h>

#include "common.h"
#include "detect.h"
#include "git.h"

#define GS_DEFAULT_MAX_FILE DETECT_DEFAULT_MAX_FILE /* as scanner --path */
#define GS_MAX_PATH         4096        /* longer paths in a tree are an error */
#define GS_MAX_DEPTH        256         /* deeper trees are an error */

/* Open addressing map from a 20-byte key (object ids, secret keys) to an int32 value. */
struct gs_map {
    unsigned char (*keys)[20];
    int32_t *vals;
    size_t cap, n;
};
int gs_map_get(const struct gs_map *m, const unsigned char *key, int32_t *val);
int gs_map_put(struct gs_map *m, const unsigned char *key, int32_t val);
void gs_map_free(struct gs_map *m);

/* One detector hit in one blob. */
struct gs_hit {
    uint32_t secret; /* index into gs->secrets */
    int line, column;
    int is_generic;
};

/* A scanned blob that holds at least one hit: its hits are hits[first .. first + n). */
struct gs_blob {
    uint32_t first, n;
};

/* One distinct secret (rule and fingerprint), wherever and however often it occurs. */
struct gs_secret {
    struct detect_hit hit; /* copy made at the first hit; hit.secret is NULL */
    char *value;           /* the clear value, kept only with --show-secrets */
    long intro;            /* index of the commit that introduced it; -1 = not yet */
    char *path;            /* its path in that commit */
    int line, column;
    long commits;          /* commits that carry it */
    long counted_at;       /* the commit last counted (one count per commit) */
    long removed_in;       /* first commit that dropped it from its parent's tree; -1 = none */
    int at_head;
};

/* A blob with hits placed at a path in a commit's tree. */
struct gs_entry {
    uint32_t blob; /* index into gs->blobs */
    uint32_t path; /* index into gs->paths */
};
struct gs_state {
    struct gs_entry *e;
    uint32_t n;
};

/* What a tree diff found: blobs added or changed (new side) and paths gone (old side). */
struct gs_change {
    size_t path; /* offset into gs_diff.names */
    git_oid id;
    unsigned mode;
};
struct gs_diff {
    struct buf names; /* NUL-separated paths */
    struct gs_change *added;
    size_t nadded, capadded;
    struct gs_change *gone; /* mode GIT_FILEMODE_TREE when a whole subtree went */
    size_t ngone, capgone;
};

struct gs {
    const struct gitscan_opts *o;
    git_repository *repo;
    git_odb *odb;
    struct detect_engine *engine;
    long max_size;
    /* Commits to scan, newest first (as walked); processed oldest first. */
    git_oid *commits;
    size_t ncommits, capcommits;
    struct gs_map commit_index; /* id -> index in commits */
    /* Blobs: id -> -1 (scanned, nothing found, or skipped) or index into blobs. */
    struct gs_map blob_map;
    struct gs_blob *blobs;
    size_t nblobs, capblobs;
    struct gs_hit *hits;
    size_t nhits, caphits;
    struct gs_map secret_map; /* secret key -> index into secrets */
    struct gs_secret *secrets;
    size_t nsecrets, capsecrets;
    char **paths; /* paths of blobs with hits, interned per placement */
    size_t npaths, cappaths;
    /* Figures for the notes. */
    size_t scanned_blobs, skipped_binary, skipped_big, skipped_lfs;
    unsigned long long scanned_bytes;
    char **submodules;
    size_t nsubmodules, capsubmodules;
    int states_capped;
};

/* Grows an array to hold one more element. */
int gs_grow(void **arr, size_t *cap, size_t n, size_t elem);

/* blob.c: scans a blob once (size, binary and LFS rules first); *out = -1 or its gs_blob. */
int gs_blob_scan(struct gs *g, const git_oid *id, const char *path, int32_t *out);
/* Records one detector hit in the secret table (a new secret on its first hit). */
int gs_secret_hit(struct gs *g, const struct detect_hit *hit);
/* After a blob's hits (hits[first..]) are recorded: its gs_blob, or -1, into the blob map. */
int gs_blob_finish(struct gs *g, const git_oid *id, size_t first, int32_t *out);
/* pool.c: scans n blobs (in this order, deduplicated) on worker threads, each with its own
 * repository handle and detector, then records the results in order, as gs_blob_scan would. */
int gs_blob_scan_all(struct gs *g, const git_oid *ids, const char *const *paths, size_t n);
/* Scans bytes that are not a stored blob (--unstaged files); hits become findings at once. */
int gs_scan_buffer(struct gs *g, const char *data, size_t len, const char *path,
                   const char *what, struct findings *f);
/* The rule that drops generic hits in lock files (as --path), for a hit placed at `path`. */
int gs_hit_counts(const struct gs_hit *h, const char *path);
/* Is this blob a Git LFS pointer? (Binary content: detect_content_is_binary.) */
int gs_is_lfs_pointer(const char *data, size_t len);

/* tree.c: differences between two trees (either may be NULL), without recursion. */
int gs_tree_diff(struct gs *g, const git_oid *old_tree, const git_oid *new_tree,
                 struct gs_diff *d);
void gs_diff_reset(struct gs_diff *d);
void gs_diff_free(struct gs_diff *d);
/* Notes a submodule (gitlink) at `path`, once per path. */
int gs_note_submodule(struct gs *g, const char *path);

/* walk.c: fills g->commits from the options (refs, branch, range, since, max, reflog). */
int gs_walk_collect(struct gs *g);

/* history.c: processes the commits oldest first: diffs, blob scans, per-commit state. */
int gs_history_scan(struct gs *g);

/* index.c: --staged and --unstaged. */
int gs_index_scan(struct gs *g, struct findings *f);

/* ignore.c: lists of ignored findings, one `COMMIT:PATH:RULE[:LINE]` a line (`*` = any;
 * COMMIT may be abbreviated; PATH:RULE[:LINE] without a commit also works). RULE is our id,
 * one of its aliases, or an alias without its tool prefix (gitleaks' rule ids). */
struct gs_ignore {
    char *commit, *path, *rule; /* NULL = any */
};
struct gs_ignores {
    struct gs_ignore *v;
    size_t n, cap;
};
/* flags: FILE_READ_NOFOLLOW for the lists a repository brings (a link out is refused). */
int gs_ignore_load(struct gs_ignores *l, const char *file, int flags);
int gs_ignore_parse(struct gs_ignores *l, const char *text, size_t len, const char *file);
int gs_ignore_match(const struct gs_ignores *l, const char *commit, const char *path,
                    const struct rule_meta *rule);
void gs_ignore_free(struct gs_ignores *l);

/* report.c: turns the secret table into findings (ignore list applied). */
int gs_report(struct gs *g, const struct gs_ignores *ign, struct findings *f);

/* Turns the last libgit2 error into an ERR_* message, prefixed with printf-style context. */
int gs_git_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
