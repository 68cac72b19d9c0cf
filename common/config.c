/* config: INI files through inih, with errors reported as path:line. */
#include <ini.h>
#include <stdio.h>

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
    char msg[512];
    int line = ini_parse(path, config_cb, &ctx);

    if (line == -1)
        return err_set_errno(ERR_NOTFOUND, "%s: cannot open", path);
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
