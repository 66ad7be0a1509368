/*
 * density.c - the density field: how many dots per square pixel the final
 * session should leave at each point of the photo.  Stored on a coarse
 * grid (a few pixels a cell; dots are a millimetre apart) and read back
 * with bilinear interpolation so that spacing changes smoothly.
 *
 * The field is built where it can be non-zero: the head ellipse is
 * worked out row by row (where a row is inside or outside is found by
 * bisection, only the rim needs a square root), the hairline's profile
 * only in blocks of cells near the line, and each block or super-block
 * far from it settled by one distance query.  Near the line the signed
 * distance is smooth, so it is taken at the corners of each block and
 * interpolated (a block where that misses the exact value at its centre
 * by more than a thousandth of the band, or where distance would step,
 * is worked out cell by cell); the profile itself, its noise and its
 * steps, is the exact function of that distance, a cell row at a time.
 * The field differs from the exact formulas by a few hundredths of a
 * percent of the full density, near the line only.
 *
 * Two threads share every stage, each its own rows; no value depends on
 * which thread made it.
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
 * query settles all of them; a super-block of SUPER x SUPER blocks, when
 * it is flat with room to spare, settles its blocks with no query. */
#define BLOCK 8
#define SUPER 4
/* Interpolated distance is used where it is within TOL of the band's
 * width of the exact one at a block's centre. */
#define TOL 1e-3

/* What the hairline does to a block. */
enum { B_SKIP, B_ZERO, B_ONE, B_NEAR, B_EXACT };

/* Four floats in one vector (GCC vector extensions: SSE2 here, lane by
 * lane elsewhere, the same numbers). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

/* n floats set to v. */
static void fill(float *p, float v, uint32_t n)
{
    v4f q = {v, v, v, v};
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4)
        memcpy(p + i, &q, sizeof q);
    for (; i < n; i++)
        p[i] = v;
}

/* The largest of n floats and m (none is NaN). */
static float max_of(const float *p, uint32_t n, float m)
{
    v4f mv = {m, m, m, m};
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4f q;
        memcpy(&q, p + i, sizeof q);
        v4i more = q > mv;
        mv = (v4f)(((v4i)q & more) | ((v4i)mv & ~more));
    }
    for (int k = 0; k < 4; k++)
        m = mv[k] > m ? mv[k] : m;
    for (; i < n; i++)
        m = p[i] > m ? p[i] : m;
    return m;
}

/* The state of a build shared by its stages (and threads). */
typedef struct build {
    smp_field *f, *front;
    const smp_image *photo, *mask;
    const smp_frame *frame;     /* NULL: not framed */
    const smp_hairline *hl;
    double rim_px, lambda_full;
    uint32_t bw, bh, sw, sh;    /* blocks and super-blocks a side */
    uint8_t *busy, *active;     /* per block (active NULL: all) */
    uint8_t *super_flat;        /* per super-block */
    uint8_t *kind;              /* per block, B_* */
    double *node;               /* signed distance (mm) at the first cell
                                   of each block, (bw + 1) x (bh + 1) */
    double node_lim;            /* px: nodes farther are all past reach */
    smp_hairline_col *col;      /* smp_hairline_column of each column */
    uint32_t *lo, *hi;          /* per row, the cells that can be non-zero
                                   (NULL: all) */
    double *ca, *ra;            /* head coordinates of columns and rows */
    double q_in;
    int rows_ok;                /* frame_rows applies */
    float max[2];               /* per part */
} build;

/*
 * lambda_full times the head frame's coverage at each cell centre.  The
 * frame's axes are the photo's, so a cell's head coordinates are a
 * column's and a row's; outside the ellipse (r >= 1) the coverage is 0,
 * and well inside it 1.  Along a row r^2 falls to the column nearest the
 * centre and then rises, so where each of those holds is found by
 * bisection and only the rim between is worked out cell by cell, with
 * the very tests and numbers a cell-by-cell pass would use.
 */
