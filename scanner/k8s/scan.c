/* k8s_scan: `scanner --k8s PATH`: a manifest file, or a directory walked for *.yaml / *.yml
 * (sorted, bounded in depth and count; symlinks and hidden directories not followed). Each file
 * is read whole (bounded), refused if binary, and every YAML document in it is an object. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"
#include "k8s.h"
#include "scanner.h"

int
k8s_scan_data(struct compose_file *cf, const char *data, size_t len, struct detect_engine *det,
              const struct scanner_opts *o, struct findings *f, size_t *containers)
{
    int rc, more;

    if (memchr(data, '\0', len) != NULL)
        return err_set(ERR_PARSE, "%s: binary data (a NUL byte), not a Kubernetes manifest",
                       cf->path);
    if ((rc = compose_yaml_open(cf, data, len)) < 0)
        return rc;
    while ((more = compose_yaml_next(cf)) > 0) {
        yaml_node_t *root = yaml_document_get_root_node(&cf->doc);
        if (root != NULL && (rc = k8s_object_scan(cf, root, det, o, f, containers)) < 0)
            break;
    }
    if (more < 0)
        rc = more;
    compose_yaml_close(cf);
    return rc;
}

struct walk {
    struct detect_engine *det;
    const struct scanner_opts *o;
    struct findings *f;
    long max;
    size_t files, failed, containers;
};

static int
scan_file(struct walk *w, const char *path, int flags)
{
    struct compose_file cf;
    struct buf data = {NULL, 0, 0};
    int rc;

    memset(&cf, 0, sizeof(cf));
    cf.path = path;
    cf.max_file = w->max;
    cf.budget = COMPOSE_WORK_BUDGET;
    w->files++;
    rc = file_read_all(path, (size_t)w->max, flags, &data);
    if (rc == 0)
        rc = k8s_scan_data(&cf, data.data ? data.data : "", data.len, w->det, w->o, w->f,
                           &w->containers);
    buf_free(&data);
    return rc;
}

static int
is_manifest_name(const char *name)
{
    size_t n = strlen(name);

    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Recursion bounded by K8S_MAX_DIR_DEPTH, whatever the tree. A file that cannot be read or
 * parsed is reported at once and counted; the walk goes on. */
static int
walk_dir(struct walk *w, const char *dir, int depth)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (d == NULL) {
        if (dfd >= 0)
            close(dfd);
        return err_set_errno(ERR_IO, "%s: cannot open directory", dir);
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') /* ".", "..", .git and other hidden entries */
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = realloc(names, nc * sizeof(*nn));
            if (nn == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            names = nn;
            cap = nc;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
        else
            n++;
    }
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct buf child = {NULL, 0, 0};
        struct stat st;

        if (buf_printf(&child, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                       names[i]) < 0) {
            rc = err_set(ERR_NOMEM, "out of memory");
            break;
        }
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            diag_warn("%s: cannot stat: %s", child.data, strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            diag_note("%s: symlink not followed", child.data);
        } else if (S_ISDIR(st.st_mode)) {
            if (depth + 1 > K8S_MAX_DIR_DEPTH)
                rc = err_set(ERR_LIMIT, "%s: directories nested deeper than %d levels",
                             child.data, K8S_MAX_DIR_DEPTH);
            else
                rc = walk_dir(w, child.data, depth + 1);
        } else if (S_ISREG(st.st_mode) && is_manifest_name(names[i])) {
            if (w->files >= K8S_MAX_FILES) {
                rc = err_set(ERR_LIMIT, "%s: more than %d manifest files", dir, K8S_MAX_FILES);
            } else if (scan_file(w, child.data, FILE_READ_NOFOLLOW) < 0) {
                diag_error("%s", err_message());
                w->failed++;
            }
        }
        buf_free(&child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int
scanner_scan_k8s(const char *path, const struct scanner_opts *o, struct findings *f)
{
    struct walk w;
    struct stat st;
    int rc;

    memset(&w, 0, sizeof(w));
    w.o = o;
    w.f = f;
    w.max = o != NULL && o->max_file_size > 0 ? o->max_file_size : COMPOSE_MAX_FILE;
    if ((rc = findings_add_target(f, "k8s", path)) < 0)
        return rc;
    if (stat(path, &st) < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", path);
    if ((rc = detect_open(&w.det)) < 0)
        return rc;
    if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(&w, path, 0);
        if (rc == 0 && w.failed > 0)
            rc = err_set(ERR_PARSE, "%s: %zu of %zu manifest files could not be scanned (see "
                                    "above)",
                         path, w.failed, w.files);
        if (rc == 0 && w.files == 0)
            diag_warn("%s: no *.yaml or *.yml file found", path);
    } else {
        /* The file the user named may be a symlink. */
        rc = scan_file(&w, path, 0);
    }
    detect_close(w.det);
    return rc;
}
