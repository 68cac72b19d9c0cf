/* report_path: paths as reports show them: relative to the scan root (the git work tree's top
 * when the front end sets it, else the current directory), so that SARIF URIs, baselines and
 * fingerprints are the same on every machine, checkout directory and sub-directory. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static char root[PATH_MAX];     /* absolute, no trailing slash; "" = not set */
static char cwd_rel[PATH_MAX];  /* the current directory relative to root: "" or "sub/dir/" */
static int root_set;

void
report_set_root(const char *dir)
{
    char cwd[PATH_MAX];
    size_t n;

    root_set = 1;
    root[0] = cwd_rel[0] = '\0';
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return;
    if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof(root))
        dir = cwd;
    snprintf(root, sizeof(root), "%s", dir);
    n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        root[--n] = '\0';
    if (strcmp(cwd, root) != 0 && strncmp(cwd, root, n) == 0 && (cwd[n] == '/' || n == 1))
        snprintf(cwd_rel, sizeof(cwd_rel), "%s/", cwd + n + (n > 1));
}

const char *
report_root(void)
{
    if (!root_set)
        report_set_root(NULL);
    return root;
}

/* Lexically resolves "." and ".." of an absolute path in place (symlinks are not followed: the
 * path names the file the user gave, as reports show it). */
static void
normalize(char *p)
{
    char *out = p, *in = p;

    while (*in) {
        while (*in == '/')
            in++;
        if (*in == '\0')
            break;
        char *seg = in;
        while (*in && *in != '/')
            in++;
        size_t n = (size_t)(in - seg);
        if (n == 1 && seg[0] == '.')
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/')
                ;
            continue;
        }
        *out++ = '/';
        memmove(out, seg, n);
        out += n;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

int
report_path_rel(const char *path, char *out, size_t outsz)
{
    char abs[PATH_MAX * 2];
    size_t n;
    int rc;

    if (!root_set)
        report_set_root(NULL);
    n = strlen(root);
    if (path[0] == '/')
        rc = str_format(abs, sizeof(abs), "%s", path);
    else
        rc = str_format(abs, sizeof(abs), "%s/%s%s", root, cwd_rel, path);
    if (rc < 0 || n == 0)
        return str_format(out, outsz, "%s", path);
    normalize(abs);
    if (n == 1) /* the root is "/" */
        return str_format(out, outsz, "%s", abs[1] ? abs + 1 : ".");
    if (strncmp(abs, root, n) == 0 && abs[n] == '/')
        return str_format(out, outsz, "%s", abs + n + 1);
    if (strcmp(abs, root) == 0)
        return str_format(out, outsz, ".");
    return str_format(out, outsz, "%s", abs); /* outside the root: absolute */
}
