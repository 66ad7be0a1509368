/*
 * rows.h - how far down an image a piece of work has got, for the work
 * that follows it down the same rows (see rows.c).
 */
#ifndef SMP_ROWS_H
#define SMP_ROWS_H

#include <pthread.h>
#include <stdint.h>

typedef struct smp_rows {
    pthread_mutex_t lock;
    pthread_cond_t moved;
    uint32_t done;              /* rows [0, done) are through */
    int stopped;
} smp_rows;

void smp_rows_init(smp_rows *r);
void smp_rows_destroy(smp_rows *r);
/* Rows [0, rows) are through (never moves back). */
void smp_rows_reach(smp_rows *r, uint32_t rows);
/* Waits until rows [0, rows) are through: 0, or -1 if stopped first. */
int smp_rows_wait(smp_rows *r, uint32_t rows);
/* Wakes every waiter, now and later, with -1: the work has failed. */
void smp_rows_stop(smp_rows *r);

#endif
