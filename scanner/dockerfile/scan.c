/* dockerfile_scan: scanner_scan_dockerfile: reads the file (or stdin), parses, resolves stages
 * and variables, and runs every rule family against it and its build context. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "dockerfile.h"

struct detect_engine *
df_engine(void)
{
    struct detect_engine *e;

    return detect_shared(&e) == 0 ? e : NULL;
}

int
dockerfile_scan_buffer(const char *path, const char *data, size_t len,
                       const struct scanner_opts *o, const char *ctx_dir, struct findings *f)
{
    struct dockerfile df;
    struct df_config cfg;
    struct df_ctx c;
    int rc;

    if ((rc = findings_add_target(f, "dockerfile", path)) < 0)
        return rc;
    if ((rc = df_config_init(&cfg, o, ctx_dir)) < 0) {
        df_config_free(&cfg);
        return rc;
    }
    memset(&c, 0, sizeof(c));
    c.engine = df_engine();
    if (c.engine == NULL) {
        df_config_free(&cfg);
        return err_set(ERR_INTERNAL, "the secret detection engine could not be loaded: %s",
                       err_message());
    }
    rc = dockerfile_parse(&df, path, data, len);
    if (rc == 0)
        rc = dockerfile_resolve(&df);
    if (rc < 0) {
        dockerfile_free(&df);
        df_config_free(&cfg);
        return rc;
    }
    c.df = &df;
    c.f = f;
    c.first = f->n;
    c.cfg = &cfg;
    c.o = o;
    c.ctx_dir = ctx_dir;
    df_rules_secrets(&c);
    df_rules_context(&c);
    df_rules_run(&c);
    df_rules_checks(&c);
    rc = c.rc;
    dockerfile_free(&df);
    df_config_free(&cfg);
    return rc;
}

/* Reads at most `max` bytes; a longer file is cut there (the scan notes it), not refused. */
static int
read_input(const char *path, size_t max, struct buf *out, int *cut)
{
    int rc = file_read_all(path, max, 0, out);
    char tmp[65536];

    *cut = 0;
    if (rc != ERR_LIMIT)
        return rc;
    buf_free(out);
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno(ERR_IO, "%s: cannot open", path);
    while (out->len < max) {
        size_t want = max - out->len < sizeof(tmp) ? max - out->len : sizeof(tmp);
        ssize_t n = read(fd, tmp, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (buf_append(out, tmp, (size_t)n) < 0) {
            if (fd != 0)
                close(fd);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    if (fd != 0)
        close(fd);
    *cut = 1;
    return 0;
}

int
scanner_scan_dockerfile(const char *path, const struct scanner_opts *o, struct findings *f)
{
    struct buf b = {0};
    size_t max = o != NULL && o->max_file_size > 0 ? (size_t)o->max_file_size : DF_MAX_FILE;
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *dir = NULL;
    const char *ctx = o != NULL ? o->context : NULL;
    int cut, rc;

    rc = read_input(path, max, &b, &cut);
    if (rc < 0) {
        buf_free(&b);
        if (strstr(err_message(), path) != NULL)
            return rc; /* the reader's message already names the file */
        return err_set(rc, "%s: %s", shown, err_message());
    }
    if (ctx == NULL && strcmp(path, "-") != 0) {
        dir = strdup(path);
        if (dir == NULL) {
            buf_free(&b);
            return err_set(ERR_NOMEM, "out of memory");
        }
        ctx = dirname(dir);
    }
    rc = dockerfile_scan_buffer(shown, b.data ? b.data : "", b.len, o, ctx, f);
    if (rc == 0 && cut) {
        struct location loc = {shown, 1, 1, 0, 0, -1, NULL, NULL};
        rc = findings_add(f, DF_RULE(DF000), &loc, NULL,
                          "larger than %zu bytes: only the start was scanned (--max-file-size)",
                          max);
    }
    buf_free(&b);
    free(dir);
    return rc;
}
