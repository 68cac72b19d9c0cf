/* scan: `scanner --git DIR`: opens the repository (work tree, .git directory or bare), runs the
 * history walk or the index checks, marks what HEAD still holds, and turns secrets into
 * findings. A repository error stops the scan: nothing is reported as clean. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gitscan_internal.h"

#define GS_CACHE_BYTES (64L << 20) /* libgit2's object cache: trees and commits, not blobs */

static int
lib_init(void)
{
    static int done;

    if (done)
        return 0;
    if (git_libgit2_init() < 0)
        return err_set(ERR_INTERNAL, "libgit2 did not start");
    /* Reading is all we do: no hooks, filters or config commands run, so a repository owned by
     * another user (a CI checkout, a mounted volume) is scanned like one's own. */
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)GS_CACHE_BYTES);
    /* Re-hashing every object read (libgit2's collision-detecting SHA-1) was most of the time
     * on a real history; git itself does not re-hash on reads either. zlib's checksums still
     * catch a damaged object, and a missing one is still an error. */
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    done = 1;
    return 0;
}

static int
mark_head_blob(struct gs *g, const char *path, const git_oid *id)
{
    int32_t bi;

    if (!gs_map_get(&g->blob_map, id->id, &bi) || bi < 0)
        return 0;
    for (uint32_t x = 0; x < g->blobs[bi].n; x++) {
        const struct gs_hit *h = &g->hits[g->blobs[bi].first + x];
        if (gs_hit_counts(h, path))
            g->secrets[h->secret].at_head = 1;
    }
    return 0;
}

/* Which secrets HEAD's tree still holds (blobs already scanned; nothing new is read). */
static int
mark_head(struct gs *g)
{
    git_object *tree = NULL;
    struct gs_diff d;
    int rc;

    if (g->nsecrets == 0)
        return 0;
    if (git_revparse_single(&tree, g->repo, "HEAD^{tree}") < 0) {
        git_error_clear(); /* unborn HEAD: nothing is "still there" */
        return 0;
    }
    memset(&d, 0, sizeof(d));
    rc = gs_tree_diff(g, NULL, git_object_id(tree), &d);
    for (size_t k = 0; rc == 0 && k < d.nadded; k++)
        rc = mark_head_blob(g, d.names.data + d.added[k].path, &d.added[k].id);
    gs_diff_free(&d);
    git_object_free(tree);
    return rc;
}

/* repositoryUri for SARIF: the origin remote without credentials, else a file:// URI. */
static int
provenance(struct gs *g, struct findings *f)
{
    git_config *cfg = NULL;
    const char *url = NULL;
    git_reference *head = NULL;
    git_oid hid;
    char hex[GIT_OID_HEXSZ + 1] = "";
    struct buf uri = {0};
    const char *branch = NULL;
    int rc = 0;

    /* The config value, not git_remote_lookup: libgit2 1.5 leaks a regex match there. */
    if (git_repository_config_snapshot(&cfg, g->repo) == 0 &&
        git_config_get_string(&url, cfg, "remote.origin.url") == 0 && url != NULL &&
        strstr(url, "://") != NULL) {
        const char *u = url, *host = strstr(u, "://") + 3;
        const char *at = strchr(host, '@'), *slash = strchr(host, '/');
        if (at != NULL && (slash == NULL || at < slash)) /* user:password@ stays out */
            rc = buf_printf(&uri, "%.*s%s", (int)(host - u), u, at + 1);
        else
            rc = buf_printf(&uri, "%s", u);
    } else {
        char real[PATH_MAX];
        const char *p = git_repository_workdir(g->repo);
        if (p == NULL)
            p = git_repository_path(g->repo);
        rc = buf_printf(&uri, "file://%s", realpath(p, real) != NULL ? real : p);
    }
    git_error_clear();
    git_config_free(cfg); /* url lived in the snapshot: not used past here */
    if (git_reference_name_to_id(&hid, g->repo, "HEAD") == 0)
        git_oid_tostr(hex, sizeof(hex), &hid);
    if (git_repository_head(&head, g->repo) == 0 && git_reference_is_branch(head))
        branch = git_reference_shorthand(head);
    git_error_clear();
    if (rc == 0)
        rc = findings_set_target_vcs(f, uri.data, hex[0] ? hex : NULL, branch);
    git_reference_free(head);
    buf_free(&uri);
    return rc;
}

static int
load_ignores(struct gs *g, struct gs_ignores *ign)
{
    static const char *const names[] = {".scanner-gitignore", ".gitleaksignore"};
    const char *wd = git_repository_workdir(g->repo);
    int rc = 0;

    if (g->o->ignore_file != NULL)
        return gs_ignore_load(ign, g->o->ignore_file, 0);
    for (size_t i = 0; wd != NULL && rc == 0 && i < 2; i++) {
        struct buf p = {0};
        struct stat st;
        rc = buf_printf(&p, "%s%s", wd, names[i]);
        if (rc == 0 && lstat(p.data, &st) == 0)
            rc = gs_ignore_load(ign, p.data, FILE_READ_NOFOLLOW);
        buf_free(&p);
    }
    return rc;
}

