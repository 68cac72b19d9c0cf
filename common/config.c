/* config: INI files through inih, with errors reported as path:line. */
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

struct config_ctx {
    config_handler handler;
    void *user;
    int rc;
};

static int
config_cb(void *user, const char *section, const char *name, const char *value)
{
    struct config_ctx *ctx = user;
    int rc = ctx->handler(ctx->user, section, name, value);

    if (rc < 0) {
        ctx->rc = rc;
        return 0;
    }
    return 1;
}

int
config_load(const char *path, config_handler handler, void *user)
{
    struct config_ctx ctx = {handler, user, 0};
    struct buf b = {0};
    char msg[512];
    int line, rc;

    /* Read whole and bounded first: inih reading the file itself never stops on /dev/zero. */
    if ((rc = file_read_all(path, CONFIG_MAX_BYTES, 0, &b)) < 0)
        return rc;
    if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
        buf_free(&b);
        return err_set(ERR_PARSE, "%s: contains a NUL byte; not a settings file", path);
    }
    line = ini_parse_string(b.data != NULL ? b.data : "", config_cb, &ctx);
    buf_free(&b);
    if (line == -2)
        return err_set(ERR_NOMEM, "out of memory reading %s", path);
    if (line > 0) {
        if (ctx.rc < 0) {
            snprintf(msg, sizeof(msg), "%s", err_message());
            return err_set(ctx.rc, "%s:%d: %s", path, line, msg);
        }
        return err_set(ERR_PARSE, "%s:%d: syntax error", path, line);
    }
    return 0;
}
