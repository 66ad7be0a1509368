/*
 * writer.h - a second thread that runs tasks (encoding an output) while
 * the caller goes on rendering; see writer.c.
 */
#ifndef SMP_WRITER_H
#define SMP_WRITER_H

#include "internal.h"

typedef struct smp_task smp_task;
typedef smp_status (*smp_task_fn)(smp_task *t, smp_error *err);

/* A task: the caller owns it (and what fn reads) until it is done. */
struct smp_task {
    smp_task_fn fn;
    void *ctx;
    int state;                  /* see writer.c */
    smp_task *next;
};

typedef struct smp_writer smp_writer;

/* threads <= 1: no second thread, every task runs as it is added. */
smp_status smp_writer_new(int threads, smp_writer **out, smp_error *err);
/* Queues t (fn(t) with t->ctx); SMP_OK, or the first failure of any task
 * so far, in err (a task added after a failure is not run). */
smp_status smp_writer_add(smp_writer *w, smp_task *t, smp_task_fn fn,
                          void *ctx, smp_error *err);
/* Whether t has run (or will not run). */
int smp_writer_done(smp_writer *w, const smp_task *t);
/* Until t has run: runs it here if no thread has started it.  The first
 * failure, as smp_writer_add. */
smp_status smp_writer_wait(smp_writer *w, smp_task *t, smp_error *err);
/* Runs queued tasks on the calling thread, then waits until the other
 * thread is idle; the first failure, as smp_writer_add. */
smp_status smp_writer_finish(smp_writer *w, smp_error *err);
/* Finishes, ends the thread and frees; NULL is fine. */
void smp_writer_free(smp_writer *w);

#endif