static int frame_prepare(build *b)
{
    const smp_frame *fr = b->frame;
    smp_field *f = b->f;
    int across_x = fr->ly == 0 && fr->fx == 0;     /* front up or down */
    int across_y = fr->lx == 0 && fr->fy == 0;     /* front left or right */
    if (!across_x && !across_y)
        return 0;
    b->ca = malloc(f->w * sizeof *b->ca);
    b->ra = malloc(f->h * sizeof *b->ra);
    b->lo = malloc(f->h * sizeof *b->lo);
    b->hi = malloc(f->h * sizeof *b->hi);
    if (!b->ca || !b->ra || !b->lo || !b->hi)
        return 0;
    /* a column's head coordinate (a across the head, or b), and a row's;
     * the other axis adds a zero, as smp_frame_to_head computes it */
    for (uint32_t i = 0; i < f->w; i++) {
        double a, bb;
        smp_frame_to_head(fr, (i + 0.5) * f->cell, fr->cy, &a, &bb);
        b->ca[i] = across_x ? a : bb;
    }
    for (uint32_t j = 0; j < f->h; j++) {
        double a, bb;
        smp_frame_to_head(fr, fr->cx, (j + 0.5) * f->cell, &a, &bb);
        b->ra[j] = across_x ? bb : a;
    }
    /* r^2 at most q_in: coverage 1 (with a margin far above rounding) */
    double rmin = fmin(fr->lat_r, fr->fwd_r);
    double r_in = 1.0 - b->rim_px / rmin - 1e-9;
    b->q_in = r_in > 0 ? r_in * r_in : -1;
    return 1;
}

/* The first i in [lo, hi) with ca[i]^2 + b2 on the far side of `edge`
 * (below it if `below`, else above it; `or_eq` counts equality), for ca^2
 * monotonic there in the direction that makes the answer one switch. */
static uint32_t switch_at(const double *ca, double b2, uint32_t lo,
                          uint32_t hi, double edge, int below, int or_eq)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        double q = ca[mid] * ca[mid] + b2;
        int past = below ? (or_eq ? q <= edge : q < edge)
                         : (or_eq ? q >= edge : q > edge);
        if (past)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void frame_row(build *b, uint32_t j, uint32_t imin)
{
    smp_field *f = b->f;
    const smp_frame *fr = b->frame;
    float *row = f->lambda + (size_t)j * f->w;
    const double *ca = b->ca;
    double rj = b->ra[j], b2 = rj * rj, q_in = b->q_in;
    const float full = (float)b->lambda_full;
    /* falling on [0, imin), rising on [imin, w) */
    uint32_t in_lo = switch_at(ca, b2, 0, imin, 1.0, 1, 0);
    uint32_t full_lo = switch_at(ca, b2, in_lo, imin, q_in, 1, 1);
    uint32_t full_hi = switch_at(ca, b2, imin, f->w, q_in, 0, 0);
    uint32_t in_hi = switch_at(ca, b2, full_hi, f->w, 1.0, 0, 1);
    memset(row, 0, in_lo * sizeof *row);
    fill(row + full_lo, full, full_hi - full_lo);
    memset(row + in_hi, 0, (f->w - in_hi) * sizeof *row);
    for (int side = 0; side < 2; side++) {
        uint32_t a = side ? full_hi : in_lo, e = side ? in_hi : full_lo;
        for (uint32_t i = a; i < e; i++) {
            double v = b->lambda_full;
            v *= smp_frame_coverage_ab(fr, ca[i], rj, b->rim_px);
            row[i] = (float)v;
        }
    }
    /* coverage falls with r, so what is not zero is one run */
    while (in_lo < in_hi && row[in_lo] == 0)
        in_lo++;
    while (in_hi > in_lo && row[in_hi - 1] == 0)
        in_hi--;
    b->lo[j] = in_lo;
    b->hi[j] = in_hi;
}

/* Rows [j0, j1) of the field before the hairline, and the blocks they
 * make busy (the caller's rows start a block row). */
static void base_rows(build *b, uint32_t j0, uint32_t j1)
{
    smp_field *f = b->f;
    if (b->rows_ok) {
        /* the column nearest the head's centre line */
        uint32_t imin = 0;
        for (uint32_t i = 1; i < f->w; i++)
            if (fabs(b->ca[i]) < fabs(b->ca[imin]))
                imin = i;
        /* columns after imin are no nearer: ca is monotonic */
        for (uint32_t j = j0; j < j1; j++) {
            frame_row(b, j, imin);
            if (b->busy && b->lo[j] < b->hi[j])
                memset(b->busy + (size_t)(j / BLOCK) * b->bw +
                       b->lo[j] / BLOCK, 1,
                       (b->hi[j] - 1) / BLOCK - b->lo[j] / BLOCK + 1);
        }
        return;
    }
    for (uint32_t j = j0; j < j1; j++) {
        float *row = f->lambda + (size_t)j * f->w;
        for (uint32_t i = 0; i < f->w; i++) {
            double v = b->lambda_full;
            if (b->frame)
                v *= smp_frame_coverage(b->frame, (i + 0.5) * f->cell,
                                        (j + 0.5) * f->cell, b->rim_px);
            row[i] = (float)v;
            if (b->busy && row[i] != 0)
                b->busy[(size_t)(j / BLOCK) * b->bw + i / BLOCK] = 1;
        }
    }
}

