/*
 * render.c - a treatment plan and its previews.  smp_render_new frames the
 * head, builds the density field, places every dot of every session and
 * gives each its look; smp_render_session then stamps session after
 * session onto one canvas, so session k costs only its own dots.
 *
 * Each session's dots are kept in the order of the first canvas row they
 * touch, so that a session can also be stamped down the canvas a band of
 * rows at a time (smp_render_rows) for a writer reading it top to bottom,
 * the next session following a few rows behind that writer: then every
 * session is written from the one canvas, at once, on as many cores.
 * Either way each pixel sees the same stamps in the same order, so the
 * images are the same bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "appearance.h"
#include "density.h"
#include "rows.h"
#include "rng.h"
#include "scalp.h"

/* Typical adult head width above the ears (DOMAIN.md), for the scale, and
 * the width a close-up of the scalp usually spans. */
#define HEAD_WIDTH_MM 150.0
#define CLOSEUP_WIDTH_MM 80.0
/* A whole scalp (~700 cm^2) at the highest density (2000 per cm^2) takes
 * 1.4 million dots.  Many more come only from a wrong scale or head (a
 * head 1 pixel wide makes each pixel 75 mm across) and would need
 * gigabytes to place, whatever the photo's size. */
#define MAX_DOTS 4000000.0
/* The largest --scale, and so the largest estimated one (a head frame
 * 300,000 pixels wide); and the largest head frame coordinates. */
#define MAX_SCALE 1000.0
#define MAX_HEAD_PX 1e6

/* A session stamped down the canvas (smp_render_rows), on its own thread;
 * smp_render_session stamps with the first lane's stampers. */
typedef struct lane {
    size_t next;                /* its next dot */
    smp_stamper *dot, *halo;    /* its own: their tables grow as used */
} lane;

