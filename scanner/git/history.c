/* history: the commits, oldest first. Each commit is diffed against its first parent to find
 * the blobs it brings (merges: what the merge's tree has that its first parent's lacks; a
 * side branch's own commits were walked, and their blobs scanned, before the merge). A small
 * per-commit state, the blobs with secrets and their paths, says which commits carry each secret
 * and which commit dropped it; a state is freed once every child has read it. */
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

struct hist {
    struct gs *g;
    git_oid *tree;    /* each commit's tree */
    int32_t *parent;  /* first parent's index when walked, else -1 */
    int *has_parent;  /* has a first parent at all (walked or not) */
    uint32_t *kids;   /* walked commits whose first parent this is */
    struct gs_state *st;
    struct gs_diff *diffs; /* each commit's changes against its first parent */
    size_t shallow_roots;
};

static int
commit_error(int rc, const git_oid *id, const char *what)
{
    char hex[GIT_OID_HEXSZ + 1];
    return gs_git_error(rc, "commit %s%s", git_oid_tostr(hex, sizeof(hex), id), what);
}

/* First pass: every commit's tree and first parent. */
static int
load_commits(struct hist *h)
{
    struct gs *g = h->g;

    for (size_t i = 0; i < g->ncommits; i++) {
        git_commit *c = NULL;
        int rc = git_commit_lookup(&c, g->repo, &g->commits[i]);
        int32_t p = -1;

        if (rc < 0)
            return commit_error(rc, &g->commits[i], "");
        h->tree[i] = *git_commit_tree_id(c);
        h->has_parent[i] = git_commit_parentcount(c) > 0;
        if (h->has_parent[i] && gs_map_get(&g->commit_index, git_commit_parent_id(c, 0)->id, &p))
            h->kids[p]++;
        h->parent[i] = p;
        git_commit_free(c);
    }
    return 0;
}

/* The tree to diff against: the first parent's, or none for a root commit, or a commit whose
 * parent a shallow clone does not have. */
static int
base_tree(struct hist *h, size_t i, git_oid *out, int *has)
{
    struct gs *g = h->g;
    git_commit *c = NULL, *p = NULL;
    int rc;

    *has = 0;
    if (h->parent[i] >= 0) {
        *out = h->tree[h->parent[i]];
        *has = 1;
        return 0;
    }
    if (!h->has_parent[i])
        return 0;
    rc = git_commit_lookup(&c, g->repo, &g->commits[i]);
    if (rc < 0)
        return commit_error(rc, &g->commits[i], "");
    rc = git_commit_parent(&p, c, 0);
    if (rc == GIT_ENOTFOUND && git_repository_is_shallow(g->repo)) {
        git_error_clear();
        h->shallow_roots++;
        git_commit_free(c);
        return 0;
    }
    if (rc < 0) {
        char hex[GIT_OID_HEXSZ + 1], child[GIT_OID_HEXSZ + 1];
        rc = gs_git_error(rc, "commit %s (parent of %s)",
                          git_oid_tostr(hex, sizeof(hex), git_commit_parent_id(c, 0)),
                          git_oid_tostr(child, sizeof(child), &g->commits[i]));
        git_commit_free(c);
        return rc;
    }
    *out = *git_commit_tree_id(p);
    *has = 1;
    git_commit_free(p);
    git_commit_free(c);
    return 0;
}

