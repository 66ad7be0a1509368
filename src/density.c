/*
 * density.c - the density field: how many dots per square pixel the final
 * session should leave at each point of the photo.  Stored on a coarse
 * grid (a few pixels a cell; dots are a millimetre apart) and read back
 * with bilinear interpolation so that spacing changes smoothly.
 *
 * The field is built where it can be non-zero: the head ellipse is
 * worked out row by row (its inside is simply full, only the rim needs a
 * square root), the hairline's profile only in blocks of cells near the
 * line, and each block tests only the few segments of the line that can
 * be nearest to it.  Every value is the number the formulas give.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "density.h"

smp_status smp_field_init(smp_field *f, uint32_t img_w, uint32_t img_h,
                          float cell, smp_error *err)
{
    f->lambda = NULL;
    if (!(cell >= 1.0f) || img_w == 0 || img_h == 0)
        return smp_fail(err, SMP_ERR_ARG, "invalid density grid");
    f->cell = cell;
    f->img_w = img_w;
    f->img_h = img_h;
    f->w = (uint32_t)ceilf((float)img_w / cell);
    f->h = (uint32_t)ceilf((float)img_h / cell);
    f->max = 0;
    size_t n = smp_mul3(f->w, f->h, sizeof(float));
    if (n == 0 || !(f->lambda = calloc(1, n)))
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory for the density "
                        "field");
    return SMP_OK;
}

void smp_field_release(smp_field *f)
{
    free(f->lambda);
    f->lambda = NULL;
}

float smp_field_at(const smp_field *f, float x, float y)
{
    /* cell (i, j) holds the value at its centre ((i + .5) c, (j + .5) c) */
    float gx = x / f->cell - 0.5f, gy = y / f->cell - 0.5f;
    if (gx < 0) gx = 0;
    if (gy < 0) gy = 0;
    if (gx > (float)(f->w - 1)) gx = (float)(f->w - 1);
    if (gy > (float)(f->h - 1)) gy = (float)(f->h - 1);
    uint32_t i = (uint32_t)gx, j = (uint32_t)gy;
    uint32_t i1 = i + 1 < f->w ? i + 1 : i, j1 = j + 1 < f->h ? j + 1 : j;
    float fx = gx - (float)i, fy = gy - (float)j;
    const float *r0 = f->lambda + (size_t)j * f->w;
    const float *r1 = f->lambda + (size_t)j1 * f->w;
    float a = r0[i] + (r0[i1] - r0[i]) * fx;
    float b = r1[i] + (r1[i1] - r1[i]) * fx;
    return a + (b - a) * fy;
}

double smp_field_total(const smp_field *f)
{
    /* cells on the right and bottom edges may stick out of the photo */
    double sum = 0;
    double *cw = malloc(f->w * sizeof *cw);
    for (uint32_t i = 0; cw && i < f->w; i++)
        cw[i] = fmin(f->cell, (double)f->img_w - (double)i * f->cell);
    for (uint32_t j = 0; j < f->h; j++) {
        double ch = fmin(f->cell, (double)f->img_h - (double)j * f->cell);
        const float *v = f->lambda + (size_t)j * f->w;
        double row = 0;
        /* adding nothing for an empty cell leaves the sum as it was */
        for (uint32_t i = 0; i < f->w; i++)
            if (v[i] != 0)
                row += v[i] * (cw ? cw[i] : fmin(f->cell, (double)f->img_w -
                                                 (double)i * f->cell));
        sum += row * ch;
    }
    free(cw);
    return sum;
}

/* The hairline factor, block by block: most blocks of cells lie far
 * ahead of or behind the line, where the profile is flat and one distance
 * query settles all of them. */
#define BLOCK 8

/* The hairline's pass over block rows [bj0, bj1) of the field; `active`
 * (or NULL: every block) says which blocks have something to treat. */
typedef struct hairline_pass {
    smp_field *f, *front;
    const smp_hairline *hl;
    const uint8_t *active;
    uint32_t bw, bj0, bj1;
} hairline_pass;

