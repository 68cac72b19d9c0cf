/* diag: messages for people, on stderr, prefixed with the program's name. Never used for
 * findings (those go through the renderers) and never given a secret value. */
#include <stdio.h>

#include "common.h"

static const char *program = "secrets-suite";
static int quiet;
static _Thread_local struct buf *sink; /* this thread's capture buffer, or NULL */

void
diag_set_program(const char *name)
{
    program = name;
}

const char *
diag_program(void)
{
    return program;
}

void
diag_set_quiet(int q)
{
    quiet = q;
}

struct buf *
diag_capture(struct buf *b)
{
    struct buf *old = sink;
    sink = b;
    return old;
}

void
diag_replay(const struct buf *b)
{
    if (b->len > 0)
        fwrite(b->data, 1, b->len, stderr);
}

static void
diag_vprint(const char *kind, const char *fmt, va_list ap)
{
    if (sink != NULL) {
        /* Kept for the submitter to print in order; a message cut short by ENOMEM is lost. */
        struct buf line = {0};
        char msg[2048];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (buf_printf(&line, "%s: %s%s\n", program, kind, msg) == 0)
            (void)buf_append(sink, line.data, line.len);
        buf_free(&line);
        return;
    }
    fprintf(stderr, "%s: %s", program, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int
diag_is_quiet(void)
{
    return quiet;
}

void
diag_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    diag_vprint("error: ", fmt, ap);
    va_end(ap);
}

void
diag_warn(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    diag_vprint("warning: ", fmt, ap);
    va_end(ap);
}

void
diag_note(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    diag_vprint("note: ", fmt, ap);
    va_end(ap);
}
