/*
 * render.c - a treatment plan and its previews.  smp_render_new frames the
 * head, builds the density field, places every dot of every session and
 * gives each its look; smp_render_session then stamps session after
 * session onto one canvas, so session k costs only its own dots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "density.h"
#include "rng.h"
#include "stamp.h"

/* Typical adult head width above the ears (DOMAIN.md), for the scale. */
#define HEAD_WIDTH_MM 150.0
/* Healed dots: soft edge as a share of the diameter. */
#define HEALED_SOFTNESS 0.35

struct smp_render {
    const smp_image *photo;
    smp_image *canvas;
    int rendered;               /* sessions stamped on the canvas */
    smp_render_info info;
    smp_dot *dots;
    size_t ndots;
    smp_lut lut;
    smp_ink ink;
    volatile sig_atomic_t *cancel;
};

void smp_params_default(smp_params *p)
{
    memset(p, 0, sizeof *p);
    p->hairline = "feathered";
    p->edge = SMP_EDGE_PRESET;
    p->density = 100.0;
    p->sessions = 3;
    p->dot_mm = 0.25;
    p->seed = 1;
}

/* Default cumulative share after each session: 40/75/100 % for three
 * (DOMAIN.md), otherwise a first session of about 40 % and even steps. */
static void default_split(int n, double *cum)
{
    static const double three[3] = {0.40, 0.75, 1.0};
    if (n == 3) {
        memcpy(cum, three, sizeof three);
        return;
    }
    if (n == 1) {
        cum[0] = 1.0;
        return;
    }
    cum[0] = n == 2 ? 0.55 : 0.40;
    for (int k = 1; k < n; k++)
        cum[k] = cum[0] + (1.0 - cum[0]) * k / (n - 1);
}

static smp_status check_params(const smp_params *p, double *cum,
                               smp_error *err)
{
    if (p->sessions < 1 || p->sessions > SMP_MAX_SESSIONS)
        return smp_fail(err, SMP_ERR_ARG, "sessions must be 1-%d",
                        SMP_MAX_SESSIONS);
    if (!(p->density >= 1.0 && p->density <= 2000.0))
        return smp_fail(err, SMP_ERR_ARG, "density %g dots/cm2 is outside "
                        "1-2000", p->density);
    if (!(p->scale == 0 || (p->scale >= 0.5 && p->scale <= 1000)))
        return smp_fail(err, SMP_ERR_ARG, "scale %g px/mm is outside "
                        "0.5-1000", p->scale);
    if (!(p->dot_mm >= 0.02 && p->dot_mm <= 3.0))
        return smp_fail(err, SMP_ERR_ARG, "dot size %g mm is outside "
                        "0.02-3", p->dot_mm);
    if (p->has_head && !(p->head.rx >= 1 && p->head.ry >= 1 &&
                         isfinite(p->head.cx) && isfinite(p->head.cy)))
        return smp_fail(err, SMP_ERR_ARG, "invalid head ellipse");
    if (p->split[0] == 0) {
        default_split(p->sessions, cum);
        return SMP_OK;
    }
    for (int k = 0; k < p->sessions; k++) {
        cum[k] = p->split[k];
        if (!(cum[k] > 0 && cum[k] <= 1) || (k && cum[k] <= cum[k - 1]))
            return smp_fail(err, SMP_ERR_ARG, "session split must rise "
                            "from above 0 to 100 %%");
    }
    if (fabs(cum[p->sessions - 1] - 1.0) > 1e-9)
        return smp_fail(err, SMP_ERR_ARG, "session split must end at 100 %%");
    return SMP_OK;
}

/* Gives every dot its own size, shape and pigment load.  On a feathered
 * or soft hairline the front dots are finer and lighter (DOMAIN.md). */
static void dress_dots(smp_render *r, const smp_point *pts, size_t n,
                       const smp_params *p, const smp_hairline *hl,
                       const smp_field *front)
{
    smp_rng rng;
    smp_rng_seed(&rng, p->seed, 2);
    double d0 = p->dot_mm * r->info.scale;
    for (size_t i = 0; i < n; i++) {
        smp_dot *d = &r->dots[i];
        double size = exp(0.16 * smp_rng_normal(&rng));
        size = fmin(fmax(size, 0.65), 1.45);
        double load = 0.88 + 0.08 * smp_rng_normal(&rng);
        double aspect = 1.0 - 0.22 * smp_rng_unit(&rng);
        double angle = 3.14159265358979324 * smp_rng_unit(&rng);
        if (hl && !hl->none && hl->edge != SMP_EDGE_SHARP) {
            double f = smp_field_at(front, pts[i].x, pts[i].y);
            size *= 0.72 + 0.28 * f;
            load *= 0.75 + 0.25 * f;
        }
        d->x = pts[i].x;
        d->y = pts[i].y;
        d->diameter = (float)(d0 * size);
        d->aspect = (float)aspect;
        d->angle = (float)angle;
        d->opacity = (float)fmin(1.0, fmax(0.3, load) *
                           smp_session_strength(pts[i].session, p->sessions));
        d->session = pts[i].session;
    }
}

/* The field is smooth at cell scale, so a dot may land a pixel or two
 * into black mask or transparent photo; take those out of every session
 * alike, which keeps each session a prefix of the next. */
static void drop_masked(smp_point *pts, size_t *counts, int sessions,
                        const smp_image *photo, const smp_image *mask)
{
    size_t kept = 0, i = 0;
    for (int k = 0; k < sessions; k++) {
        for (; i < counts[k]; i++) {
            uint32_t x = (uint32_t)pts[i].x, y = (uint32_t)pts[i].y;
            if (x >= photo->width || y >= photo->height)
                continue;
            const uint8_t *q = photo->pixels + y * photo->stride + x * 4;
            if (q[3] == 0)
                continue;
            if (mask) {
                q = mask->pixels + y * mask->stride + x * 4;
                if (smp_mask_value(q) == 0)
                    continue;
            }
            pts[kept++] = pts[i];
        }
        counts[k] = kept;
    }
}

