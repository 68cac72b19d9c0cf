/* image_source: the two readers that are not one tarball on disk: an OCI image layout
 * directory (blobs read by digest, on demand) and an image name exported by the Engine API
 * (`GET /images/{name}/get` streamed through a socket pair into the archive reader). */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "image.h"

/* ---- OCI image layout directory ------------------------------------------------------------ */

struct fd_src {
    int fd;
    char buf[256 << 10];
    const char *name;
    const char *source;
};

static ssize_t
fd_read(void *user, const void **out)
{
    struct fd_src *s = user;
    ssize_t n;

    do
        n = read(s->fd, s->buf, sizeof(s->buf));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_set_errno(ERR_IO, "%s: %s", s->source, s->name);
    *out = s->buf;
    return n;
}

/* Blob names come from digests checked by image_resolve (alg and hex only), and every file is
 * opened relative to the layout with O_NOFOLLOW: a symlinked blob is refused, not followed. */
static int
open_blob(struct img_ctx *c, const char *name)
{
    int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0) {
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: %s is a symlink; refusing to follow it", c->source,
                           name);
        if (errno == ENOENT)
            return err_set(ERR_NOTFOUND, "%s: %s is missing from the layout", c->source, name);
        return err_set_errno(ERR_IO, "%s: %s", c->source, name);
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(ERR_UNSAFE, "%s: %s is not a regular file", c->source, name);
    }
    return fd;
}

static int
oci_fetch(struct img_ctx *c, const char *name, int is_layer)
{
    int fd = open_blob(c, name), rc;

    if (fd < 0)
        return fd;
    if (is_layer) {
        struct fd_src *s = malloc(sizeof(*s));
        if (s == NULL) {
            close(fd);
            return err_set(ERR_NOMEM, "out of memory");
        }
        s->fd = fd;
        s->name = name;
        s->source = c->source;
        rc = layer_walk(c, name, fd_read, s);
        free(s);
    } else {
        struct buf b = {0};
        char chunk[64 << 10];
        ssize_t n;
        rc = 0;
        while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = err_set_errno(ERR_IO, "%s: %s", c->source, name);
                break;
            }
            if (b.len + (size_t)n > IMG_MAX_JSON) {
                rc = err_set(ERR_LIMIT, "%s: %s: JSON document over %u bytes", c->source, name,
                             IMG_MAX_JSON);
                break;
            }
            if (buf_append(&b, chunk, (size_t)n) < 0) {
                rc = err_set(ERR_NOMEM, "out of memory");
                break;
            }
        }
        if (rc == 0)
            rc = img_ctx_keep_json(c, name, b.data != NULL ? b.data : "", b.len);
        buf_free(&b);
    }
    close(fd);
    return rc;
}

int
image_read_oci_dir(struct img_ctx *c, const char *dir)
{
    int rc;

    c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->dirfd < 0)
        return err_set_errno(ERR_IO, "%s", dir);
    c->fetch = oci_fetch;
    /* A `docker save` extracted to a directory has manifest.json; an OCI layout has index.json. */
    rc = oci_fetch(c, "manifest.json", 0);
    if (rc == ERR_NOTFOUND)
        rc = oci_fetch(c, "index.json", 0);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_PARSE, "%s: neither index.json nor manifest.json: not an OCI image "
                                  "layout directory",
                       dir);
    return rc;
}

/* ---- Engine API ---------------------------------------------------------------------------- */

struct pump {
    struct engine *e;
    char *path;
    int fd;
    int rc;
    char msg[1024];
};

static int
pump_sink(const void *data, size_t len, void *user)
{
    struct pump *p = user;
    const char *d = data;

    while (len > 0) {
        ssize_t n = send(p->fd, d, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err_set_errno(ERR_IO, "image stream closed by the reader");
        d += n;
        len -= (size_t)n;
    }
    return 0;
}

static void *
pump_main(void *arg)
{
    struct pump *p = arg;

    p->rc = engine_get_stream(p->e, p->path, pump_sink, p);
    if (p->rc < 0)
        snprintf(p->msg, sizeof(p->msg), "%s", err_message());
    shutdown(p->fd, SHUT_WR);
    return NULL;
}

int
image_read_engine(struct img_ctx *c, const char *name)
{
    struct engine *e = NULL;
    struct pump p;
    pthread_t th;
    cJSON *inspect = NULL;
    char *esc = NULL, path[IMG_MAX_PATH + 64];
    int sv[2], rc;

    memset(&p, 0, sizeof(p));
    if ((rc = engine_open(&e)) < 0)
        return rc;
    esc = engine_escape(name);
    if (esc == NULL) {
        engine_close(e);
        return err_set(ERR_NOMEM, "out of memory");
    }
    /* Inspect first: a clear "no such image" beats an empty export stream. */
    if (str_format(path, sizeof(path), "/images/%s/json", esc) < 0) {
        rc = err_set(ERR_LIMIT, "image name too long");
        goto out;
    }
    if ((rc = engine_get_json(e, path, &inspect)) < 0) {
        if (rc == ERR_NOTFOUND)
            rc = img_err_wrap(ERR_NOTFOUND, "image '%s' not found in the engine; pull or load "
                                            "it, or scan a saved image with --image FILE.tar",
                              name);
        goto out;
    }
    cJSON_Delete(inspect);
    if (str_format(path, sizeof(path), "/images/%s/get", esc) < 0) {
        rc = err_set(ERR_LIMIT, "image name too long");
        goto out;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        rc = err_set_errno(ERR_IO, "socketpair");
        goto out;
    }
    p.e = e;
    p.path = path;
    p.fd = sv[1];
    if (pthread_create(&th, NULL, pump_main, &p) != 0) {
        close(sv[0]);
        close(sv[1]);
        rc = err_set(ERR_INTERNAL, "cannot start the engine reader thread");
        goto out;
    }
    rc = image_read_archive_fd(c, sv[0], c->source);
    if (rc == 0) {
        /* Read what follows the tar's end marker (padding) so the pump ends cleanly. */
        char tail[16 << 10];
        size_t total = 0;
        ssize_t n;
        while (total < (64u << 20) && ((n = read(sv[0], tail, sizeof(tail))) > 0 ||
                                       (n < 0 && errno == EINTR)))
            total += n > 0 ? (size_t)n : 0;
    }
    /* Closing our end makes the pump's next send fail, which aborts the transfer. */
    close(sv[0]);
    pthread_join(th, NULL);
    close(sv[1]);
    if (p.rc < 0 && (rc == 0 || p.rc != ERR_IO))
        rc = err_set(p.rc, "%s", p.msg);
out:
    free(esc);
    engine_close(e);
    return rc;
}