struct smp_render {
    const smp_image *photo;
    smp_image *canvas;          /* the sessions, stamped one after another */
    int given;                  /* the canvas is the caller's (the photo) */
    int rendered;               /* sessions stamped on the canvas */
    uint32_t reddened;          /* canvas rows with the skin's redness */
    uint32_t *rows;             /* each dot's first and end row */
    lane lanes[SMP_MAX_SESSIONS];
    smp_image *aged;            /* the last ageing preview */
    smp_render_info info;
    smp_dot *dots;
    size_t ndots;
    smp_look look;
    double dot_mm;              /* mean dot diameter, mm */
    smp_field cover;            /* density field: where the work is */
    smp_lut lut;
    smp_ink inks[SMP_MAX_SESSIONS], red;
    uint8_t shades[SMP_MAX_SESSIONS][3];
    atomic_int *cancel;
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
    if (!(p->density == 0 || (p->density >= 1.0 && p->density <= 2000.0)))
        return smp_fail(err, SMP_ERR_ARG, "density %g dots/cm2 is outside "
                        "1-2000", p->density);
    if (!(p->scale == 0 || (p->scale >= 0.5 && p->scale <= 1000)))
        return smp_fail(err, SMP_ERR_ARG, "scale %g px/mm is outside "
                        "0.5-1000", p->scale);
    if (!(p->dot_mm >= 0.02 && p->dot_mm <= 3.0))
        return smp_fail(err, SMP_ERR_ARG, "dot size %g mm is outside "
                        "0.02-3", p->dot_mm);
    /* photos are at most 65500 pixels a side: a head frame far larger or
     * further away is a typing error, and its sizes must stay small
     * enough for the pixel arithmetic that follows */
    if (p->has_head && !(p->head.rx >= 1 && p->head.ry >= 1 &&
                         p->head.rx <= MAX_HEAD_PX && p->head.ry <= MAX_HEAD_PX &&
                         fabs(p->head.cx) <= MAX_HEAD_PX &&
                         fabs(p->head.cy) <= MAX_HEAD_PX))
        return smp_fail(err, SMP_ERR_ARG, "invalid head ellipse (radii 1 to "
                        "%.0f, centre within %.0f pixels)", MAX_HEAD_PX,
                        MAX_HEAD_PX);
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

/* fmin(fmax(v, lo), hi) for numbers, without the calls */
static inline double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Dots get their looks in blocks, each from its own random stream, so
 * that two threads can share the work and give the same looks. */
#define DRESS_BLOCK 4096
#define DRESS_STREAM 0x6472657373000000ull     /* "dress" */

/* Gives dots [i0, i1) (i0 at a block's start) their own size, shape and
 * pigment load.  On a feathered or soft hairline the front dots are finer
 * and lighter (DOMAIN.md). */
static void dress_range(smp_render *r, const smp_point *pts, size_t i0,
                        size_t i1, const smp_params *p,
                        const smp_hairline *hl, const smp_field *front)
{
    /* one shade for every session: session 1 is diluted lighter */
    int dilute = p->shades <= 1;
    double strength[SMP_MAX_SESSIONS + 1];
    for (int k = 1; k <= p->sessions; k++)
        strength[k] = dilute ? smp_session_strength(k, p->sessions) : 1;
    smp_rng rng;
    double d0 = r->dot_mm * r->info.scale;
    for (size_t i = i0; i < i1; i++) {
        if (i % DRESS_BLOCK == 0)
            smp_rng_seed(&rng, p->seed, DRESS_STREAM + i / DRESS_BLOCK);
        smp_dot *d = &r->dots[i];
        double size = exp(0.16 * smp_rng_normal(&rng));
        size = clamp(size, 0.65, 1.45);
        double load = 0.88 + 0.08 * smp_rng_normal(&rng);
        double aspect = 1.0 - 0.22 * smp_rng_unit(&rng);
        double angle = 3.14159265358979324 * smp_rng_unit(&rng);
        double wa = 0.04 * smp_rng_normal(&rng), wb = 0.04 * smp_rng_normal(&rng);
        if (hl && !hl->none && hl->edge != SMP_EDGE_SHARP) {
            double f = smp_field_at(front, pts[i].x, pts[i].y);
            size *= 0.72 + 0.28 * f;
            load *= 0.75 + 0.25 * f;
        }
        d->x = pts[i].x;
        d->y = pts[i].y;
        d->aspect = (float)aspect;
        d->angle = (float)angle;
        d->shape[0] = (float)clamp(wa, -0.1, 0.1);
        d->shape[1] = (float)clamp(wb, -0.1, 0.1);
        if (p->scar) {
            /* scar tissue takes pigment less readily: it spreads wider
             * and holds less of it */
            const uint8_t *q = p->scar->pixels +
                               (uint32_t)pts[i].y * p->scar->stride +
                               (uint32_t)pts[i].x * 4;
            double in = smp_mask_value(q);
            size *= 1.0 + 0.12 * in;
            load *= 1.0 - 0.15 * in;
        }
        d->diameter = (float)(d0 * size);
        load = (load > 0.3 ? load : 0.3) * strength[pts[i].session];
        d->opacity = (float)(load < 1.0 ? load : 1.0);
        d->session = pts[i].session;
    }
}

typedef struct dress_job {
    smp_render *r;
    const smp_point *pts;
    size_t i0, i1;
    const smp_params *p;
    const smp_hairline *hl;
    const smp_field *front;
} dress_job;

static void *dress_main(void *arg)
{
    dress_job *j = arg;
    dress_range(j->r, j->pts, j->i0, j->i1, j->p, j->hl, j->front);
    return NULL;
}

/* Every dot's looks; the second half of the blocks on a second thread. */
static void dress_dots(smp_render *r, const smp_point *pts, size_t n,
                       const smp_params *p, const smp_hairline *hl,
                       const smp_field *front, int threads)
{
    size_t mid = n / 2 / DRESS_BLOCK * DRESS_BLOCK;
    dress_job j = {r, pts, mid, n, p, hl, front};
    pthread_t t;
    int two = threads > 1 && mid > 0 &&
              pthread_create(&t, NULL, dress_main, &j) == 0;
    dress_range(r, pts, 0, two ? mid : n, p, hl, front);
    if (two)
        pthread_join(t, NULL);
}

/* Each session's dots in the order of their first row (placement order
 * among equals: a counting sort), and their rows in r->rows. */
static smp_status sort_dots(smp_render *r)
{
    const size_t n = r->ndots;
    const uint32_t h = r->photo->height;
    uint32_t *rows = malloc((n ? n : 1) * 2 * sizeof *rows);
    size_t *start = malloc(((size_t)h + 1) * sizeof *start);
    smp_dot *sorted = malloc((n ? n : 1) * sizeof *sorted);
    r->rows = malloc((n ? n : 1) * 2 * sizeof *r->rows);
    if (!rows || !start || !sorted || !r->rows) {
        free(rows);
        free(start);
        free(sorted);
        return SMP_ERR_NOMEM;
    }
    smp_appearance look;
    smp_appearance_of(r->look, &look);
    for (size_t i = 0; i < n; i++)
        smp_dot_rows(&r->dots[i], &look, h, &rows[2 * i], &rows[2 * i + 1]);
    size_t from = 0;
    for (int k = 0; k < r->info.sessions; k++) {
        size_t to = r->info.dots[k];
        memset(start, 0, ((size_t)h + 1) * sizeof *start);
        for (size_t i = from; i < to; i++)
            start[rows[2 * i]]++;
        for (size_t y = 0, at = from; y <= h; y++) {
            size_t c = start[y];
            start[y] = at;
            at += c;
        }
        for (size_t i = from; i < to; i++) {
            size_t j = start[rows[2 * i]]++;
            sorted[j] = r->dots[i];
            r->rows[2 * j] = rows[2 * i];
            r->rows[2 * j + 1] = rows[2 * i + 1];
        }
        from = to;
    }
    memcpy(r->dots, sorted, n * sizeof *sorted);
    free(rows);
    free(start);
    free(sorted);
    return SMP_OK;
}

/*
 * The field is smooth at cell scale, so a dot may land a pixel or two
 * into black mask, transparent photo or (where dots must sit on skin)
 * hair; take those out of every session alike, which keeps each session a
 * prefix of the next.  On skin means the centre and four points a dot's
 * radius away are all skin.
 */
static void drop_misplaced(smp_point *pts, size_t *counts, int sessions,
                           const smp_image *photo, const smp_image *mask,
                           const smp_scalp *skin, double radius)
{
    static const int ox[5] = {0, 1, -1, 0, 0}, oy[5] = {0, 0, 0, 1, -1};
    size_t kept = 0, i = 0;
    for (int k = 0; k < sessions; k++) {
        for (; i < counts[k]; i++) {
            uint32_t x = (uint32_t)pts[i].x, y = (uint32_t)pts[i].y;
            if (x >= photo->width || y >= photo->height)
                continue;
            if (photo->has_alpha &&
                photo->pixels[y * photo->stride + x * 4 + 3] == 0)
                continue;
            if (mask && smp_mask_value(mask->pixels + y * mask->stride +
                                       x * 4) == 0)
                continue;
            int ok = 1;
            for (int t = 0; skin && radius > 0 && ok && t < 5; t++) {
                double px = pts[i].x + ox[t] * radius;
                double py = pts[i].y + oy[t] * radius;
                if (px < 0 || py < 0 || px >= photo->width ||
                    py >= photo->height)
                    continue;
                ok = smp_scalp_class(skin, photo, (uint32_t)px,
                                     (uint32_t)py) == SMP_PX_SKIN;
            }
            if (skin && radius == 0) {
                /* on skin, not in a gap between hairs: the centre and most
                 * of the pixels round it (a pore or two may be dark) */
                int n = 0, on = smp_scalp_class(skin, photo, x, y) ==
                                SMP_PX_SKIN;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int64_t qx = (int64_t)x + dx, qy = (int64_t)y + dy;
                        n += qx >= 0 && qy >= 0 && qx < photo->width &&
                             qy < photo->height &&
                             smp_scalp_class(skin, photo, (uint32_t)qx,
                                             (uint32_t)qy) == SMP_PX_SKIN;
                    }
                ok = on && n >= 7;
            }
            if (ok)
                pts[kept++] = pts[i];
        }
        counts[k] = kept;
    }
}

