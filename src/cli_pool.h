/*
 * cli_pool.h - worker threads for `smpr batch`, with the progress line.
 */
#ifndef SMP_CLI_POOL_H
#define SMP_CLI_POOL_H

#include <stddef.h>

typedef struct cli_pool cli_pool;
/* Does item i; runs on a worker thread, concurrently with other items. */
typedef void (*cli_pool_work)(cli_pool *pool, void *ctx, size_t i);

/* Runs work(pool, ctx, i) for every i in [0, n) on up to `threads`
 * threads, taking items in order and starting none once cli_interrupted
 * is set.  When stderr is a terminal a progress line (done/total, rate,
 * time left) is kept up to date there.  Returns the items finished. */
size_t cli_pool_run(size_t n, int threads, cli_pool_work work, void *ctx);

/* One message line on stderr from a worker, printed whole, above the
 * progress line. */
void cli_pool_say(cli_pool *pool, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
