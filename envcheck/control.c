/* control: dotenv-linter's control comments, `# dotenv-linter:off CHECK[,CHECK]` and
 * `# dotenv-linter:on CHECK`, read once per file into the lines where the set of switched-off
 * lint rules changes; a finding of a lint rule on a line after an `off` for it is dropped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"
#include "envcheck_internal.h"

static const char prefix[] = "dotenv-linter:";

/* Parses one comment line (s..e, the '#' included); returns 1 and sets *off / *mask when it is
 * a control comment. Names are dotenv-linter's (ours are accepted too); unknown ones are
 * skipped, and only the lint rules can be switched off (as in dotenv-linter). */
static int
parse_control(const char *s, const char *e, int *off, uint64_t *mask)
{
    const char *p = s + 1;
    size_t n;

    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(e - p) < sizeof(prefix) - 1 || memcmp(p, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    p += sizeof(prefix) - 1;
    n = 0;
    while (p + n < e && p[n] != ' ' && p[n] != '\t' && p[n] != '\r' && p[n] != '\n')
        n++;
    if (n == 2 && memcmp(p, "on", 2) == 0)
        *off = 0;
    else if (n == 3 && memcmp(p, "off", 3) == 0)
        *off = 1;
    else
        return 0;
    p += n;
    *mask = 0;
    while (p < e) {
        int r;
        while (p < e && (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n'))
            p++;
        n = 0;
        while (p + n < e && p[n] != ' ' && p[n] != '\t' && p[n] != ',' && p[n] != '\r' &&
               p[n] != '\n')
            n++;
        if (n == 0)
            break;
        r = envcheck_rule_find(p, n);
        if (r >= R_DUPLICATED_KEY && r <= R_LAST_LINT)
            *mask |= (uint64_t)1 << r;
        p += n;
    }
    return 1;
}

int
envcheck_control_load(struct envcheck_ctx *c)
{
    const struct env_file *f = c->f;
    uint64_t state = 0;
    size_t cap = 0;

    if (memmem(f->data, f->len, prefix, sizeof(prefix) - 1) == NULL)
        return 0;
    for (int l = 1; l <= c->nlines; l++) {
        const char *s = f->data + c->line_off[l], *e = f->data + c->line_off[l + 1];
        uint64_t mask;
        int off;
        if (c->in_value[l])
            continue;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s >= e || *s != '#' || !parse_control(s, e, &off, &mask))
            continue;
        state = off ? state | mask : state & ~mask;
        if (c->nctl == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct envcheck_control *n = realloc(c->ctl, ncap * sizeof(*n));
            if (n == NULL)
                return err_set(ERR_NOMEM, "out of memory");
            c->ctl = n;
            cap = ncap;
        }
        c->ctl[c->nctl].line = l;
        c->ctl[c->nctl].off = state;
        c->nctl++;
    }
    return 0;
}

/* The index of the last control comment at or before `line`, or -1. */
static long
control_at(const struct envcheck_ctx *c, int line)
{
    size_t lo = 0, hi = c->nctl;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ctl[mid].line <= line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

int
envcheck_control_off(const struct envcheck_ctx *c, enum envcheck_rule r, int line)
{
    long k;

    if (c->nctl == 0 || line < 1)
        return 0;
    k = control_at(c, line);
    return k >= 0 && (c->ctl[k].off >> r & 1u);
}

int
envcheck_control_between(const struct envcheck_ctx *c, int from_line, int to_line)
{
    long k;

    if (c->nctl == 0)
        return 0;
    k = control_at(c, to_line - 1);
    return k >= 0 && c->ctl[k].line > from_line;
}
