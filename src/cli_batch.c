/*
 * cli_batch.c - `smpr batch`: a manifest of cases rendered into a gallery.
 * The manifest's rows become render jobs (cli_cases.c); cases whose
 * outputs still hold are skipped (cli_fresh.c); the rest render on worker
 * threads (cli_pool.c); then libsmp writes OUTDIR/report.json and the
 * gallery OUTDIR/index.html.  `--shard K/N` takes every Nth case so that
 * machines can share a manifest, and `--index-only` gathers the per-case
 * records of every shard into the report and gallery without rendering.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli_batch.h"
#include "cli_pool.h"

#define MAX_JOBS 256
#define MAX_SHARDS 1000000

static const char batch_help[] =
"usage: smpr batch MANIFEST.csv -o OUTDIR [-j N] [--shard K/N] [--force]\n"
"                  [--index-only]\n"
"\n"
"Renders every case of a manifest into OUTDIR/<id>/ (session previews,\n"
"before/after, dots.csv and web-sized copies in web/), then writes\n"
"OUTDIR/report.json and OUTDIR/index.html, a gallery page that works\n"
"offline.\n"
"\n"
"  -o, --output DIR   output folder (created if missing)\n"
"  -j, --jobs N       cases rendered at once (default: the number of cores)\n"
"      --shard K/N    render only cases K, K+N, K+2N, ... of the manifest\n"
"                     (one share per machine); no report or gallery then\n"
"      --force        render cases again even when up to date\n"
"      --index-only   render nothing: write report.json and index.html\n"
"                     from the cases' records (after every shard ran)\n"
"  -h, --help         this text\n"
"\n"
"The manifest is CSV as spreadsheets export it, with a header row naming\n"
"the columns, one row per case:\n"
"  photo              the photo, relative to the manifest's folder\n"
"  id                 folder name of the case (default: the photo's name)\n"
"  caption            text shown in the gallery\n"
"and any of render's long options (an empty cell is the default; files\n"
"such as mask are relative to the manifest's folder; flags take 1 or 0):\n";

static const char batch_help_tail[] =
"\n"
"A case is skipped as up to date when OUTDIR/<id>/case.json records the\n"
"same options and its outputs are newer than its photo and mask, so an\n"
"interrupted batch resumes.  A bad row is reported with its manifest line\n"
"and skipped.  Exit status: 0 every case done, 1 a case failed, 2 a usage\n"
"error, 130 interrupted.\n";

static void print_help(void)
{
    fputs(batch_help, stdout);
    size_t col = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *names = pass ? cli_render_flags : cli_render_names;
        for (; *names; names++) {
            if (!strcmp(*names, "dots"))
                continue;
            size_t len = strlen(*names);
            if (col == 0) {
                fputs("  ", stdout);
                col = 2;
            } else if (col + len + 2 > 74) {
                fputs(",\n  ", stdout);
                col = 2;
            } else {
                fputs(", ", stdout);
                col += 2;
            }
            fputs(*names, stdout);
            col += len;
        }
    }
    fputs("\n", stdout);
    fputs(batch_help_tail, stdout);
}

/* ---- rendering -------------------------------------------------------- */

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* One case: the job, the web copies, the record. */
static void render_case(cli_pool *pool, void *ctx, size_t i)
{
    batch *b = ctx;
    bcase *bc = b->todo[i];
    smp_job_result res;
    smp_error e = {0};
    double t0 = seconds_now();
    /* the cases are the batch's parallelism: each on its worker alone */
    bc->r.job.threads = 1;
    smp_status st = smp_job_run(&bc->r.job, &res, &e);
    if (st == SMP_OK) {
        smp_case_set_result(&bc->c, &res);
        if (batch_set_extra(bc) != 0)
            st = SMP_ERR_NOMEM;
    }
    if (st == SMP_OK)
        st = smp_case_web_images(&bc->c, b->outdir, bc->inputs[0],
                                 bc->r.job.max_pixels, &cli_interrupted, &e);
    bc->c.seconds = seconds_now() - t0;
    if (st == SMP_OK)
        st = smp_case_record_write(&bc->c, b->outdir, &e);
    if (st == SMP_OK)
        return;
    if (st == SMP_ERR_CANCELLED || cli_interrupted) {
        /* no record: the next run does it again */
        bc->c.status = SMP_CASE_MISSING;
        snprintf(bc->c.error, sizeof bc->c.error, "interrupted");
        return;
    }
    bc->c.status = SMP_CASE_FAILED;
    snprintf(bc->c.error, sizeof bc->c.error, "%s",
             e.msg[0] ? e.msg : smp_strerror(st));
    batch_printable(bc->c.error);
    cli_pool_say(pool, "smpr: %s:%lu: %s", b->manifest, bc->c.line,
                 bc->c.error);
    smp_case_record_write(&bc->c, b->outdir, NULL);
}

/* ---- the command ------------------------------------------------------ */

/* "K/N" with 1 <= K <= N <= MAX_SHARDS, digits only. */
static int parse_shard(const char *s, int *k, int *n)
{
    long v[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        if (*s < '0' || *s > '9')
            return -1;
        for (; *s >= '0' && *s <= '9'; s++)
            if ((v[i] = v[i] * 10 + (*s - '0')) > MAX_SHARDS)
                return -1;
        if (*s++ != (i ? '\0' : '/'))
            return -1;
    }
    if (v[0] < 1 || v[0] > v[1])
        return -1;
    *k = (int)v[0];
    *n = (int)v[1];
    return 0;
}

