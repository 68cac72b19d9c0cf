/* report_text: the human report, one line per finding as `path:line:col: severity: [RULE]
 * message`, grouped by target, then a summary of counts. Colour only when asked for. */
#include <string.h>

#include "common.h"

static const char *const sev_color[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m",
                                        "\033[1;31m"};

/* Appends s: no printf on the per-finding path (it was most of a big report's time). */
static int
put(struct buf *out, const char *s)
{
    return buf_append(out, s, strlen(s));
}

/* Appends ":line:col" (both positive). */
static int
put_line_col(struct buf *out, int line, int col)
{
    char t[32], *p = t + sizeof(t);

    for (int v = col, i = 0; i < 2; v = line, i++) {
        unsigned u = (unsigned)v;
        do
            *--p = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        *--p = ':';
    }
    return buf_append(out, p, (size_t)(t + sizeof(t) - p));
}

static int
write_location(struct buf *out, const struct finding *x)
{
    int rc = 0;

    if (x->container != NULL && x->path == NULL)
        rc = buf_printf(out, "container %s", x->container);
    else if (x->layer != NULL)
        rc = buf_printf(out, "layer %d (%.19s):%s", x->layer_index, x->layer,
                        x->path ? x->path : "");
    else
        rc = put(out, x->path != NULL ? x->path : x->target ? x->target : "-");
    if (rc == 0 && x->line > 0)
        rc = put_line_col(out, x->line, x->column > 0 ? x->column : 1);
    return rc;
}

int
report_write_text(struct buf *out, const struct findings *f, int color)
{
    size_t counts[5] = {0};
    const char *last_target = NULL;
    int rc = 0;

    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct finding *x = &f->items[i];
        counts[x->severity]++;
        if (x->target != NULL && (last_target == NULL || strcmp(last_target, x->target) != 0)) {
            rc = buf_printf(out, "%s%s%s%s\n", i ? "\n" : "", color ? "\033[1m" : "", x->target,
                            color ? "\033[0m" : "");
            last_target = x->target;
        }
        if (rc == 0)
            rc = write_location(out, x);
        if (rc == 0 && (rc = put(out, ": ")) == 0 && color)
            rc = put(out, sev_color[x->severity]);
        if (rc == 0 && (rc = put(out, severity_name(x->severity))) == 0 && color)
            rc = put(out, "\033[0m");
        if (rc == 0 && (rc = put(out, ": [")) == 0 && (rc = put(out, x->rule)) == 0 &&
            (rc = put(out, "] ")) == 0)
            rc = put(out, x->message);
        if (rc == 0 && x->secret_redacted != NULL && (rc = put(out, " (secret ")) == 0 &&
            (rc = put(out, x->secret_redacted)) == 0)
            rc = put(out, ")");
        if (rc == 0)
            rc = buf_append(out, "\n", 1);
    }
    if (rc < 0)
        return rc;
    if (f->n == 0)
        return buf_printf(out, "no findings\n");
    return buf_printf(out, "%s%zu finding%s: %zu critical, %zu high, %zu medium, %zu low, %zu info\n",
                      f->n ? "\n" : "", f->n, f->n == 1 ? "" : "s", counts[SEV_CRITICAL],
                      counts[SEV_HIGH], counts[SEV_MEDIUM], counts[SEV_LOW], counts[SEV_INFO]);
}