/* Box blur of the cells `box` (x0, y0, x1, y1) of a grid w cells wide,
 * radius r cells, separable; cells outside the box are not read. */
static void box_blur(float *v, uint32_t w, const uint32_t box[4], int r,
                     float *tmp)
{
    for (int pass = 0; pass < 2; pass++) {
        const uint32_t n = pass ? box[3] - box[1] : box[2] - box[0];
        const uint32_t o0 = pass ? box[0] : box[1];
        const uint32_t o1 = pass ? box[2] : box[3];
        const size_t step = pass ? w : 1;
        for (uint32_t o = o0; o < o1; o++) {
            /* the line's first cell */
            const size_t at0 = pass ? (size_t)box[1] * w + o
                                    : (size_t)o * w + box[0];
            double sum = 0;
            int cnt = 0;
            for (int i = -r; i < (int)n + r; i++) {
                if (i + r < (int)n) {
                    sum += v[at0 + (size_t)(i + r) * step];
                    cnt++;
                }
                if (i - r - 1 >= 0) {
                    sum -= v[at0 + (size_t)(i - r - 1) * step];
                    cnt--;
                }
                if (i >= 0 && i < (int)n)
                    tmp[at0 + (size_t)i * step] = (float)(sum / cnt);
            }
        }
        for (uint32_t j = box[1]; j < box[3]; j++)
            memcpy(v + (size_t)j * w + box[0], tmp + (size_t)j * w + box[0],
                   (box[2] - box[0]) * sizeof *v);
    }
}

/* The cells where lambda > 0, widened by `pad` cells (x0, y0, x1, y1). */
static void treated_box(const smp_field *f, uint32_t pad, uint32_t box[4])
{
    uint32_t x0 = f->w, y0 = f->h, x1 = 0, y1 = 0;
    for (uint32_t j = 0; j < f->h; j++) {
        const float *row = f->lambda + (size_t)j * f->w;
        uint32_t i = 0, e = f->w;
        while (i < e && !(row[i] > 0))
            i++;
        if (i == e)
            continue;
        while (!(row[e - 1] > 0))
            e--;
        x0 = i < x0 ? i : x0;
        x1 = e > x1 ? e : x1;
        y0 = j < y0 ? j : y0;
        y1 = j + 1;
    }
    if (x0 >= x1) {
        box[0] = box[1] = box[2] = box[3] = 0;
        return;
    }
    box[0] = x0 > pad ? x0 - pad : 0;
    box[1] = y0 > pad ? y0 - pad : 0;
    box[2] = f->w - x1 > pad ? x1 + pad : f->w;
    box[3] = f->h - y1 > pad ? y1 + pad : f->h;
}

/*
 * Scar tissue is lighter than the skin round it; to hide it the scar
 * needs more pigment than its surroundings, in proportion to how much
 * lighter it is (and scar holds less pigment per dot, see dress_dots).
 */
static void densify_scar(smp_field *f, const smp_image *photo,
                         const smp_image *scar)
{
    double in = 0, nin = 0, out = 0, nout = 0;
    for (uint32_t y = 0; y < photo->height; y += 2)
        for (uint32_t x = 0; x < photo->width; x += 2) {
            const uint8_t *p = photo->pixels + y * photo->stride + x * 4;
            double m = smp_mask_value(scar->pixels + y * scar->stride + x * 4);
            double l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            if (m > 0.5) {
                in += l;
                nin++;
            } else if (f->lambda[(size_t)(uint32_t)(y / f->cell) * f->w +
                                 (uint32_t)(x / f->cell)] > 0) {
                out += l;
                nout++;
            }
        }
    double ratio = nin > 0 && nout > 0 && out > 0 ? (in / nin) / (out / nout)
                                                   : 1.0;
    double boost = fmin(1.8, fmax(1.0, ratio * ratio / 0.85));
    for (uint32_t j = 0; j < f->h; j++)
        for (uint32_t i = 0; i < f->w; i++) {
            uint32_t x = (uint32_t)((i + 0.5) * f->cell);
            uint32_t y = (uint32_t)((j + 0.5) * f->cell);
            if (x >= photo->width) x = photo->width - 1;
            if (y >= photo->height) y = photo->height - 1;
            double m = smp_mask_value(scar->pixels + y * scar->stride + x * 4);
            float *v = &f->lambda[(size_t)j * f->w + i];
            *v *= (float)(1.0 + (boost - 1.0) * m);
            if (*v > f->max)
                f->max = *v;
        }
}

