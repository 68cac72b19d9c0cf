/* walk: which commits are scanned. All refs and HEAD by default, or --branch, a REV..REV range,
 * --since-commit; --reflog adds what only the reflogs reach; --since and --max-commits bound
 * the list. Our own walk rather than git_revwalk: libgit2 1.5's walker stops at a shallow
 * clone's boundary ("object not found"), and this one names every object it cannot read. The
 * list ends up children before parents (newest first); history.c takes it from the end. */
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

struct node {
    git_oid id;
    long long time;
    size_t pstart, pcount; /* its parents in walker.parents */
};

struct walker {
    struct gs *g;
    struct gs_map shallow; /* commits whose parents a shallow clone does not have */
    struct gs_map hidden;  /* reachable from a REV of REV..REV or --since-commit */
    struct gs_map seen;    /* id -> index into nodes */
    struct node *nodes;
    size_t nnodes, capnodes;
    git_oid *parents;
    size_t nparents, capparents;
    git_oid *stack;
    size_t nstack, capstack;
    git_oid *tips;
    size_t ntips, captips;
    git_oid *hide_tips;
    size_t nhide, caphide;
};

static int
add_oid(git_oid **arr, size_t *n, size_t *cap, const git_oid *id)
{
    int rc = gs_grow((void **)arr, cap, *n, sizeof(**arr));
    if (rc == 0)
        (*arr)[(*n)++] = *id;
    return rc;
}

/* .git/shallow: one commit id a line, the commits whose parents were cut off. */
static int
read_shallow(struct walker *w)
{
    struct buf path = {0}, data = {0};
    int rc = buf_printf(&path, "%sshallow", git_repository_path(w->g->repo));

    if (rc == 0 && file_read_all(path.data, 64u << 20, 0, &data) == 0 && data.data != NULL) {
        for (char *p = data.data; rc == 0 && *p;) {
            char *nl = strchr(p, '\n');
            git_oid id;
            if (nl != NULL)
                *nl = '\0';
            if (strlen(p) == GIT_OID_HEXSZ && git_oid_fromstr(&id, p) == 0)
                rc = gs_map_put(&w->shallow, id.id, 1);
            p = nl != NULL ? nl + 1 : p + strlen(p);
        }
    }
    err_set(ERR_OK, "%s", ""); /* no shallow file is the usual case, not an error */
    buf_free(&path);
    buf_free(&data);
    return rc;
}

static int
lookup(struct walker *w, const git_oid *id, git_commit **out)
{
    char hex[GIT_OID_HEXSZ + 1];
    int rc = git_commit_lookup(out, w->g->repo, id);

    if (rc < 0)
        return gs_git_error(rc, "commit %s", git_oid_tostr(hex, sizeof(hex), id));
    return 0;
}

/* Marks everything reachable from the hide tips (stopping at a shallow boundary). */
static int
mark_hidden(struct walker *w)
{
    int rc = 0;

    w->nstack = 0;
    for (size_t i = 0; rc == 0 && i < w->nhide; i++)
        rc = add_oid(&w->stack, &w->nstack, &w->capstack, &w->hide_tips[i]);
    while (rc == 0 && w->nstack > 0) {
        git_oid id = w->stack[--w->nstack];
        git_commit *c = NULL;
        int32_t v;

        if (gs_map_get(&w->hidden, id.id, &v))
            continue;
        rc = gs_map_put(&w->hidden, id.id, 1);
        if (rc == 0)
            rc = lookup(w, &id, &c);
        for (unsigned k = 0; rc == 0 && !gs_map_get(&w->shallow, id.id, &v) &&
                             k < git_commit_parentcount(c);
             k++)
            rc = add_oid(&w->stack, &w->nstack, &w->capstack, git_commit_parent_id(c, k));
        git_commit_free(c);
    }
    return rc;
}

/* Every commit reachable from the tips and not hidden, with its parents. */
static int
discover(struct walker *w)
{
    int rc = 0;

    w->nstack = 0;
    for (size_t i = 0; rc == 0 && i < w->ntips; i++)
        rc = add_oid(&w->stack, &w->nstack, &w->capstack, &w->tips[i]);
    while (rc == 0 && w->nstack > 0) {
        git_oid id = w->stack[--w->nstack];
        git_commit *c = NULL;
        struct node *n;
        int32_t v;

        if (gs_map_get(&w->seen, id.id, &v) || gs_map_get(&w->hidden, id.id, &v))
            continue;
        if (w->nnodes >= INT32_MAX)
            return err_set(ERR_LIMIT, "more than %d commits", INT32_MAX);
        rc = lookup(w, &id, &c);
        if (rc == 0)
            rc = gs_grow((void **)&w->nodes, &w->capnodes, w->nnodes, sizeof(*w->nodes));
        if (rc == 0)
            rc = gs_map_put(&w->seen, id.id, (int32_t)w->nnodes);
        if (rc < 0) {
            git_commit_free(c);
            return rc;
        }
        n = &w->nodes[w->nnodes++];
        n->id = id;
        n->time = (long long)git_commit_time(c);
        n->pstart = w->nparents;
        n->pcount = 0;
        if (!gs_map_get(&w->shallow, id.id, &v))
            for (unsigned k = 0; rc == 0 && k < git_commit_parentcount(c); k++) {
                rc = add_oid(&w->parents, &w->nparents, &w->capparents,
                             git_commit_parent_id(c, k));
                if (rc == 0)
                    rc = add_oid(&w->stack, &w->nstack, &w->capstack, git_commit_parent_id(c, k));
                n->pcount++;
            }
        git_commit_free(c);
    }
    return rc;
}