static void
notes(const struct gs *g, const char *dir)
{
    if (!g->o->staged && !g->o->unstaged)
        diag_note("%s: %zu commit%s, %zu blob%s scanned (%.1f MB); skipped: %zu binary, %zu over "
                  "the size limit, %zu Git LFS pointer%s",
                  dir, g->ncommits, g->ncommits == 1 ? "" : "s", g->scanned_blobs,
                  g->scanned_blobs == 1 ? "" : "s", (double)g->scanned_bytes / 1e6,
                  g->skipped_binary, g->skipped_big, g->skipped_lfs,
                  g->skipped_lfs == 1 ? "" : "s");
    for (size_t i = 0; i < g->nsubmodules; i++)
        diag_note("%s: submodule %s skipped (scan its own repository)", dir, g->submodules[i]);
}

static void
gs_free(struct gs *g)
{
    for (size_t i = 0; i < g->nsecrets; i++) {
        free(g->secrets[i].path);
        if (g->secrets[i].value != NULL) {
            memset(g->secrets[i].value, 0, strlen(g->secrets[i].value));
            free(g->secrets[i].value);
        }
    }
    for (size_t i = 0; i < g->npaths; i++)
        free(g->paths[i]);
    for (size_t i = 0; i < g->nsubmodules; i++)
        free(g->submodules[i]);
    free(g->secrets);
    free(g->paths);
    free(g->submodules);
    free(g->commits);
    free(g->blobs);
    free(g->hits);
    gs_map_free(&g->commit_index);
    gs_map_free(&g->blob_map);
    gs_map_free(&g->secret_map);
    git_odb_free(g->odb);
    git_repository_free(g->repo);
    detect_close(g->engine);
}

int
gitscan_scan(const char *dir, const struct gitscan_opts *o, struct findings *f)
{
    struct gs g;
    struct gs_ignores ign = {NULL, 0, 0};
    struct stat st;
    int rc;

    memset(&g, 0, sizeof(g));
    g.o = o;
    g.max_size = o->max_file_size > 0 ? o->max_file_size : GS_DEFAULT_MAX_FILE;
    rc = findings_add_target(f, "git", dir);
    if (rc < 0)
        return rc;
    if (stat(dir, &st) < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", dir);
    if (!S_ISDIR(st.st_mode))
        return err_set(ERR_USAGE, "%s: not a directory", dir);
    rc = lib_init();
    if (rc < 0)
        return rc;
    rc = git_repository_open_ext(&g.repo, dir, 0, NULL);
    if (rc == GIT_ENOTFOUND)
        return err_set(ERR_NOTFOUND, "%s: not a git repository (nor inside one)", dir);
    if (rc < 0)
        return gs_git_error(rc, "%s", dir);
    rc = git_repository_odb(&g.odb, g.repo);
    if (rc < 0)
        rc = gs_git_error(rc, "%s: object database", dir);
    if (rc == 0)
        rc = detect_open(&g.engine);
    if (rc == 0)
        rc = provenance(&g, f);
    if (rc == 0 && (o->staged || o->unstaged)) {
        rc = gs_index_scan(&g, f);
    } else if (rc == 0) {
        rc = load_ignores(&g, &ign);
        if (rc == 0)
            rc = gs_walk_collect(&g);
        if (rc == 0)
            rc = gs_history_scan(&g);
        if (rc == 0)
            rc = mark_head(&g);
        if (rc == 0)
            rc = gs_report(&g, &ign, f);
    }
    if (rc == 0)
        notes(&g, dir);
    gs_ignore_free(&ign);
    gs_free(&g);
    return rc;
}

int
gitscan_parse_date(const char *s, long long *out)
{
    struct tm tm;
    const char *p;
    char *end;
    long long off = 0;

    if (s[0] == '@') {
        errno = 0;
        *out = strtoll(s + 1, &end, 10);
        if (s[1] == '\0' || *end != '\0' || errno != 0 || *out < 0)
            return err_set(ERR_USAGE, "--since: '%s' is not @SECONDS", s);
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    p = strptime(s, "%Y-%m-%d", &tm);
    if (p != NULL && (*p == 'T' || *p == ' ')) {
        const char *hms = strptime(p + 1, "%H:%M:%S", &tm);
        p = hms != NULL ? hms : strptime(p + 1, "%H:%M", &tm);
    }
    if (p != NULL && (*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
        isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
        off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
        off = *p == '-' ? -off : off;
        p += 6;
    } else if (p != NULL && *p == 'Z') {
        p++;
    }
    if (p == NULL || *p != '\0')
        return err_set(ERR_USAGE, "--since: '%s' is not a date (YYYY-MM-DD, "
                       "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] or @SECONDS)", s);
    *out = (long long)timegm(&tm) - off;
    return 0;
}
