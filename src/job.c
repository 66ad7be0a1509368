/*
 * job.c - one case from photo to previews, as `smpr render` and the batch
 * workers run it: load the photo and its mask, refuse outputs that would
 * replace an input, render the sessions in order on one canvas, and write
 * each preview, the before/after and the dot map atomically.  The outputs
 * appear together or not at all: each is written under a temporary name,
 * and only when all are written are they renamed into place, so an error,
 * a full disk or Ctrl-C half-way leaves no output file behind.  With a
 * second core, a second thread (writer.c) shrinks the photo for the
 * before/after while the render is set up, and the sessions are written
 * at once, each by its own thread, each a few rows behind the stamping
 * of the one before on the one canvas (write_sessions); the bytes are
 * the same as on one thread.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "rows.h"
#include "writer.h"

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

/*
 * Outputs not written with the sessions (write_sessions) go to the writer
 * (writer.c), which encodes them on its thread while this one goes on;
 * each file is opened here, in order, so that they commit in that order.
 */
typedef struct out_task {
    smp_task task;
    const smp_image *img;
    smp_atomic *file;
    smp_save_options so;
} out_task;

static smp_status write_out(smp_task *t, smp_error *err)
{
    out_task *o = t->ctx;
    smp_status st = smp_image_write(o->img, o->file->fp, o->file->path,
                                    &o->so, NULL, err);
    if (st == SMP_OK)
        st = smp_atomic_close(o->file, err);
    return st;
}

/* img to `path`, on the writer's thread (now == 0) or this one. */
static smp_status put_output(pending *pd, smp_writer *wr, out_task *o,
                             const smp_image *img, const char *path,
                             const smp_save_options *so, int now,
                             smp_error *err)
{
    smp_status st = pending_open(pd, path, &o->file, err);
    if (st != SMP_OK)
        return st;
    o->img = img;
    o->so = *so;
    o->task.ctx = o;
    return now ? write_out(&o->task, err)
               : smp_writer_add(wr, &o->task, write_out, o, err);
}

/* The photo's half of the before/after, shrunk while the render is set
 * up (NULL when the photo is small enough to be its own); and when the
 * other half will be shrunk from the canvas and needs no Cairo
 * compositing, the before/after laid out with it, for the sessions'
 * writers to fill (`lay->img` NULL otherwise). */
typedef struct panel_task {
    smp_task task;
    const smp_image *photo;
    smp_image *panel;
    int sessions;
    smp_layout lay;
} panel_task;