static int
by_time_desc(const void *a, const void *b)
{
    const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;
    return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

/* --since and --max-commits: which discovered commits are kept (keep[i] = 1). */
static int
select_commits(struct walker *w, unsigned char *keep)
{
    const struct gitscan_opts *o = w->g->o;
    struct node **by_time;
    size_t n = 0;

    for (size_t i = 0; i < w->nnodes; i++)
        keep[i] = o->since <= 0 || w->nodes[i].time >= o->since;
    if (o->max_commits <= 0)
        return 0;
    by_time = malloc((w->nnodes ? w->nnodes : 1) * sizeof(*by_time));
    if (by_time == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < w->nnodes; i++)
        if (keep[i])
            by_time[n++] = &w->nodes[i];
    qsort(by_time, n, sizeof(*by_time), by_time_desc);
    for (size_t i = (size_t)o->max_commits; i < n; i++)
        keep[by_time[i] - w->nodes] = 0;
    free(by_time);
    return 0;
}

/* Kahn's algorithm: a commit is listed once all its (walked) children are; O(commits). */
static int
order(struct walker *w)
{
    struct gs *g = w->g;
    uint32_t *kids = calloc(w->nnodes ? w->nnodes : 1, sizeof(*kids));
    unsigned char *keep = calloc(w->nnodes ? w->nnodes : 1, 1);
    size_t *ready = malloc((w->nnodes ? w->nnodes : 1) * sizeof(*ready)), nready = 0;
    int rc = kids != NULL && keep != NULL && ready != NULL ? 0 : err_set(ERR_NOMEM, "out of memory");

    if (rc == 0)
        rc = select_commits(w, keep);
    for (size_t i = 0; rc == 0 && i < w->nnodes; i++)
        for (size_t k = 0; k < w->nodes[i].pcount; k++) {
            int32_t p;
            if (gs_map_get(&w->seen, w->parents[w->nodes[i].pstart + k].id, &p))
                kids[p]++;
        }
    for (size_t i = 0; rc == 0 && i < w->nnodes; i++)
        if (kids[i] == 0)
            ready[nready++] = i;
    while (rc == 0 && nready > 0) {
        size_t i = ready[--nready];
        if (keep[i]) {
            rc = gs_grow((void **)&g->commits, &g->capcommits, g->ncommits, sizeof(*g->commits));
            if (rc == 0)
                rc = gs_map_put(&g->commit_index, w->nodes[i].id.id, (int32_t)g->ncommits);
            if (rc == 0)
                g->commits[g->ncommits++] = w->nodes[i].id;
        }
        for (size_t k = 0; rc == 0 && k < w->nodes[i].pcount; k++) {
            int32_t p;
            if (gs_map_get(&w->seen, w->parents[w->nodes[i].pstart + k].id, &p) && --kids[p] == 0)
                ready[nready++] = (size_t)p;
        }
    }
    free(kids);
    free(keep);
    free(ready);
    return rc;
}

static int
rev_commit(struct gs *g, const char *rev, git_oid *out)
{
    git_object *obj = NULL, *peeled = NULL;
    int rc = git_revparse_single(&obj, g->repo, rev);

    if (rc < 0)
        return gs_git_error(rc, "%s: not a revision of this repository", rev);
    rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc < 0)
        return gs_git_error(rc, "%s: does not name a commit", rev);
    *out = *git_object_id(peeled);
    git_object_free(peeled);
    return 0;
}

/* Every ref that leads to a commit (tags peeled; refs to trees or blobs ignored), and HEAD. */
static int
all_refs(struct walker *w)
{
    git_reference_iterator *it = NULL;
    git_reference *ref;
    git_object *head = NULL;
    int rc = git_reference_iterator_new(&it, w->g->repo), r;

    if (rc < 0)
        return gs_git_error(rc, "reading references");
    while (rc == 0 && (r = git_reference_next(&ref, it)) != GIT_ITEROVER) {
        git_object *c = NULL;
        if (r < 0) {
            rc = gs_git_error(r, "reading references");
            break;
        }
        if (git_reference_peel(&c, ref, GIT_OBJECT_COMMIT) == 0)
            rc = add_oid(&w->tips, &w->ntips, &w->captips, git_object_id(c));
        else if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
            /* A ref to a missing object is a broken repository, not a ref to skip. */
            git_object *o = NULL;
            r = git_object_lookup(&o, w->g->repo, git_reference_target(ref), GIT_OBJECT_ANY);
            if (r < 0)
                rc = gs_git_error(r, "%s", git_reference_name(ref));
            git_object_free(o);
        }
        git_error_clear();
        git_object_free(c);
        git_reference_free(ref);
    }
    git_reference_iterator_free(it);
    /* A detached HEAD is a ref of its own; an unborn one (no commit yet) is not. */
    if (rc == 0 && git_revparse_single(&head, w->g->repo, "HEAD^{commit}") == 0)
        rc = add_oid(&w->tips, &w->ntips, &w->captips, git_object_id(head));
    git_error_clear();
    git_object_free(head);
    return rc;
}

