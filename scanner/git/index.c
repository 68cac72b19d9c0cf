/* index: --staged (what `git commit` would record: the index against HEAD's tree, the check a
 * pre-commit hook wants) and --unstaged (the working tree against the index, untracked files
 * included). Their hits are findings at once: there is no commit to attribute them to. */
#include <string.h>

#include "gitscan_internal.h"

static int
scan_staged_blob(struct gs *g, const git_index_entry *e, struct findings *f)
{
    git_odb_object *obj = NULL;
    git_object_t type;
    char hex[GIT_OID_HEXSZ + 1];
    size_t len;
    int rc;

    git_oid_tostr(hex, sizeof(hex), &e->id);
    rc = git_odb_read_header(&len, &type, g->odb, &e->id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s, staged)", hex, e->path);
    if (len > (size_t)g->max_size) {
        diag_note("%s (staged): skipped, %zu bytes is over --max-file-size %ld", e->path, len,
                  g->max_size);
        g->skipped_big++;
        return 0;
    }
    rc = git_odb_read(&obj, g->odb, &e->id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s, staged)", hex, e->path);
    rc = gs_scan_buffer(g, git_odb_object_data(obj), git_odb_object_size(obj), e->path,
                        "staged, not committed", f);
    git_odb_object_free(obj);
    return rc;
}

static int
scan_staged(struct gs *g, struct findings *f)
{
    git_index *idx = NULL;
    git_object *head = NULL;
    int rc = git_repository_index(&idx, g->repo);

    if (rc < 0)
        return gs_git_error(rc, "the index");
    /* No HEAD yet (the first commit): everything staged is new. */
    if (git_revparse_single(&head, g->repo, "HEAD^{tree}") < 0)
        git_error_clear();
    for (size_t i = 0; rc == 0 && i < git_index_entrycount(idx); i++) {
        const git_index_entry *e = git_index_get_byindex(idx, i);
        git_tree_entry *te = NULL;
        int same;

        if (e->mode == GIT_FILEMODE_COMMIT) {
            rc = gs_note_submodule(g, e->path);
            continue;
        }
        if (e->mode != GIT_FILEMODE_BLOB && e->mode != GIT_FILEMODE_BLOB_EXECUTABLE)
            continue;
        same = head != NULL && git_tree_entry_bypath(&te, (git_tree *)head, e->path) == 0 &&
               git_oid_equal(git_tree_entry_id(te), &e->id);
        git_tree_entry_free(te);
        if (!same)
            rc = scan_staged_blob(g, e, f);
    }
    git_object_free(head);
    git_index_free(idx);
    return rc;
}

static int
scan_unstaged(struct gs *g, struct findings *f)
{
    git_status_options so;
    git_status_list *list = NULL;
    const char *wd = git_repository_workdir(g->repo);
    int rc = git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);

    if (rc < 0)
        return gs_git_error(rc, "status options");
    so.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
    so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    rc = git_status_list_new(&list, g->repo, &so);
    if (rc < 0)
        return gs_git_error(rc, "working tree status");
    for (size_t i = 0; rc == 0 && i < git_status_list_entrycount(list); i++) {
        const git_status_entry *s = git_status_byindex(list, i);
        struct buf path = {0}, data = {0};
        const char *rel;

        if (s->index_to_workdir == NULL ||
            !(s->status & (GIT_STATUS_WT_NEW | GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE)))
            continue;
        rel = s->index_to_workdir->new_file.path;
        rc = buf_printf(&path, "%s%s", wd, rel);
        if (rc == 0) {
            rc = file_read_all(path.data, (size_t)g->max_size, FILE_READ_NOFOLLOW, &data);
            if (rc == ERR_LIMIT) {
                diag_note("%s (unstaged): skipped, over --max-file-size %ld", rel, g->max_size);
                g->skipped_big++;
                rc = 0;
            } else if (rc == ERR_UNSAFE) {
                rc = 0; /* a symbolic link or a special file: not content */
            } else if (rc == 0) {
                rc = gs_scan_buffer(g, data.data != NULL ? data.data : "", data.len, rel,
                                    "unstaged, in the working tree", f);
            }
        }
        buf_free(&path);
        buf_free(&data);
    }
    git_status_list_free(list);
    return rc;
}

int
gs_index_scan(struct gs *g, struct findings *f)
{
    int rc = 0;

    if ((g->o->staged || g->o->unstaged) && git_repository_is_bare(g->repo))
        return err_set(ERR_USAGE, "%s: a bare repository has no index or working tree "
                       "(--staged, --unstaged)", git_repository_path(g->repo));
    if (g->o->staged)
        rc = scan_staged(g, f);
    if (rc == 0 && g->o->unstaged)
        rc = scan_unstaged(g, f);
    return rc;
}
