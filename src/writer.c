/*
 * writer.c - a second thread for a job's side work: decoding the photo
 * while the dots are planned, shrinking it for the before/after, writing
 * the outputs that are not written with the sessions (the before/after of
 * photos with alpha, ageing previews); when the job has nothing else to
 * do it runs queued tasks itself.
 * Tasks run in the order they were added, each once, on whichever thread
 * takes it first.  After a task fails, the ones not yet started are
 * skipped and every later call reports that first failure.  With one
 * thread (or if none can be started) each task runs as it is added, as
 * if there were no writer.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "writer.h"

enum { TASK_IDLE, TASK_QUEUED, TASK_RUNNING, TASK_DONE };

struct smp_writer {
    pthread_mutex_t lock;
    pthread_cond_t work;        /* a task was queued, or quit */
    pthread_cond_t finished;    /* a task finished */
    pthread_t thread;
    int threaded, quit, running;
    smp_task *head, *tail;
    smp_status status;          /* the first failure */
    smp_error err;
};

/* Runs t (taken off the queue, counted as running) unlocked. */
static void run(smp_writer *w, smp_task *t)
{
    smp_error e;
    memset(&e, 0, sizeof e);
    pthread_mutex_lock(&w->lock);
    int skip = w->status != SMP_OK;
    pthread_mutex_unlock(&w->lock);
    smp_status st = skip ? SMP_OK : t->fn(t, &e);
    pthread_mutex_lock(&w->lock);
    if (st != SMP_OK && w->status == SMP_OK) {
        w->status = st;
        w->err = e;
        w->err.status = st;
    }
    t->state = TASK_DONE;
    w->running--;
    pthread_cond_broadcast(&w->finished);
    pthread_mutex_unlock(&w->lock);
}

/* The next queued task, now running; NULL if none.  Locked. */
static smp_task *take(smp_writer *w)
{
    smp_task *t = w->head;
    if (t) {
        w->head = t->next;
        if (!w->head)
            w->tail = NULL;
        t->state = TASK_RUNNING;
        w->running++;
    }
    return t;
}

static void *worker(void *arg)
{
    smp_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        smp_task *t = take(w);
        if (t) {
            pthread_mutex_unlock(&w->lock);
            run(w, t);
            pthread_mutex_lock(&w->lock);
        } else if (w->quit) {
            break;
        } else {
            pthread_cond_wait(&w->work, &w->lock);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

smp_status smp_writer_new(int threads, smp_writer **out, smp_error *err)
{
    smp_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->finished, NULL);
    /* no thread to be had: work as if one were not asked for */
    w->threaded = threads > 1 &&
                  pthread_create(&w->thread, NULL, worker, w) == 0;
    *out = w;
    return SMP_OK;
}

/* The first failure into err; locked. */
static smp_status failure(const smp_writer *w, smp_error *err)
{
    if (w->status != SMP_OK && err)
        *err = w->err;
    return w->status;
}

smp_status smp_writer_add(smp_writer *w, smp_task *t, smp_task_fn fn,
                          void *ctx, smp_error *err)
{
    t->fn = fn;
    t->ctx = ctx;
    t->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->status != SMP_OK) {
        t->state = TASK_DONE;
        smp_status st = failure(w, err);
        pthread_mutex_unlock(&w->lock);
        return st;
    }
    if (!w->threaded) {
        t->state = TASK_RUNNING;
        w->running++;
        pthread_mutex_unlock(&w->lock);
        run(w, t);
        pthread_mutex_lock(&w->lock);
    } else {
        t->state = TASK_QUEUED;
        if (w->tail)
            w->tail->next = t;
        else
            w->head = t;
        w->tail = t;
        pthread_cond_signal(&w->work);
    }
    smp_status st = failure(w, err);
    pthread_mutex_unlock(&w->lock);
    return st;
}

int smp_writer_done(smp_writer *w, const smp_task *t)
{
    pthread_mutex_lock(&w->lock);
    int done = t->state == TASK_DONE;
    pthread_mutex_unlock(&w->lock);
    return done;
}

smp_status smp_writer_wait(smp_writer *w, smp_task *t, smp_error *err)
{
    pthread_mutex_lock(&w->lock);
    if (t->state == TASK_QUEUED) {
        /* not started: run it here rather than wait for it */
        smp_task **at = &w->head, *prev = NULL;
        while (*at != t) {
            prev = *at;
            at = &(*at)->next;
        }
        *at = t->next;
        if (w->tail == t)
            w->tail = prev;
        t->state = TASK_RUNNING;
        w->running++;
        pthread_mutex_unlock(&w->lock);
        run(w, t);
        pthread_mutex_lock(&w->lock);
    }
    while (t->state == TASK_RUNNING)
        pthread_cond_wait(&w->finished, &w->lock);
    smp_status st = failure(w, err);
    pthread_mutex_unlock(&w->lock);
    return st;
}

smp_status smp_writer_finish(smp_writer *w, smp_error *err)
{
    pthread_mutex_lock(&w->lock);
    for (smp_task *t; (t = take(w));) {
        pthread_mutex_unlock(&w->lock);
        run(w, t);
        pthread_mutex_lock(&w->lock);
    }
    while (w->running > 0)
        pthread_cond_wait(&w->finished, &w->lock);
    smp_status st = failure(w, err);
    pthread_mutex_unlock(&w->lock);
    return st;
}

void smp_writer_free(smp_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    /* what is still queued is not wanted: the job has failed */
    for (smp_task *t = w->head; t; t = t->next)
        t->state = TASK_DONE;
    w->head = w->tail = NULL;
    while (w->running > 0)
        pthread_cond_wait(&w->finished, &w->lock);
    w->quit = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    if (w->threaded)
        pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->finished);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
