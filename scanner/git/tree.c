/* tree: what a commit changed against its parent, by comparing tree entries by object id: an
 * unchanged subtree is one comparison, however many files it holds. An explicit stack (bounded
 * depth and path length) instead of recursion that a hostile repository could deepen. */
#include <stdlib.h>
#include <string.h>

#include "gitscan_internal.h"

struct frame {
    git_oid old_id, new_id;
    int has_old, has_new;
    size_t prefix; /* offset into the prefix buffer */
    int depth;
};

struct differ {
    struct gs *g;
    struct gs_diff *d;
    struct frame *stack;
    size_t n, cap;
    struct buf prefixes;
};

static int
is_tree(const git_tree_entry *e)
{
    return git_tree_entry_filemode(e) == GIT_FILEMODE_TREE;
}

/* Git's own order: a tree's name sorts as if it ended in '/'. */
static int
entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
    const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
    size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
    int c = memcmp(na, nb, n);
    unsigned char ca, cb;

    if (c != 0)
        return c;
    ca = la > n ? (unsigned char)na[n] : is_tree(a) ? '/' : 0;
    cb = lb > n ? (unsigned char)nb[n] : is_tree(b) ? '/' : 0;
    return (int)ca - (int)cb;
}

static int
full_path(struct differ *df, const struct frame *f, const git_tree_entry *e, struct buf *out)
{
    const char *pre = df->prefixes.data + f->prefix;
    int rc;

    out->len = 0;
    rc = buf_printf(out, "%s%s%s", pre, pre[0] ? "/" : "", git_tree_entry_name(e));
    if (rc == 0 && out->len > GS_MAX_PATH)
        return err_set(ERR_LIMIT, "a path in the repository is longer than %d bytes: %.80s...",
                       GS_MAX_PATH, out->data);
    return rc;
}

static int
push(struct differ *df, const git_oid *old_id, const git_oid *new_id, const char *path,
     int depth)
{
    struct frame *f;
    size_t off = df->prefixes.len;
    int rc;

    if (depth > GS_MAX_DEPTH)
        return err_set(ERR_LIMIT, "%s: trees nested deeper than %d", path, GS_MAX_DEPTH);
    rc = gs_grow((void **)&df->stack, &df->cap, df->n, sizeof(*df->stack));
    if (rc == 0)
        rc = buf_append(&df->prefixes, path, strlen(path) + 1);
    if (rc < 0)
        return rc;
    f = &df->stack[df->n++];
    memset(f, 0, sizeof(*f));
    if (old_id != NULL) {
        f->old_id = *old_id;
        f->has_old = 1;
    }
    if (new_id != NULL) {
        f->new_id = *new_id;
        f->has_new = 1;
    }
    f->prefix = off;
    f->depth = depth;
    return 0;
}

static int
record(struct gs_diff *d, int gone, const char *path, const git_oid *id, unsigned mode)
{
    struct gs_change **arr = gone ? &d->gone : &d->added;
    size_t *n = gone ? &d->ngone : &d->nadded, *cap = gone ? &d->capgone : &d->capadded;
    size_t off = d->names.len;
    int rc = gs_grow((void **)arr, cap, *n, sizeof(**arr));

    if (rc == 0)
        rc = buf_append(&d->names, path, strlen(path) + 1);
    if (rc < 0)
        return rc;
    (*arr)[(*n)++] = (struct gs_change){off, *id, mode};
    return 0;
}

/* An entry only on the new side: a file to scan, a subtree to descend, a submodule to list. */
static int
added(struct differ *df, const struct frame *f, const git_tree_entry *e, struct buf *path)
{
    git_filemode_t mode = git_tree_entry_filemode(e);
    int rc = full_path(df, f, e, path);

    if (rc < 0)
        return rc;
    switch (mode) {
    case GIT_FILEMODE_TREE:
        return push(df, NULL, git_tree_entry_id(e), path->data, f->depth + 1);
    case GIT_FILEMODE_BLOB:
    case GIT_FILEMODE_BLOB_EXECUTABLE:
        return record(df->d, 0, path->data, git_tree_entry_id(e), (unsigned)mode);
    case GIT_FILEMODE_COMMIT:
        return gs_note_submodule(df->g, path->data);
    default:
        return 0; /* symbolic links: their target path is not content */
    }
}

