/* error: the one error model of the suite. A failing function records a message here and returns
 * a negative code; only cli/ turns that into words on stderr and an exit status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static _Thread_local char err_buf[1024];

static void
err_vset(const char *fmt, va_list ap, int with_errno, int saved_errno)
{
    int n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
    if (n < 0) {
        err_buf[0] = '\0';
        return;
    }
    if (with_errno && (size_t)n < sizeof(err_buf))
        snprintf(err_buf + n, sizeof(err_buf) - (size_t)n, ": %s", strerror(saved_errno));
}

int
err_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(fmt, ap, 0, 0);
    va_end(ap);
    return code;
}

int
err_set_errno(int code, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    err_vset(fmt, ap, 1, saved);
    va_end(ap);
    errno = saved;
    return code;
}

const char *
err_message(void)
{
    return err_buf;
}

const char *
err_strerror(int code)
{
    switch (code) {
    case ERR_OK:
        return "success";
    case ERR_USAGE:
        return "bad usage";
    case ERR_IO:
        return "input/output error";
    case ERR_PARSE:
        return "malformed input";
    case ERR_NOMEM:
        return "out of memory";
    case ERR_EXISTS:
        return "already exists";
    case ERR_NOTFOUND:
        return "not found";
    case ERR_LIMIT:
        return "over a size or count limit";
    case ERR_CRYPTO:
        return "cryptographic failure";
    case ERR_AUTH:
        return "authentication failed";
    case ERR_UNAVAILABLE:
        return "service unavailable";
    case ERR_UNSAFE:
        return "unsafe path or permissions";
    default:
        return "internal error";
    }
}

int
err_exit_status(int code)
{
    return code == ERR_OK ? 0 : 2;
}
