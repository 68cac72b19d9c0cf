/* walk: which commits are scanned. All refs and HEAD by default, or --branch, a REV..REV range,
 * --since-commit; --reflog adds what only the reflogs reach; --since and --max-commits bound
 * the list. git_revwalk does the walking; the list is kept newest first. */
#include <string.h>

#include "gitscan_internal.h"

static int
push_rev(struct gs *g, git_revwalk *w, const char *rev, int hide)
{
    git_object *obj = NULL, *peeled = NULL;
    int rc = git_revparse_single(&obj, g->repo, rev);

    if (rc < 0)
        return gs_git_error(rc, "%s: not a revision of this repository", rev);
    rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc < 0)
        return gs_git_error(rc, "%s: does not name a commit", rev);
    rc = hide ? git_revwalk_hide(w, git_object_id(peeled)) : git_revwalk_push(w, git_object_id(peeled));
    git_object_free(peeled);
    return rc < 0 ? gs_git_error(rc, "%s", rev) : 0;
}

/* Every entry of every reflog (HEAD's too): commits that amends, resets and rebases left
 * behind. Entries whose commit is gone (pruned) are skipped and counted. */
static int
push_reflogs(struct gs *g, git_revwalk *w)
{
    git_strarray refs = {0};
    size_t missing = 0;
    int rc = git_reference_list(&refs, g->repo);

    if (rc < 0)
        return gs_git_error(rc, "listing references");
    for (size_t i = 0; i <= refs.count && rc == 0; i++) {
        const char *name = i < refs.count ? refs.strings[i] : "HEAD";
        git_reflog *log = NULL;

        if (git_reflog_read(&log, g->repo, name) < 0)
            continue; /* no reflog for this ref */
        for (size_t k = 0; k < git_reflog_entrycount(log); k++) {
            const git_reflog_entry *e = git_reflog_entry_byindex(log, k);
            const git_oid *ids[2] = {git_reflog_entry_id_new(e), git_reflog_entry_id_old(e)};
            for (int j = 0; j < 2; j++) {
                if (git_oid_is_zero(ids[j]))
                    continue;
                if (git_revwalk_push(w, ids[j]) < 0)
                    missing++;
            }
        }
        git_reflog_free(log);
    }
    git_strarray_dispose(&refs);
    if (missing > 0)
        diag_note("%zu reflog entr%s name%s commits that are no longer there", missing,
                  missing == 1 ? "y" : "ies", missing == 1 ? "s" : "");
    return rc;
}

int
gs_walk_collect(struct gs *g)
{
    const struct gitscan_opts *o = g->o;
    git_revwalk *w = NULL;
    git_oid id;
    int rc = git_revwalk_new(&w, g->repo);

    if (rc < 0)
        return gs_git_error(rc, "history walk");
    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (o->range != NULL) {
        rc = git_revwalk_push_range(w, o->range);
        if (rc < 0)
            rc = gs_git_error(rc, "%s: not a range of this repository", o->range);
    } else if (o->branch != NULL) {
        rc = push_rev(g, w, o->branch, 0);
    } else {
        rc = git_revwalk_push_glob(w, "refs/*");
        if (rc < 0)
            rc = gs_git_error(rc, "reading references");
        /* A detached HEAD is a ref of its own; an unborn one (no commit yet) is not. */
        if (rc == 0)
            git_revwalk_push_head(w);
    }
    if (rc == 0 && o->reflog)
        rc = push_reflogs(g, w);
    if (rc == 0 && o->since_commit != NULL)
        rc = push_rev(g, w, o->since_commit, 1);
    while (rc == 0) {
        int r = git_revwalk_next(&id, w);
        if (r == GIT_ITEROVER)
            break;
        if (r < 0) {
            rc = gs_git_error(r, "walking the history");
            break;
        }
        if (o->since > 0) {
            git_commit *c = NULL;
            r = git_commit_lookup(&c, g->repo, &id);
            if (r < 0) {
                char hex[GIT_OID_HEXSZ + 1];
                rc = gs_git_error(r, "commit %s", git_oid_tostr(hex, sizeof(hex), &id));
                break;
            }
            r = (long long)git_commit_time(c) < o->since;
            git_commit_free(c);
            if (r)
                continue;
        }
        if (o->max_commits > 0 && (long)g->ncommits >= o->max_commits)
            break;
        if (g->ncommits >= INT32_MAX) {
            rc = err_set(ERR_LIMIT, "more than %d commits", INT32_MAX);
            break;
        }
        rc = gs_grow((void **)&g->commits, &g->capcommits, g->ncommits, sizeof(*g->commits));
        if (rc == 0)
            rc = gs_map_put(&g->commit_index, id.id, (int32_t)g->ncommits);
        if (rc == 0)
            g->commits[g->ncommits++] = id;
    }
    git_revwalk_free(w);
    return rc;
}