static int
gone(struct differ *df, const struct frame *f, const git_tree_entry *e, struct buf *path)
{
    git_filemode_t mode = git_tree_entry_filemode(e);
    int rc;

    if (mode != GIT_FILEMODE_TREE && mode != GIT_FILEMODE_BLOB &&
        mode != GIT_FILEMODE_BLOB_EXECUTABLE)
        return 0;
    rc = full_path(df, f, e, path);
    if (rc < 0)
        return rc;
    return record(df->d, 1, path->data, git_tree_entry_id(e), (unsigned)mode);
}

static int
load(struct gs *g, const git_oid *id, git_tree **out)
{
    char hex[GIT_OID_HEXSZ + 1];
    int rc = git_tree_lookup(out, g->repo, id);

    if (rc < 0)
        return gs_git_error(rc, "tree object %s", git_oid_tostr(hex, sizeof(hex), id));
    return 0;
}

static int
compare_frame(struct differ *df, const struct frame *f, struct buf *path)
{
    git_tree *ot = NULL, *nt = NULL;
    size_t i = 0, j = 0, no, nn;
    int rc = 0;

    if (f->has_old)
        rc = load(df->g, &f->old_id, &ot);
    if (rc == 0 && f->has_new)
        rc = load(df->g, &f->new_id, &nt);
    no = ot != NULL ? git_tree_entrycount(ot) : 0;
    nn = nt != NULL ? git_tree_entrycount(nt) : 0;
    while (rc == 0 && (i < no || j < nn)) {
        const git_tree_entry *eo = i < no ? git_tree_entry_byindex(ot, i) : NULL;
        const git_tree_entry *en = j < nn ? git_tree_entry_byindex(nt, j) : NULL;
        int c = eo != NULL && en != NULL ? entry_cmp(eo, en) : eo != NULL ? -1 : 1;

        if (c < 0) {
            rc = gone(df, f, eo, path);
            i++;
        } else if (c > 0) {
            rc = added(df, f, en, path);
            j++;
        } else {
            if (git_oid_equal(git_tree_entry_id(eo), git_tree_entry_id(en)) &&
                git_tree_entry_filemode(eo) == git_tree_entry_filemode(en)) {
                /* unchanged: the whole subtree or file is skipped */
            } else if (is_tree(eo) && is_tree(en)) {
                rc = full_path(df, f, en, path);
                if (rc == 0)
                    rc = push(df, git_tree_entry_id(eo), git_tree_entry_id(en), path->data,
                              f->depth + 1);
            } else {
                rc = gone(df, f, eo, path);
                if (rc == 0)
                    rc = added(df, f, en, path);
            }
            i++;
            j++;
        }
    }
    git_tree_free(ot);
    git_tree_free(nt);
    return rc;
}

int
gs_tree_diff(struct gs *g, const git_oid *old_tree, const git_oid *new_tree, struct gs_diff *d)
{
    struct differ df;
    struct buf path = {0};
    int rc;

    memset(&df, 0, sizeof(df));
    df.g = g;
    df.d = d;
    gs_diff_reset(d);
    if (old_tree != NULL && new_tree != NULL && git_oid_equal(old_tree, new_tree))
        return 0;
    rc = push(&df, old_tree, new_tree, "", 0);
    while (rc == 0 && df.n > 0) {
        struct frame f = df.stack[--df.n];
        rc = compare_frame(&df, &f, &path);
    }
    free(df.stack);
    free(df.prefixes.data);
    free(path.data);
    return rc;
}

void
gs_diff_reset(struct gs_diff *d)
{
    d->names.len = 0;
    d->nadded = d->ngone = 0;
}

void
gs_diff_free(struct gs_diff *d)
{
    free(d->names.data);
    free(d->added);
    free(d->gone);
    memset(d, 0, sizeof(d[0]));
}

int
gs_note_submodule(struct gs *g, const char *path)
{
    int rc;

    for (size_t i = 0; i < g->nsubmodules; i++)
        if (strcmp(g->submodules[i], path) == 0)
            return 0;
    rc = gs_grow((void **)&g->submodules, &g->capsubmodules, g->nsubmodules,
                 sizeof(*g->submodules));
    if (rc < 0)
        return rc;
    g->submodules[g->nsubmodules] = strdup(path);
    if (g->submodules[g->nsubmodules] == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    g->nsubmodules++;
    return 0;
}