smp_status smp_render_new(const smp_image *photo, const smp_params *p,
                          smp_render **out, smp_error *err)
{
    double cum[SMP_MAX_SESSIONS];
    smp_status st;
    *out = NULL;
    if ((st = check_params(p, cum, err)) != SMP_OK)
        return st;
    smp_render *r = calloc(1, sizeof *r);
    if (!r)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    r->photo = photo;
    r->cancel = p->cancel;
    r->info.sessions = p->sessions;
    smp_field field = {0}, front = {0};
    smp_point *pts = NULL;
    smp_hairline *hl = NULL;

    /* head frame and scale */
    if (p->has_head) {
        r->info.head = p->head;
    } else {
        if ((st = smp_head_estimate(photo, p->view, &r->info.head,
                                    err)) != SMP_OK)
            goto fail;
        r->info.head_estimated = 1;
    }
    if (!p->has_head || !p->has_front) {
        /* a front view has the face at the bottom unless told otherwise */
        r->info.head.front = p->has_front ? p->head.front
                           : p->view == SMP_VIEW_FRONT ? SMP_FRONT_BOTTOM
                           : SMP_FRONT_TOP;
    }
    smp_frame frame;
    smp_frame_init(&frame, &r->info.head);
    r->info.scale = p->scale;
    if (p->scale == 0) {
        r->info.scale = 2.0 * frame.lat_r / HEAD_WIDTH_MM;
        r->info.scale_estimated = 1;
    }
    double scale = r->info.scale;

    hl = malloc(sizeof *hl);
    if (!hl) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((st = smp_hairline_init(hl, p->hairline, &frame, p->view, scale,
                                p->edge,
                                p->hairline_shift_mm, p->feather_mm,
                                p->seed, err)) != SMP_OK)
        goto fail;

    /* density field: cells a quarter of the final dot spacing */
    double lambda = p->density / 100.0 / (scale * scale);   /* per px^2 */
    double spacing = 1.0 / sqrt(lambda);
    float cell = (float)fmin(fmax(spacing / 4.0, 1.0), 16.0);
    if ((st = smp_field_init(&field, photo->width, photo->height, cell,
                             err)) != SMP_OK ||
        (st = smp_field_init(&front, photo->width, photo->height, cell,
                             err)) != SMP_OK)
        goto fail;
    if ((st = smp_density_build(&field, photo, &frame, 2.0 * scale, hl,
                                p->mask, lambda, &front, err)) != SMP_OK)
        goto fail;
    r->info.area_cm2 = smp_field_total(&field) / lambda / (scale * scale) /
                       100.0;

    size_t counts[SMP_MAX_SESSIONS] = {0};
    if ((st = smp_place(&field, p->sessions, cum, p->seed, p->cancel, &pts,
                        counts, err)) != SMP_OK)
        goto fail;
    drop_masked(pts, counts, p->sessions, photo, p->mask);
    r->ndots = counts[p->sessions - 1];
    for (int k = 0; k < p->sessions; k++)
        r->info.dots[k] = counts[k];
    if (r->ndots == 0 && !p->mask) {
        st = smp_fail(err, SMP_ERR_REGION, "no scalp to treat in the head "
                      "frame; check --head, --front and --hairline");
        goto fail;
    }
    r->dots = calloc(r->ndots ? r->ndots : 1, sizeof *r->dots);
    if (!r->dots) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory for %zu dots",
                      r->ndots);
        goto fail;
    }
    dress_dots(r, pts, r->ndots, p, hl, &front);
    smp_lut_init(&r->lut);
    smp_ink_init(&r->ink, smp_default_shade, &r->lut);
    free(pts);
    free(hl);
    smp_field_release(&field);
    smp_field_release(&front);
    *out = r;
    return SMP_OK;
fail:
    free(pts);
    free(hl);
    smp_field_release(&field);
    smp_field_release(&front);
    smp_render_free(r);
    return st;
}

void smp_render_get_info(const smp_render *r, smp_render_info *info)
{
    *info = r->info;
}

const smp_dot *smp_render_dots(const smp_render *r, size_t *count)
{
    *count = r->ndots;
    return r->dots;
}

smp_status smp_render_session(smp_render *r, int session,
                              const smp_image **out, smp_error *err)
{
    *out = NULL;
    if (session < 1 || session > r->info.sessions)
        return smp_fail(err, SMP_ERR_ARG, "session %d is not in 1-%d",
                        session, r->info.sessions);
    if (!r->canvas || session < r->rendered) {
        smp_image_free(r->canvas);
        r->canvas = NULL;
        smp_status st = smp_image_clone(r->photo, &r->canvas, err);
        if (st != SMP_OK)
            return st;
        r->rendered = 0;
    }
    size_t from = r->rendered ? r->info.dots[r->rendered - 1] : 0;
    size_t to = r->info.dots[session - 1];
    for (size_t i = from; i < to; i++) {
        if (r->cancel && *r->cancel && (i & 1023) == 0) {
            /* a half-stamped canvas is of no use: start over next time */
            smp_image_free(r->canvas);
            r->canvas = NULL;
            return smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
        }
        smp_stamp_dot(r->canvas, &r->dots[i], HEALED_SOFTNESS, &r->ink,
                      &r->lut);
    }
    r->rendered = session;
    *out = r->canvas;
    return SMP_OK;
}

void smp_render_free(smp_render *r)
{
    if (!r)
        return;
    smp_image_free(r->canvas);
    free(r->dots);
    free(r);
}