static smp_status make_panel(smp_task *t, smp_error *err)
{
    panel_task *pt = t->ctx;
    smp_status st = smp_compose_panel(pt->photo, &pt->panel, err);
    if (st == SMP_OK && pt->panel && !pt->photo->has_alpha)
        st = smp_compose_open(pt->panel, pt->sessions, pt->photo, &pt->lay,
                              err);
    return st;
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

/*
 * The sessions, each written by its own thread from the one canvas as it
 * is stamped (render.c, rows.c): session k's writer asks for rows, which
 * stamps session k's dots on them once session k-1's writer has read
 * them, and tells how far it has read for session k+1.  The last
 * session's panel for the before/after is shrunk the same way, a few rows
 * behind its writer.  Without a second core they run one after another
 * on this thread, with the same result.
 */
typedef struct lanes lanes;
typedef struct lane_job {
    lanes *all;
    int k;
    smp_rows read;              /* canvas rows its writer has read */
    smp_atomic *file;
    pthread_t thread;
    int running;
} lane_job;

struct lanes {
    smp_render *r;
    const char *photo;          /* for messages not about an output */
    const smp_save_options *so;
    lane_job lane[SMP_MAX_SESSIONS];
    int n;
    smp_image *after;           /* the last session's panel, */
    smp_layout *lay;            /* or the before/after it goes into, */
    smp_atomic *ba_file;        /* written as its rows are made */
    smp_rows ba_rows;
    int lettering_failed;
    pthread_mutex_t lock;
    smp_status st;              /* the first failure, and its message */
    smp_error err;
};

/* Records a lane's failure (the first is the one reported: the others
 * fail because they are stopped) and stops every lane. */
static void lanes_fail(lanes *ls, smp_status st, const smp_error *e)
{
    pthread_mutex_lock(&ls->lock);
    if (ls->st == SMP_OK) {
        ls->st = st;
        ls->err = *e;
    }
    pthread_mutex_unlock(&ls->lock);
    for (int i = 0; i < ls->n; i++)
        smp_rows_stop(&ls->lane[i].read);
    smp_rows_stop(&ls->ba_rows);
}

static int lane_ready(void *ctx, uint32_t rows)
{
    lane_job *l = ctx;
    int s = smp_render_rows(l->all->r, l->k, rows,
                            l->k > 1 ? &l->all->lane[l->k - 2].read : NULL);
    if (s == -2) {
        smp_error e;
        lanes_fail(l->all, smp_fail(&e, SMP_ERR_NOMEM, "%s: out of memory "
                                    "stamping session %d", l->all->photo,
                                    l->k), &e);
    }
    return s != 0;
}

static void lane_read(void *ctx, uint32_t rows)
{
    lane_job *l = ctx;
    smp_rows_reach(&l->read, rows);
}

/* img to its file as `feed` gives its rows; a failure stops every lane. */
static void write_fed(lanes *ls, const smp_image *img, smp_atomic *file,
                      const smp_feed *feed)
{
    smp_error e;
    smp_status st = smp_image_write(img, file->fp, file->path, ls->so, feed,
                                    &e);
    if (st == SMP_OK)
        st = smp_atomic_close(file, &e);
    if (st != SMP_OK)
        lanes_fail(ls, st, &e);
}

static void *lane_main(void *arg)
{
    lane_job *l = arg;
    smp_feed feed = {lane_ready, lane_read, l};
    write_fed(l->all, smp_render_canvas(l->all->r), l->file, &feed);
    return NULL;
}

/* The last session's rows are final once its writer has read them. */
static int after_ready(void *ctx, uint32_t rows)
{
    lanes *ls = ctx;
    return ls->lettering_failed ||
           smp_rows_wait(&ls->lane[ls->n - 1].read, rows);
}

/* Rows of the after panel made: the before/after's rows that are final. */
static void after_made(void *ctx, uint32_t rows)
{
    lanes *ls = ctx;
    smp_error e;
    uint32_t done;
    if (smp_compose_rows(ls->lay, rows, &done, &e) != SMP_OK) {
        ls->lettering_failed = 1;
        lanes_fail(ls, e.status, &e);
    }
    smp_rows_reach(&ls->ba_rows, done);
}

static void *after_main(void *arg)
{
    lanes *ls = arg;
    smp_feed feed = {after_ready, NULL, ls};
    smp_error e;
    smp_status st = ls->lay
        ? smp_image_shrink_into(smp_render_canvas(ls->r), &ls->lay->right,
                                &feed, after_made, ls, &e)
        : smp_compose_panel_fed(smp_render_canvas(ls->r), &feed, &ls->after,
                                &e);
    if (st != SMP_OK)
        lanes_fail(ls, about_photo(st, ls->photo, &e), &e);
    return NULL;
}

static int ba_ready(void *ctx, uint32_t rows)
{
    lanes *ls = ctx;
    return smp_rows_wait(&ls->ba_rows, rows);
}

static void *ba_main(void *arg)
{
    lanes *ls = arg;
    smp_feed feed = {ba_ready, NULL, ls};
    write_fed(ls, ls->lay->img, ls->ba_file, &feed);
    return NULL;
}

/* Writes the n sessions to their files (opened in order), each on its
 * own thread when `threads` > 1; with `lay`, makes the before/after in it
 * and writes it to `ba_file` as well, each on a thread of its own; else
 * makes the last session's panel (*after NULL if the canvas is small
 * enough to be its own). */
static smp_status write_sessions(smp_render *r, const char *photo,
                                 smp_atomic **files, int n,
                                 smp_layout *lay, smp_atomic *ba_file,
                                 const smp_save_options *so, int threads,
                                 smp_image **after, smp_error *err)
{
    lanes *ls = calloc(1, sizeof *ls);
    if (!ls)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", photo);
    smp_status st = about_photo(smp_render_start(r, err), photo, err);
    if (st != SMP_OK) {
        free(ls);
        return st;
    }
    ls->r = r;
    ls->photo = photo;
    ls->so = so;
    ls->n = n;
    ls->lay = lay;
    ls->ba_file = ba_file;
    ls->st = SMP_OK;
    pthread_mutex_init(&ls->lock, NULL);
    smp_rows_init(&ls->ba_rows);
    for (int k = 1; k <= n; k++) {
        lane_job *l = &ls->lane[k - 1];
        l->all = ls;
        l->k = k;
        l->file = files[k - 1];
        smp_rows_init(&l->read);
    }
    /* the last (and any that found no thread) here, in order */
    for (int k = 1; k < n && threads > 1; k++) {
        lane_job *l = &ls->lane[k - 1];
        l->running = pthread_create(&l->thread, NULL, lane_main, l) == 0;
        if (!l->running)
            break;
    }
    pthread_t follower, ba;
    int following = threads > 1 &&
                    pthread_create(&follower, NULL, after_main, ls) == 0;
    int writing = following && lay &&
                  pthread_create(&ba, NULL, ba_main, ls) == 0;
    for (int k = 1; k <= n; k++)
        if (!ls->lane[k - 1].running)
            lane_main(&ls->lane[k - 1]);
    if (!following)
        after_main(ls);
    if (lay && !writing)
        ba_main(ls);
    for (int k = 1; k <= n; k++)
        if (ls->lane[k - 1].running)
            pthread_join(ls->lane[k - 1].thread, NULL);
    if (following)
        pthread_join(follower, NULL);
    if (writing)
        pthread_join(ba, NULL);
    for (int k = 1; k <= n; k++)
        smp_rows_destroy(&ls->lane[k - 1].read);
    smp_rows_destroy(&ls->ba_rows);
    pthread_mutex_destroy(&ls->lock);
    st = ls->st;
    if (st != SMP_OK) {
        *err = ls->err;
        smp_image_free(ls->after);
    } else {
        smp_render_stamped(r);
        *after = ls->after;
    }
    free(ls);
    return st;
}

/* The photo decoded, and its panel made, on the writer's thread while the
 * render is planned from its size alone (smp_render_plans_blind). */
typedef struct photo_task {
    smp_task task;
    const char *path;
    uint8_t *bytes;             /* the file, freed once decoded */
    size_t size;
    smp_load_options lo;
    smp_image *photo;
    const smp_params *params;
    smp_survey *survey;         /* for the pigment */
    panel_task *panel;
    smp_status st;              /* the decoding's own */
    smp_error err;
} photo_task;

static smp_status decode_photo(smp_task *t, smp_error *err)
{
    photo_task *pt = t->ctx;
    pt->st = smp_image_load_mem(pt->bytes, pt->size, pt->path, &pt->lo,
                                &pt->photo, &pt->err);
    free(pt->bytes);
    pt->bytes = NULL;
    if (pt->st != SMP_OK) {
        *err = pt->err;
        return pt->st;
    }
    smp_status st = smp_render_survey(pt->photo, pt->params, &pt->survey,
                                      err);
    if (st != SMP_OK)
        return st;
    pt->panel->photo = pt->photo;
    return make_panel(&pt->panel->task, err);
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

/* A mask (`what`) for the photo of `shape`'s size. */
static smp_status load_mask(const char *path, const char *what,
                            const smp_load_options *lo,
                            const smp_image *shape, smp_image **out,
                            smp_error *err)
{
    smp_status st = smp_image_load(path, lo, out, err);
    if (st == SMP_OK && ((*out)->width != shape->width ||
                         (*out)->height != shape->height))
        st = smp_fail(err, SMP_ERR_ARG, "%s: %s is %ux%u but the photo is "
                      "%ux%u", path, what, (unsigned)(*out)->width,
                      (unsigned)(*out)->height, (unsigned)shape->width,
                      (unsigned)shape->height);
    return st;
}

smp_status smp_job_run(const smp_job *job, smp_job_result *res,
                       smp_error *err)
{
    pending pd = {.n = 0};
    double t0 = seconds_now();
    smp_load_options lo = {job->max_pixels};
    smp_image *photo = NULL, *mask = NULL, *scar = NULL, *ba = NULL;
    smp_image *after = NULL;
    smp_render *r = NULL;
    smp_writer *wr = NULL;
    panel_task before = {.photo = NULL, .lay = {.img = NULL}};
    out_task outs[2 * SMP_MAX_SESSIONS + 1];
    char *path = NULL;
    photo_task dec = {.path = job->photo, .photo = NULL, .bytes = NULL};
    smp_status st;
    memset(res, 0, sizeof *res);
    /* a second thread when asked for (0) and there is a second core */
    int threads = job->threads == 1 ? 1 : sysconf(_SC_NPROCESSORS_ONLN) > 1
                                           ? 2 : 1;
    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    if ((st = smp_image_read(job->photo, &bytes, &nbytes, err)) != SMP_OK)
        goto done;
    /* the photo's size while it is decoded, when the dots can be placed
     * without its pixels (and a second core decodes it meanwhile) */
    smp_image shape = {.width = 0};
    uint64_t most = job->max_pixels ? job->max_pixels
                                    : SMP_DEFAULT_MAX_PIXELS;
    int blind = threads > 1 && !job->scar &&
                smp_render_plans_blind(&job->params) &&
                smp_image_is_jpeg(bytes, nbytes) &&
                smp_jpeg_probe(bytes, nbytes, &shape.width,
                               &shape.height) == 0 &&
                (uint64_t)shape.width * shape.height <= most;
    if (blind) {
        dec.bytes = bytes;
        dec.size = nbytes;
        dec.lo = lo;
        dec.panel = &before;
        dec.params = &job->params;
        shape.format = SMP_FORMAT_JPEG;
    } else {
        st = smp_image_load_mem(bytes, nbytes, job->photo, &lo, &photo, err);
        free(bytes);
        if (st != SMP_OK)
            goto done;
        shape = *photo;
    }
    smp_params p = job->params;
    p.mask = NULL;
    p.scar = NULL;
    if ((job->mask && (st = load_mask(job->mask, "mask", &lo, &shape, &mask,
                                      err)) != SMP_OK) ||
        (job->scar && (st = load_mask(job->scar, "scar mask", &lo, &shape,
                                      &scar, err)) != SMP_OK))
        goto done;
    p.mask = mask;
    p.scar = scar;
    smp_format fmt = job->format ? job->format : shape.format;
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
    before.photo = photo;
    before.task.ctx = &before;
    before.sessions = job->params.sessions;
    if ((st = smp_make_dirs(job->outdir, err)) != SMP_OK ||
        (st = check_outputs(job, res, path, plen, err)) != SMP_OK ||
        (st = smp_writer_new(threads, &wr, err)) != SMP_OK ||
        (st = blind ? smp_writer_add(wr, &dec.task, decode_photo, &dec, err)
                    : smp_writer_add(wr, &before.task, make_panel, &before,
                                     err)) != SMP_OK ||
        (st = about_photo(smp_render_new_threads(blind ? &shape : photo, &p,
                                                 threads, blind, &r, err),
                          job->photo, err)) != SMP_OK ||
        (st = smp_writer_wait(wr, blind ? &dec.task : &before.task,
                              err)) != SMP_OK)
        goto done;
    if (blind) {
        photo = dec.photo;
        dec.photo = NULL;
        if ((st = about_photo(smp_render_attach(r, photo, &p, dec.survey,
                                                err),
                              job->photo, err)) != SMP_OK)
            goto done;
    }

    smp_render_get_info(r, &res->info);
    smp_save_options so = {fmt, job->quality, p.cancel};
    const int n = res->info.sessions;
    /* with its panel made, the photo's own pixels are needed no more
     * (unless to age): the sessions are stamped into it */
    if (before.panel && job->nyears == 0)
        smp_render_use_canvas(r, photo);
    smp_atomic *files[SMP_MAX_SESSIONS], *ba_file = NULL;
    for (int k = 1; k <= n; k++) {
        smp_job_output_path(job, res, k, path, plen);
        if ((st = pending_open(&pd, path, &files[k - 1], err)) != SMP_OK)
            goto done;
    }
    /* the before/after made and written with the sessions when its after
     * panel is shrunk from the canvas and needs no Cairo compositing */
    smp_job_output_path(job, res, 0, path, plen);
    int streamed = before.lay.img != NULL;
    if (streamed && (st = pending_open(&pd, path, &ba_file, err)) != SMP_OK)
        goto done;
    /* (its messages name the file they are about) */
    if ((st = write_sessions(r, job->photo, files, n,
                             streamed ? &before.lay : NULL, ba_file, &so,
                             threads, &after, err)) != SMP_OK)
        goto done;
    const smp_image *prev = smp_render_canvas(r);
    if (!streamed &&
        ((st = about_photo(smp_compose_panels(before.panel ? before.panel
                                                           : photo,
                                              after ? after : prev, n,
                                              photo, &ba, err), job->photo,
                           err)) != SMP_OK ||
         (st = put_output(&pd, wr, &outs[n], ba, path, &so, 0, err)) !=
             SMP_OK))
        goto done;
    for (int i = 0; i < job->nyears; i++) {
        const smp_image *aged;
        smp_job_output_path(job, res, -1 - i, path, plen);
        /* each ageing preview replaces the last: written first */
        if ((i > 0 && (st = smp_writer_wait(wr, &outs[n + i].task,
                                            err)) != SMP_OK) ||
            (st = about_photo(smp_render_aged(r, job->years[i],
                                              job->ink_shift, job->touch_up,
                                              &aged, err), job->photo,
                              err)) != SMP_OK ||
            (st = put_output(&pd, wr, &outs[n + 1 + i], aged, path, &so, 0,
                             err)) != SMP_OK)
            goto done;
    }
    if (job->dots_csv &&
        (st = put_dots(&pd, r, job->dots_csv, err)) != SMP_OK)
        goto done;
    if ((st = smp_writer_finish(wr, err)) != SMP_OK)
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
    if (st != SMP_OK && dec.st != SMP_OK) {
        /* a photo that cannot be read is the error, whatever else failed
         * while it was being decoded */
        st = dec.st;
        *err = dec.err;
    }
    smp_writer_free(wr);        /* before any file it writes is removed */
    pending_abort(&pd);
    res->seconds = seconds_now() - t0;
    free(path);
    smp_image_free(ba);
    smp_image_free(before.lay.img);
    smp_image_free(after);
    smp_image_free(before.panel);
    smp_render_free(r);
    smp_image_free(scar);
    smp_image_free(mask);
    smp_image_free(photo);
    smp_image_free(dec.photo);
    smp_survey_free(dec.survey);
    free(dec.bytes);
    return st;
}
