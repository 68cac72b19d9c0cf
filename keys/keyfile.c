/* keyfile: a vault key file is exactly 32 random bytes in a user-only file; read without
 * following symlinks and into guarded memory only. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"

int
keys_keyfile_read(const char *path, unsigned char out[KEYS_KEY_BYTES])
{
    struct stat st;
    unsigned char extra;
    ssize_t n;
    size_t got = 0;
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return err_set(ERR_NOTFOUND, "%s: no such key file", path);
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to follow it", path);
        return err_set_errno(ERR_IO, "%s: cannot open key file", path);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = err_set(ERR_UNSAFE, "%s: key file is not a regular file", path);
        goto out;
    }
    if (st.st_size != KEYS_KEY_BYTES) {
        rc = err_set(ERR_PARSE, "%s: a key file holds exactly %d bytes, this one has %lld", path,
                     KEYS_KEY_BYTES, (long long)st.st_size);
        goto out;
    }
    if (st.st_mode & 077)
        diag_warn("%s: key file is readable by other users (mode %03o); chmod 600 it", path,
                  (unsigned)(st.st_mode & 0777));
    while (got < KEYS_KEY_BYTES) {
        n = read(fd, out + got, KEYS_KEY_BYTES - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = err_set_errno(ERR_IO, "%s: cannot read key file", path);
            goto out;
        }
        got += (size_t)n;
    }
    if (read(fd, &extra, 1) != 0)
        rc = err_set(ERR_PARSE, "%s: key file changed size while being read", path);
out:
    if (rc < 0)
        sodium_memzero(out, KEYS_KEY_BYTES);
    close(fd);
    return rc;
}

int
keys_keyfile_create(const char *path)
{
    unsigned char *key = sodium_malloc(KEYS_KEY_BYTES);
    int fd, rc;

    if (key == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    fd = file_create_excl(path, 0600);
    if (fd < 0) {
        sodium_free(key);
        return fd;
    }
    randombytes_buf(key, KEYS_KEY_BYTES);
    rc = file_write_fd(fd, key, KEYS_KEY_BYTES);
    if (rc == 0 && fsync(fd) < 0)
        rc = err_set_errno(ERR_IO, "%s: fsync failed", path);
    if (close(fd) < 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s: close failed", path);
    sodium_free(key);
    if (rc < 0)
        unlink(path);
    return rc;
}