/* Every entry of every reflog (HEAD's too): commits that amends, resets and rebases left
 * behind. Entries whose commit is gone (pruned) are skipped and counted. */
static int
reflog_tips(struct walker *w)
{
    git_strarray refs = {0};
    size_t missing = 0;
    int rc = git_reference_list(&refs, w->g->repo);

    if (rc < 0)
        return gs_git_error(rc, "listing references");
    for (size_t i = 0; i <= refs.count && rc == 0; i++) {
        const char *name = i < refs.count ? refs.strings[i] : "HEAD";
        git_reflog *log = NULL;

        if (git_reflog_read(&log, w->g->repo, name) < 0)
            continue;
        for (size_t k = 0; rc == 0 && k < git_reflog_entrycount(log); k++) {
            const git_reflog_entry *e = git_reflog_entry_byindex(log, k);
            const git_oid *ids[2] = {git_reflog_entry_id_new(e), git_reflog_entry_id_old(e)};
            for (int j = 0; rc == 0 && j < 2; j++) {
                git_commit *c = NULL;
                if (git_oid_is_zero(ids[j]))
                    continue;
                if (git_commit_lookup(&c, w->g->repo, ids[j]) < 0)
                    missing++;
                else
                    rc = add_oid(&w->tips, &w->ntips, &w->captips, ids[j]);
                git_commit_free(c);
            }
        }
        git_reflog_free(log);
    }
    git_error_clear();
    git_strarray_dispose(&refs);
    if (missing > 0)
        diag_note("%zu reflog entr%s name%s commits that are no longer there", missing,
                  missing == 1 ? "y" : "ies", missing == 1 ? "s" : "");
    return rc;
}

static int
collect_tips(struct walker *w)
{
    const struct gitscan_opts *o = w->g->o;
    git_oid id;
    int rc = 0;

    if (o->range != NULL) {
        git_revspec spec;
        rc = git_revparse(&spec, w->g->repo, o->range);
        if (rc < 0)
            return gs_git_error(rc, "%s: not a range of this repository", o->range);
        if (!(spec.flags & GIT_REVSPEC_RANGE) || (spec.flags & GIT_REVSPEC_MERGE_BASE)) {
            git_object_free(spec.from);
            git_object_free(spec.to);
            return err_set(ERR_USAGE, "%s: expected REV..REV", o->range);
        }
        rc = rev_commit(w->g, git_oid_tostr_s(git_object_id(spec.to)), &id);
        if (rc == 0)
            rc = add_oid(&w->tips, &w->ntips, &w->captips, &id);
        if (rc == 0)
            rc = rev_commit(w->g, git_oid_tostr_s(git_object_id(spec.from)), &id);
        if (rc == 0)
            rc = add_oid(&w->hide_tips, &w->nhide, &w->caphide, &id);
        git_object_free(spec.from);
        git_object_free(spec.to);
    } else if (o->branch != NULL) {
        rc = rev_commit(w->g, o->branch, &id);
        if (rc == 0)
            rc = add_oid(&w->tips, &w->ntips, &w->captips, &id);
    } else {
        rc = all_refs(w);
    }
    if (rc == 0 && o->reflog)
        rc = reflog_tips(w);
    if (rc == 0 && o->since_commit != NULL) {
        rc = rev_commit(w->g, o->since_commit, &id);
        if (rc == 0)
            rc = add_oid(&w->hide_tips, &w->nhide, &w->caphide, &id);
    }
    return rc;
}

int
gs_walk_collect(struct gs *g)
{
    struct walker w;
    int rc;

    memset(&w, 0, sizeof(w));
    w.g = g;
    rc = read_shallow(&w);
    if (rc == 0)
        rc = collect_tips(&w);
    if (rc == 0)
        rc = mark_hidden(&w);
    if (rc == 0)
        rc = discover(&w);
    if (rc == 0)
        rc = order(&w);
    gs_map_free(&w.shallow);
    gs_map_free(&w.hidden);
    gs_map_free(&w.seen);
    free(w.nodes);
    free(w.parents);
    free(w.stack);
    free(w.tips);
    free(w.hide_tips);
    return rc;
}
