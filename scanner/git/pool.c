/* pool: the new blobs of a history, read and scanned on worker threads (--jobs). Reading objects
 * (zlib, delta application) and scanning them is nearly all the work; each worker has its own
 * repository handle (libgit2's pack caches are per handle) and shares the one detector (each
 * scan takes its own Vectorscan scratch), and takes the blobs of its own paths, so a file's versions stay in one delta-base cache (on tmux's history
 * this inflated less than one thread did; contiguous slices of the list inflated half as much
 * again, since a file's delta chain then spans every thread). Results are recorded
 * afterwards in the given order: the output does not depend on the number of threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitscan_internal.h"

#define POOL_JOBS_A_THREAD 64 /* by default, fewer blobs than this a thread: not worth one */

enum job_state { JOB_SCANNED, JOB_BIG, JOB_BINARY, JOB_LFS };

struct rawhit {
    struct detect_hit hit; /* hit.secret points at value (or is NULL) */
    char *value;           /* only with --show-secrets */
};

struct job {
    git_oid id;
    const char *path;
    unsigned worker;
    enum job_state state;
    size_t size;
    struct rawhit *hits;
    size_t nhits, caphits;
    int show;
};

struct worker {
    struct gs *g;
    struct job *jobs;
    size_t njobs;
    unsigned id;
    git_repository *repo;
    git_odb *odb;
    struct detect_engine *engine;
    int rc;
    char msg[1024];
    pthread_t th;
};