static int block_active(const build *b, uint32_t bi, uint32_t bj)
{
    return !b->active || b->active[(size_t)bj * b->bw + bi];
}

/* Super-blocks of row sj that are flat with room for all their blocks:
 * each block centre lies within `off` of the super-block's, so a block
 * is then at least reach + its own margin (and a pixel) from the line. */
static void super_row(build *b, uint32_t sj)
{
    const smp_field *f = b->f;
    double mb = BLOCK * f->cell * 0.7072;
    double off = (SUPER - 1) * BLOCK * f->cell * 0.7072;
    int hint = -1;
    for (uint32_t si = 0; si < b->sw; si++) {
        int any = 0;
        for (uint32_t bj = sj * SUPER; bj < (sj + 1) * SUPER && bj < b->bh;
             bj++)
            for (uint32_t bi = si * SUPER;
                 bi < (si + 1) * SUPER && bi < b->bw; bi++)
                any |= block_active(b, bi, bj);
        double c = SUPER * BLOCK * f->cell / 2.0;
        double lim = b->hl->reach_px + mb + off + 1.0;
        b->super_flat[(size_t)sj * b->sw + si] =
            any && smp_hairline_dist2(b->hl, si * 2 * c + c, sj * 2 * c + c,
                                      lim * lim, &hint) >= lim * lim;
    }
}

/* Block row bj: flat (0 or 1, as smp_hairline_flat says for the block),
 * or near the line. */
static void kind_row(build *b, uint32_t bj)
{
    const smp_field *f = b->f;
    double margin = BLOCK * f->cell * 0.7072;       /* half a diagonal */
    /* as smp_hairline_flat decides it */
    double lim = b->hl->reach_px + margin;
    int hint = -1;
    for (uint32_t bi = 0; bi < b->bw; bi++) {
        uint8_t *k = &b->kind[(size_t)bj * b->bw + bi];
        if (!block_active(b, bi, bj)) {
            *k = B_SKIP;
            continue;
        }
        double cx = (bi * BLOCK + BLOCK / 2.0) * f->cell,
               cy = (bj * BLOCK + BLOCK / 2.0) * f->cell;
        if (b->super_flat[(size_t)(bj / SUPER) * b->sw + bi / SUPER] ||
            smp_hairline_dist2(b->hl, cx, cy, lim * lim, &hint) >= lim * lim)
            *k = smp_hairline_behind(b->hl, cx, cy) ? B_ONE : B_ZERO;
        else
            *k = B_NEAR;
    }
}

static int near_at(const build *b, int64_t bi, int64_t bj)
{
    return bi >= 0 && bj >= 0 && bi < b->bw && bj < b->bh &&
           b->kind[(size_t)bj * b->bw + bi] == B_NEAR;
}

/* The signed distance in mm at (x, y), as the profile takes it but not
 * clamped to the reach (up to node_lim): the clamp comes after
 * interpolation, where it is a kink. */
static double node_mm(const build *b, double x, double y, int *hint)
{
    const smp_hairline *hl = b->hl;
    double d = sqrt(smp_hairline_dist2(hl, x, y, b->node_lim * b->node_lim,
                                       hint));
    return (smp_hairline_behind(hl, x, y) ? d : -d) / hl->scale;
}

/* The signed distances at the nodes of row nj that a near block uses. */
static void node_row(build *b, uint32_t nj)
{
    const smp_field *f = b->f;
    int hint = -1;
    for (uint32_t ni = 0; ni <= b->bw; ni++)
        if (near_at(b, ni, nj) || near_at(b, (int64_t)ni - 1, nj) ||
            near_at(b, ni, (int64_t)nj - 1) ||
            near_at(b, (int64_t)ni - 1, (int64_t)nj - 1))
            b->node[(size_t)nj * (b->bw + 1) + ni] =
                node_mm(b, (ni * BLOCK + 0.5) * f->cell,
                        (nj * BLOCK + 0.5) * f->cell, &hint);
}

