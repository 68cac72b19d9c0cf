/* secretfile: writes a Docker secret file (DIR/NAME, the value's exact bytes) without following
 * any symlink: every directory is opened relative to its parent's fd with O_NOFOLLOW. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vault.h"

int
vault_secretfile_name_check(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0)
        return err_set(ERR_USAGE, "the secret file name is empty");
    if (n > VAULT_SECRETFILE_NAME_MAX)
        return err_set(ERR_USAGE, "the secret file name is longer than %d bytes",
                       VAULT_SECRETFILE_NAME_MAX);
    if (name[0] == '-' || name[0] == '.')
        return err_set(ERR_USAGE, "the secret file name may not start with '%c'", name[0]);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return err_set(ERR_USAGE,
                           "the secret file name may hold only letters, digits and ._- "
                           "(byte 0x%02x at offset %zu)",
                           c, i);
    }
    return 0;
}

/* Opens (creating with 0700 when missing) every component of `dir`, none of them a symlink.
 * Returns the directory fd. */
int
vault_secretfile_open_dir(const char *dir, int create)
{
    char tmp[PATH_MAX];
    char *p, *next;
    int fd, nfd;

    if (dir == NULL || dir[0] == '\0')
        return err_set(ERR_USAGE, "the directory is empty");
    if (str_format(tmp, sizeof(tmp), "%s", dir) < 0)
        return err_set(ERR_LIMIT, "%s: path too long", dir);
    fd = open(tmp[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno(ERR_IO, "%s: cannot open", dir);
    for (p = tmp; p != NULL && *p != '\0'; p = next) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        next = strchr(p, '/');
        if (next != NULL)
            *next++ = '\0';
        if (strcmp(p, ".") == 0)
            continue;
        nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && errno == ENOENT && create) {
            if (mkdirat(fd, p, 0700) < 0 && errno != EEXIST) {
                (void)close(fd);
                return err_set_errno(ERR_IO, "%s: cannot create directory '%s'", dir, p);
            }
            nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (nfd < 0) {
            int e = errno;
            struct stat st;
            int link = fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
            (void)close(fd);
            errno = e;
            if (link || e == ELOOP)
                return err_set(ERR_UNSAFE, "%s: '%s' is a symlink; refusing to follow it", dir, p);
            if (e == ENOTDIR)
                return err_set(ERR_UNSAFE, "%s: '%s' is not a directory", dir, p);
            if (e == ENOENT)
                return err_set(ERR_NOTFOUND, "%s: no such directory", dir);
            return err_set_errno(ERR_IO, "%s: cannot open '%s'", dir, p);
        }
        (void)close(fd);
        fd = nfd;
    }
    return fd;
}

static int
fill_fd(int fd, const char *what, const void *data, size_t len, const struct vault_secretfile *o)
{
    if (file_write_fd(fd, data, len) < 0)
        return err_set_errno(ERR_IO, "%s: write failed", what);
    if (fchmod(fd, o->mode) < 0)
        return err_set_errno(ERR_IO, "%s: cannot set mode %04o", what, (unsigned)o->mode);
    if ((o->uid != (uid_t)-1 || o->gid != (gid_t)-1) && fchown(fd, o->uid, o->gid) < 0)
        return err_set_errno(ERR_IO, "%s: cannot change the owner", what);
    if (fsync(fd) < 0)
        return err_set_errno(ERR_IO, "%s: fsync failed", what);
    return 0;
}

static int
write_new(int dfd, const char *name, const char *what, const void *data, size_t len,
          const struct vault_secretfile *o)
{
    struct stat st;
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, o->mode);
    int rc;

    if (fd < 0) {
        if (errno == EEXIST && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
            return err_set(ERR_UNSAFE, "%s is a symlink; refusing to write through it", what);
        if (errno == EEXIST)
            return err_set(ERR_EXISTS, "%s already exists; --force replaces it", what);
        return err_set_errno(ERR_IO, "%s: cannot create", what);
    }
    rc = fill_fd(fd, what, data, len, o);
    if (close(fd) < 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s: close failed", what);
    if (rc < 0)
        (void)unlinkat(dfd, name, 0);
    return rc;
}

static int
replace(int dfd, const char *name, const char *what, const void *data, size_t len,
        const struct vault_secretfile *o)
{
    char tmp[VAULT_SECRETFILE_NAME_MAX + 32];
    unsigned char rnd[6];
    struct stat st;
    int rc, tries;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
            return err_set(ERR_UNSAFE, "%s is a symlink; refusing to replace it", what);
        if (!S_ISREG(st.st_mode))
            return err_set(ERR_UNSAFE, "%s is not a regular file", what);
    } else if (errno != ENOENT) {
        return err_set_errno(ERR_IO, "%s", what);
    }
    for (tries = 0; tries < 16; tries++) {
        keys_random(rnd, sizeof(rnd));
        if (str_format(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x.tmp", name, rnd[0],
                       rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]) < 0)
            return err_set(ERR_LIMIT, "%s: name too long", what);
        rc = write_new(dfd, tmp, what, data, len, o);
        if (rc != ERR_EXISTS)
            break;
    }
    if (rc < 0)
        return rc;
    if (renameat(dfd, tmp, dfd, name) < 0) {
        rc = err_set_errno(ERR_IO, "%s: rename failed", what);
        (void)unlinkat(dfd, tmp, 0);
        return rc;
    }
    if (fsync(dfd) < 0)
        return err_set_errno(ERR_IO, "%s: directory fsync failed", what);
    return 0;
}

int
vault_secretfile_write(const struct vault_secretfile *o, const char *name, const void *data,
                       size_t len)
{
    char what[PATH_MAX + VAULT_SECRETFILE_NAME_MAX + 2];
    int dfd, rc;

    if ((rc = vault_secretfile_name_check(name)) < 0)
        return rc;
    (void)str_format(what, sizeof(what), "%s/%s", o->dir, name);
    if ((dfd = vault_secretfile_open_dir(o->dir, 1)) < 0)
        return dfd;
    rc = o->force ? replace(dfd, name, what, data, len, o)
                  : write_new(dfd, name, what, data, len, o);
    (void)close(dfd);
    return rc;
}