static int
collect_hit(const struct detect_hit *hit, void *user)
{
    struct job *j = user;
    struct rawhit *r;
    int rc = gs_grow((void **)&j->hits, &j->caphits, j->nhits, sizeof(*j->hits));

    if (rc < 0)
        return rc;
    r = &j->hits[j->nhits];
    r->hit = *hit;
    r->hit.secret = NULL;
    r->value = NULL;
    if (j->show) {
        r->value = strndup(hit->secret, hit->secret_end - hit->secret_start);
        if (r->value == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        r->hit.secret = r->value;
    }
    j->nhits++;
    return 0;
}

static int
run_job(struct worker *w, struct job *j)
{
    git_odb_object *obj = NULL;
    git_object_t type;
    char hex[GIT_OID_HEXSZ + 1];
    const char *data;
    int rc;

    git_oid_tostr(hex, sizeof(hex), &j->id);
    /* The header gives the size without inflating: huge blobs are never read. */
    rc = git_odb_read_header(&j->size, &type, w->odb, &j->id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s)", hex, j->path);
    if (type != GIT_OBJECT_BLOB)
        return err_set(ERR_PARSE, "object %s (%s): a %s where the tree says a file", hex,
                       j->path, git_object_type2string(type));
    if (j->size > (size_t)w->g->max_size) {
        j->state = JOB_BIG;
        return 0;
    }
    rc = git_odb_read(&obj, w->odb, &j->id);
    if (rc < 0)
        return gs_git_error(rc, "object %s (%s)", hex, j->path);
    data = git_odb_object_data(obj);
    j->size = git_odb_object_size(obj);
    if (detect_content_is_binary(data, j->size))
        j->state = JOB_BINARY;
    else if (gs_is_lfs_pointer(data, j->size))
        j->state = JOB_LFS;
    else
        rc = detect_scan(w->engine, data, j->size, collect_hit, j);
    git_odb_object_free(obj);
    return rc;
}

static void *
work(void *arg)
{
    struct worker *w = arg;

    for (size_t i = 0; i < w->njobs && w->rc == 0; i++)
        if (w->jobs[i].worker == w->id)
            w->rc = run_job(w, &w->jobs[i]);
    if (w->rc < 0 && str_format(w->msg, sizeof(w->msg), "%s", err_message()) < 0)
        w->msg[0] = '\0'; /* cut short or not: the code still says it failed */
    return NULL;
}

static unsigned
path_hash(const char *p)
{
    uint32_t h = 2166136261u;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* --jobs N: up to N threads, one a blob at most; by default one a core, and only when each has
 * POOL_JOBS_A_THREAD blobs to read. */
static unsigned
thread_count(const struct gitscan_opts *o, size_t njobs)
{
    size_t n;

    if (!(git_libgit2_features() & GIT_FEATURE_THREADS))
        return 1;
    if (o->jobs > 0) {
        n = njobs < o->jobs ? njobs : o->jobs;
    } else {
        n = njobs / POOL_JOBS_A_THREAD;
        if (n > workq_default_threads())
            n = workq_default_threads();
    }
    return n < 2 ? 1 : n > WORKQ_MAX_THREADS ? WORKQ_MAX_THREADS : (unsigned)n;
}

/* A worker beyond the first: a repository handle of its own. */
static int
worker_open(struct worker *w)
{
    int rc = git_repository_open(&w->repo, git_repository_path(w->g->repo));

    if (rc < 0)
        return gs_git_error(rc, "%s", git_repository_path(w->g->repo));
    rc = git_repository_odb(&w->odb, w->repo);
    if (rc < 0)
        return gs_git_error(rc, "object database");
    w->engine = w->g->engine;
    return 0;
}

static void
worker_close(struct worker *w)
{
    git_odb_free(w->odb);
    git_repository_free(w->repo);
}

/* In the given order, as a single-threaded scan would have recorded them. */
static int
record(struct gs *g, struct job *j)
{
    size_t first = g->nhits;
    int32_t bi;
    int rc = 0;

    switch (j->state) {
    case JOB_BIG:
        diag_note("%s (blob %.12s): skipped, %zu bytes is over --max-file-size %ld", j->path,
                  git_oid_tostr_s(&j->id), j->size, g->max_size);
        g->skipped_big++;
        break;
    case JOB_BINARY:
        g->skipped_binary++;
        break;
    case JOB_LFS:
        g->skipped_lfs++;
        break;
    case JOB_SCANNED:
        g->scanned_blobs++;
        g->scanned_bytes += j->size;
        for (size_t k = 0; rc == 0 && k < j->nhits; k++)
            rc = gs_secret_hit(g, &j->hits[k].hit);
        break;
    }
    return rc < 0 ? rc : gs_blob_finish(g, &j->id, first, &bi);
}

static void
job_free(struct job *j)
{
    for (size_t k = 0; k < j->nhits; k++)
        if (j->hits[k].value != NULL) {
            memset(j->hits[k].value, 0, strlen(j->hits[k].value));
            free(j->hits[k].value);
        }
    free(j->hits);
}

int
gs_blob_scan_all(struct gs *g, const git_oid *ids, const char *const *paths, size_t n)
{
    struct job *jobs = calloc(n ? n : 1, sizeof(*jobs));
    struct worker *w = NULL;
    struct gs_map queued = {NULL, NULL, 0, 0};
    size_t njobs = 0;
    unsigned nw = 1, started = 0;
    int rc = jobs != NULL ? 0 : err_set(ERR_NOMEM, "out of memory");

    /* Each blob once, and none that an earlier scan (or this list) already has. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int32_t v;
        if (gs_map_get(&g->blob_map, ids[i].id, &v) || gs_map_get(&queued, ids[i].id, &v))
            continue;
        rc = gs_map_put(&queued, ids[i].id, 1);
        jobs[njobs].id = ids[i];
        jobs[njobs].path = paths[i];
        jobs[njobs].show = g->o->show_secrets;
        njobs++;
    }
    gs_map_free(&queued);
    if (rc == 0)
        nw = thread_count(g->o, njobs);
    if (rc == 0 && (w = calloc(nw, sizeof(*w))) == NULL)
        rc = err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < njobs; i++)
        jobs[i].worker = nw > 1 ? path_hash(jobs[i].path) % nw : 0;
    for (unsigned t = 0; rc == 0 && t < nw; t++) {
        w[t] = (struct worker){.g = g, .jobs = jobs, .njobs = njobs, .id = t};
        if (t == 0) {
            w[t].repo = g->repo;
            w[t].odb = g->odb;
            w[t].engine = g->engine;
        } else if ((rc = worker_open(&w[t])) < 0) {
            worker_close(&w[t]);
            break;
        }
        started = t + 1;
    }
    if (rc == 0 && nw == 1) {
        work(&w[0]);
    } else if (rc == 0) {
        unsigned running = 1;
        for (unsigned t = 1; t < nw; t++) {
            if (pthread_create(&w[t].th, NULL, work, &w[t]) != 0)
                break;
            running++;
        }
        work(&w[0]);
        /* Workers whose thread could not start do their share here. */
        for (unsigned t = running; t < nw; t++)
            work(&w[t]);
        for (unsigned t = 1; t < running; t++)
            pthread_join(w[t].th, NULL);
    }
    for (unsigned t = 0; rc == 0 && w != NULL && t < nw; t++)
        if (w[t].rc < 0)
            rc = err_set(w[t].rc, "%s", w[t].msg);
    for (size_t i = 0; rc == 0 && i < njobs; i++)
        rc = record(g, &jobs[i]);
    for (unsigned t = 1; t < started; t++)
        worker_close(&w[t]);
    free(w);
    for (size_t i = 0; jobs != NULL && i < njobs; i++)
        job_free(&jobs[i]);
    free(jobs);
    return rc;
}