/* Cell (i, j) takes the profile p. */
static void put(build *b, size_t at, float p)
{
    b->f->lambda[at] *= p;
    if (b->front)
        b->front->lambda[at] = p;
}

/*
 * A near block whose signed distance is smooth (the line bends slowly:
 * bilinear interpolation from the block's corners is within a hair of
 * the exact value at its centre, and no step is steeper than distance
 * can change) takes it interpolated, and then the exact profile of it.
 * Returns 0 for any other.
 */
static int smooth_block(build *b, uint32_t bi, uint32_t bj)
{
    smp_field *f = b->f;
    const smp_hairline *hl = b->hl;
    const double *n0 = b->node + (size_t)(bj / BLOCK) * (b->bw + 1) +
                       bi / BLOCK;
    const double *n1 = n0 + b->bw + 1;
    double s00 = n0[0], s10 = n0[1], s01 = n1[0], s11 = n1[1];
    /* distance changes by at most the step, in mm */
    double step = BLOCK * f->cell / hl->scale * (1 + 1e-6) + 1e-9;
    if (!(fabs(s10 - s00) <= step && fabs(s11 - s01) <= step &&
          fabs(s01 - s00) <= step && fabs(s11 - s10) <= step))
        return 0;
    int hint = -1;
    double mid = node_mm(b, (bi + 4 + 0.5) * f->cell,
                         (bj + 4 + 0.5) * f->cell, &hint);
    double sl = s00 + (s01 - s00) * 0.5, sr = s10 + (s11 - s10) * 0.5;
    return fabs(sl + (sr - sl) * 0.5 - mid) <= TOL * hl->width_mm;
}

/* Any other near block: cell by cell, each distance exact. */
static void exact_block(build *b, uint32_t bi, uint32_t bj,
                        smp_hairline_near *nr)
{
    smp_field *f = b->f;
    const smp_hairline *hl = b->hl;
    uint32_t ej = bj + BLOCK < f->h ? bj + BLOCK : f->h;
    uint32_t ei = bi + BLOCK < f->w ? bi + BLOCK : f->w;
    double margin = BLOCK * f->cell * 0.7072, flat;
    double cx = (bi + BLOCK / 2.0) * f->cell, cy = (bj + BLOCK / 2.0) * f->cell;
    int is_flat = smp_hairline_block(hl, cx, cy, margin, &flat, nr);
    for (uint32_t j = bj; j < ej; j++)
        for (uint32_t i = bi; i < ei; i++) {
            double x = (i + 0.5) * f->cell, y = (j + 0.5) * f->cell;
            put(b, (size_t)j * f->w + i,
                (float)(is_flat ? flat
                                : smp_hairline_profile_near(hl, nr, x, y)));
        }
}

/* Cell row j of the smooth near blocks of its block row, left to right
 * (the noise's lattice cells carry on from block to block). */
static void smooth_row(build *b, uint32_t j)
{
    smp_field *f = b->f;
    const smp_hairline *hl = b->hl;
    uint32_t bj = j / BLOCK * BLOCK;
    const uint8_t *kind = b->kind + (size_t)(j / BLOCK) * b->bw;
    const double *n0 = b->node + (size_t)(j / BLOCK) * (b->bw + 1);
    const double *n1 = n0 + b->bw + 1;
    /* the profile's clamp: sqrt(reach^2) is reach */
    double reach = hl->reach_px / hl->scale;
    double v = (j - bj) / (double)BLOCK, y = (j + 0.5) * f->cell;
    double s[BLOCK];
    float p[BLOCK];
    smp_hairline_row row;
    smp_hairline_row_init(hl, y, &row);
    for (uint32_t k = 0; k < b->bw; k++) {
        if (kind[k] != B_NEAR)
            continue;
        uint32_t bi = k * BLOCK, ei = bi + BLOCK < f->w ? bi + BLOCK : f->w;
        double sl = n0[k] + (n1[k] - n0[k]) * v;
        double sr = n0[k + 1] + (n1[k + 1] - n0[k + 1]) * v;
        for (uint32_t i = bi; i < ei; i++) {
            double u = sl + (sr - sl) * ((i - bi) / (double)BLOCK);
            s[i - bi] = u > reach ? reach : u < -reach ? -reach : u;
        }
        smp_hairline_profile_row(hl, &row, b->col + bi, s, (int)(ei - bi),
                                 4 * TOL * hl->width_mm, p);
        for (uint32_t i = bi; i < ei; i++)
            put(b, (size_t)j * f->w + i,
                p[i - bi] >= 0 ? p[i - bi]
                : (float)smp_hairline_profile(hl, (i + 0.5) * f->cell, y));
    }
}

