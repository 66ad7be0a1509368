/*
 * cli_fresh.c - whether a batch case can be skipped: its record
 * OUTDIR/<id>/case.json says it was rendered with the same options (the
 * fingerprint), and every output it names exists and is no older than
 * the photo and the other input files, as make(1) would judge it.  What
 * an interrupted run finished therefore counts, and what it did not,
 * or what an edited photo made stale, is done again.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli_batch.h"

/* The extra outputs' names (ageing previews), once the extension is
 * known. */
int batch_set_extra(bcase *bc)
{
    const smp_job *job = &bc->r.job;
    smp_job tmp = *job;
    smp_job_result res;
    memset(&res, 0, sizeof res);
    tmp.outdir = bc->id;
    snprintf(res.stem, sizeof res.stem, "%s", bc->id);
    res.ext = bc->c.ext;
    bc->c.nextra = 0;
    if (job->nyears <= 0)
        return 0;
    if (!bc->extra &&
        !(bc->extra = calloc((size_t)job->nyears, sizeof *bc->extra)))
        return -1;
    for (int i = 0; i < job->nyears; i++) {
        int n = smp_job_output_path(&tmp, &res, -1 - i, NULL, 0);
        free(bc->extra[i]);
        if (n < 0 || !(bc->extra[i] = malloc((size_t)n + 1)))
            return -1;
        smp_job_output_path(&tmp, &res, -1 - i, bc->extra[i], (size_t)n + 1);
    }
    bc->c.extra = (const char *const *)bc->extra;
    bc->c.nextra = (size_t)job->nyears;
    return 0;
}

static int newer_or_same(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* One output exists and is no older than `since`. */
static int holds(const batch *b, const char *rel,
                 const struct timespec *since)
{
    char *path = batch_join(b->outdir, rel);
    struct stat st;
    int ok = path && stat(path, &st) == 0 &&
             newer_or_same(&st.st_mtim, since);
    free(path);
    return ok;
}

static int holds_file(const batch *b, const smp_case *c, smp_case_file f,
                      int session, int px, const struct timespec *since)
{
    char rel[1024];
    smp_case_path(c, f, session, px, rel, sizeof rel);
    return holds(b, rel, since);
}

/* Every output of c exists and is no older than `since`. */
static int outputs_hold(const batch *b, const smp_case *c,
                        const struct timespec *since)
{
    int ok = holds_file(b, c, SMP_CASE_BEFORE_AFTER, 0, 0, since) &&
             holds_file(b, c, SMP_CASE_DOTS, 0, 0, since) &&
             holds_file(b, c, SMP_CASE_WEB_BEFORE, 0, SMP_WEB_LARGE, since) &&
             holds_file(b, c, SMP_CASE_WEB_BEFORE, 0, SMP_WEB_SMALL, since);
    for (int k = 1; ok && k <= c->sessions; k++)
        ok = holds_file(b, c, SMP_CASE_SESSION, k, 0, since) &&
             holds_file(b, c, SMP_CASE_WEB_SESSION, k, SMP_WEB_LARGE,
                        since) &&
             holds_file(b, c, SMP_CASE_WEB_SESSION, k, SMP_WEB_SMALL, since);
    for (size_t i = 0; ok && i < c->nextra; i++)
        ok = holds(b, c->extra[i], since);
    return ok;
}

/* Takes the case's record if it was made with the same options and its
 * outputs are newer than its inputs: 1, or 0 with c.error saying why. */
int batch_take_record(const batch *b, bcase *bc)
{
    smp_case t = bc->c;
    smp_error e = {0};
    if (smp_case_record_read(&t, b->outdir, &e) != SMP_OK) {
        snprintf(bc->c.error, sizeof bc->c.error, "not rendered yet");
        return 0;
    }
    if (strcmp(t.fingerprint, bc->c.fingerprint)) {
        snprintf(bc->c.error, sizeof bc->c.error,
                 "rendered with other options");
        return 0;
    }
    if (t.status == SMP_CASE_FAILED) {
        bc->c.status = SMP_CASE_FAILED;
        memcpy(bc->c.error, t.error, sizeof t.error);
        batch_printable(bc->c.error);
        return 0;
    }
    struct timespec since = {0, 0};
    for (int i = 0; i < bc->ninputs; i++) {
        struct stat st;
        if (stat(bc->inputs[i], &st) != 0)
            return 0;
        if (!newer_or_same(&since, &st.st_mtim))
            since = st.st_mtim;
    }
    bc->c = t;
    if (batch_set_extra(bc) != 0 || !outputs_hold(b, &bc->c, &since)) {
        bc->c.status = SMP_CASE_MISSING;
        snprintf(bc->c.error, sizeof bc->c.error,
                 "outputs missing or older than the inputs");
        return 0;
    }
    return 1;
}
