/* scan: the `--path` entry point (scanner_scan_path), one file or standard input streamed
 * through the detector, and each hit turned into a finding. The tree walk is walk.c. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "path.h"

/* Opened once per process on first use: the rule database is immutable and shareable. */
static struct detect_engine *engine;

static void
engine_close(void)
{
    detect_close(engine);
    engine = NULL;
}

/* One file of the walk: what a worker needs to scan it, and what it found, kept until the walk's
 * thread reports it in its turn. */
struct path_hit {
    struct detect_hit hit; /* hit.secret points at value, or is NULL */
    char *value;           /* only with --show-secrets */
};

struct path_item {
    int fd;            /* an open descriptor (standard input), or -1: open dirfd/name */
    int dirfd;         /* a duplicate of the directory's descriptor, or AT_FDCWD */
    char *name, *shown;
    int lockfile;
    int keep_values;   /* --show-secrets: keep each hit's value for the report */
    struct buf pre;    /* the walk's messages before this file */
    struct buf diag;   /* this file's messages */
    struct path_hit *hits;
    size_t nhits, caphits;
    size_t files, skipped_binary, skipped_big, unreadable;
    int rc;
    char msg[1024];
};

static void
item_free(struct path_item *it)
{
    if (it == NULL)
        return;
    if (it->dirfd >= 0)
        close(it->dirfd);
    for (size_t k = 0; k < it->nhits; k++)
        if (it->hits[k].value != NULL) {
            sodium_memzero(it->hits[k].value, strlen(it->hits[k].value));
            free(it->hits[k].value);
        }
    if (it->hits != NULL)
        sodium_memzero(it->hits, it->nhits * sizeof(*it->hits));
    free(it->hits);
    buf_free(&it->pre);
    buf_free(&it->diag);
    free(it->name);
    free(it->shown);
    free(it);
}