/* Block row bj takes the hairline. */
static void hairline_row(build *b, uint32_t bj, smp_hairline_near *nr)
{
    smp_field *f = b->f;
    int any = 0;
    for (uint32_t bi = 0; bi < b->bw; bi++) {
        uint8_t *kp = &b->kind[(size_t)bj * b->bw + bi], k = *kp;
        if (k == B_SKIP)
            continue;
        if (k == B_NEAR) {
            /* smooth ones below, a row at a time */
            if (smooth_block(b, bi * BLOCK, bj * BLOCK)) {
                any = 1;
            } else {
                *kp = B_EXACT;
                exact_block(b, bi * BLOCK, bj * BLOCK, nr);
            }
            continue;
        }
        /* a run of flat blocks at once: times 1 leaves the field as it
         * is, times 0 clears it (it is never negative) */
        uint32_t end = bi + 1;
        while (end < b->bw && b->kind[(size_t)bj * b->bw + end] == k)
            end++;
        uint32_t i0 = bi * BLOCK, j0 = bj * BLOCK;
        uint32_t ej = j0 + BLOCK < f->h ? j0 + BLOCK : f->h;
        uint32_t ei = end * BLOCK < f->w ? end * BLOCK : f->w;
        for (uint32_t j = j0; j < ej; j++) {
            size_t at = (size_t)j * f->w + i0;
            if (k == B_ZERO)
                memset(f->lambda + at, 0, (ei - i0) * sizeof(float));
            if (b->front)
                fill(b->front->lambda + at, k == B_ONE ? 1.0f : 0.0f,
                     ei - i0);
        }
        bi = end - 1;
    }
    for (uint32_t j = bj * BLOCK; any && j < (bj + 1) * BLOCK && j < f->h;
         j++)
        smooth_row(b, j);
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

/* The last stage: mask and alpha cover, and the field's maximum, over
 * rows [j0, j1). */
static void finish_rows(build *b, uint32_t j0, uint32_t j1, float *max)
{
    smp_field *f = b->f;
    int cover = b->mask || b->photo->has_alpha;
    float m = 0;
    for (uint32_t j = j0; j < j1; j++) {
        float *row = f->lambda + (size_t)j * f->w;
        /* outside lo..hi the field is 0 and stays so */
        uint32_t lo = b->lo ? b->lo[j] : 0, hi = b->lo ? b->hi[j] : f->w;
        for (uint32_t i = lo; cover && i < hi; i++)
            if (row[i] > 0)
                row[i] *= (float)cell_cover(f, b->photo, b->mask, i, j);
        if (lo < hi)
            m = max_of(row + lo, hi - lo, m);
    }
    *max = m;
}

/*
 * The stages of a build.  Each is shared by `parts` threads, part `part`
 * taking its own rows (halves, or every other one where the work
 * bunches up along the hairline); no stage reads what another thread
 * writes in it, so the field is the same for any number of threads.
 */
enum { S_BASE, S_ACTIVE, S_SUPER, S_KIND, S_NODE, S_HAIR, S_FINISH, S_END };

static void run_stage(build *b, int stage, int part, int parts,
                      smp_hairline_near *nr)
{
    smp_field *f = b->f;
    /* contiguous halves at a block-row boundary */
    uint32_t hb = (b->bh + (uint32_t)parts - 1) / (uint32_t)parts;
    uint32_t j0 = part * hb * BLOCK, j1 = (part + 1) * hb * BLOCK;
    if (j0 > f->h) j0 = f->h;
    if (j1 > f->h) j1 = f->h;
    switch (stage) {
    case S_BASE:
        base_rows(b, j0, j1);
        break;
    case S_ACTIVE:
        /* blocks with density, widened by one block */
        if (b->active)
            for (uint32_t bj = part * hb; bj < (part + 1) * hb && bj < b->bh;
                 bj++)
                for (uint32_t bi = 0; bi < b->bw; bi++) {
                    uint8_t a = 0;
                    for (uint32_t nj = bj ? bj - 1 : 0;
                         nj <= bj + 1 && nj < b->bh; nj++)
                        for (uint32_t ni = bi ? bi - 1 : 0;
                             ni <= bi + 1 && ni < b->bw; ni++)
                            a |= b->busy[(size_t)nj * b->bw + ni];
                    b->active[(size_t)bj * b->bw + bi] = a;
                }
        break;
    case S_SUPER:
        for (uint32_t sj = part; b->hl && sj < b->sh; sj += parts)
            super_row(b, sj);
        break;
    case S_KIND:
        for (uint32_t bj = part; b->hl && bj < b->bh; bj += parts)
            kind_row(b, bj);
        break;
    case S_NODE:
        for (uint32_t nj = part; b->hl && nj <= b->bh; nj += parts)
            node_row(b, nj);
        break;
    case S_HAIR:
        for (uint32_t bj = part; b->hl && bj < b->bh; bj += parts)
            hairline_row(b, bj, nr);
        break;
    case S_FINISH:
        finish_rows(b, j0, j1, &b->max[part]);
        break;
    }
}

typedef struct worker {
    build *b;
    pthread_barrier_t *bar;
    smp_hairline_near *nr;
} worker;

static void *second_part(void *arg)
{
    worker *w = arg;
    for (int st = 0; st < S_END; st++) {
        run_stage(w->b, st, 1, 2, w->nr);
        pthread_barrier_wait(w->bar);
    }
    return NULL;
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
    build b = {.f = f, .front = front, .photo = photo, .mask = mask,
               .frame = frame && !mask ? frame : NULL, .hl = hl,
               .rim_px = rim_px, .lambda_full = lambda_full};
    b.bw = (f->w + BLOCK - 1) / BLOCK;
    b.bh = (f->h + BLOCK - 1) / BLOCK;
    b.sw = (b.bw + SUPER - 1) / SUPER;
    b.sh = (b.bh + SUPER - 1) / SUPER;
    /* a node this far from the line has every cell of its blocks past
     * the reach, as are the nodes next to it */
    b.node_lim = (hl ? hl->reach_px : 0) + 3.0 * BLOCK * f->cell;
    size_t nb = (size_t)b.bw * b.bh;
    smp_hairline_near *nr[2] = {NULL, NULL};
    smp_status st = SMP_OK;
    int ok = 1;
    if (b.frame) {
        b.busy = calloc(nb, 1);
        b.active = calloc(nb, 1);
        ok = b.busy && b.active;
        b.rows_ok = ok && frame_prepare(&b);
    }
    if (hl) {
        b.col = malloc(f->w * sizeof *b.col);
        for (uint32_t i = 0; b.col && i < f->w; i++)
            smp_hairline_column(hl, (i + 0.5) * f->cell, &b.col[i]);
        b.super_flat = calloc((size_t)b.sw * b.sh, 1);
        b.kind = calloc(nb, 1);
        b.node = malloc((size_t)(b.bw + 1) * (b.bh + 1) * sizeof *b.node);
        nr[0] = malloc(sizeof *nr[0]);
        nr[1] = malloc(sizeof *nr[1]);
        ok = ok && b.col && b.super_flat && b.kind && b.node && nr[0] &&
             nr[1];
    }
    if (!ok) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory for the density "
                      "field");
        goto done;
    }
    if (!b.rows_ok) {
        free(b.lo);
        free(b.hi);
        b.lo = b.hi = NULL;
    }
    pthread_barrier_t bar;
    pthread_t t;
    int two = threads > 1 && b.bh > 1 &&
              pthread_barrier_init(&bar, NULL, 2) == 0;
    worker w = {&b, &bar, nr[1]};
    if (two && pthread_create(&t, NULL, second_part, &w) != 0) {
        pthread_barrier_destroy(&bar);
        two = 0;
    }
    for (int s = 0; s < S_END; s++) {
        run_stage(&b, s, 0, two ? 2 : 1, nr[0]);
        if (two)
            pthread_barrier_wait(&bar);
    }
    if (two) {
        pthread_join(t, NULL);
        pthread_barrier_destroy(&bar);
    }
    f->max = b.max[0] > b.max[1] ? b.max[0] : b.max[1];
done:
    free(b.busy);
    free(b.active);
    free(b.super_flat);
    free(b.kind);
    free(b.node);
    free(b.col);
    free(b.ca);
    free(b.ra);
    free(b.lo);
    free(b.hi);
    free(nr[0]);
    free(nr[1]);
    return st;
}
