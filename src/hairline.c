/*
 * hairline.c - hairline presets and how density changes across them.
 *
 * A preset is a curve b = bh(a) in head-frame coordinates (region.c: a
 * across the head, b towards the front) plus a default edge.  The curve is
 * laid into the photo as a polyline; the profile of a point is a function
 * of its signed distance to that polyline, in millimetres:
 *   sharp      crisp, edged-up: full density right up to the line;
 *   soft       a smooth ramp over the band;
 *   feathered  a ramp whose position wanders along the line and across the
 *              band (two scales of value noise), patchy density inside the
 *              band, and a sparse tail of lone dots ahead of it, so no
 *              smooth line can be seen.
 */
#include <math.h>
#include <string.h>
#include "hairline.h"

/*
 * Where the middle of the hairline sits, as a share of the forward
 * semi-axis.  Seen from above (the head ellipse is the skull's outline)
 * it is about a quarter of the head's length behind the front; seen from
 * the front (the ellipse runs from the crown to the chin) it is near the
 * ellipse's centre, a forehead's height above the brows.
 */
#define H_TOP 0.55
#define H_FRONT 0.0

static double gauss(double x, double s) { return exp(-(x * x) / (s * s)); }

/*
 * A preset's shape in head-frame terms.  `bend`: how far the sides fall
 * away from the middle (back, seen from above; down towards the
 * sideburns, seen from the front).  `recess`: temple recession, centred
 * at |a| = recess_at, which is a step back in either view.  `peak`: a
 * widow's peak.  `corner`: where a barber's line turns crisply at the
 * temples (0: no corner).
 */
static const struct preset {
    const char *name;
    smp_edge edge;
    double drop, bend, recess, recess_at, recess_w, peak, peak_w, corner;
} presets[] = {
    {"feathered", SMP_EDGE_FEATHERED, 0, 0.28, 0.06, 0.60, 0.20, 0, 1, 0},
    {"sharp", SMP_EDGE_SHARP, 0, 0.04, 0, 0, 1, 0, 1, 0.62},
    {"receding", SMP_EDGE_SOFT, -0.08, 0.18, 0.30, 0.52, 0.17, 0, 1, 0},
    {"widows-peak", SMP_EDGE_SOFT, -0.04, 0.26, 0.08, 0.32, 0.14, 0.10, 0.09, 0},
    {"straight", SMP_EDGE_SHARP, 0, 0, 0, 0, 1, 0, 1, 0},
    {"rounded", SMP_EDGE_SOFT, 0, 0.32, 0, 0, 1, 0, 1, 0},
    {"none", SMP_EDGE_SOFT, 0, 0, 0, 0, 1, 0, 1, 0},
};

static double curve(const struct preset *p, smp_view view, double a)
{
    double side = p->bend * a * a;
    double t = p->corner > 0 ? fabs(a) - p->corner : 0;
    if (t > 0)
        side += 2.2 * t * t + 0.5 * t;
    double b = p->drop - p->recess * gauss(fabs(a) - p->recess_at,
                                          p->recess_w) +
               p->peak * gauss(a, p->peak_w);
    return view == SMP_VIEW_FRONT ? H_FRONT + b + side : H_TOP + b - side;
}

static const char *const names[] = {
    "feathered", "sharp", "receding", "widows-peak", "straight", "rounded",
    "none", NULL};

const char *const *smp_hairline_names(void) { return names; }

/* ---- value noise, hashed from the seed: no tables, no state ---------- */

static double hash01(uint64_t seed, int64_t i, int64_t j)
{
    uint64_t z = seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull) ^
                 ((uint64_t)j * 0xc2b2ae3d27d4eb4full);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double fade(double t) { return t * t * (3 - 2 * t); }

/* In [-1, 1], smooth, features about one unit apart.  `m` (or NULL)
 * keeps the corners of the last lattice cell, which the next point
 * usually shares. */
static double noise2(uint64_t seed, double x, double y, smp_noise_memo *m)
{
    /* floor, without the call (the noise's arguments are millimetres) */
    int64_t i = (int64_t)x, j = (int64_t)y;
    i -= (double)i > x;
    j -= (double)j > y;
    double fx = (double)i, fy = (double)j;
    double tx = fade(x - fx), ty = fade(y - fy);
    double v[4];
    if (m && m->ok && m->i == i && m->j == j) {
        memcpy(v, m->v, sizeof v);
    } else {
        v[0] = hash01(seed, i, j);
        v[1] = hash01(seed, i + 1, j);
        v[2] = hash01(seed, i, j + 1);
        v[3] = hash01(seed, i + 1, j + 1);
        if (m) {
            m->ok = 1;
            m->i = i;
            m->j = j;
            memcpy(m->v, v, sizeof v);
        }
    }
    double a = v[0] + (v[1] - v[0]) * tx, b = v[2] + (v[3] - v[2]) * tx;
    return 2 * (a + (b - a) * ty) - 1;
}

