/*
 * cli_pool.c - the batch's workers: a fixed set of threads taking cases
 * off a shared counter (libsmp keeps no global state, so jobs run side by
 * side), and on a terminal a progress line on stderr rewritten in place
 * once a second and after every case.  Messages from workers go through
 * cli_pool_say so that they never tear that line.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "cli_pool.h"

struct cli_pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;     /* an item finished or a worker ended */
    size_t n, next, done;
    int running;                /* workers still going */
    int progress;               /* stderr is a terminal */
    int drawn;                  /* the progress line is on screen */
    double t0;
    cli_pool_work work;
    void *ctx;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* "12 s", "3 min 05 s", "1 h 02 min" */
static void duration(char *buf, size_t size, double s)
{
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, size, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, size, "%ld min %02ld s", t / 60, t % 60);
    else
        snprintf(buf, size, "%ld h %02ld min", t / 3600, t / 60 % 60);
}

/* With the lock held. */
static void draw(cli_pool *p)
{
    if (!p->progress)
        return;
    char line[160], left[32];
    int k = snprintf(line, sizeof line, "smpr: %zu/%zu cases", p->done, p->n);
    double el = now() - p->t0;
    if (p->done > 0 && el > 0 && k > 0 && (size_t)k < sizeof line) {
        double rate = p->done / el;
        duration(left, sizeof left, (double)(p->n - p->done) / rate);
        if (rate >= 1)
            snprintf(line + k, sizeof line - k, ", %.1f cases/s, %s left",
                     rate, left);
        else
            snprintf(line + k, sizeof line - k, ", %.1f s per case, %s left",
                     1 / rate, left);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
}

/* With the lock held. */
static void erase(cli_pool *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = 0;
}

void cli_pool_say(cli_pool *p, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&p->lock);
    erase(p);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    draw(p);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    cli_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!cli_interrupted && p->next < p->n) {
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        p->work(p, p->ctx, i);
        pthread_mutex_lock(&p->lock);
        p->done++;
        if (!cli_interrupted)
            draw(p);
        pthread_cond_signal(&p->changed);
    }
    p->running--;
    pthread_cond_signal(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

size_t cli_pool_run(size_t n, int threads, cli_pool_work work, void *ctx)
{
    cli_pool p = {.n = n, .work = work, .ctx = ctx, .t0 = now(),
                  .progress = isatty(2)};
    if (n == 0)
        return 0;
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > n)
        threads = (int)n;
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.changed, NULL);
    int started = 0;
    pthread_mutex_lock(&p.lock);
    draw(&p);
    for (; t && started < threads; started++) {
        p.running++;
        if (pthread_create(&t[started], NULL, worker, &p) != 0) {
            p.running--;
            break;
        }
    }
    while (p.running > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        /* workers draw when they finish an item; this is the tick */
        if (pthread_cond_timedwait(&p.changed, &p.lock, &until) ==
                ETIMEDOUT && !cli_interrupted)
            draw(&p);
    }
    pthread_mutex_unlock(&p.lock);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (started == 0) {
        /* no thread could be made: do the work here */
        p.running = 1;
        worker(&p);
    }
    pthread_mutex_lock(&p.lock);
    erase(&p);
    pthread_mutex_unlock(&p.lock);
    fflush(stderr);
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
    free(t);
    return p.done;
}