/* Perceived lightness, near enough: luma of the sRGB-encoded values. A
 * texture of dark hairs on light skin looks lighter than a flat tone of
 * the same linear mean, so tones are matched on this, not on light. */
static double luma(const uint8_t *rgb)
{
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

/*
 * How much lightness one typical dot takes out, in px^2 of full darkness:
 * measured by stamping a grid of them, with the healed look and an
 * average session's load, on skin of colour `skin`.
 */
static double dot_absorption(const uint8_t skin[3], const smp_ink *ink,
                             const smp_lut *lut, double dot_px)
{
    const int n = 6;
    int pitch = (int)(4 * dot_px) + 6, size = n * pitch;
    smp_image *img;
    if (smp_image_new((uint32_t)size, (uint32_t)size, &img, NULL) != SMP_OK)
        return 0;
    for (size_t i = 0; i < (size_t)size * size; i++)
        memcpy(img->pixels + 4 * i, skin, 3);
    smp_appearance look;
    smp_appearance_of(SMP_LOOK_HEALED, &look);
    smp_stamper *st = smp_stamper_new(look.softness, look.spread);
    if (!st) {
        smp_image_free(img);
        return 0;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            /* the spread of sizes dress_dots gives, in six steps */
            float k = (float)exp(0.16 * ((i + j) % 6 - 2.5) / 1.7);
            smp_dot d = {(i + 0.5f) * pitch + 0.25f * j, (j + 0.5f) * pitch,
                         (float)dot_px * k, 0.9f, 0.5f * i, 0.74f, {0, 0}, 1};
            smp_stamper_dot(st, img, &d, ink, lut);
        }
    smp_stamper_free(st);
    double before = luma(skin), lost = 0;
    for (size_t i = 0; i < (size_t)size * size; i++)
        lost += before - luma(img->pixels + 4 * i);
    smp_image_free(img);
    return before > 0 ? lost / before / (n * n) : 0;
}

/*
 * --density auto: as many dots as make the treated area as dark, on
 * average, as the hair round it, so that a patch or a scar in hair
 * blends in.  Dots of absorption a at n per px^2 leave a lightness of
 * about L_in * exp(-n a) (overlaps compound), so n = ln(L_in / L_ring) / a.
 * The ring is what lies within a few mm outside the area and is not
 * backdrop.  Returns ln(L_in / L_ring) and the area's mean colour, or 0 if
 * the surroundings are no darker (bare skin round it: nothing to match).
 */
static double match_depth(const smp_image *photo, const smp_field *f,
                          const double bg[3], const smp_lut *lut,
                          double scale, uint8_t skin[3])
{
    size_t n = (size_t)f->w * f->h;
    float *ring = malloc(n * sizeof *ring), *tmp = malloc(n * sizeof *tmp);
    double lin = 0, win = 0, lout = 0, nout = 0, rgb[3] = {0, 0, 0};
    if (ring && tmp) {
        for (size_t i = 0; i < n; i++)
            ring[i] = f->lambda[i] > 0.5f * f->max;
        smp_grid_dilate(ring, tmp, f->w, f->h,
                        (int)(4.0 * scale / f->cell) + 1);
        for (uint32_t j = 0; j < f->h; j++)
            for (uint32_t i = 0; i < f->w; i++) {
                size_t at = (size_t)j * f->w + i;
                uint32_t x = (uint32_t)((i + 0.5) * f->cell);
                uint32_t y = (uint32_t)((j + 0.5) * f->cell);
                if (x >= photo->width || y >= photo->height)
                    continue;
                const uint8_t *q = photo->pixels + y * photo->stride + x * 4;
                double l = luma(q);
                if (f->lambda[at] > 0) {
                    double w = f->lambda[at] / f->max;
                    lin += w * l;
                    win += w;
                    for (int c = 0; c < 3; c++)
                        rgb[c] += w * q[c];
                } else if (ring[at] > 0 && !smp_is_backdrop(q, bg)) {
                    lout += l;
                    nout++;
                }
            }
    }
    free(ring);
    free(tmp);
    if (win <= 0 || nout <= 0)
        return 0;
    lin /= win;
    lout /= nout;
    if (lout >= 0.97 * lin)
        return 0;
    for (int c = 0; c < 3; c++)
        skin[c] = (uint8_t)(rgb[c] / win + 0.5);
    return -log(lout / lin);
}

/* The shades of each session, from the parameters or from the photo. */
static void choose_shades(smp_render *r, const smp_params *p,
                          const smp_scalp *sc)
{
    int n = p->sessions;
    if (p->shades >= n) {
        memcpy(r->shades, p->shade, sizeof r->shades);
    } else {
        uint8_t base[3];
        if (p->shades == 1) {
            memcpy(base, p->shade[0], 3);
        } else {
            /* no skin seen (a mask over an odd photo): the middle shade */
            const char *name = !sc->skin_rgb[0] ? "charcoal"
                             : smp_shade_choose(sc->skin_rgb, sc->hair_rgb,
                                                sc->hair_cover);
            smp_shade_lookup(name, base);
            r->info.shade_chosen = 1;
        }
        for (int k = 0; k < n; k++)
            memcpy(r->shades[k], base, 3);
    }
    memcpy(r->info.shade, r->shades[n - 1], 3);
    r->info.shade_name = smp_shade_name(r->info.shade);
    for (int k = 0; k < n; k++)
        smp_ink_init(&r->inks[k], r->shades[k], &r->lut);
    /* the halo round a fresh puncture: blood, not pigment */
    const uint8_t blush[3] = {255, 200, 200};
    smp_ink_init(&r->red, blush, &r->lut);
}

/* The pigment's survey of the photo, on a second thread while the dots
 * are placed (they do not depend on it when the density is given). */
typedef struct survey_job {
    smp_scalp *sc;
    const smp_image *photo;
    const smp_frame *frame;
    float cell;
    smp_status st;
    smp_error err;
    pthread_t thread;
    int running;
} survey_job;

static void *survey_main(void *arg)
{
    survey_job *s = arg;
    s->st = smp_scalp_survey(s->sc, s->photo, s->frame, s->cell, &s->err);
    return NULL;
}

/* Joins the survey (if it runs); its status, its message into err. */
static smp_status survey_join(survey_job *s, smp_error *err)
{
    if (!s->running)
        return SMP_OK;
    pthread_join(s->thread, NULL);
    s->running = 0;
    if (s->st != SMP_OK && err)
        *err = s->err;
    return s->st;
}

/* The head frame (estimated from the photo unless given), the scale
 * and the density field's cell (a quarter of the final dot spacing; for
 * --density auto, first at 100 dots per cm^2), into info. */
static smp_status frame_of(const smp_image *photo, const smp_params *p,
                           smp_render_info *info, smp_frame *frame,
                           float *cell, smp_error *err)
{
    smp_status st;
    if (p->has_head) {
        info->head = p->head;
    } else {
        if ((st = smp_head_estimate(photo, p->view, &info->head,
                                    &info->closeup, err)) != SMP_OK)
            return st;
        info->head_estimated = 1;
    }
    if (!p->has_head || !p->has_front) {
        /* a front view has the face at the bottom unless told otherwise */
        info->head.front = p->has_front ? p->head.front
                         : p->view == SMP_VIEW_FRONT ? SMP_FRONT_BOTTOM
                         : SMP_FRONT_TOP;
    }
    smp_frame_init(frame, &info->head);
    info->scale = p->scale;
    if (p->scale == 0) {
        info->scale = info->closeup ? photo->width / CLOSEUP_WIDTH_MM
                                    : 2.0 * frame->lat_r / HEAD_WIDTH_MM;
        info->scale_estimated = 1;
    }
    double scale = info->scale;
    if (scale > MAX_SCALE)
        return smp_fail(err, SMP_ERR_ARG, "a head %.0f pixels wide makes the "
                        "scale %.0f px/mm, over %.0f; check --head or give "
                        "--scale", 2 * frame->lat_r, scale, MAX_SCALE);
    double density = p->density > 0 ? p->density : 100.0;
    double spacing = 1.0 / sqrt(density / 100.0 / (scale * scale));
    *cell = (float)fmin(fmax(spacing / 4.0, 1.0), 16.0);
    return SMP_OK;
}

struct smp_survey {
    smp_scalp sc;
};

smp_status smp_render_survey(const smp_image *photo, const smp_params *p,
                             smp_survey **out, smp_error *err)
{
    smp_render_info info;
    smp_frame frame;
    float cell;
    smp_status st;
    *out = NULL;
    memset(&info, 0, sizeof info);
    if (p->shades > 0)
        return SMP_OK;          /* nothing to choose */
    if ((st = frame_of(photo, p, &info, &frame, &cell, err)) != SMP_OK)
        return st;
    smp_survey *s = calloc(1, sizeof *s);
    if (!s)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    if ((st = smp_scalp_survey(&s->sc, photo, &frame, cell, err)) != SMP_OK) {
        free(s);
        return st;
    }
    *out = s;
    return SMP_OK;
}

void smp_survey_free(smp_survey *s)
{
    if (s) {
        smp_scalp_release(&s->sc);
        free(s);
    }
}

smp_status smp_render_new(const smp_image *photo, const smp_params *p,
                          smp_render **out, smp_error *err)
{
    return smp_render_new_threads(photo, p, 1, 0, out, err);
}

/* The dots need the photo's pixels only to find the head, the skin
 * between hairs, the hair's darkness to match and the scar's tissue; the
 * pigment needs them too, but only for its shade. */
int smp_render_plans_blind(const smp_params *p)
{
    return p->has_head && !p->infill && p->density > 0 && !p->scar;
}

smp_status smp_render_attach(smp_render *r, const smp_image *photo,
                             const smp_params *p, const smp_survey *s,
                             smp_error *err)
{
    if (photo->width != r->photo->width || photo->height != r->photo->height
        || photo->has_alpha)
        return smp_fail(err, SMP_ERR_ARG, "the photo is not the one planned "
                        "for");
    if (p->shades == 0 && !s)
        return smp_fail(err, SMP_ERR_ARG, "no survey of the photo");
    r->photo = photo;
    smp_scalp none = {0};
    if (s) {
        memcpy(r->info.skin, s->sc.skin_rgb, 3);
        r->info.hair_cover = s->sc.hair_cover;
    }
    choose_shades(r, p, s ? &s->sc : &none);
    return SMP_OK;
}

smp_status smp_render_new_threads(const smp_image *photo,
                                  const smp_params *p, int threads,
                                  int later, smp_render **out,
                                  smp_error *err)
{
    double cum[SMP_MAX_SESSIONS];
    smp_status st;
    *out = NULL;
    if ((st = check_params(p, cum, err)) != SMP_OK)
        return st;
    if (later && (!smp_render_plans_blind(p) || photo->has_alpha))
        return smp_fail(err, SMP_ERR_ARG, "these options need the photo's "
                        "pixels to plan");
    if (p->scar && (p->scar->width != photo->width ||
                    p->scar->height != photo->height))
        return smp_fail(err, SMP_ERR_ARG, "scar mask is %ux%u but the photo "
                        "is %ux%u", (unsigned)p->scar->width,
                        (unsigned)p->scar->height, (unsigned)photo->width,
                        (unsigned)photo->height);
    smp_render *r = calloc(1, sizeof *r);
    if (!r)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    r->photo = photo;
    r->cancel = p->cancel;
    r->look = p->look;
    r->info.sessions = p->sessions;
    r->dot_mm = p->dot_mm;
    smp_field front = {0};
    smp_scalp sc = {0};
    survey_job survey = {.sc = &sc, .running = 0};
    smp_point *pts = NULL;
    smp_hairline *hl = NULL;
    /* with neither mask nor head frame, find the bare scalp ourselves */
    int auto_region = !p->mask && !p->has_head;

    smp_frame frame;
    float cell;
    if ((st = frame_of(photo, p, &r->info, &frame, &cell, err)) != SMP_OK)
        goto fail;
    double scale = r->info.scale;

    hl = malloc(sizeof *hl);
    if (!hl) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* a close-up shows no hairline: the photo is all scalp */
    if ((st = smp_hairline_init(hl, r->info.closeup ? "none" : p->hairline,
                                &frame, p->view, scale,
                                p->edge, p->hairline_shift_mm,
                                p->feather_mm, p->seed, err)) != SMP_OK)
        goto fail;

    /* density field (for --density auto first at 100 per cm^2, scaled
     * below) */
    double density = p->density > 0 ? p->density : 100.0;
    double lambda = density / 100.0 / (scale * scale);      /* per px^2 */
    if ((st = smp_field_init(&r->cover, photo->width, photo->height, cell,
                             err)) != SMP_OK ||
        (st = smp_field_init(&front, photo->width, photo->height, cell,
                             err)) != SMP_OK)
        goto fail;
    if ((st = smp_density_build(&r->cover, photo, &frame, 2.0 * scale, hl,
                                p->mask, lambda, &front, threads,
                                err)) != SMP_OK)
        goto fail;

    /* skin, hair and backdrop: for the pigment, and where dots may go */
    int need_skin = auto_region || p->infill;
    int blur = (int)(1.5 * scale / cell) + 1;
    uint32_t want[4] = {0, 0, 0, 0};
    st = SMP_OK;
    if (need_skin) {
        /* skin matters where there is density, and as far round it as
         * the blur below and a dot's width (drop_misplaced) read */
        treated_box(&r->cover, (uint32_t)blur +
                    (uint32_t)(0.6 * p->dot_mm * scale / cell) + 2, want);
        st = smp_scalp_analyse(&sc, photo, &frame, cell, want, err);
    } else if (!later && (p->shades == 0 || p->density <= 0)) {
        /* for the pigment alone: on another thread if the dots need not
         * wait for it (a density to match needs the colours first) */
        survey = (survey_job){.sc = &sc, .photo = photo, .frame = &frame,
                              .cell = cell, .running = 0};
        survey.running = threads > 1 && p->density > 0 &&
                         pthread_create(&survey.thread, NULL, survey_main,
                                        &survey) == 0;
        if (!survey.running)
            st = smp_scalp_survey(&sc, photo, &frame, cell, err);
    }
    if (st != SMP_OK)
        goto fail;
    if ((need_skin || p->shades == 0 || p->density <= 0) &&
        !survey.running && !later) {
        memcpy(r->info.skin, sc.skin_rgb, 3);
        r->info.hair_cover = sc.hair_cover;
    }
    if (need_skin) {
        /* infill follows how much scalp shows over a couple of mm */
        float *tmp = malloc((size_t)sc.w * sc.h * sizeof *tmp);
        if (!tmp) {
            st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
            goto fail;
        }
        box_blur(sc.skin, sc.w, want, blur, tmp);
        free(tmp);
        r->cover.max = 0;
        for (uint32_t j = want[1]; j < want[3]; j++)
            for (uint32_t i = want[0]; i < want[2]; i++) {
                /* infill: density follows the scalp that shows; otherwise
                 * bare skin only, hair (and pores) leave no holes */
                size_t at = (size_t)j * sc.w + i;
                double k = sc.skin[at];
                if (!p->infill) {
                    double t = (k - 0.5) / 0.3;
                    k = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
                }
                r->cover.lambda[at] *= (float)k;
                if (r->cover.lambda[at] > r->cover.max)
                    r->cover.max = r->cover.lambda[at];
            }
    }
    double expected = smp_field_total(&r->cover);
    r->info.area_cm2 = expected / lambda / (scale * scale) / 100.0;
    smp_lut_init(&r->lut);
    if (!survey.running && !later)
        choose_shades(r, p, &sc);
    if (p->density <= 0) {
        uint8_t skin[3];
        const smp_ink *ink = &r->inks[p->sessions - 1];
        double depth = match_depth(photo, &r->cover, sc.bg, &r->lut, scale,
                                   skin);
        double d = 0, per_cm2 = 100.0 * scale * scale;
        if (depth > 0) {
            d = depth / dot_absorption(skin, ink, &r->lut, r->dot_mm * scale)
                * per_cm2;
            if (d > 300.0) {
                /* past what practitioners place: larger impressions */
                r->dot_mm *= fmin(sqrt(d / 300.0), 1.6);
                d = depth / dot_absorption(skin, ink, &r->lut,
                                           r->dot_mm * scale) * per_cm2;
            }
        }
        r->info.density_matched = d > 0;
        d = d > 0 ? fmin(fmax(d, 30.0), 300.0) : 100.0;
        for (size_t i = 0; i < (size_t)r->cover.w * r->cover.h; i++)
            r->cover.lambda[i] *= (float)(d / density);
        r->cover.max *= (float)(d / density);
        density = d;
    }
    r->info.density = density;
    if (p->scar && p->density > 0)     /* auto has matched the scar */
        densify_scar(&r->cover, photo, p->scar);
    if (auto_region && r->info.area_cm2 < 1.0) {
        st = smp_fail(err, SMP_ERR_REGION, "no bare scalp found in the head "
                      "frame; give --head CX,CY,RX,RY or --mask");
        goto fail;
    }

    if (p->density <= 0 || p->scar)
        expected = smp_field_total(&r->cover);  /* the field has changed */
    if (!(expected <= MAX_DOTS)) {
        st = smp_fail(err, SMP_ERR_LIMIT, "%.3g dots over %.3g cm2 is more "
                      "than any scalp takes (at most %.0f); check --scale "
                      "and --head", expected, r->info.area_cm2, MAX_DOTS);
        goto fail;
    }
    size_t counts[SMP_MAX_SESSIONS] = {0};
    if ((st = smp_place(&r->cover, p->sessions, cum, p->seed, p->cancel,
                        &pts, counts, err)) != SMP_OK)
        goto fail;
    /* infill keeps a dot's whole width off the hairs; elsewhere its
     * centre on skin is enough (pores must not thin the work out) */
    drop_misplaced(pts, counts, p->sessions, photo, p->mask,
                   need_skin ? &sc : NULL,
                   p->infill ? 0.6 * p->dot_mm * scale : 0.0);
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
    dress_dots(r, pts, r->ndots, p, hl, &front, threads);
    if ((st = sort_dots(r)) != SMP_OK) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory for %zu dots",
                      r->ndots);
        goto fail;
    }
    if (survey.running) {
        if ((st = survey_join(&survey, err)) != SMP_OK)
            goto fail;
        memcpy(r->info.skin, sc.skin_rgb, 3);
        r->info.hair_cover = sc.hair_cover;
        choose_shades(r, p, &sc);
    }
    free(pts);
    free(hl);
    smp_field_release(&front);
    smp_scalp_release(&sc);
    *out = r;
    return SMP_OK;
