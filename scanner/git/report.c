/* report: one finding per distinct secret, at the commit that introduced it: who, when, what
 * subject, whether HEAD still has it or which commit deleted it, how many commits carry it.
 * Text from the repository (subjects, names, paths) is shown without control characters, and a
 * subject that itself holds a secret is withheld. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gitscan_internal.h"

#define SUBJECT_MAX 120

/* Control characters (terminal escapes from a hostile repository) become '?'. */
static void
sanitize(char *s)
{
    for (; s != NULL && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static int
count_hit(const struct detect_hit *hit, void *user)
{
    (void)hit;
    (*(int *)user)++;
    return 0;
}

static int
commit_facts(struct gs *g, const git_oid *id, char hex[GIT_OID_HEXSZ + 1], struct buf *author,
             char date[40], struct buf *subject)
{
    git_commit *c = NULL;
    const git_signature *a;
    const char *sum;
    int rc = git_commit_lookup(&c, g->repo, id), secrets = 0;
    time_t t;
    struct tm tm;
    int off;

    git_oid_tostr(hex, GIT_OID_HEXSZ + 1, id);
    if (rc < 0)
        return gs_git_error(rc, "commit %s", hex);
    a = git_commit_author(c);
    rc = buf_printf(author, "%s <%s>", a->name, a->email);
    off = a->when.offset;
    t = (time_t)a->when.time + (time_t)off * 60;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(date, 40, "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
        str_format(date + strlen(date), 40 - strlen(date), "%c%02d:%02d", off < 0 ? '-' : '+',
                   abs(off) / 60, abs(off) % 60) < 0)
        str_format(date, 40, "@%lld", (long long)a->when.time);
    sum = git_commit_summary(c);
    if (rc == 0 && sum != NULL)
        rc = detect_scan(g->engine, sum, strlen(sum), count_hit, &secrets);
    if (rc == 0)
        rc = secrets > 0 ? buf_printf(subject, "(subject withheld: it holds a secret)")
                         : buf_printf(subject, "%.*s%s", SUBJECT_MAX, sum != NULL ? sum : "",
                                      sum != NULL && strlen(sum) > SUBJECT_MAX ? "..." : "");
    git_commit_free(c);
    sanitize(author->data);
    sanitize(subject->data);
    return rc;
}

static int
report_one(struct gs *g, struct gs_secret *s, const struct gs_ignores *ign, struct findings *f,
           size_t *ignored)
{
    char hex[GIT_OID_HEXSZ + 1], gone[GIT_OID_HEXSZ + 1] = "", date[40] = "";
    struct buf author = {0}, subject = {0}, msg = {0};
    struct location loc;
    struct finding_vcs v;
    char *path = strdup(s->path);
    int rc;

    if (path == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    sanitize(path);
    rc = commit_facts(g, &g->commits[s->intro], hex, &author, date, &subject);
    if (rc == 0 && gs_ignore_match(ign, hex, s->path, s->hit.rule)) {
        (*ignored)++;
        goto out;
    }
    if (!s->at_head && s->removed_in >= 0)
        git_oid_tostr(gone, sizeof(gone), &g->commits[s->removed_in]);
    if (rc == 0)
        rc = buf_printf(&msg, "added in commit %.12s by %s on %.10s \"%s\"; %s%.12s; in %ld commit%s",
                        hex, author.data, date, subject.data,
                        s->at_head ? "still at HEAD" : gone[0] ? "deleted in commit " : "not at HEAD",
                        gone, s->commits, s->commits == 1 ? "" : "s");
    if (rc == 0 && s->value != NULL)
        rc = buf_printf(&msg, "; value '%s'", s->value);
    memset(&loc, 0, sizeof(loc));
    loc.path = path;
    loc.line = s->line;
    loc.column = s->column;
    loc.layer_index = -1;
    if (rc == 0)
        rc = detect_add_finding(f, &s->hit, &loc, msg.data);
    v = (struct finding_vcs){hex, author.data, date, subject.data, gone[0] ? gone : NULL,
                             s->at_head, s->commits};
    if (rc == 0)
        rc = findings_set_vcs(f, f->n - 1, &v);
out:
    free(path);
    buf_free(&author);
    buf_free(&subject);
    buf_free(&msg);
    return rc;
}

int
gs_report(struct gs *g, const struct gs_ignores *ign, struct findings *f)
{
    size_t ignored = 0;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < g->nsecrets; i++)
        if (g->secrets[i].intro >= 0)
            rc = report_one(g, &g->secrets[i], ign, f, &ignored);
    if (rc == 0 && ignored > 0)
        diag_note("%zu finding%s ignored by the ignore list", ignored, ignored == 1 ? "" : "s");
    return rc;
}
