/* scan: the `--path` entry point (scanner_scan_path), one file or standard input streamed
 * through the detector, and each hit turned into a finding. The tree walk is walk.c. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

/* Opened once per process on first use: the rule database is immutable and shareable. */
static struct detect_engine *engine;

static void
engine_close(void)
{
    detect_close(engine);
    engine = NULL;
}

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

/* Streams an open descriptor into the detector, stopping at `size` bytes when it is known (> 0;
 * one read fewer per file) or at end of file. */
static int
stream_fd(struct path_scan *ps, int fd, off_t size, const char *shown)
{
    struct detect_stream *s = NULL;
    size_t total = 0;
    ssize_t got;
    int rc;

    ps->path = shown;
    ps->lockfile = detect_path_is_lockfile(shown);
    rc = detect_stream_open(ps->engine, on_hit, ps, &s);
    while (rc == 0 && (size <= 0 || total < (size_t)size || total == 0)) {
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
        if (total == 0) {
            /* Binary files by content: a NUL byte in the first 8 KiB. */
            if (detect_content_is_binary(p, (size_t)got)) {
                ps->skipped_binary++;
                detect_stream_discard(s);
                s = NULL;
                break;
            }
            ps->files++;
        }
        if (got == 0)
            break;
        total += (size_t)got;
        if (size <= 0 && total > (size_t)ps->max_size) {
            /* A pipe has no size to check first: stop at the limit, and say so. */
            detect_stream_discard(s);
            s = NULL;
            ps->files--;
            ps->skipped_big++;
            rc = err_set(ERR_LIMIT, "%s: over --max-file-size %ld bytes", shown, ps->max_size);
            break;
        }
        rc = detect_stream_commit(s, (size_t)got);
    }
    if (s != NULL) {
        int rc2 = detect_stream_close(s);
        if (rc == 0)
            rc = rc2;
    }
    return rc;
}

int
path_scan_fd(struct path_scan *ps, int fd, const char *shown)
{
    return stream_fd(ps, fd, 0, shown);
}

int
path_scan_file(struct path_scan *ps, int dirfd, const char *name, const char *shown)
{
    struct stat st;
    int fd, rc;

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
    rc = stream_fd(ps, fd, st.st_size, shown);
    close(fd);
    return rc;
}

int
scanner_scan_path(const char *arg, const struct scanner_opts *opts, struct findings *f)
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
    ps.engine = engine;
    ps.opts = opts;
    ps.f = f;
    ps.max_size = opts->max_file_size > 0 ? opts->max_file_size : PATH_DEFAULT_MAX_FILE;
    rc = findings_add_target(f, "path", arg);
    if (rc < 0)
        return rc;
    if (strcmp(arg, "-") == 0) {
        /* Standard input (`git diff --cached | scanner --path -`), reported as "-". */
        rc = path_scan_fd(&ps, 0, "-");
        if (rc == 0 && ps.skipped_binary > 0)
            diag_note("-: binary input skipped");
        return rc;
    }
    if (stat(arg, &st) < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", arg);
    if (S_ISDIR(st.st_mode))
        rc = path_walk_tree(&ps, arg);
    else if (S_ISREG(st.st_mode))
        rc = path_scan_file(&ps, AT_FDCWD, arg, arg);
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