fail:
    survey_join(&survey, NULL);
    free(pts);
    free(hl);
    smp_field_release(&front);
    smp_scalp_release(&sc);
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

/* The skin's redness (of a fresh look) on canvas rows up to `rows`. */
static void redden_to(smp_render *r, const smp_appearance *look,
                      uint32_t rows)
{
    if (rows > r->reddened) {
        smp_redden_rows(r->canvas, &r->cover, look->erythema, &r->lut,
                        r->reddened, rows);
        r->reddened = rows;
    }
}

/* A lane's stampers for the look, made the first time; 0 if out of
 * memory. */
static int stampers(lane *ln, const smp_appearance *look)
{
    if (!ln->dot)
        ln->dot = smp_stamper_new(look->softness, look->spread);
    if (!ln->halo && look->halo > 0)
        ln->halo = smp_stamper_new(SMP_HALO_SOFTNESS, 0);
    return ln->dot && (look->halo <= 0 || ln->halo);
}

/* The canvas made afresh from the photo, nothing stamped. */
static smp_status fresh_canvas(smp_render *r, smp_error *err)
{
    smp_image_free(r->canvas);
    r->canvas = NULL;
    r->rendered = 0;
    r->reddened = 0;
    return smp_image_clone(r->photo, &r->canvas, err);
}