static void *hairline_rows(void *arg)
{
    const hairline_pass *hp = arg;
    smp_field *f = hp->f, *front = hp->front;
    const smp_hairline *hl = hp->hl;
    double margin = BLOCK * f->cell * 0.7072;       /* half a diagonal */
    smp_hairline_near *nr = malloc(sizeof *nr);
    for (uint32_t bj = hp->bj0 * BLOCK; bj < hp->bj1 * BLOCK && bj < f->h;
         bj += BLOCK)
        for (uint32_t bi = 0; bi < f->w; bi += BLOCK) {
            if (hp->active &&
                !hp->active[(size_t)(bj / BLOCK) * hp->bw + bi / BLOCK])
                continue;
            uint32_t ej = bj + BLOCK < f->h ? bj + BLOCK : f->h;
            uint32_t ei = bi + BLOCK < f->w ? bi + BLOCK : f->w;
            double flat, cx = (bi + BLOCK / 2.0) * f->cell,
                          cy = (bj + BLOCK / 2.0) * f->cell;
            int is_flat = nr ? smp_hairline_block(hl, cx, cy, margin, &flat,
                                                  nr)
                             : smp_hairline_flat(hl, cx, cy, margin, &flat);
            for (uint32_t j = bj; j < ej; j++)
                for (uint32_t i = bi; i < ei; i++) {
                    size_t at = (size_t)j * f->w + i;
                    if (f->lambda[at] == 0 && !front)
                        continue;
                    double x = (i + 0.5) * f->cell, y = (j + 0.5) * f->cell;
                    float p = (float)(is_flat ? flat
                                      : nr ? smp_hairline_profile_near(hl, nr,
                                                                       x, y)
                                      : smp_hairline_profile(hl, x, y));
                    f->lambda[at] *= p;
                    if (front)
                        front->lambda[at] = p;
                }
        }
    free(nr);
    return NULL;
}

/*
 * Blocks with something to treat, and their neighbours (a bilinear
 * lookup next to a treated cell reads one cell further, and the front
 * field is read where dots land).  All of them when there is no
 * `active` map.  With two threads, the lower half of the block rows goes
 * to the second: every block writes its own cells.
 */
static void apply_hairline(smp_field *f, const smp_hairline *hl,
                           smp_field *front, const uint8_t *active,
                           uint32_t bw, int threads)
{
    uint32_t bh = (f->h + BLOCK - 1) / BLOCK, mid = threads > 1 ? bh / 2
                                                                : bh;
    hairline_pass top = {f, front, hl, active, bw, 0, mid};
    hairline_pass low = {f, front, hl, active, bw, mid, bh};
    pthread_t t;
    int two = mid < bh && pthread_create(&t, NULL, hairline_rows, &low) == 0;
    hairline_rows(&top);
    if (two)
        pthread_join(t, NULL);
    else if (mid < bh)
        hairline_rows(&low);
}

/* Mean of mask share times alpha over one cell's pixels. */
static double cell_cover(const smp_field *f, const smp_image *photo,
                         const smp_image *mask, uint32_t i, uint32_t j)
{
    uint32_t x0 = (uint32_t)(i * f->cell), y0 = (uint32_t)(j * f->cell);
    uint32_t x1 = (uint32_t)((i + 1) * f->cell), y1 = (uint32_t)((j + 1) * f->cell);
    if (x1 > photo->width) x1 = photo->width;
    if (y1 > photo->height) y1 = photo->height;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1;
    double sum = 0;
    for (uint32_t y = y0; y < y1; y++)
        for (uint32_t x = x0; x < x1; x++) {
            double m = mask ? smp_mask_value(mask->pixels + y * mask->stride +
                                             x * 4)
                            : 1.0;
            if (photo->has_alpha)
                m *= photo->pixels[y * photo->stride + x * 4 + 3] / 255.0;
            sum += m;
        }
    return sum / ((double)(y1 - y0) * (x1 - x0));
}

/*
 * lambda_full times the head frame's coverage at each cell centre.  The
 * frame's axes are the photo's, so a cell's head coordinates are a
 * column's and a row's; outside the ellipse (r >= 1) the coverage is 0,
 * and well inside it 1, which a row fills without a square root.
 * Returns 0 if the frame is not axis-aligned (the caller then goes cell
 * by cell).
 */