/* Chunk c's last point (its segments run from its first up to it). */
static int chunk_end(int c)
{
    int end = (c + 1) * SMP_HAIRLINE_CHUNK;
    return end < SMP_HAIRLINE_SAMPLES ? end : SMP_HAIRLINE_SAMPLES - 1;
}

/* ---- the curve in the photo ------------------------------------------ */

smp_status smp_hairline_init(smp_hairline *hl, const char *name,
                             const smp_frame *fr, smp_view view,
                             double scale, smp_edge edge, double shift_mm,
                             double feather_mm, uint64_t seed,
                             smp_error *err)
{
    const struct preset *p = NULL;
    for (size_t i = 0; i < sizeof presets / sizeof *presets; i++)
        if (strcmp(presets[i].name, name) == 0)
            p = &presets[i];
    if (!p)
        return smp_fail(err, SMP_ERR_ARG, "unknown hairline '%s' (try "
                        "feathered, sharp, receding, widows-peak, straight, "
                        "rounded or none)", name);
    if (!(scale > 0) || !(feather_mm >= 0) || !isfinite(shift_mm))
        return smp_fail(err, SMP_ERR_ARG, "invalid hairline parameters");
    memset(hl, 0, sizeof *hl);
    hl->none = strcmp(p->name, "none") == 0;
    hl->edge = edge == SMP_EDGE_PRESET ? p->edge : edge;
    hl->scale = scale;
    hl->frame = *fr;
    hl->seed = seed ^ 0x6a09e667f3bcc908ull;
    if (feather_mm > 0)
        hl->width_mm = feather_mm;
    else
        hl->width_mm = hl->edge == SMP_EDGE_FEATHERED ? 10.0
                     : hl->edge == SMP_EDGE_SOFT ? 4.0 : 0.4;
    if (hl->edge == SMP_EDGE_SHARP && feather_mm <= 0)
        hl->width_mm = 0.4;
    /* the profile changes up to half a band behind the line and, with the
     * feathered tail and wander, a band and a half ahead of it */
    hl->reach_px = (1.6 * hl->width_mm + 2.0) * scale;
    /* past half the band the ramp is full, and the feathered line's
     * wander moves it by at most 0.42 of the band (and a hair more) */
    hl->full_px = ((hl->edge == SMP_EDGE_FEATHERED ? 0.93 : 0.51) *
                   hl->width_mm + 1e-6) * scale;
    if (hl->none)
        return SMP_OK;
    double shift_b = shift_mm * scale / fr->fwd_r;
    for (int i = 0; i < SMP_HAIRLINE_SAMPLES; i++) {
        double a = -1.0 + 2.0 * i / (SMP_HAIRLINE_SAMPLES - 1);
        hl->bh[i] = curve(p, view, a) + shift_b;
        smp_frame_to_photo(fr, a, hl->bh[i], &hl->x[i], &hl->y[i]);
    }
    for (int c = 0; c < SMP_HAIRLINE_SAMPLES / SMP_HAIRLINE_CHUNK; c++) {
        double *b = hl->box[c];
        b[0] = b[2] = hl->x[c * SMP_HAIRLINE_CHUNK];
        b[1] = b[3] = hl->y[c * SMP_HAIRLINE_CHUNK];
        for (int i = c * SMP_HAIRLINE_CHUNK, end = chunk_end(c); i <= end;
             i++) {
            b[0] = fmin(b[0], hl->x[i]);
            b[1] = fmin(b[1], hl->y[i]);
            b[2] = fmax(b[2], hl->x[i]);
            b[3] = fmax(b[3], hl->y[i]);
        }
    }
    return SMP_OK;
}

static double seg_dist2(double px, double py, double x0, double y0,
                        double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = x0 + t * dx - px, ey = y0 + t * dy - py;
    return ex * ex + ey * ey;
}

static double dmax(double a, double b) { return a > b ? a : b; }

/* Squared distance from (x, y) to chunk c's bounding box (0 inside). */
static double chunk_gap2(const smp_hairline *hl, int c, double x, double y)
{
    const double *b = hl->box[c];
    double ox = dmax(0, dmax(b[0] - x, x - b[2]));
    double oy = dmax(0, dmax(b[1] - y, y - b[3]));
    return ox * ox + oy * oy;
}

