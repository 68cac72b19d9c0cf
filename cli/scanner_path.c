/* scanner_path: `scanner --path PATH...`: walks files and directories (skipping .git, binary
 * files, files over --max-file-size, symlinks that leave the tree) and streams each file
 * through the secret detector; every hit becomes a finding. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "detect.h"

#define PATH_DEFAULT_MAX_FILE (10L << 20)
#define PATH_SNIFF_BYTES      8192

static struct detect_engine *engine;

static void
engine_close(void)
{
    detect_close(engine);
    engine = NULL;
}

struct path_scan {
    const struct scan_opts *opts;
    struct findings *f;
    const char *path; /* the file being scanned, as reported */
    int lockfile;
    long max_size;
    size_t files, skipped_binary, skipped_big, unreadable;
    int err;
};

static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct path_scan *ps = user;
    struct location loc;
    struct buf shown = {0};
    int rc;

    /* Lock files are full of integrity hashes: only provider formats count there. */
    if (ps->lockfile && hit->is_generic)
        return 0;
    memset(&loc, 0, sizeof(loc));
    loc.path = ps->path;
    loc.line = hit->line;
    loc.column = hit->column;
    loc.layer_index = -1;
    /* --show-secrets is the explicit flag that puts the value in the report. */
    if (ps->opts->show_secrets &&
        buf_printf(&shown, "value '%.*s'", (int)(hit->secret_end - hit->secret_start),
                   hit->secret) < 0)
        return ERR_NOMEM;
    rc = detect_add_finding(ps->f, hit, &loc, shown.data);
    buf_free(&shown);
    return rc < 0 ? rc : 0;
}

static int
looks_binary(const char *p, size_t n)
{
    return memchr(p, '\0', n) != NULL;
}

/* Scans one regular file opened without following a final symlink. */
static int
scan_file(struct path_scan *ps, int dirfd, const char *name, const char *shown)
{
    struct detect_stream *s = NULL;
    struct stat st;
    char sniff[PATH_SNIFF_BYTES];
    ssize_t got;
    int fd, rc = 0;

    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        diag_warn("%s: cannot open: %s", shown, strerror(errno));
        ps->unreadable++;
        return 0;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 0; /* fifos, devices, sockets: not files to read */
    }
    if (st.st_size > ps->max_size) {
        diag_note("%s: skipped, %lld bytes is over --max-file-size %ld", shown,
                  (long long)st.st_size, ps->max_size);
        ps->skipped_big++;
        close(fd);
        return 0;
    }
    ps->path = shown;
    ps->lockfile = detect_path_is_lockfile(shown);
    /* Binary files by content: a NUL byte in the first 8 KiB. */
    got = pread(fd, sniff, sizeof(sniff), 0);
    if (got < 0) {
        diag_warn("%s: read error: %s", shown, strerror(errno));
        ps->unreadable++;
        close(fd);
        return 0;
    }
    if (looks_binary(sniff, (size_t)got)) {
        explicit_bzero(sniff, sizeof(sniff));
        ps->skipped_binary++;
        close(fd);
        return 0;
    }
    ps->files++;
    rc = detect_stream_open(engine, on_hit, ps, &s);
    while (rc == 0) {
        char *p;
        size_t room;
        rc = detect_stream_reserve(s, &p, &room);
        if (rc < 0)
            break;
        got = read(fd, p, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            diag_warn("%s: read error: %s", shown, strerror(errno));
            ps->unreadable++;
            break;
        }
        if (got == 0)
            break;
        rc = detect_stream_commit(s, (size_t)got);
    }
    if (s != NULL) {
        int rc2 = detect_stream_close(s);
        if (rc == 0)
            rc = rc2;
    }
    explicit_bzero(sniff, sizeof(sniff));
    close(fd);
    return rc;
}

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
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks a directory tree with an explicit stack (no recursion that input can deepen). */
static int
scan_tree(struct path_scan *ps, const char *top)
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
            diag_warn("%s: cannot open directory: %s", dir, strerror(errno));
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
            names[nnames] = strdup(de->d_name);
            if (names[nnames] == NULL) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            nnames++;
        }
        if (nnames > 1)
            qsort(names, nnames, sizeof(*names), cmp_names);
        /* Subdirectories are pushed in reverse so they pop in name order. */
        for (size_t k = nnames; k-- > 0 && rc == 0;) {
            const char *nm = names[k];
            struct buf child = {0};
            struct stat st;

            if (buf_printf(&child, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", nm) < 0) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
            if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
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
                    rc = scan_file(ps, AT_FDCWD, real, child.data);
                } else {
                    diag_note("%s: symlink not followed (leaves the tree, dangles or is a "
                              "directory)",
                              child.data);
                }
                buf_free(&child);
                continue;
            }
            if (S_ISREG(st.st_mode)) {
                /* Collect file findings in name order: scan after pushing directories. */
                rc = scan_file(ps, dirfd(d), nm, child.data);
                /* Findings keep their own copy of the path. */
            }
            buf_free(&child);
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

int
scan_path(const char *arg, const struct scan_opts *opts, struct findings *f)
{
    struct path_scan ps;
    struct stat st;
    int rc;

    if (engine == NULL) {
        rc = detect_open(&engine);
        if (rc < 0)
            return rc;
        atexit(engine_close);
    }
    memset(&ps, 0, sizeof(ps));
    ps.opts = opts;
    ps.f = f;
    ps.max_size = opts->max_file_size > 0 ? opts->max_file_size : PATH_DEFAULT_MAX_FILE;
    rc = findings_add_target(f, "path", arg);
    if (rc < 0)
        return rc;
    if (stat(arg, &st) < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", arg);
    if (S_ISDIR(st.st_mode))
        rc = scan_tree(&ps, arg);
    else if (S_ISREG(st.st_mode))
        rc = scan_file(&ps, AT_FDCWD, arg, arg);
    else
        return err_set(ERR_USAGE, "%s: not a file or directory", arg);
    if (rc < 0)
        return rc;
    diag_note("%s: %zu file%s scanned, %zu binary and %zu over the size limit skipped", arg,
              ps.files, ps.files == 1 ? "" : "s", ps.skipped_binary, ps.skipped_big);
    if (ps.unreadable > 0)
        return err_set(ERR_IO, "%s: %zu file%s or director%s could not be read", arg,
                       ps.unreadable, ps.unreadable == 1 ? "" : "s",
                       ps.unreadable == 1 ? "y" : "ies");
    return 0;
}