/* On a worker: keeps a hit (and its value only when it will be printed). */
static int
on_hit(const struct detect_hit *hit, void *user)
{
    struct path_item *it = user;
    struct path_hit *h;

    /* Lock files are full of integrity hashes: only provider formats count there. */
    if (it->lockfile && hit->is_generic)
        return 0;
    if (it->nhits == it->caphits) {
        size_t nc = it->caphits ? it->caphits * 2 : 8;
        struct path_hit *n = realloc(it->hits, nc * sizeof(*n));
        if (n == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        it->hits = n;
        it->caphits = nc;
    }
    h = &it->hits[it->nhits];
    h->hit = *hit;
    h->hit.secret = NULL;
    h->value = NULL;
    if (it->keep_values) {
        h->value = strndup(hit->secret, hit->secret_end - hit->secret_start);
        if (h->value == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        h->hit.secret = h->value;
    }
    it->nhits++;
    return 0;
}

/* Streams an open descriptor into the detector, stopping at `size` bytes when it is known (> 0;
 * one read fewer per file) or at end of file. */
static int
stream_fd(const struct path_scan *ps, struct path_item *it, int fd, off_t size)
{
    struct detect_stream *s = NULL;
    const char *shown = it->shown;
    size_t total = 0;
    ssize_t got;
    int rc;

    it->lockfile = detect_path_is_lockfile(shown);
    rc = detect_stream_open(ps->engine, on_hit, it, &s);
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
            it->unreadable++;
            break;
        }
        if (total == 0) {
            /* Binary files by content: a NUL byte in the first 8 KiB. */
            if (detect_content_is_binary(p, (size_t)got)) {
                it->skipped_binary++;
                detect_stream_discard(s);
                s = NULL;
                break;
            }
            it->files++;
        }
        if (got == 0)
            break;
        total += (size_t)got;
        if (size <= 0 && total > (size_t)ps->max_size) {
            /* A pipe has no size to check first: stop at the limit, and say so. */
            detect_stream_discard(s);
            s = NULL;
            it->files--;
            it->skipped_big++;
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

/* Opens (unless it is already open), checks and streams one file. */
static int
item_scan(const struct path_scan *ps, struct path_item *it)
{
    struct stat st;
    int fd, rc;

    if (it->fd >= 0)
        return stream_fd(ps, it, it->fd, 0);
    fd = openat(it->dirfd, it->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        diag_warn("%s: cannot open: %s", it->shown, strerror(errno));
        it->unreadable++;
        return 0;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 0; /* fifos, devices, sockets: not files to read */
    }
    if (st.st_size > ps->max_size) {
        diag_note("%s: skipped, %lld bytes is over --max-file-size %ld", it->shown,
                  (long long)st.st_size, ps->max_size);
        it->skipped_big++;
        close(fd);
        return 0;
    }
    rc = stream_fd(ps, it, fd, st.st_size);
    close(fd);
    return rc;
}

/* workq's run: on a worker (or inline), with this thread's messages kept in the item. */
static void
item_run(void *item, void *arg)
{
    struct path_item *it = item;
    const struct path_scan *ps = arg;
    struct buf *old = diag_capture(&it->diag);

    it->keep_values = ps->opts->show_secrets;
    it->rc = item_scan(ps, it);
    if (it->rc < 0 && str_format(it->msg, sizeof(it->msg), "%s", err_message()) < 0)
        it->msg[0] = '\0';
    if (it->dirfd >= 0) {
        close(it->dirfd); /* as soon as possible: at most WORKQ_DEPTH x --jobs are open */
        it->dirfd = -1;
    }
    diag_capture(old);
}

/* workq's retire: on the walk's thread, in walk order: messages, counts, findings. */
static int
item_retire(void *item, int rc, void *arg)
{
    struct path_item *it = item;
    struct path_scan *ps = arg;
    struct location loc;

    if (rc < 0) {
        item_free(it); /* one thread would have stopped before this file */
        return 0;
    }
    diag_replay(&it->pre);
    diag_replay(&it->diag);
    ps->files += it->files;
    ps->skipped_binary += it->skipped_binary;
    ps->skipped_big += it->skipped_big;
    ps->unreadable += it->unreadable;
    memset(&loc, 0, sizeof(loc));
    loc.path = it->shown;
    loc.layer_index = -1;
    rc = 0;
    for (size_t k = 0; k < it->nhits && rc == 0; k++) {
        const struct detect_hit *hit = &it->hits[k].hit;
        struct buf shown = {0};
        loc.line = hit->line;
        loc.column = hit->column;
        /* --show-secrets is the explicit flag that puts the value in the report. */
        if (hit->secret != NULL &&
            buf_printf(&shown, "value '%.*s'", (int)(hit->secret_end - hit->secret_start),
                       hit->secret) < 0)
            rc = ERR_NOMEM;
        if (rc == 0)
            rc = detect_add_finding(ps->f, hit, &loc, shown.data);
        buf_free(&shown);
    }
    if (rc == 0 && it->rc < 0)
        rc = err_set(it->rc, "%s", it->msg);
    item_free(it);
    return rc < 0 ? rc : 0;
}

static struct path_item *
item_new(struct path_scan *ps, int fd, int dirfd, const char *name, const char *shown)
{
    struct path_item *it = calloc(1, sizeof(*it));

    if (it == NULL)
        return NULL;
    it->fd = fd;
    it->dirfd = AT_FDCWD;
    it->name = strdup(name);
    it->shown = strdup(shown);
    if (dirfd != AT_FDCWD)
        it->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (it->name == NULL || it->shown == NULL || it->dirfd == -1) {
        int saved = errno;
        if (it->dirfd == -1)
            it->dirfd = AT_FDCWD;
        item_free(it);
        errno = saved;
        return NULL;
    }
    /* The walk's messages so far go out just before this file's. */
    it->pre = ps->pending;
    memset(&ps->pending, 0, sizeof(ps->pending));
    return it;
}

void
path_note(struct path_scan *ps, int warn, const char *fmt, ...)
{
    struct buf *old = diag_capture(&ps->pending);
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (warn)
        diag_warn("%s", msg);
    else
        diag_note("%s", msg);
    diag_capture(old);
}

int
path_scan_fd(struct path_scan *ps, int fd, const char *shown)
{
    struct path_item *it = item_new(ps, fd, AT_FDCWD, shown, shown);

    if (it == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    item_run(it, ps);
    return item_retire(it, 0, ps);
}

int
path_scan_file(struct path_scan *ps, int dirfd, const char *name, const char *shown)
{
    struct path_item *it = item_new(ps, -1, dirfd, name, shown);

    if (it == NULL && errno == EMFILE && workq_drain(ps->q) == 0)
        it = item_new(ps, -1, dirfd, name, shown); /* the files in flight held descriptors */
    if (it == NULL)
        return errno == EMFILE ? err_set_errno(ERR_LIMIT, "%s", shown)
                               : err_set(ERR_NOMEM, "out of memory");
    return workq_submit(ps->q, it);
}

/* --jobs, fewer when the descriptor limit is low: a thread holds one file open and each of the
 * WORKQ_DEPTH items queued for it a directory descriptor; 32 are left for everything else. */
static unsigned
fd_bounded_jobs(const struct scanner_opts *opts)
{
    unsigned jobs = opts->jobs > 0 ? opts->jobs : workq_default_threads();
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)jobs * (WORKQ_DEPTH + 1) + 32 > rl.rlim_cur)
        jobs = rl.rlim_cur > 32 + WORKQ_DEPTH + 1 ? (unsigned)((rl.rlim_cur - 32) / (WORKQ_DEPTH + 1)) : 1;
    return jobs;
}

/* The notes after one --path argument, and its error when some files could not be read. */
static int
path_summary(const struct path_scan *ps, const char *arg)
{
    diag_note("%s: %zu file%s scanned, %zu binary and %zu over the size limit skipped", arg,
              ps->files, ps->files == 1 ? "" : "s", ps->skipped_binary, ps->skipped_big);
    if (ps->unreadable > 0)
        return err_set(ERR_IO, "%s: %zu file%s or director%s could not be read", arg,
                       ps->unreadable, ps->unreadable == 1 ? "" : "s",
                       ps->unreadable == 1 ? "y" : "ies");
    return 0;
}

int
scanner_scan_path(const char *arg, const struct scanner_opts *opts, struct findings *f)
{
    struct path_scan ps;
    struct stat st;
    int rc, rc2;

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
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return err_set(ERR_USAGE, "%s: not a file or directory", arg);
    /* A tree: --jobs threads (default: one a core); one file: no thread to start. */
    rc = workq_open(&ps.q, !S_ISDIR(st.st_mode) ? 1 : fd_bounded_jobs(opts), item_run,
                    item_retire, &ps);
    if (rc < 0)
        return rc;
    if (S_ISDIR(st.st_mode))
        rc = path_walk_tree(&ps, arg);
    else
        rc = path_scan_file(&ps, AT_FDCWD, arg, arg);
    rc2 = workq_close(ps.q); /* the files still in flight are reported here */
    if (rc == 0)
        rc = rc2;
    if (rc == 0)
        diag_replay(&ps.pending); /* what the walk said after its last file */
    buf_free(&ps.pending);
    if (rc < 0)
        return rc;
    return path_summary(&ps, arg);
}