/* Squared distance from (x, y) to the polyline, or `limit2` if farther;
 * *hint (or -1) a segment that was nearest to a point close by, and then
 * the nearest found.  The hint's distance is a bound: the chunks it rules
 * out hold nothing nearer, so the minimum is the same. */
static double dist2(const smp_hairline *hl, double x, double y,
                    double limit2, int *hint)
{
    double best = limit2;
    if (*hint >= 0) {
        int i = *hint;
        double d2 = seg_dist2(x, y, hl->x[i], hl->y[i], hl->x[i + 1],
                              hl->y[i + 1]);
        if (d2 < best)
            best = d2;
    }
    for (int c = 0; c < SMP_HAIRLINE_SAMPLES / SMP_HAIRLINE_CHUNK; c++) {
        if (chunk_gap2(hl, c, x, y) >= best)
            continue;
        for (int i = c * SMP_HAIRLINE_CHUNK, end = chunk_end(c); i < end;
             i++) {
            double d2 = seg_dist2(x, y, hl->x[i], hl->y[i], hl->x[i + 1],
                                  hl->y[i + 1]);
            if (d2 < best) {
                best = d2;
                *hint = i;
            }
        }
    }
    return best;
}

static double nearest2(const smp_hairline *hl, double x, double y,
                       double limit2)
{
    int hint = -1;
    return dist2(hl, x, y, limit2, &hint);
}

/* +1 behind the line, -1 ahead of it. */
static int side(const smp_hairline *hl, double x, double y)
{
    double a, bb;
    smp_frame_to_head(&hl->frame, x, y, &a, &bb);
    double u = (a + 1.0) * 0.5 * (SMP_HAIRLINE_SAMPLES - 1);
    u = u < 0 ? 0 : u > SMP_HAIRLINE_SAMPLES - 1 ? SMP_HAIRLINE_SAMPLES - 1 : u;
    int i = (int)u;
    if (i >= SMP_HAIRLINE_SAMPLES - 1)
        i = SMP_HAIRLINE_SAMPLES - 2;
    double bh = hl->bh[i] + (hl->bh[i + 1] - hl->bh[i]) * (u - i);
    return bb < bh ? 1 : -1;
}

double smp_hairline_distance_mm(const smp_hairline *hl, double x, double y)
{
    double d = sqrt(nearest2(hl, x, y, hl->reach_px * hl->reach_px));
    return side(hl, x, y) * d / hl->scale;
}

int smp_hairline_flat(const smp_hairline *hl, double x, double y,
                      double margin_px, double *value)
{
    if (hl->none) {
        *value = 1.0;
        return 1;
    }
    double lim = hl->reach_px + margin_px;
    if (nearest2(hl, x, y, lim * lim) < lim * lim)
        return 0;
    /* beyond the reach every profile is 0 ahead and 1 behind */
    *value = side(hl, x, y) > 0 ? 1.0 : 0.0;
    return 1;
}

static double smoothstep(double e0, double e1, double x)
{
    if (x <= e0) return 0;
    if (x >= e1) return 1;
    return fade((x - e0) / (e1 - e0));
}

/* The profile at (x, y), s mm behind (+) or ahead of (-) the line. */
static double profile_at(const smp_hairline *hl, double x, double y,
                         double s, smp_noise_memo *memo)
{
    double w = hl->width_mm;
    switch (hl->edge) {
    case SMP_EDGE_SHARP:
        return smoothstep(-0.5 * w, 0.5 * w, s);
    case SMP_EDGE_SOFT:
        return smoothstep(-0.5 * w, 0.5 * w, s);
    default:
        break;
    }
    /* feathered: the line wanders by up to ~a third of the band along the
     * head (features ~8 mm apart) and the band itself is patchy (~2.5 mm) */
    double mx = x / hl->scale, my = y / hl->scale;
    double wander = 0.30 * w * noise2(hl->seed, mx / 8.0, my / 8.0,
                                      memo ? &memo[0] : NULL) +
                    0.12 * w * noise2(hl->seed + 1, mx / 2.5, my / 2.5,
                                      memo ? &memo[1] : NULL);
    double t = s + wander;
    double ramp = smoothstep(-0.5 * w, 0.5 * w, t);
    ramp *= ramp;                       /* thin out faster at the front */
    if (ramp > 0 && ramp < 1) {
        double patch = 0.75 + 0.35 * noise2(hl->seed + 2, mx / 1.8, my / 1.8,
                                            memo ? &memo[2] : NULL);
        ramp = ramp * patch < 1.0 ? ramp * patch : 1.0;
    }
    /* lone dots scattered up to a band ahead of the ramp (sparse enough
     * that placement keeps them clear of the ramp itself) */
    double ahead = -0.5 * w - t;
    double tail = ahead > 0 ? 0.07 * (1.0 - ahead / w) : 0.07;
    return dmax(ramp, dmax(tail, 0));
}

