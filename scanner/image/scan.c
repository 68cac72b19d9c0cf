/* image_scan: `scanner --image X`: picks the reader for X (docker-archive or oci-archive file,
 * OCI layout directory, or an image name through the Engine API), then runs every rule. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

enum img_kind { KIND_AUTO, KIND_FILE, KIND_DIR, KIND_ENGINE };

/* Transport prefixes as skopeo spells them, so users can say exactly what X is. */
static const char *
strip_transport(const char *ref, enum img_kind *kind)
{
    static const struct {
        const char *prefix;
        enum img_kind kind;
    } t[] = {
        {"docker-archive:", KIND_FILE}, {"oci-archive:", KIND_FILE}, {"oci:", KIND_DIR},
        {"docker-daemon:", KIND_ENGINE}, {"engine:", KIND_ENGINE},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strncmp(ref, t[i].prefix, strlen(t[i].prefix)) == 0) {
            *kind = t[i].kind;
            return ref + strlen(t[i].prefix);
        }
    *kind = KIND_AUTO;
    return ref;
}

static int
looks_like_path(const char *s)
{
    size_t n = strlen(s);
    return s[0] == '/' || strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0 ||
           (n > 4 && strcmp(s + n - 4, ".tar") == 0) || (n > 7 && strcmp(s + n - 7, ".tar.gz") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".tgz") == 0);
}

static int
read_source(struct img_ctx *c, const char *what, enum img_kind kind)
{
    struct stat st;
    int fd, rc;

    if (kind == KIND_ENGINE)
        return image_read_engine(c, what);
    if (stat(what, &st) != 0) {
        if (kind == KIND_AUTO && errno == ENOENT && !looks_like_path(what))
            return image_read_engine(c, what);
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", what);
    }
    if (S_ISDIR(st.st_mode)) {
        if (kind == KIND_FILE)
            return err_set(ERR_USAGE, "%s is a directory, not an archive", what);
        return image_read_oci_dir(c, what);
    }
    if (!S_ISREG(st.st_mode))
        return err_set(ERR_UNSAFE, "%s is not a regular file or directory", what);
    fd = open(what, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno(ERR_IO, "%s", what);
    rc = image_read_archive_fd(c, fd, what);
    close(fd);
    return rc;
}

int
scanner_scan_image(const char *ref, const struct scanner_opts *o, struct findings *f)
{
    struct detect_engine *d = NULL;
    struct img_ctx c;
    struct img_resolved r;
    enum img_kind kind;
    const char *what = strip_transport(ref, &kind);
    int rc;

    if (what[0] == '\0')
        return err_set(ERR_USAGE, "--image: empty image reference");
    if ((rc = detect_open(&d)) < 0)
        return rc;
    img_ctx_init(&c, o, d);
    memset(&r, 0, sizeof(r));
    c.source = strdup(what);
    if (c.source == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = read_source(&c, what, kind)) < 0 || (rc = image_resolve(&c, &r)) < 0)
        goto out;
    if ((rc = image_check_merge(&r, &c, ref)) < 0 ||
        (rc = findings_add_target(f, "image", ref)) < 0 ||
        (rc = image_check_layers(&r, &c, f, ref)) < 0 ||
        (rc = image_check_config(&r, &c, f, ref)) < 0 ||
        (rc = image_check_packages(&r, &c, f, ref)) < 0)
        goto out;
out:
    image_resolved_free(&r);
    if (c.dirfd >= 0)
        close(c.dirfd);
    img_ctx_free(&c);
    detect_close(d);
    return rc;
}
