/* file: the only way the suite reads whole files and writes files. New files are created
 * exclusive, no-follow and with their final mode; replacements go through a synced temp file. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static int
read_fd(int fd, const char *path, size_t max, struct buf *out)
{
    char chunk[65536];
    ssize_t n;

    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_set_errno(ERR_IO, "%s: read failed", path);
        if (n == 0)
            break;
        if (out->len + (size_t)n > max)
            return err_set(ERR_LIMIT, "%s: larger than the limit of %zu bytes", path, max);
        if (buf_append(out, chunk, (size_t)n) < 0)
            return ERR_NOMEM;
    }
    if (out->data == NULL && buf_append(out, "", 0) < 0)
        return ERR_NOMEM;
    return 0;
}

int
file_read_all(const char *path, size_t max, int flags, struct buf *out)
{
    struct stat st;
    int fd, rc, oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY;

    if (strcmp(path, "-") == 0)
        return read_fd(STDIN_FILENO, "<stdin>", max, out);
    if (flags & FILE_READ_NOFOLLOW)
        oflags |= O_NOFOLLOW;
    fd = open(path, oflags | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return err_set(ERR_NOTFOUND, "%s: no such file", path);
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to follow it", path);
        return err_set_errno(ERR_IO, "%s: cannot open", path);
    }
    if (fstat(fd, &st) < 0) {
        rc = err_set_errno(ERR_IO, "%s: cannot stat", path);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = err_set(ERR_IO, "%s: is a directory", path);
        goto out;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        rc = err_set(ERR_UNSAFE, "%s: not a regular file", path);
        goto out;
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        rc = err_set(ERR_LIMIT, "%s: larger than the limit of %zu bytes", path, max);
        goto out;
    }
    /* Back to blocking reads now that a FIFO open could not hang us (O_NONBLOCK does nothing
     * to a regular file: two system calls less for every file a scan reads). */
    if (!S_ISREG(st.st_mode))
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    rc = read_fd(fd, path, max, out);
out:
    close(fd);
    return rc;
}

int
file_create_excl(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

    if (fd < 0) {
        if (errno == EEXIST)
            return err_set(ERR_EXISTS, "%s: already exists; refusing to overwrite it", path);
        return err_set_errno(ERR_IO, "%s: cannot create", path);
    }
    /* The umask may have narrowed the mode; never widened. Set it exactly. */
    if (fchmod(fd, mode) < 0) {
        int rc = err_set_errno(ERR_IO, "%s: cannot set mode", path);
        close(fd);
        unlink(path);
        return rc;
    }
    return fd;
}

int
file_write_fd(int fd, const void *data, size_t len)
{
    const char *p = data;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_set_errno(ERR_IO, "write failed");
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
dir_of(const char *path, char *dir, size_t size)
{
    char tmp[PATH_MAX];

    if (str_format(tmp, sizeof(tmp), "%s", path) < 0)
        return ERR_LIMIT;
    return str_format(dir, size, "%s", dirname(tmp));
}

int
file_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return err_set_errno(ERR_IO, "%s: cannot open directory", dir);
    if (fsync(fd) < 0 && errno != EINVAL) {
        close(fd);
        return err_set_errno(ERR_IO, "%s: cannot sync directory", dir);
    }
    close(fd);
    return 0;
}

struct bytes {
    const void *data;
    size_t len;
};

static int
write_bytes(int fd, void *arg)
{
    const struct bytes *b = arg;

    return file_write_fd(fd, b->data, b->len) < 0 ? err_set_errno(ERR_IO, "write failed") : 0;
}

static int
write_via_temp(const char *path, mode_t mode, int must_be_new, file_fill_fn fill, void *arg)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    unsigned char rnd[6];
    struct stat st;
    int fd = -1, rc, tries;

    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to replace it", path);
        if (must_be_new)
            return err_set(ERR_EXISTS, "%s: already exists; refusing to overwrite it", path);
        if (!S_ISREG(st.st_mode))
            return err_set(ERR_UNSAFE, "%s: not a regular file", path);
    }
    if ((rc = dir_of(path, dir, sizeof(dir))) < 0)
        return rc;
    for (tries = 0; tries < 16 && fd < 0; tries++) {
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
            return err_set_errno(ERR_IO, "cannot get random bytes");
        if ((rc = str_format(tmp, sizeof(tmp), "%s/.%s.tmp-%02x%02x%02x%02x%02x%02x", dir,
                             strrchr(path, '/') ? strrchr(path, '/') + 1 : path, rnd[0], rnd[1],
                             rnd[2], rnd[3], rnd[4], rnd[5])) < 0)
            return rc;
        fd = file_create_excl(tmp, mode);
        if (fd < 0 && fd != ERR_EXISTS)
            return fd;
    }
    if (fd < 0)
        return err_set(ERR_IO, "%s: cannot create a temporary file", dir);
    if ((rc = fill(fd, arg)) < 0) {
        char why[512];
        (void)str_format(why, sizeof(why), "%s", err_message());
        rc = err_set(rc, "%s: %s", tmp, why);
        goto fail;
    }
    if (fsync(fd) < 0) {
        rc = err_set_errno(ERR_IO, "%s: fsync failed", tmp);
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = err_set_errno(ERR_IO, "%s: close failed", tmp);
        goto fail;
    }
    fd = -1;
    if (must_be_new) {
        /* link() fails if the name appeared meanwhile: no overwrite race. */
        if (link(tmp, path) < 0) {
            rc = errno == EEXIST
                     ? err_set(ERR_EXISTS, "%s: already exists; refusing to overwrite it", path)
                     : err_set_errno(ERR_IO, "%s: cannot create", path);
            goto fail;
        }
        unlink(tmp);
    } else if (rename(tmp, path) < 0) {
        rc = err_set_errno(ERR_IO, "%s: cannot replace", path);
        goto fail;
    }
    return file_sync_dir(dir);
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return rc;
}

int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    struct bytes b = {data, len};

    return write_via_temp(path, mode, 0, write_bytes, &b);
}

int
file_write_atomic_with(const char *path, mode_t mode, int must_be_new, file_fill_fn fill,
                       void *arg)
{
    return write_via_temp(path, mode, must_be_new, fill, arg);
}

int
file_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
    struct bytes b = {data, len};

    return write_via_temp(path, mode, 1, write_bytes, &b);
}

int
file_mkdirs(const char *path, mode_t mode)
{
    char tmp[PATH_MAX];
    struct stat st;
    size_t i, len;
    int rc;

    if ((rc = str_format(tmp, sizeof(tmp), "%s", path)) < 0)
        return rc;
    len = strlen(tmp);
    for (i = 1; i <= len; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, mode) < 0 && errno != EEXIST)
            return err_set_errno(ERR_IO, "%s: cannot create directory", tmp);
        if (i == len) {
            if (lstat(tmp, &st) < 0 || !S_ISDIR(st.st_mode))
                return err_set(ERR_UNSAFE, "%s: exists and is not a directory", tmp);
        }
        if (i < len)
            tmp[i] = '/';
    }
    return 0;
}