static int frame_rows(smp_field *f, const smp_frame *fr, double rim_px,
                      double lambda_full)
{
    int across_x = fr->ly == 0 && fr->fx == 0;     /* front up or down */
    int across_y = fr->lx == 0 && fr->fy == 0;     /* front left or right */
    if (!across_x && !across_y)
        return 0;
    double *ca = malloc(f->w * sizeof *ca), *ra = malloc(f->h * sizeof *ra);
    if (!ca || !ra) {
        free(ca);
        free(ra);
        return 0;
    }
    /* a column's head coordinate (a across the head, or b), and a row's;
     * the other axis adds a zero, as smp_frame_to_head computes it */
    for (uint32_t i = 0; i < f->w; i++) {
        double a, b;
        smp_frame_to_head(fr, (i + 0.5) * f->cell, fr->cy, &a, &b);
        ca[i] = across_x ? a : b;
    }
    for (uint32_t j = 0; j < f->h; j++) {
        double a, b;
        smp_frame_to_head(fr, fr->cx, (j + 0.5) * f->cell, &a, &b);
        ra[j] = across_x ? b : a;
    }
    /* r^2 at most q_in: coverage 1 (with a margin far above rounding) */
    double rmin = fmin(fr->lat_r, fr->fwd_r);
    double r_in = 1.0 - rim_px / rmin - 1e-9;
    double q_in = r_in > 0 ? r_in * r_in : -1;
    const float full = (float)lambda_full;
    for (uint32_t j = 0; j < f->h; j++) {
        float *row = f->lambda + (size_t)j * f->w;
        double b2 = ra[j] * ra[j];
        for (uint32_t i = 0; i < f->w; i++) {
            double q = ca[i] * ca[i] + b2;
            if (q >= 1.0) {
                row[i] = 0;             /* sqrt(q) >= 1: outside */
            } else if (q <= q_in) {
                row[i] = full;
            } else {
                double v = lambda_full;
                v *= smp_frame_coverage_ab(fr, ca[i], ra[j], rim_px);
                row[i] = (float)v;
            }
        }
    }
    free(ca);
    free(ra);
    return 1;
}

/*
 * The field is the product of what says "treat here": the head frame
 * (when there is no mask), the hairline's edge profile, the mask's grey
 * level and the photo's alpha.  Mask and alpha are averaged over each
 * cell so that thin features are not lost between samples.
 */
smp_status smp_density_build(smp_field *f, const smp_image *photo,
                             const smp_frame *frame, double rim_px,
                             const smp_hairline *hl, const smp_image *mask,
                             double lambda_full, smp_field *front,
                             int threads, smp_error *err)
{
    if (mask && (mask->width != photo->width || mask->height != photo->height))
        return smp_fail(err, SMP_ERR_ARG, "mask is %ux%u but the photo is "
                        "%ux%u", (unsigned)mask->width,
                        (unsigned)mask->height, (unsigned)photo->width,
                        (unsigned)photo->height);
    int framed = frame && !mask;
    if (!framed || !frame_rows(f, frame, rim_px, lambda_full))
        for (uint32_t j = 0; j < f->h; j++)
            for (uint32_t i = 0; i < f->w; i++) {
                double v = lambda_full;
                if (framed)
                    v *= smp_frame_coverage(frame, (i + 0.5) * f->cell,
                                            (j + 0.5) * f->cell, rim_px);
                f->lambda[(size_t)j * f->w + i] = (float)v;
            }
    /* blocks with density, widened by one block */
    uint32_t bw = (f->w + BLOCK - 1) / BLOCK, bh = (f->h + BLOCK - 1) / BLOCK;
    uint8_t *active = framed ? calloc((size_t)bw * bh, 1) : NULL;
    uint8_t *busy = active ? calloc((size_t)bw * bh, 1) : NULL;
    if (active && busy) {
        for (uint32_t j = 0; j < f->h; j++) {
            const float *row = f->lambda + (size_t)j * f->w;
            for (uint32_t i = 0; i < f->w; i++)
                if (row[i] != 0)
                    busy[(size_t)(j / BLOCK) * bw + i / BLOCK] = 1;
        }
        for (uint32_t bj = 0; bj < bh; bj++)
            for (uint32_t bi = 0; bi < bw; bi++)
                for (uint32_t nj = bj ? bj - 1 : 0; nj <= bj + 1 && nj < bh;
                     nj++)
                    for (uint32_t ni = bi ? bi - 1 : 0;
                         ni <= bi + 1 && ni < bw; ni++)
                        active[(size_t)bj * bw + bi] |=
                            busy[(size_t)nj * bw + ni];
    } else {
        free(active);
        active = NULL;          /* no memory for it: every block */
    }
    free(busy);
    if (hl)
        apply_hairline(f, hl, front, active, bw, threads);
    free(active);
    f->max = 0;
    for (uint32_t j = 0; j < f->h; j++)
        for (uint32_t i = 0; i < f->w; i++) {
            float *v = &f->lambda[(size_t)j * f->w + i];
            if (*v > 0 && (mask || photo->has_alpha))
                *v *= (float)cell_cover(f, photo, mask, i, j);
            if (*v > f->max)
                f->max = *v;
        }
    return SMP_OK;
}