static int parse_args(batch *b, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"shard", required_argument, NULL, 's'},
        {"force", no_argument, NULL, 'f'},
        {"index-only", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    char *end;
    long v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:j:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': b->outdir = optarg; break;
        case 'f': b->force = 1; break;
        case 'i': b->index_only = 1; break;
        case 'h': print_help(); return -1;
        case 'j':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (end == optarg || *end || errno || v < 1 || v > MAX_JOBS)
                return cli_usage("batch", "bad -j '%s' (1-256 workers)",
                                 optarg);
            b->jobs = (int)v;
            break;
        case 's':
            if (parse_shard(optarg, &b->shard_k, &b->shard_n) != 0)
                return cli_usage("batch", "bad --shard '%s' (K/N, 1 <= K <= "
                                 "N, like 2/5)", optarg);
            break;
        case ':':
            return cli_usage("batch", "option '%s' needs a value",
                             argv[optind - 1]);
        default:
            return cli_usage("batch", "unknown option '%s'",
                             argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage("batch", "%s", "missing MANIFEST");
    if (optind + 1 < argc)
        return cli_usage("batch", "unexpected argument '%s'",
                         argv[optind + 1]);
    b->manifest = argv[optind];
    if (!b->outdir)
        return cli_usage("batch", "%s", "missing -o OUTDIR");
    return 0;
}

/* report.json and index.html over every case (in manifest order). */
static int write_index(batch *b)
{
    smp_case *all = malloc(b->n * sizeof *all);
    smp_error e = {0};
    int rc = 0;
    if (!all) {
        fprintf(stderr, "smpr: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < b->n; i++)
        all[i] = b->cases[i].c;
    if (smp_report_write(all, b->n, b->outdir, &e) != SMP_OK ||
        smp_gallery_write(all, b->n, b->outdir, NULL, &e) != SMP_OK) {
        fprintf(stderr, "smpr: %s\n", e.msg);
        rc = 1;
    }
    free(all);
    return rc;
}

static int index_only(batch *b)
{
    size_t count[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < b->n; i++) {
        bcase *bc = &b->cases[i];
        if (!bc->bad && !batch_take_record(b, bc) &&
            bc->c.status != SMP_CASE_FAILED)
            bc->c.status = SMP_CASE_MISSING;
        if (!bc->bad && bc->c.status != SMP_CASE_RENDERED)
            fprintf(stderr, "smpr: %s:%lu: %s: %s\n", b->manifest,
                    bc->c.line, bc->c.id, bc->c.error);
        count[bc->c.status]++;
    }
    if (write_index(b) != 0)
        return 1;
    fprintf(stderr, "smpr: index of %zu cases: %zu ready, %zu failed, %zu "
            "not rendered; %s/index.html\n", b->n, count[SMP_CASE_RENDERED],
            count[SMP_CASE_FAILED], count[SMP_CASE_MISSING], b->outdir);
    return count[SMP_CASE_FAILED] || count[SMP_CASE_MISSING] ? 1 : 0;
}

static int render_all(batch *b)
{
    double t0 = seconds_now();
    size_t ntodo = 0, fresh = 0, failed = 0, rendered = 0, left = 0;
    for (size_t i = 0; i < b->n; i++) {
        bcase *bc = &b->cases[i];
        if (!bc->mine || bc->bad)
            continue;
        if (!b->force && batch_take_record(b, bc)) {
            bc->c.status = SMP_CASE_UP_TO_DATE;
            fresh++;
            continue;
        }
        bc->c.status = SMP_CASE_MISSING;
        b->todo[ntodo++] = bc;
    }
    cli_pool_run(ntodo, b->jobs, render_case, b);
    for (size_t i = 0; i < b->n; i++) {
        const bcase *bc = &b->cases[i];
        if (!bc->mine)
            continue;
        failed += bc->c.status == SMP_CASE_FAILED;
        rendered += bc->c.status == SMP_CASE_RENDERED;
        left += bc->c.status == SMP_CASE_MISSING;
    }
    if (cli_interrupted) {
        fprintf(stderr, "smpr: interrupted: %zu rendered, %zu left to "
                "render (run again to resume)\n", rendered, left);
        return EXIT_CANCEL;
    }
    int rc = 0;
    char shard[64] = "";
    if (b->shard_n > 1)
        snprintf(shard, sizeof shard, "shard %d/%d: ", b->shard_k,
                 b->shard_n);
    else
        rc = write_index(b);
    fprintf(stderr, "smpr: %s%zu rendered, %zu skipped as up to date, %zu "
            "failed in %.1f s%s%s%s\n", shard, rendered, fresh, failed,
            seconds_now() - t0, b->shard_n > 1 ? "" : "; ",
            b->shard_n > 1 ? "" : b->outdir,
            b->shard_n > 1 ? "" : "/index.html");
    return rc ? rc : failed ? 1 : 0;
}

int cmd_batch(int argc, char **argv)
{
    batch b;
    memset(&b, 0, sizeof b);
    b.shard_k = b.shard_n = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    b.jobs = cores < 1 ? 1 : cores > MAX_JOBS ? MAX_JOBS : (int)cores;
    int rc = parse_args(&b, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if ((rc = batch_load(&b)) == 0) {
        smp_error e;
        if (smp_make_dirs(b.outdir, &e) != SMP_OK) {
            fprintf(stderr, "smpr: %s\n", e.msg);
            rc = 1;
        }
        else if (b.index_only)
            rc = index_only(&b);
        else
            rc = render_all(&b);
    }
    batch_free(&b);
    return rc;
}