/* Does the diff remove or replace what was at `path`? */
static int
dropped(const struct gs_diff *d, const char *path)
{
    for (size_t k = 0; k < d->ngone; k++) {
        const char *gp = d->names.data + d->gone[k].path;
        size_t n = strlen(gp);
        if (d->gone[k].mode == GIT_FILEMODE_TREE) {
            if (strncmp(path, gp, n) == 0 && path[n] == '/')
                return 1;
        } else if (strcmp(path, gp) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
state_add(struct gs_state *s, size_t *cap, uint32_t blob, uint32_t path)
{
    size_t n = s->n;
    int rc = gs_grow((void **)&s->e, cap, n, sizeof(*s->e));

    if (rc < 0)
        return rc;
    s->e[s->n++] = (struct gs_entry){blob, path};
    return 0;
}

static int
intern_path(struct gs *g, const char *path, uint32_t *out)
{
    int rc;

    if (g->npaths >= UINT32_MAX)
        return err_set(ERR_LIMIT, "too many paths");
    rc = gs_grow((void **)&g->paths, &g->cappaths, g->npaths, sizeof(*g->paths));
    if (rc < 0)
        return rc;
    g->paths[g->npaths] = strdup(path);
    if (g->paths[g->npaths] == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *out = (uint32_t)g->npaths++;
    return 0;
}

/* The commit's new blobs: scanned (once each), and secrets seen first here introduced here. */
static int
take_added(struct hist *h, size_t i, struct gs_state *s, size_t *cap)
{
    struct gs *g = h->g;
    const struct gs_diff *d = &h->diffs[i];

    for (size_t k = 0; k < d->nadded; k++) {
        const char *path = d->names.data + d->added[k].path;
        int32_t bi;
        uint32_t pi = 0;
        int rc = gs_blob_scan(g, &d->added[k].id, path, &bi);

        if (rc < 0)
            return rc;
        if (bi < 0)
            continue;
        rc = intern_path(g, path, &pi);
        if (rc == 0)
            rc = state_add(s, cap, (uint32_t)bi, pi);
        if (rc < 0)
            return rc;
        for (uint32_t x = 0; x < g->blobs[bi].n; x++) {
            const struct gs_hit *ht = &g->hits[g->blobs[bi].first + x];
            struct gs_secret *sec = &g->secrets[ht->secret];
            if (!gs_hit_counts(ht, path) || sec->intro >= 0)
                continue;
            sec->intro = (long)i;
            sec->line = ht->line;
            sec->column = ht->column;
            sec->path = strdup(path);
            if (sec->path == NULL)
                return err_set(ERR_NOMEM, "out of memory");
        }
    }
    return 0;
}

static void
count_state(struct gs *g, const struct gs_state *s, long i)
{
    for (uint32_t k = 0; k < s->n; k++) {
        const struct gs_blob *b = &g->blobs[s->e[k].blob];
        const char *path = g->paths[s->e[k].path];
        for (uint32_t x = 0; x < b->n; x++) {
            const struct gs_hit *ht = &g->hits[b->first + x];
            struct gs_secret *sec = &g->secrets[ht->secret];
            if (gs_hit_counts(ht, path) && sec->counted_at != i) {
                sec->counted_at = i;
                sec->commits++;
            }
        }
    }
}

static int
scan_commit(struct hist *h, size_t i)
{
    struct gs *g = h->g;
    struct gs_state s = {NULL, 0}, empty = {NULL, 0};
    const struct gs_state *ps = h->parent[i] >= 0 ? &h->st[h->parent[i]] : &empty;
    size_t cap = 0;
    int rc = 0;

    /* What the parent carried and this commit did not touch is still here. */
    for (uint32_t k = 0; rc == 0 && k < ps->n; k++)
        if (!dropped(&h->diffs[i], g->paths[ps->e[k].path]))
            rc = state_add(&s, &cap, ps->e[k].blob, ps->e[k].path);
    if (rc == 0)
        rc = take_added(h, i, &s, &cap);
    if (rc < 0) {
        free(s.e);
        return rc;
    }
    count_state(g, &s, (long)i);
    /* A secret the parent carried that no file here carries was deleted by this commit. */
    for (uint32_t k = 0; k < ps->n; k++) {
        const struct gs_blob *b = &g->blobs[ps->e[k].blob];
        for (uint32_t x = 0; x < b->n; x++) {
            const struct gs_hit *ht = &g->hits[b->first + x];
            struct gs_secret *sec = &g->secrets[ht->secret];
            if (gs_hit_counts(ht, g->paths[ps->e[k].path]) && sec->counted_at != (long)i &&
                sec->removed_in < 0 && sec->intro >= 0)
                sec->removed_in = (long)i;
        }
    }
    if (h->parent[i] >= 0 && --h->kids[h->parent[i]] == 0) {
        free(h->st[h->parent[i]].e);
        h->st[h->parent[i]] = empty;
    }
    if (h->kids[i] > 0)
        h->st[i] = s;
    else
        free(s.e);
    gs_diff_free(&h->diffs[i]);
    return 0;
}

static int
diff_commit(struct hist *h, size_t i)
{
    git_oid base;
    int has_base, rc = base_tree(h, i, &base, &has_base);

    if (rc == 0)
        rc = gs_tree_diff(h->g, has_base ? &base : NULL, &h->tree[i], &h->diffs[i]);
    return rc;
}

/* Newest first: packs keep the newest version of a file whole and older ones as deltas on it,
 * so each read finds its base in libgit2's delta-base cache (oldest first missed it a third of
 * the time and inflated up to 40% more). */
static int
scan_blobs(struct hist *h)
{
    struct gs *g = h->g;
    git_oid *ids = NULL;
    const char **paths = NULL;
    size_t n = 0, cap = 0, capp = 0;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < g->ncommits; i++) {
        const struct gs_diff *d = &h->diffs[i];
        for (size_t k = 0; rc == 0 && k < d->nadded; k++) {
            rc = gs_grow((void **)&ids, &cap, n, sizeof(*ids));
            if (rc == 0)
                rc = gs_grow((void **)&paths, &capp, n, sizeof(*paths));
            if (rc == 0) {
                ids[n] = d->added[k].id;
                paths[n++] = d->names.data + d->added[k].path;
            }
        }
    }
    if (rc == 0)
        rc = gs_blob_scan_all(g, ids, paths, n);
    free(ids);
    free(paths);
    return rc;
}

int
gs_history_scan(struct gs *g)
{
    struct hist h;
    size_t n = g->ncommits ? g->ncommits : 1;
    int rc;

    memset(&h, 0, sizeof(h));
    h.g = g;
    h.tree = calloc(n, sizeof(*h.tree));
    h.parent = calloc(n, sizeof(*h.parent));
    h.has_parent = calloc(n, sizeof(*h.has_parent));
    h.kids = calloc(n, sizeof(*h.kids));
    h.st = calloc(n, sizeof(*h.st));
    h.diffs = calloc(n, sizeof(*h.diffs));
    if (h.tree == NULL || h.parent == NULL || h.has_parent == NULL || h.kids == NULL ||
        h.st == NULL || h.diffs == NULL)
        rc = err_set(ERR_NOMEM, "out of memory");
    else
        rc = load_commits(&h);
    /* Three passes: every commit's tree diff (oldest first: a parent's trees are still in the
     * object cache for its child), then the new blobs (newest first), then each secret's life
     * from commit to commit, oldest first so parents come before their children. */
    for (size_t i = g->ncommits; rc == 0 && i-- > 0;)
        rc = diff_commit(&h, i);
    if (rc == 0)
        rc = scan_blobs(&h);
    for (size_t i = g->ncommits; rc == 0 && i-- > 0;)
        rc = scan_commit(&h, i);
    if (rc == 0 && h.shallow_roots > 0)
        diag_note("a shallow clone: %zu commit%s %s parents that are not here; only the "
                  "history the clone holds was scanned",
                  h.shallow_roots, h.shallow_roots == 1 ? "" : "s",
                  h.shallow_roots == 1 ? "has" : "have");
    for (size_t i = 0; h.st != NULL && i < g->ncommits; i++)
        free(h.st[i].e);
    for (size_t i = 0; h.diffs != NULL && i < g->ncommits; i++)
        gs_diff_free(&h.diffs[i]);
    free(h.diffs);
    free(h.tree);
    free(h.parent);
    free(h.has_parent);
    free(h.kids);
    free(h.st);
    return rc;
}
