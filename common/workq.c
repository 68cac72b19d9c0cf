/* workq: an ordered work queue for `--jobs N`. One thread (the submitter) hands items in, in
 * the order a single-threaded scan would take them; N worker threads run them, in any order;
 * the submitter retires them (reports, counts, prints) strictly in submission order. At most
 * `depth` items are in flight, so memory is bounded whatever the input's size. With fewer than
 * two threads nothing is started: each item runs and retires inside workq_submit, in order. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

struct workq {
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* an item was submitted, or the queue is closing */
    pthread_cond_t cv_done; /* an item was run */
    void **ring;
    unsigned char *done;
    size_t depth;
    size_t head;  /* oldest item not retired */
    size_t claim; /* next item a worker takes */
    size_t tail;  /* next free slot */
    pthread_t *th;
    unsigned nth;
    int closing;
    unsigned idle;    /* workers waiting on cv_work: submit signals only when one is */
    int head_waiter;  /* the submitter waits on cv_done for the head item */
    workq_run_fn run;
    workq_retire_fn retire;
    void *arg;
    int rc; /* first error a retire returned: later items are retired with it set */
};

unsigned
workq_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > WORKQ_MAX_THREADS ? WORKQ_MAX_THREADS : (unsigned)n;
}

static void *
worker(void *p)
{
    struct workq *q = p;

    pthread_mutex_lock(&q->mu);
    for (;;) {
        size_t i;
        while (q->claim == q->tail && !q->closing) {
            q->idle++;
            pthread_cond_wait(&q->cv_work, &q->mu);
            q->idle--;
        }
        if (q->claim == q->tail)
            break; /* closing and nothing left */
        i = q->claim++ % q->depth;
        pthread_mutex_unlock(&q->mu);
        q->run(q->ring[i], q->arg);
        pthread_mutex_lock(&q->mu);
        q->done[i] = 1;
        if (q->head_waiter && i == q->head % q->depth)
            pthread_cond_signal(&q->cv_done); /* only the head unblocks the submitter */
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int
workq_open(struct workq **out, unsigned threads, workq_run_fn run, workq_retire_fn retire,
           void *arg)
{
    struct workq *q;

    *out = NULL;
    if (threads > WORKQ_MAX_THREADS)
        threads = WORKQ_MAX_THREADS;
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    q->run = run;
    q->retire = retire;
    q->arg = arg;
    *out = q;
    if (threads < 2)
        return 0; /* inline: workq_submit runs and retires each item itself */
    /* WORKQ_DEPTH items a thread, so no worker idles while the submitter retires or enumerates
     * and a small file costs no hand-over wait. */
    q->depth = (size_t)threads * WORKQ_DEPTH;
    q->ring = calloc(q->depth, sizeof(*q->ring));
    q->done = calloc(q->depth, 1);
    q->th = calloc(threads, sizeof(*q->th));
    if (q->ring == NULL || q->done == NULL || q->th == NULL) {
        free(q->ring);
        free(q->done);
        free(q->th);
        q->ring = NULL;
        q->depth = 0;
        return 0; /* no memory for threads: one thread still does the work */
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv_work, NULL);
    pthread_cond_init(&q->cv_done, NULL);
    for (unsigned t = 0; t < threads; t++) {
        if (pthread_create(&q->th[t], NULL, worker, q) != 0)
            break; /* fewer threads than asked: those started do the work */
        q->nth++;
    }
    if (q->nth == 0) {
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->cv_work);
        pthread_cond_destroy(&q->cv_done);
        free(q->ring);
        free(q->done);
        free(q->th);
        q->ring = NULL;
        q->depth = 0;
    }
    return 0;
}

/* Retires the finished items at the head, in order; with `wait`, waits for the head first.
 * Called with q->mu held; drops it around each retire. */
static void
retire_ready(struct workq *q, int wait)
{
    for (;;) {
        size_t i;
        int rc;
        if (q->head == q->tail)
            return;
        i = q->head % q->depth;
        if (!q->done[i]) {
            if (!wait)
                return;
            q->head_waiter = 1;
            pthread_cond_wait(&q->cv_done, &q->mu);
            q->head_waiter = 0;
            continue;
        }
        q->done[i] = 0;
        q->head++;
        pthread_mutex_unlock(&q->mu);
        rc = q->retire(q->ring[i], q->rc, q->arg);
        pthread_mutex_lock(&q->mu);
        if (rc < 0 && q->rc == 0)
            q->rc = rc;
        wait = 0; /* one retired: the caller's slot is free */
    }
}

int
workq_submit(struct workq *q, void *item)
{
    int rc;

    if (q->nth == 0) {
        q->run(item, q->arg);
        rc = q->retire(item, q->rc, q->arg);
        if (rc < 0 && q->rc == 0)
            q->rc = rc;
        return q->rc;
    }
    pthread_mutex_lock(&q->mu);
    if (q->tail - q->head == q->depth)
        retire_ready(q, 1);
    q->ring[q->tail % q->depth] = item;
    q->done[q->tail % q->depth] = 0;
    q->tail++;
    if (q->idle > 0)
        pthread_cond_signal(&q->cv_work);
    retire_ready(q, 0);
    rc = q->rc;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int
workq_drain(struct workq *q)
{
    int rc;

    if (q->nth == 0)
        return q->rc;
    pthread_mutex_lock(&q->mu);
    while (q->head != q->tail)
        retire_ready(q, 1);
    rc = q->rc;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int
workq_close(struct workq *q)
{
    int rc;

    if (q == NULL)
        return 0;
    rc = workq_drain(q);
    if (q->nth > 0) {
        pthread_mutex_lock(&q->mu);
        q->closing = 1;
        pthread_cond_broadcast(&q->cv_work);
        pthread_mutex_unlock(&q->mu);
        for (unsigned t = 0; t < q->nth; t++)
            pthread_join(q->th[t], NULL);
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->cv_work);
        pthread_cond_destroy(&q->cv_done);
    }
    free(q->ring);
    free(q->done);
    free(q->th);
    free(q);
    return rc;
}
