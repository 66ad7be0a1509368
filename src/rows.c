/*
 * rows.c - a counter of rows that one thread moves down an image and
 * others wait on.  The sessions of a render are written this way: session
 * k's encoder reads rows as soon as session k's dots on them are stamped,
 * and session k+1's dots are stamped on rows the encoder has read, so
 * every session is written from the one canvas, each a few rows behind
 * the one before, with no copy.  Waiters are woken only when the count
 * passes what they wait for, so a counter moved row by row costs little.
 */
#include "rows.h"

void smp_rows_init(smp_rows *r)
{
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->moved, NULL);
    r->done = 0;
    r->stopped = 0;
}

void smp_rows_destroy(smp_rows *r)
{
    pthread_cond_destroy(&r->moved);
    pthread_mutex_destroy(&r->lock);
}

void smp_rows_reach(smp_rows *r, uint32_t rows)
{
    pthread_mutex_lock(&r->lock);
    if (rows > r->done) {
        r->done = rows;
        pthread_cond_broadcast(&r->moved);
    }
    pthread_mutex_unlock(&r->lock);
}

int smp_rows_wait(smp_rows *r, uint32_t rows)
{
    pthread_mutex_lock(&r->lock);
    while (r->done < rows && !r->stopped)
        pthread_cond_wait(&r->moved, &r->lock);
    int ok = r->done >= rows;
    pthread_mutex_unlock(&r->lock);
    return ok ? 0 : -1;
}

void smp_rows_stop(smp_rows *r)
{
    pthread_mutex_lock(&r->lock);
    r->stopped = 1;
    pthread_cond_broadcast(&r->moved);
    pthread_mutex_unlock(&r->lock);
}
