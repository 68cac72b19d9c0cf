/* report_status: the run's status beside its findings: targets that could not be scanned. Every
 * renderer states them, so a failed scan never reads as a clean one. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int
findings_add_error(struct findings *f, const char *target, const char *message)
{
    struct scan_error *e;

    if (f->nerrors == f->ecap) {
        size_t cap = f->ecap ? f->ecap * 2 : 4;
        e = realloc(f->errors, cap * sizeof(*e));
        if (e == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        f->errors = e;
        f->ecap = cap;
    }
    e = &f->errors[f->nerrors];
    e->target = strdup(target != NULL ? target : "-");
    e->message = strdup(message != NULL && message[0] != '\0' ? message : "unknown error");
    if (e->target == NULL || e->message == NULL) {
        free(e->target);
        free(e->message);
        return err_set(ERR_NOMEM, "out of memory");
    }
    f->nerrors++;
    return 0;
}

void
findings_free_errors(struct findings *f)
{
    for (size_t i = 0; i < f->nerrors; i++) {
        free(f->errors[i].target);
        free(f->errors[i].message);
    }
    free(f->errors);
    f->errors = NULL;
    f->nerrors = f->ecap = 0;
}

int
report_error_text(struct buf *out, const struct scan_error *e)
{
    size_t tl = strlen(e->target);

    /* Most messages already start with the target's name ("x.tar: not a tar archive"). */
    if (strncmp(e->message, e->target, tl) == 0 && e->message[tl] == ':')
        return buf_printf(out, "%s", e->message);
    return buf_printf(out, "%s: %s", e->target, e->message);
}