/* ---- a row of points at once ------------------------------------------ */

/* One noise along a row (smp_noise_row): the lattice row and its fade
 * are the row's, a lattice cell's corners are kept while the points stay
 * in it.  The arithmetic is noise2's, step for step, so the numbers are
 * too. */
typedef smp_noise_row noise_row;

static void noise_row_init(noise_row *r, uint64_t seed, double y)
{
    int64_t j = (int64_t)y;
    j -= (double)j > y;
    r->seed = seed;
    r->j = j;
    r->ty = fade(y - (double)j);
    r->ok = 0;
}

/* A new lattice cell's corners (rarely: cells are many points wide),
 * and their differences across, as noise2's lerps take them. */
static void noise_row_move(noise_row *r, int64_t i)
{
    double *v = r->v;
    v[0] = hash01(r->seed, i, r->j);
    v[1] = hash01(r->seed, i + 1, r->j);
    v[2] = hash01(r->seed, i, r->j + 1);
    v[3] = hash01(r->seed, i + 1, r->j + 1);
    r->d01 = v[1] - v[0];
    r->d23 = v[3] - v[2];
    r->i = i;
    r->ok = 1;
}

/* The noise at a point of the row whose column is in lattice column i,
 * faded fraction tx. */
static inline double noise_row_at(noise_row *r, int64_t i, double tx)
{
    if (!r->ok || r->i != i)
        noise_row_move(r, i);
    const double *v = r->v;
    double a = v[0] + r->d01 * tx, b = v[2] + r->d23 * tx;
    return 2 * (a + (b - a) * r->ty) - 1;
}

void smp_hairline_column(const smp_hairline *hl, double x,
                         smp_hairline_col *col)
{
    double mx = x / hl->scale;
    double arg[3] = {mx / 8.0, mx / 2.5, mx / 1.8};
    for (int k = 0; k < 3; k++) {
        /* noise2's floor and fade of the column's argument */
        int64_t i = (int64_t)arg[k];
        i -= (double)i > arg[k];
        col->i[k] = i;
        col->tx[k] = fade(arg[k] - (double)i);
    }
}

void smp_hairline_row_init(const smp_hairline *hl, double y,
                           smp_hairline_row *row)
{
    double my = y / hl->scale;
    noise_row_init(&row->nz[0], hl->seed, my / 8.0);
    noise_row_init(&row->nz[1], hl->seed + 1, my / 2.5);
    noise_row_init(&row->nz[2], hl->seed + 2, my / 1.8);
}

void smp_hairline_profile_row(const smp_hairline *hl, smp_hairline_row *row,
                              const smp_hairline_col *col, const double *s,
                              int n, double slack, float *out)
{
    if (hl->none) {
        for (int k = 0; k < n; k++)
            out[k] = 1.0f;
        return;
    }
    double w = hl->width_mm;
    if (hl->edge != SMP_EDGE_FEATHERED) {
        for (int k = 0; k < n; k++)
            out[k] = (float)smoothstep(-0.5 * w, 0.5 * w, s[k]);
        return;
    }
    /* profile_at's feathered branch, with the noise rows shared */
    noise_row *nz = row->nz;
    for (int k = 0; k < n; k++) {
        const smp_hairline_col *c = &col[k];
        double wander = 0.30 * w * noise_row_at(&nz[0], c->i[0], c->tx[0]) +
                        0.12 * w * noise_row_at(&nz[1], c->i[1], c->tx[1]);
        double t = s[k] + wander;
        if (fabs(t - 0.5 * w) <= slack) {
            out[k] = -1;        /* the patchy ramp's step to full */
            continue;
        }
        double ramp = smoothstep(-0.5 * w, 0.5 * w, t);
        ramp *= ramp;
        if (ramp > 0 && ramp < 1) {
            double patch = 0.75 + 0.35 * noise_row_at(&nz[2], c->i[2],
                                                      c->tx[2]);
            ramp = ramp * patch < 1.0 ? ramp * patch : 1.0;
        }
        double ahead = -0.5 * w - t;
        double tail = ahead > 0 ? 0.07 * (1.0 - ahead / w) : 0.07;
        out[k] = (float)dmax(ramp, dmax(tail, 0));
    }
}

int smp_hairline_behind(const smp_hairline *hl, double x, double y)
{
    return hl->none || side(hl, x, y) > 0;
}