smp_status smp_render_start(smp_render *r, smp_error *err)
{
    if (r->given && r->rendered != 0)
        return smp_fail(err, SMP_ERR_ARG, "the photo is stamped over");
    smp_status st = r->given ? SMP_OK : fresh_canvas(r, err);
    if (st != SMP_OK)
        return st;
    r->rendered = 0;
    r->reddened = 0;
    smp_appearance look;
    smp_appearance_of(r->look, &look);
    for (int k = 0; k < r->info.sessions; k++) {
        r->lanes[k].next = k ? r->info.dots[k - 1] : 0;
        if (!stampers(&r->lanes[k], &look))
            return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    return SMP_OK;
}

int smp_render_rows(smp_render *r, int session, uint32_t rows,
                    smp_rows *above)
{
    lane *ln = &r->lanes[session - 1];
    const size_t end = r->info.dots[session - 1];
    smp_appearance look;
    smp_appearance_of(r->look, &look);
    /* the session before must be through these rows first */
    if (above && smp_rows_wait(above, rows))
        return -1;
    if (session == 1)
        redden_to(r, &look, rows);
    size_t j = ln->next;
    uint32_t reach = rows;
    for (; j < end && r->rows[2 * j] < rows; j++)
        if (r->rows[2 * j + 1] > reach)
            reach = r->rows[2 * j + 1];
    if (j == ln->next)
        return 0;
    /* and through every row these dots touch */
    if (above && smp_rows_wait(above, reach))
        return -1;
    if (session == 1)
        redden_to(r, &look, reach);
    int st = smp_stamp_dots_with(r->canvas, r->dots, ln->next, j, &look,
                                 ln->dot, ln->halo, r->inks, &r->red,
                                 &r->lut, r->cancel);
    ln->next = j;
    return st;
}

smp_image *smp_render_canvas(smp_render *r)
{
    return r->canvas;
}

void smp_render_stamped(smp_render *r)
{
    r->rendered = r->info.sessions;
}

smp_status smp_render_session(smp_render *r, int session,
                              const smp_image **out, smp_error *err)
{
    *out = NULL;
    if (session < 1 || session > r->info.sessions)
        return smp_fail(err, SMP_ERR_ARG, "session %d is not in 1-%d",
                        session, r->info.sessions);
    smp_appearance look;
    smp_appearance_of(r->look, &look);
    if (r->given && session < r->rendered)
        return smp_fail(err, SMP_ERR_ARG, "session %d is stamped over",
                        session);
    if (!r->canvas || session < r->rendered) {
        smp_status st = fresh_canvas(r, err);
        if (st != SMP_OK)
            return st;
    }
    if (r->rendered == 0)
        redden_to(r, &look, r->canvas->height);
    size_t from = r->rendered ? r->info.dots[r->rendered - 1] : 0;
    size_t to = r->info.dots[session - 1];
    /* (a whole session on this thread: the first lane's stampers) */
    if (!stampers(&r->lanes[0], &look))
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    int stamped = smp_stamp_dots_with(r->canvas, r->dots, from, to, &look,
                                      r->lanes[0].dot, r->lanes[0].halo,
                                      r->inks, &r->red, &r->lut, r->cancel);
    if (stamped != 0) {
        /* a half-stamped canvas is of no use: start over next time (one
         * that was given cannot be) */
        if (r->given) {
            r->rendered = SMP_MAX_SESSIONS + 1;
            return smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
        }
        smp_image_free(r->canvas);
        r->canvas = NULL;
        return stamped == -1 ? smp_fail(err, SMP_ERR_CANCELLED, "cancelled")
                             : smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    r->rendered = session;
    *out = r->canvas;
    return SMP_OK;
}

smp_status smp_render_aged(smp_render *r, double years, int ink_shift,
                           int touch_up, const smp_image **out,
                           smp_error *err)
{
    *out = NULL;
    if (!(years >= 0 && years <= 50))
        return smp_fail(err, SMP_ERR_ARG, "years %g is not in 0-50", years);
    if (r->given)
        return smp_fail(err, SMP_ERR_ARG, "the photo is stamped over");
    smp_image_free(r->aged);
    r->aged = NULL;
    smp_status st = smp_image_clone(r->photo, &r->aged, err);
    if (st != SMP_OK)
        return st;
    smp_ink inks[SMP_MAX_SESSIONS];
    for (int k = 0; k < r->info.sessions; k++) {
        uint8_t shade[3];
        memcpy(shade, r->shades[k], 3);
        if (ink_shift)
            smp_shade_shifted(r->shades[k], years, shade);
        smp_ink_init(&inks[k], shade, &r->lut);
    }
    smp_appearance aged, fresh;
    smp_appearance_aged(years, &aged);
    smp_appearance_of(SMP_LOOK_FRESH, &fresh);
    size_t n = r->ndots;
    int stamped;
    if (touch_up) {
        /* a touch-up re-pigments the old dots with the original shade:
         * faded dots with a fresh top-up laid on them, skin still red */
        smp_redden(r->aged, &r->cover, fresh.erythema, &r->lut);
        stamped = smp_stamp_dots(r->aged, r->dots, 0, n, &aged, inks,
                                 &r->red, &r->lut, r->cancel);
        fresh.load *= 1.0 - aged.load;
        if (stamped == 0)
            stamped = smp_stamp_dots(r->aged, r->dots, 0, n, &fresh, r->inks,
                                     &r->red, &r->lut, r->cancel);
    } else {
        stamped = smp_stamp_dots(r->aged, r->dots, 0, n, &aged, inks,
                                 &r->red, &r->lut, r->cancel);
    }
    if (stamped != 0) {
        smp_image_free(r->aged);
        r->aged = NULL;
        return stamped == -1 ? smp_fail(err, SMP_ERR_CANCELLED, "cancelled")
                             : smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    *out = r->aged;
    return SMP_OK;
}

void smp_render_use_canvas(smp_render *r, smp_image *photo)
{
    if (!r->given)
        smp_image_free(r->canvas);
    r->canvas = photo;
    r->given = 1;
    r->rendered = 0;
    r->reddened = 0;
}

void smp_render_free(smp_render *r)
{
    if (!r)
        return;
    if (!r->given)
        smp_image_free(r->canvas);
    smp_image_free(r->aged);
    for (int k = 0; k < SMP_MAX_SESSIONS; k++) {
        smp_stamper_free(r->lanes[k].dot);
        smp_stamper_free(r->lanes[k].halo);
    }
    free(r->rows);
    smp_field_release(&r->cover);
    free(r->dots);
    free(r);
}
