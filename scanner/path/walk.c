/* walk: the `--path` directory walk: entries in name order, an explicit stack instead of
 * recursion, .git/.hg/.svn skipped, symlinks followed only to files inside the tree. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

/* Is `real` inside the tree rooted at `root` (both canonical)? */
static int
inside(const char *root, const char *real)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return 1;
    return strncmp(root, real, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

int
path_walk_tree(struct path_scan *ps, const char *top)
{
    char root[PATH_MAX];
    char **stack = NULL;
    size_t nstack = 0, capstack = 0;
    int rc = 0;

    if (realpath(top, root) == NULL)
        return err_set_errno(ERR_IO, "%s", top);
    stack = malloc(sizeof(*stack) * 16);
    if (stack == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    capstack = 16;
    stack[nstack++] = strdup(top);
    if (stack[0] == NULL) {
        free(stack);
        return err_set(ERR_NOMEM, "out of memory");
    }
    while (nstack > 0 && rc == 0) {
        char *dir = stack[--nstack];
        char **names = NULL;
        size_t nnames = 0, capnames = 0;
        struct dirent *de;
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

        if (d == NULL) {
            path_note(ps, 1, "%s: cannot open directory: %s", dir, strerror(errno));
            ps->unreadable++;
            if (dfd >= 0)
                close(dfd);
            free(dir);
            continue;
        }
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (nnames == capnames) {
                size_t nc = capnames ? capnames * 2 : 32;
                char **nn = realloc(names, nc * sizeof(*nn));
                if (nn == NULL) {
                    rc = err_set(ERR_NOMEM, "out of memory");
                    break;
                }
                names = nn;
                capnames = nc;
            }
            /* The entry's d_type rides in front of its name, so sorting keeps them together. */
            names[nnames] = malloc(strlen(de->d_name) + 2);
            if (names[nnames] != NULL) {
                names[nnames][0] = (char)de->d_type;
                strcpy(names[nnames] + 1, de->d_name);
            }
            if (names[nnames] == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            nnames++;
        }
        if (nnames > 1)
            qsort(names, nnames, sizeof(*names), cmp_names);
        /* Files and links in name order; the subdirectories pushed here are reversed after the
         * loop so that they pop in name order too. */
        size_t pushed_from = nstack;
        for (size_t k = 0; k < nnames && rc == 0; k++) {
            const char *nm = names[k] + 1;
            unsigned char dtype = (unsigned char)names[k][0];
            struct buf child = {0};
            struct stat st;

            if (buf_printf(&child, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", nm) < 0) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            /* d_type saves a stat per entry where the file system fills it in. */
            if (dtype == DT_DIR)
                st.st_mode = S_IFDIR;
            else if (dtype == DT_REG)
                st.st_mode = S_IFREG;
            else if (dtype == DT_LNK)
                st.st_mode = S_IFLNK;
            else if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                buf_free(&child);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                if (strcmp(nm, ".git") == 0 || strcmp(nm, ".hg") == 0 || strcmp(nm, ".svn") == 0) {
                    buf_free(&child);
                    continue;
                }
                if (nstack == capstack) {
                    char **ns = realloc(stack, capstack * 2 * sizeof(*ns));
                    if (ns == NULL) {
                        buf_free(&child);
                        rc = err_set(ERR_NOMEM, "out of memory");
                        break;
                    }
                    stack = ns;
                    capstack *= 2;
                }
                stack[nstack++] = child.data; /* owned by the stack now */
                continue;
            }
            if (S_ISLNK(st.st_mode)) {
                /* A link to a file inside the tree is scanned; links out of the tree and
                 * links to directories are not followed (no escapes, no loops). */
                char real[PATH_MAX];
                struct stat tst;
                if (realpath(child.data, real) != NULL && inside(root, real) &&
                    stat(real, &tst) == 0 && S_ISREG(tst.st_mode)) {
                    rc = path_scan_file(ps, AT_FDCWD, real, child.data);
                } else {
                    path_note(ps, 0, "%s: symlink not followed (leaves the tree, dangles or "
                              "is a directory)",
                              child.data);
                }
                buf_free(&child);
                continue;
            }
            if (S_ISREG(st.st_mode)) /* the queue keeps its own copy of name and descriptor */
                rc = path_scan_file(ps, dirfd(d), nm, child.data);
            buf_free(&child);
        }
        for (size_t a = pushed_from, b = nstack; b > a + 1; a++, b--) {
            char *t = stack[a];
            stack[a] = stack[b - 1];
            stack[b - 1] = t;
        }
        for (size_t k = 0; k < nnames; k++)
            free(names[k]);
        free(names);
        closedir(d);
        free(dir);
    }
    while (nstack > 0)
        free(stack[--nstack]);
    free(stack);
    return rc;
}