double smp_hairline_dist2(const smp_hairline *hl, double x, double y,
                          double limit2, int *hint)
{
    return hl->none ? limit2 : dist2(hl, x, y, limit2, hint);
}

double smp_hairline_profile(const smp_hairline *hl, double x, double y)
{
    if (hl->none)
        return 1.0;
    return profile_at(hl, x, y, smp_hairline_distance_mm(hl, x, y), NULL);
}

/*
 * For a point p of the square, the segment nearest it is no farther
 * than the nearest to the centre c plus half the diagonal h; so it lies
 * within d(c) + 2h of c, and the segments that do are all p need test
 * (with a hair of slack for rounding: each distance is computed as
 * nearest2 computes it, so the minimum is the same number).
 */
/* near_init with the centre's squared distance to the line known. */
static void near_from(const smp_hairline *hl, double cx, double cy,
                      double half, double d2c, smp_hairline_near *nr)
{
    memset(nr->memo, 0, sizeof nr->memo);
    nr->n = 0;
    nr->cx = cx;
    nr->cy = cy;
    if (hl->none)
        return;
    nr->d_lo = sqrt(d2c) * (1 - 1e-9) - half - 1e-6;
    double lim = sqrt(d2c) + 2 * half;
    lim = lim * (1 + 1e-9) + 1e-6;
    double lim2 = lim * lim;
    for (int c = 0; c < SMP_HAIRLINE_SAMPLES / SMP_HAIRLINE_CHUNK; c++) {
        if (chunk_gap2(hl, c, cx, cy) > lim2)
            continue;
        for (int i = c * SMP_HAIRLINE_CHUNK, end = chunk_end(c); i < end;
             i++) {
            double d2 = seg_dist2(cx, cy, hl->x[i], hl->y[i], hl->x[i + 1],
                                  hl->y[i + 1]);
            if (d2 > lim2)
                continue;
            if (nr->n == SMP_HAIRLINE_NEAR) {
                nr->n = -1;     /* too many: test them all */
                return;
            }
            /* kept sorted by distance from the centre */
            int k = nr->n++;
            double d = sqrt(d2);
            for (; k > 0 && nr->dist[k - 1] > d; k--) {
                nr->seg[k] = nr->seg[k - 1];
                nr->dist[k] = nr->dist[k - 1];
            }
            nr->seg[k] = (uint16_t)i;
            nr->dist[k] = d;
        }
    }
}

void smp_hairline_near_init(const smp_hairline *hl, double cx, double cy,
                            double half, smp_hairline_near *nr)
{
    near_from(hl, cx, cy, half, hl->none ? 0 : nearest2(hl, cx, cy, INFINITY),
              nr);
}

int smp_hairline_block(const smp_hairline *hl, double cx, double cy,
                       double half, double *value, smp_hairline_near *nr)
{
    if (hl->none) {
        *value = 1.0;
        return 1;
    }
    /* as smp_hairline_flat; when not flat, the distance it found is the
     * centre's own (it is under the limit) */
    double lim = hl->reach_px + half;
    double d2 = nearest2(hl, cx, cy, lim * lim);
    if (d2 >= lim * lim) {
        *value = side(hl, cx, cy) > 0 ? 1.0 : 0.0;
        return 1;
    }
    near_from(hl, cx, cy, half, d2, nr);
    return 0;
}

double smp_hairline_profile_near(const smp_hairline *hl,
                                 smp_hairline_near *nr, double x, double y)
{
    if (hl->none)
        return 1.0;
    int sd = side(hl, x, y);
    if (sd > 0 && nr->n >= 0 && nr->d_lo > hl->full_px)
        return 1.0;             /* well behind the line: full */
    double best = hl->reach_px * hl->reach_px;
    if (nr->n < 0) {
        best = nearest2(hl, x, y, best);
    } else {
        /* a segment s is no nearer to (x, y) than its distance from the
         * centre less the point's: past the one where that exceeds the
         * best so far (by more than rounding), none is */
        double ox = x - nr->cx, oy = y - nr->cy;
        double off = sqrt(ox * ox + oy * oy) * (1 + 1e-9) + 1e-9;
        for (int k = 0; k < nr->n; k++) {
            double lb = nr->dist[k] - off;
            if (lb > 0 && lb * lb > best)
                break;
            int i = nr->seg[k];
            double d2 = seg_dist2(x, y, hl->x[i], hl->y[i], hl->x[i + 1],
                                  hl->y[i + 1]);
            if (d2 < best)
                best = d2;
        }
    }
    double s = sd * sqrt(best) / hl->scale;
    return profile_at(hl, x, y, s, nr->memo);
}
