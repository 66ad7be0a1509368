/*
 * job.c - one case from photo to previews, as `smpr render` and the batch
 * workers run it: load the photo and its mask, refuse outputs that would
 * replace an input, render the sessions in order on one canvas, and write
 * each preview, the before/after and the dot map atomically.  The outputs
 * appear together or not at all: each is written under a temporary name,
 * and only when all are written are they renamed into place, so an error,
 * a full disk or Ctrl-C half-way leaves no output file behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "internal.h"

void smp_job_default(smp_job *job)
{
    memset(job, 0, sizeof *job);
    smp_params_default(&job->params);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* The photo's file name without folder and extension. */
static void stem_of(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    snprintf(out, size, "%s", base ? base + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

smp_status smp_make_dirs(const char *dir, smp_error *err)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    if (!buf)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    memcpy(buf, dir, n + 1);
    int e = 0;
    for (char *p = buf + 1; *p && !e; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            e = errno;
        *p = '/';
    }
    if (!e && mkdir(buf, 0777) != 0 && errno != EEXIST)
        e = errno;
    struct stat st;
    if (!e && (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
        e = ENOTDIR;
    free(buf);
    if (e)
        return smp_fail(err, SMP_ERR_IO, "%s: cannot create folder: %s", dir,
                        strerror(e));
    return SMP_OK;
}

int smp_job_output_path(const smp_job *job, const smp_job_result *res,
                        int which, char *buf, size_t size)
{
    if (which < 0)
        return snprintf(buf, size, "%s/%s-year-%g.%s", job->outdir, res->stem,
                        job->years[-1 - which], res->ext);
    if (which == 0)
        return snprintf(buf, size, "%s/%s-before-after.%s", job->outdir,
                        res->stem, res->ext);
    return snprintf(buf, size, "%s/%s-session-%d.%s", job->outdir, res->stem,
                    which, res->ext);
}

static int same_file(const char *path, const struct stat *in)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_dev == in->st_dev &&
           st.st_ino == in->st_ino;
}

/* An output must never replace the photo or the mask it is made from;
 * checked for every output before anything is written. */
static smp_status check_outputs(const smp_job *job, const smp_job_result *res,
                                char *path, size_t size, smp_error *err)
{
    struct stat ins[3];
    int nin = 0;
    if (stat(job->photo, &ins[nin]) == 0)
        nin++;
    if (job->mask && stat(job->mask, &ins[nin]) == 0)
        nin++;
    if (job->scar && stat(job->scar, &ins[nin]) == 0)
        nin++;
    for (int k = -1 - job->nyears; k <= job->params.sessions; k++) {
        if (k == -1 - job->nyears) {
            if (!job->dots_csv)
                continue;
            snprintf(path, size, "%s", job->dots_csv);
        } else if (k < 0)
            smp_job_output_path(job, res, k + 1, path, size);
        else
            smp_job_output_path(job, res, k, path, size);
        for (int i = 0; i < nin; i++)
            if (same_file(path, &ins[i]))
                return smp_fail(err, SMP_ERR_ARG, "%s: output would "
                                "overwrite an input; choose another output "
                                "folder", path);
    }
    return SMP_OK;
}

/* The outputs written so far, under their temporary names. */
typedef struct pending {
    smp_atomic file[2 * SMP_MAX_SESSIONS + 2];
    int n;
} pending;

static smp_status pending_open(pending *pd, const char *path,
                               smp_atomic **a, smp_error *err)
{
    if (pd->n == (int)(sizeof pd->file / sizeof pd->file[0]))
        return smp_fail(err, SMP_ERR_ARG, "%s: too many outputs", path);
    *a = &pd->file[pd->n];
    smp_status st = smp_atomic_open(*a, path, err);
    if (st == SMP_OK)
        pd->n++;
    return st;
}

static smp_status put_image(pending *pd, const smp_image *img,
                            const char *path, const smp_save_options *so,
                            smp_error *err)
{
    smp_atomic *a = NULL;
    smp_status st = pending_open(pd, path, &a, err);
    if (st == SMP_OK)
        st = smp_image_write(img, a->fp, path, so, err);
    if (st == SMP_OK)
        st = smp_atomic_close(a, err);
    return st;
}

static smp_status put_dots(pending *pd, const smp_render *r,
                           const char *path, smp_error *err)
{
    smp_atomic *a = NULL;
    smp_status st = pending_open(pd, path, &a, err);
    if (st == SMP_OK)
        st = smp_dots_write_csv(r, a->fp, path, err);
    if (st == SMP_OK)
        st = smp_atomic_close(a, err);
    return st;
}

/* Renames every output into place (a failure here, after everything was
 * written, is unlikely; what is already renamed then stays). */
static smp_status pending_commit(pending *pd, smp_error *err)
{
    smp_status st = SMP_OK;
    for (int i = 0; i < pd->n && st == SMP_OK; i++)
        st = smp_atomic_commit(&pd->file[i], err);
    return st;
}

/* Removes what was not renamed; committed entries are already cleared. */
static void pending_abort(pending *pd)
{
    for (int i = 0; i < pd->n; i++)
        smp_atomic_abort(&pd->file[i]);
    pd->n = 0;
}

/* A message about rendering is about the photo: name it, as every message
 * about a file does (the CLI prints nothing else). */
static smp_status about_photo(smp_status st, const char *photo,
                              smp_error *err)
{
    if (st == SMP_OK || !err || strncmp(err->msg, photo, strlen(photo)) == 0)
        return st;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return smp_fail(err, st, "%s: %s", photo, msg);
}

smp_status smp_job_run(const smp_job *job, smp_job_result *res,
                       smp_error *err)
{
    pending pd = {.n = 0};
    double t0 = seconds_now();
    smp_load_options lo = {job->max_pixels};
    smp_image *photo = NULL, *mask = NULL, *scar = NULL, *ba = NULL;
    smp_render *r = NULL;
    char *path = NULL;
    smp_status st;
    memset(res, 0, sizeof *res);
    if ((st = smp_image_load(job->photo, &lo, &photo, err)) != SMP_OK)
        goto done;
    smp_params p = job->params;
    p.mask = NULL;
    if (job->mask) {
        if ((st = smp_image_load(job->mask, &lo, &mask, err)) != SMP_OK)
            goto done;
        if (mask->width != photo->width || mask->height != photo->height) {
            st = smp_fail(err, SMP_ERR_ARG, "%s: mask is %ux%u but the photo "
                          "is %ux%u", job->mask, (unsigned)mask->width,
                          (unsigned)mask->height, (unsigned)photo->width,
                          (unsigned)photo->height);
            goto done;
        }
        p.mask = mask;
    }
    p.scar = NULL;
    if (job->scar) {
        if ((st = smp_image_load(job->scar, &lo, &scar, err)) != SMP_OK)
            goto done;
        if (scar->width != photo->width || scar->height != photo->height) {
            st = smp_fail(err, SMP_ERR_ARG, "%s: scar mask is %ux%u but the "
                          "photo is %ux%u", job->scar, (unsigned)scar->width,
                          (unsigned)scar->height, (unsigned)photo->width,
                          (unsigned)photo->height);
            goto done;
        }
        p.scar = scar;
    }
    smp_format fmt = job->format ? job->format : photo->format;
    res->ext = fmt == SMP_FORMAT_JPEG ? "jpg" : "png";
    if (job->stem)
        snprintf(res->stem, sizeof res->stem, "%s", job->stem);
    else
        stem_of(job->photo, res->stem, sizeof res->stem);
    size_t plen = strlen(job->outdir) + strlen(res->stem) +
                  (job->dots_csv ? strlen(job->dots_csv) : 0) + 64;
    if (!(path = malloc(plen))) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = smp_make_dirs(job->outdir, err)) != SMP_OK ||
        (st = check_outputs(job, res, path, plen, err)) != SMP_OK ||
        (st = about_photo(smp_render_new(photo, &p, &r, err), job->photo,
                          err)) != SMP_OK)
        goto done;
    smp_render_get_info(r, &res->info);
    smp_save_options so = {fmt, job->quality, p.cancel};
    const smp_image *prev = NULL;
    for (int k = 1; k <= res->info.sessions; k++) {
        smp_job_output_path(job, res, k, path, plen);
        if ((st = about_photo(smp_render_session(r, k, &prev, err),
                              job->photo, err)) != SMP_OK ||
            (st = put_image(&pd, prev, path, &so, err)) != SMP_OK)
            goto done;
    }
    smp_job_output_path(job, res, 0, path, plen);
    if ((st = about_photo(smp_compose_before_after(photo, prev,
                                                   res->info.sessions, &ba,
                                                   err), job->photo,
                          err)) != SMP_OK ||
        (st = put_image(&pd, ba, path, &so, err)) != SMP_OK)
        goto done;
    for (int i = 0; i < job->nyears; i++) {
        const smp_image *aged;
        smp_job_output_path(job, res, -1 - i, path, plen);
        if ((st = about_photo(smp_render_aged(r, job->years[i],
                                              job->ink_shift, job->touch_up,
                                              &aged, err), job->photo,
                              err)) != SMP_OK ||
            (st = put_image(&pd, aged, path, &so, err)) != SMP_OK)
            goto done;
    }
    if (job->dots_csv &&
        (st = put_dots(&pd, r, job->dots_csv, err)) != SMP_OK)
        goto done;
    if (p.cancel && *p.cancel) {
        st = smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", job->photo);
        goto done;
    }
    if ((st = pending_commit(&pd, err)) != SMP_OK)
        goto done;
    size_t total = res->info.dots[res->info.sessions - 1];
    res->density = res->info.area_cm2 > 0 ? total / res->info.area_cm2 : 0;
done:
    pending_abort(&pd);
    res->seconds = seconds_now() - t0;
    free(path);
    smp_image_free(ba);
    smp_render_free(r);
    smp_image_free(scar);
    smp_image_free(mask);
    smp_image_free(photo);
    return st;
}
