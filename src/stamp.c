/*
 * stamp.c - pigment dots, stamped straight into the canvas.
 *
 * A dot is an ellipse with a soft edge, positioned to a fraction of a
 * pixel: each pixel gets a coverage from its distance to the dot's centre
 * in the dot's own (rotated, stretched) frame, the edge falling smoothly
 * over `softness * diameter`, and never over less than one pixel.  A dot
 * under 4 px across is seen as a camera's pixel sees it, averaged over
 * the pixel rather than taken at its centre, so that its darkness does
 * not depend on where it sits on the grid and it does not break into a
 * cross of pixels.  Coverage times the dot's opacity is the pigment load,
 * applied by the ink in linear light.  Pixels the dot does not reach are
 * never written.
 *
 * Speed: the coverage is a function of the squared distance alone, so it
 * comes from a table, not from a square root and a smoothstep per pixel.
 * Wider dots all have the same profile in units of their radius and
 * share one table; smaller ones have a table per 1/64 px of radius, made
 * when first needed.  The ink is a table too: for each load and byte,
 * the three bytes it becomes.  Each row visits only the span where the
 * dot can leave pigment, found from the squared distance's quadratic.
 * The outline's wobble bends the squared distance by its third harmonic,
 * exact at the rim, where it shows; along a span the bent distance is a
 * cubic, stepped pixel by pixel by its differences (from an exact start
 * every few pixels), so a pixel costs a few additions before its
 * lookups.  With SSE2 a dot's rows go four at a time, one a lane: spans,
 * starts and steps; a small dot's entries are all found before any pixel
 * is inked, so that neither waits on the other.  The plain C path does
 * the same float operations in the same order and gives the same bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stamp.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define BIG_N 1024              /* entries of the shared table */
#define BIN_N 128               /* entries of a small dot's table */
#define BINS_PER_PX 64          /* radius bins for small dots */
#define BOX_R 4.0f              /* small: averaged over a pixel below this */
#define MAX_BIN_R 48.0f         /* no bins past this radius */
#define FINE 16                 /* samples a pixel when averaging */
#define COV_ONE 65535.0f        /* full coverage in a table */

typedef struct profile {
    float scale;                /* entries per unit of squared distance */
    float end;                  /* squared distance where it ends (0 on) */
    float k, inv_k, inv_scale;  /* sqrt(scale), and 1/ each */
    uint16_t *lut;              /* n entries, then a 0 */
    uint16_t cut[257];          /* entries that leave pigment, by load */
} profile;

/*
 * An ink as a table: for each load q and each byte before, the bytes
 * after the filter in each channel (and one unused, so that a byte's
 * three are found with one scaled index): L' = L T^(q/255) in linear
 * light, through the 16-bit tables, once per entry.  Rows are made up to
 * the largest load used so far.
 */
#define INKS 4
typedef struct ink_table {
    const smp_ink *ink;
    const smp_lut *lut;
    int made;                   /* loads 0..made-1 are there */
    uint8_t (*row)[256][4];     /* [q][byte][channel] */
} ink_table;

struct smp_stamper {
    float softness, spread;
    float rc;                   /* dots below this radius: 1 px edge */
    float rb;                   /* and below this: a table of their own */
    int nbins;
    profile big;                /* in units of the radius squared */
    profile *bins;              /* by radius, in pixels squared */
    ink_table inks[INKS];       /* the last inks used */
    int next_ink, last_ink;
    int scalar;                 /* no SIMD (to test it gives the same) */
};

/* The coverage at distance d of a dot of radius r (edge e, skirt out to
 * `skirt` with load `spread`), as the dot's pixels sample it. */
static float coverage(float d, float r, float e, float skirt, float spread)
{
    float o = r + 0.5f * e;                 /* the core's coverage ends */
    float t = (o - d) / e;
    float cov = t <= 0.0f ? 0.0f
              : t >= 1.0f ? 1.0f : t * t * (3.0f - 2.0f * t);
    if (skirt > 0.0f && d < skirt) {
        float k = 1.0f - d / skirt;
        cov += spread * k * k * (1.0f - cov);
    }
    return cov;
}

/* The profile sampled in fine[] (every 1/FINE px from the centre, at
 * the middle of each step) at x >= 0. */
static float sample(const float *fine, int m, float x)
{
    float a = x * FINE - 0.5f;
    if (a <= 0)
        return fine[0];
    int j = (int)a;
    return j >= m ? 0 : fine[j] + (fine[j + 1] - fine[j]) * (a - j);
}

/* The integral of the profile sampled in fine[] (every 1/FINE px from
 * the centre, running sums in sum[]) from the centre to x; negative x
 * the other way (the profile is the same on both sides). */
static float integral(const float *sum, int m, float x)
{
    float a = fabsf(x) * FINE;
    int j = (int)a;
    float v = j >= m ? sum[m] : sum[j] + (sum[j + 1] - sum[j]) * (a - j);
    return x < 0 ? -v : v;
}

/*
 * The table (n entries) of a dot of radius r and edge e, distances in
 * units of `unit`.  With `box`, each entry is the profile averaged over a
 * pixel centred that far out, as a camera's pixel sees it (rather than
 * at its centre alone): exactly along the radius, from a fine running
 * integral, and across it to second order (the curvature term f'/24d of
 * the pixel's variance 1/12); a small dot's darkness then no longer
 * depends on where it sits on the pixel grid.
 */
static void profile_make(profile *p, int n, float r, float e, float spread,
                         float unit, int box)
{
    float skirt = spread > 0 ? 1.8f * r : 0.0f;
    float reach = r + 0.5f * e > skirt ? r + 0.5f * e : skirt;
    int m = box ? (int)((reach + 1.5f) * FINE) + 2 : 0;
    float *fine = box ? malloc(2 * ((size_t)m + 1) * sizeof *fine) : NULL;
    float *sum = fine ? fine + m + 1 : NULL;
    if (fine) {
        reach += 0.75f;         /* a pixel's half diagonal further */
        sum[0] = 0;
        for (int j = 0; j < m; j++) {
            fine[j] = coverage(((float)j + 0.5f) / FINE, r, e, skirt, spread);
            sum[j + 1] = sum[j] + fine[j] / FINE;
        }
        fine[m] = 0;
    }
    float end = reach / unit;
    p->end = end * end;
    p->scale = (float)n / p->end;
    p->k = sqrtf(p->scale);
    p->inv_k = 1.0f / p->k;
    p->inv_scale = 1.0f / p->scale;
    for (int i = 0; i < n; i++) {
        /* the middle of the entry's interval */
        float d = sqrtf(((float)i + 0.5f) / p->scale) * unit;
        float v;
        if (!fine) {
            v = coverage(d, r, e, skirt, spread);
        } else {
            const float h = 1.0f / FINE;
            /* f'(d) / d, and its limit f''(0) at the centre */
            float fd = d > 2 * h ? (sample(fine, m, d + h) -
                                    sample(fine, m, d - h)) / (2 * h * d)
                     : (fine[1] - fine[0]) / (h * h);
            v = integral(sum, m, d + 0.5f) - integral(sum, m, d - 0.5f) +
                fd / 24.0f;
            v = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        p->lut[i] = (uint16_t)(v * COV_ONE + 0.5f);
    }
    free(fine);
    p->lut[n] = 0;
    /* at a load up to L, entries past cut[L] give q = 0 (loads below half
     * a step round to nothing; the profile falls with distance, and the
     * cut moves out as the load grows) */
    int last = 0;
    p->cut[0] = 0;
    for (int l = 1; l <= 256; l++) {
        uint32_t lfix = (uint32_t)l * 256, cmin = ((1u << 23) + lfix - 1) /
                                                  lfix;
        while (last < n && p->lut[last] >= cmin)
            last++;
        p->cut[l] = (uint16_t)last;
    }
}

smp_stamper *smp_stamper_new(double softness, double spread)
{
    smp_stamper *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->softness = softness > 0 ? (float)softness : 0.0f;
    st->spread = spread > 0 ? (float)spread : 0.0f;
    /* the edge is softness * 2r, at least 1 px: 1 px below rc */
    st->rc = st->softness > 0 ? 0.5f / st->softness : MAX_BIN_R;
    if (st->rc > MAX_BIN_R)
        st->rc = MAX_BIN_R;
    st->rb = st->rc > BOX_R ? st->rc : BOX_R;
    st->nbins = (int)ceilf(st->rb * BINS_PER_PX) + 1;
    st->bins = calloc((size_t)st->nbins, sizeof *st->bins);
    if (!st->bins) {
        smp_stamper_free(st);
        return NULL;
    }
    return st;
}

void smp_stamper_free(smp_stamper *st)
{
    if (!st)
        return;
    for (int k = 0; k < INKS; k++)
        free(st->inks[k].row);
    for (int b = 0; b < st->nbins; b++)
        free(st->bins[b].lut);
    free(st->bins);
    free(st->big.lut);
    free(st);
}

#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#else
#define COLD
#endif

/* The table p (bin b, or the shared one when b < 0) made; NULL when out
 * of memory.  Apart from the hot path, which only finds it there. */
static COLD const profile *table_make(smp_stamper *st, profile *p, int b)
{
    if (b < 0) {
        if ((p->lut = malloc((BIG_N + 1) * sizeof *p->lut)))
            profile_make(p, BIG_N, 1.0f, 2.0f * st->softness, st->spread,
                         1.0f, 0);
    } else {
        float rb = (float)b / BINS_PER_PX, e = 2.0f * st->softness * rb;
        if ((p->lut = malloc((BIN_N + 1) * sizeof *p->lut)))
            profile_make(p, BIN_N, rb, e > 1.0f ? e : 1.0f, st->spread,
                         1.0f, 1);
    }
    return p->lut ? p : NULL;
}

/* The table for radius r, made if needed; *unit: the length in pixels of
 * its unit of distance (r for the shared table).  NULL when out of
 * memory or too large. */
static inline const profile *table(smp_stamper *st, float r, float *unit)
{
    profile *p;
    int b = -1;
    if (r >= st->rb && st->softness > 0) {
        /* wide enough for its edge to be smooth across a pixel */
        p = &st->big;
        *unit = r;
    } else {
        b = (int)(r * BINS_PER_PX + 0.5f);
        if (b >= st->nbins)
            return NULL;        /* a dot over 96 px wide with no edge */
        p = &st->bins[b];
        *unit = 1.0f;
    }
    return p->lut ? p : table_make(st, p, b);
}

/* ink_of when the last ink used is not this one with loads up to qmax:
 * finds or makes its table, and its rows up to qmax. */
static COLD ink_table *ink_make(smp_stamper *st, const smp_ink *ink,
                                const smp_lut *lut, int qmax)
{
    ink_table *t = &st->inks[st->last_ink];
    if (t->ink != ink || t->lut != lut || !t->row) {
        t = NULL;
        for (int k = 0; k < INKS && !t; k++)
            if (st->inks[k].ink == ink && st->inks[k].lut == lut &&
                st->inks[k].row)
                t = &st->inks[k];
        if (!t) {
            t = &st->inks[st->next_ink];
            st->next_ink = (st->next_ink + 1) % INKS;
            if (!t->row && !(t->row = malloc(256 * sizeof *t->row)))
                return NULL;
            t->ink = ink;
            t->lut = lut;
            t->made = 0;
        }
        st->last_ink = (int)(t - st->inks);
    }
    for (; t->made <= qmax; t->made++)
        for (int c = 0; c < 3; c++) {
            uint32_t m = ink->mul[c][t->made];
            for (int v = 0; v < 256; v++)
                t->row[t->made][v][c] = lut->l2s[(lut->s2l[v] * m + 32768u)
                                                 >> 16];
        }
    return t;
}

/* The ink's table, with loads up to qmax; NULL when out of memory. */
static inline ink_table *ink_of(smp_stamper *st, const smp_ink *ink,
                                const smp_lut *lut, int qmax)
{
    ink_table *t = &st->inks[st->last_ink];
    if (t->ink == ink && t->lut == lut && t->row && t->made > qmax)
        return t;
    return ink_make(st, ink, lut, qmax);
}

/* Filters one pixel through the ink at load q (0, which leaves it as it
 * was, to 255): f is the ink's row for q.  The three bytes are read
 * before any is written: a read just after a write to the next byte can
 * wait for the write. */
static inline void put(uint8_t *restrict p, const uint8_t *f)
{
    size_t r = p[0], g = p[1], b = p[2];
    uint8_t r1 = f[4 * r], g1 = f[4 * g + 1], b1 = f[4 * b + 2];
    p[0] = r1;
    p[1] = g1;
    p[2] = b1;
}

/* ceil and floor of x, as ints (|x| well within int range) */
static inline int ceil_int(float x)
{
    int i = (int)x;
    return i + ((float)i < x);
}

static inline int floor_int(float x)
{
    int i = (int)x;
    return i - ((float)i > x);
}

/*
 * sin and cos of x to within a few units of the last place of a float,
 * with no call: x less the nearest multiple of pi/2 (in three parts, so
 * exactly enough for any angle a dot has), then the Taylor series to the
 * x^8 and x^9 terms, which on [-pi/4, pi/4] are past float precision.
 * Plain float operations: the same on every compiler.
 */
static void sin_cos(float x, float *sn, float *cs)
{
    if (!(fabsf(x) < 1e5f))     /* no dot turns that far; NaN too */
        x = 0.0f;
    float k = x * 0.636619772f;                 /* 2 / pi */
    int n = k < 0.0f ? (int)(k - 0.5f) : (int)(k + 0.5f);
    float kn = (float)n;
    float r = ((x - kn * 1.5703125f) - kn * 4.83751297e-4f) -
              kn * 7.54978995e-8f;
    float r2 = r * r;
    float s = r + r * r2 * (-1.0f / 6.0f + r2 * (1.0f / 120.0f +
                  r2 * (-1.0f / 5040.0f + r2 * (1.0f / 362880.0f))));
    float c = 1.0f + r2 * (-0.5f + r2 * (1.0f / 24.0f + r2 *
                  (-1.0f / 720.0f + r2 * (1.0f / 40320.0f))));
    switch (n & 3) {
    case 0: *sn = s; *cs = c; break;
    case 1: *sn = c; *cs = -s; break;
    case 2: *sn = -s; *cs = -c; break;
    default: *sn = -c; *cs = s; break;
    }
}

/*
 * What the rows and pixels of one dot need, in the dot's frame scaled so
 * that the squared distance is the table's index.  Row y starts at
 * (dy su, dy sv), dy = y + 0.5 - the dot's y, and pixel x of it lies at
 * t = x - xc along it, a step (du, dv) a pixel; the unbent index is
 * f = u^2 + v^2, on a row a t^2 + b t + c0, within reach2 on the row's
 * span [x0, x1).  Pixel x0 + j of the span lies at (u0 + j du, v0 + j dv),
 * where f and the bent index g = f - h (see smp_stamper_dot) are
 * polynomials in j, of degree 2 and 3, stepped along the span by their
 * differences.
 */
typedef struct dot_frame {
    float y, su, sv, du, dv;
    float a, a4, inv_2a, reach2, xc, xend;  /* xend: the canvas's width */
    float wa, wb, wc, wd, lo;   /* the outline's wobble */
    float h1u, h1v, h1uv;       /* h's j term: h1u u0^2 + h1v v0^2 + ... */
    float h2u, h2v, h3;         /* its j^2 term h2u u0 + h2v v0; j^3 */
    float fin;                  /* entries from here on leave nothing */
    int nmax;                   /* no span is longer */
} dot_frame;

/* A span's start: f, g and their differences from one pixel to the
 * next. */
enum { G0, G1, G2, G3, F0, F1, F2, NSTEP };

/*
 * The plain C path, which the SIMD one follows operation for operation
 * (in the same order, with no contraction into fused multiply-adds), so
 * that the two give the same bytes.
 */

/* Row y's span [x0, x1) within the dot's reach, clipped to the canvas
 * (empty when x0 >= x1), and where its first pixel lies. */
static inline void span1(const dot_frame *fr, int y, float *u0, float *v0,
                         int *x0, int *x1)
{
    float dy = ((float)y + 0.5f) - fr->y;
    float u = dy * fr->su, v = dy * fr->sv;
    float b = 2.0f * (u * fr->du + v * fr->dv);
    float c0 = u * u + v * v;
    float disc = b * b - fr->a4 * (c0 - fr->reach2);
    float root = sqrtf(disc > 0.0f ? disc : 0.0f);
    float l = fr->xc + (-b - root) * fr->inv_2a;
    float h = fr->xc + (-b + root) * fr->inv_2a;
    /* clipped before they become ints (a NaN gives an empty span) */
    l = l > 0.0f ? l : 0.0f;
    l = l < fr->xend ? l : fr->xend;
    h = h > -1.0f ? h : -1.0f;
    h = h < fr->xend - 1.0f ? h : fr->xend - 1.0f;
    *x0 = ceil_int(l);
    int n = disc > 0.0f ? floor_int(h) + 1 - *x0 : 0;
    n = n > 0 ? n : 0;
    *x1 = *x0 + (n < fr->nmax ? n : fr->nmax);
    float t = (float)*x0 - fr->xc;
    *u0 = u + fr->du * t;
    *v0 = v + fr->dv * t;
}

/* The differences along a span starting at (u, v). */
static inline void steps1(const dot_frame *fr, float u, float v, float *c,
                          int wobble)
{
    float uu = u * u, vv = v * v;
    float f0 = uu + vv;
    float f1 = 2.0f * (u * fr->du + v * fr->dv);
    c[F0] = f0;
    c[F1] = f1 + fr->a;
    c[F2] = 2.0f * fr->a;
    c[G0] = c[G1] = c[G2] = c[G3] = 0.0f;
    if (wobble) {
        float h0 = u * (fr->wa * uu + fr->wb * vv) +
                   v * (fr->wc * uu + fr->wd * vv);
        float h1 = (fr->h1u * uu + fr->h1v * vv) + fr->h1uv * (u * v);
        float h2 = fr->h2u * u + fr->h2v * v;
        float g1 = f1 - h1, g2 = fr->a - h2, g3 = -fr->h3;
        c[G0] = f0 - h0;
        c[G1] = (g1 + g2) + g3;
        c[G2] = 2.0f * g2 + 6.0f * g3;
        c[G3] = 6.0f * g3;
    }
}

#define PIECE 16                /* pixels stepped from one exact start */

/* The table entries of m pixels of a span from their differences c[]
 * (stepped on past them), every stride'th of e[]. */
static inline void steps_entries(const dot_frame *fr, float *c, int m,
                                 int32_t *e, int stride, int wobble)
{
    for (int j = 0; j < m; j++) {
        float x = c[F0];
        if (wobble) {
            float low = fr->lo * c[F0];
            x = c[G0] > low ? c[G0] : low;
            c[G0] += c[G1];
            c[G1] += c[G2];
            c[G2] += c[G3];
        }
        c[F0] += c[F1];
        c[F1] += c[F2];
        x = x < fr->fin ? x : fr->fin;
        e[j * stride] = (int)x;
    }
}

/* n pixels through the ink, from their table entries, every fourth of
 * e[] (a function of its own, so that the loop has the registers to
 * itself). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void span_put(uint8_t *restrict px, const int32_t *restrict e, int n,
                     const uint16_t *restrict lut16, uint32_t lfix,
                     const uint8_t *restrict tab)
{
    for (int k = 0; k < n; k++)
        put(px + 4 * k, tab + ((((uint32_t)lut16[e[4 * k]] * lfix +
                                 (1u << 23)) >> 24) << 10));
}

static void dot_c(const dot_frame *fr, smp_image *canvas, int y0, int y1,
                  const uint16_t *lut16, uint32_t lfix, const uint8_t *tab,
                  int wobble)
{
    int32_t e[4 * PIECE];
    for (int y = y0; y < y1; y++) {
        float u0, v0, c[NSTEP];
        int x0, x1;
        span1(fr, y, &u0, &v0, &x0, &x1);
        uint8_t *px = canvas->pixels + (size_t)y * canvas->stride +
                      (size_t)x0 * 4;
        for (int j0 = 0; j0 < x1 - x0; j0 += PIECE) {
            const int m = x1 - x0 - j0 < PIECE ? x1 - x0 - j0 : PIECE;
            steps1(fr, u0 + fr->du * (float)j0, v0 + fr->dv * (float)j0, c,
                   wobble);
            steps_entries(fr, c, m, e, 4, wobble);
            span_put(px + 4 * (size_t)j0, e, m, lut16, lfix, tab);
        }
    }
}

#ifdef __SSE2__
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif
/* span1 for rows y..y+3, the spans' lengths (0 for rows from y + rows
 * on, at most fr->nmax) in sn[]; where they start in *su0, *sv0, one a
 * lane; returns the longest span's length. */
static ALWAYS_INLINE int span4(const dot_frame *fr, int y, int rows,
                               int32_t *sx0, int32_t *sn, __m128 *su0,
                               __m128 *sv0)
{
    const __m128 zero = _mm_setzero_ps();
    const __m128 lanes = _mm_setr_ps(0.0f, 1.0f, 2.0f, 3.0f);
    const __m128 du = _mm_set1_ps(fr->du), dv = _mm_set1_ps(fr->dv);
    const __m128 xc = _mm_set1_ps(fr->xc);
    __m128 dy = _mm_sub_ps(_mm_add_ps(_mm_add_ps(_mm_set1_ps((float)y),
                                                 lanes),
                                      _mm_set1_ps(0.5f)),
                           _mm_set1_ps(fr->y));
    __m128 u = _mm_mul_ps(dy, _mm_set1_ps(fr->su));
    __m128 v = _mm_mul_ps(dy, _mm_set1_ps(fr->sv));
    __m128 b = _mm_mul_ps(_mm_set1_ps(2.0f),
                          _mm_add_ps(_mm_mul_ps(u, du), _mm_mul_ps(v, dv)));
    __m128 c0 = _mm_add_ps(_mm_mul_ps(u, u), _mm_mul_ps(v, v));
    __m128 disc = _mm_sub_ps(_mm_mul_ps(b, b),
                             _mm_mul_ps(_mm_set1_ps(fr->a4),
                                        _mm_sub_ps(c0,
                                                   _mm_set1_ps(fr->reach2))));
    __m128 root = _mm_sqrt_ps(_mm_max_ps(disc, zero));
    __m128 nb = _mm_xor_ps(b, _mm_set1_ps(-0.0f));
    __m128 i2a = _mm_set1_ps(fr->inv_2a), xend = _mm_set1_ps(fr->xend);
    __m128 l = _mm_add_ps(xc, _mm_mul_ps(_mm_sub_ps(nb, root), i2a));
    __m128 h = _mm_add_ps(xc, _mm_mul_ps(_mm_add_ps(nb, root), i2a));
    l = _mm_min_ps(_mm_max_ps(l, zero), xend);
    h = _mm_min_ps(_mm_max_ps(h, _mm_set1_ps(-1.0f)),
                   _mm_sub_ps(xend, _mm_set1_ps(1.0f)));
    /* ceil(l) = trunc(l) + (trunc(l) < l), as l >= 0; floor(h) is
     * trunc(h) - (trunc(h) > h) */
    __m128i li = _mm_cvttps_epi32(l), hi = _mm_cvttps_epi32(h);
    __m128i lc = _mm_sub_epi32(li, _mm_castps_si128(
                     _mm_cmplt_ps(_mm_cvtepi32_ps(li), l)));
    __m128i hf = _mm_add_epi32(hi, _mm_castps_si128(
                     _mm_cmpgt_ps(_mm_cvtepi32_ps(hi), h)));
    /* n = floor(h) + 1 - x0 where disc > 0 (ok = -1), else 0; then
     * clamped to [0, nmax], and 0 past the last row */
    __m128i ok = _mm_castps_si128(_mm_cmpgt_ps(disc, zero));
    __m128i n = _mm_and_si128(_mm_sub_epi32(_mm_sub_epi32(hf, ok), lc), ok);
    n = _mm_andnot_si128(_mm_cmplt_epi32(n, _mm_setzero_si128()), n);
    __m128i nmax = _mm_set1_epi32(fr->nmax);
    __m128i big = _mm_cmpgt_epi32(n, nmax);
    n = _mm_or_si128(_mm_andnot_si128(big, n), _mm_and_si128(big, nmax));
    n = _mm_and_si128(n, _mm_cmplt_epi32(_mm_setr_epi32(0, 1, 2, 3),
                                         _mm_set1_epi32(rows)));
    __m128 t = _mm_sub_ps(_mm_cvtepi32_ps(lc), xc);
    u = _mm_add_ps(u, _mm_mul_ps(du, t));
    v = _mm_add_ps(v, _mm_mul_ps(dv, t));
    _mm_storeu_si128((__m128i *)sx0, lc);
    _mm_storeu_si128((__m128i *)sn, n);
    *su0 = u;
    *sv0 = v;
    /* the largest lane: n is in [0, nmax], so 16 bits hold it (the high
     * halves are 0), and SSE2's 16-bit max serves */
    __m128i m = _mm_max_epi16(n, _mm_shuffle_epi32(n, _MM_SHUFFLE(1, 0, 3,
                                                                  2)));
    m = _mm_max_epi16(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(m);
}

/* steps1 for four spans, starting at u, v (one a lane) */
static ALWAYS_INLINE void steps4(const dot_frame *fr, __m128 u, __m128 v,
                                 __m128 *c, int wobble)
{
#define SET(x) _mm_set1_ps(x)
    __m128 uu = _mm_mul_ps(u, u), vv = _mm_mul_ps(v, v);
    __m128 f0 = _mm_add_ps(uu, vv);
    __m128 f1 = _mm_mul_ps(SET(2.0f), _mm_add_ps(_mm_mul_ps(u, SET(fr->du)),
                                                 _mm_mul_ps(v, SET(fr->dv))));
    c[F0] = f0;
    c[F1] = _mm_add_ps(f1, SET(fr->a));
    c[F2] = SET(2.0f * fr->a);
    c[G0] = c[G1] = c[G2] = c[G3] = _mm_setzero_ps();
    if (wobble) {
        __m128 h0 = _mm_add_ps(
            _mm_mul_ps(u, _mm_add_ps(_mm_mul_ps(SET(fr->wa), uu),
                                     _mm_mul_ps(SET(fr->wb), vv))),
            _mm_mul_ps(v, _mm_add_ps(_mm_mul_ps(SET(fr->wc), uu),
                                     _mm_mul_ps(SET(fr->wd), vv))));
        __m128 h1 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(SET(fr->h1u), uu),
                                          _mm_mul_ps(SET(fr->h1v), vv)),
                               _mm_mul_ps(SET(fr->h1uv), _mm_mul_ps(u, v)));
        __m128 h2 = _mm_add_ps(_mm_mul_ps(SET(fr->h2u), u),
                               _mm_mul_ps(SET(fr->h2v), v));
        __m128 g1 = _mm_sub_ps(f1, h1), g2 = _mm_sub_ps(SET(fr->a), h2);
        __m128 g3 = SET(-fr->h3);
        c[G0] = _mm_sub_ps(f0, h0);
        c[G1] = _mm_add_ps(_mm_add_ps(g1, g2), g3);
        c[G2] = _mm_add_ps(_mm_mul_ps(SET(2.0f), g2),
                           _mm_mul_ps(SET(6.0f), g3));
        c[G3] = _mm_mul_ps(SET(6.0f), g3);
    }
#undef SET
}

/* Four rows' table entries at the next pixel: the squared distance (bent
 * by the wobble, never below lo of it) capped at the table's end, and the
 * differences stepped on. */
static ALWAYS_INLINE __m128i step(__m128 c[NSTEP], __m128 lo, __m128 fin,
                                  int wobble)
{
    __m128 x = c[F0];
    if (wobble) {
        x = _mm_max_ps(c[G0], _mm_mul_ps(lo, c[F0]));
        c[G0] = _mm_add_ps(c[G0], c[G1]);
        c[G1] = _mm_add_ps(c[G1], c[G2]);
        c[G2] = _mm_add_ps(c[G2], c[G3]);
    }
    c[F0] = _mm_add_ps(c[F0], c[F1]);
    c[F1] = _mm_add_ps(c[F1], c[F2]);
    return _mm_cvttps_epi32(_mm_min_ps(x, fin));
}

/*
 * dot_c four rows at a time, a row a lane: their spans, then the entries
 * of pixel j of each, j stepping along them together as far as the
 * longest goes; then each row's pixels through the ink.  Inlined into its
 * two callers, so that its constants stay in registers.
 */
static ALWAYS_INLINE void dot_sse2(const dot_frame *fr, smp_image *canvas,
                                   int y0, int y1, const uint16_t *lut16,
                                   uint32_t lfix, const uint8_t *tab,
                                   int wobble)
{
    const __m128 lo = _mm_set1_ps(fr->lo), fin = _mm_set1_ps(fr->fin);
    const __m128 du = _mm_set1_ps(fr->du), dv = _mm_set1_ps(fr->dv);
    int32_t e[4 * PIECE];
    for (int y = y0; y < y1; y += 4) {
        uint8_t *const rowp = canvas->pixels + (size_t)y * canvas->stride;
        int32_t sx0[4], sn[4];
        __m128 u0, v0;
        const int most = span4(fr, y, y1 - y, sx0, sn, &u0, &v0);
        for (int j0 = 0; j0 < most; j0 += PIECE) {
            const int m = most - j0 < PIECE ? most - j0 : PIECE;
            const __m128 jf = _mm_set1_ps((float)j0);
            __m128 c[NSTEP];
            steps4(fr, _mm_add_ps(u0, _mm_mul_ps(du, jf)),
                   _mm_add_ps(v0, _mm_mul_ps(dv, jf)), c, wobble);
            for (int j = 0; j < m; j++)
                _mm_storeu_si128((__m128i *)(e + 4 * j),
                                 step(c, lo, fin, wobble));
            for (int r = 0; r < 4; r++) {
                const int n = sn[r] - j0 < m ? sn[r] - j0 : m;
                if (n > 0)
                    span_put(rowp + r * canvas->stride +
                             ((size_t)sx0[r] + (size_t)j0) * 4, e + r, n,
                             lut16, lfix, tab);
            }
        }
    }
}

#define SMALL_ROWS 16            /* rows of a dot dot_small takes */

/*
 * dot_sse2 for a dot of at most SMALL_ROWS rows and spans of at most
 * PIECE pixels (as most are): all its rows' entries first, then all its
 * pixels through the ink.  The work of one group of rows does not wait on
 * the last group's, nor does the ink on the entries of the rows after, so
 * the processor can go on with them while the longer sums are under way.
 */
static ALWAYS_INLINE void dot_small(const dot_frame *fr, smp_image *canvas,
                                    int y0, int y1, const uint16_t *lut16,
                                    uint32_t lfix, const uint8_t *tab,
                                    int wobble)
{
    const __m128 lo = _mm_set1_ps(fr->lo), fin = _mm_set1_ps(fr->fin);
    int32_t e[SMALL_ROWS / 4][PIECE][4], sx0[SMALL_ROWS], sn[SMALL_ROWS];
    const int rows = y1 - y0;
    for (int g = 0; 4 * g < rows; g++) {
        __m128 u0, v0;
        const int most = span4(fr, y0 + 4 * g, rows - 4 * g, sx0 + 4 * g,
                               sn + 4 * g, &u0, &v0);
        __m128 c[NSTEP];
        steps4(fr, u0, v0, c, wobble);
        for (int j = 0; j < most; j++)
            _mm_storeu_si128((__m128i *)e[g][j], step(c, lo, fin, wobble));
    }
    uint8_t *rowp = canvas->pixels + (size_t)y0 * canvas->stride;
    for (unsigned r = 0; r < (unsigned)rows; r++, rowp += canvas->stride) {
        uint8_t *px = rowp + (size_t)sx0[r] * 4;
        const int32_t *er = &e[r / 4][0][r % 4];
        for (int k = 0; k < sn[r]; k++)
            put(px + 4 * k, tab + ((((uint32_t)lut16[er[4 * k]] * lfix +
                                     (1u << 23)) >> 24) << 10));
    }
}

static void dot_sse2_round(const dot_frame *fr, smp_image *canvas, int y0,
                           int y1, const uint16_t *lut16, uint32_t lfix,
                           const uint8_t *tab)
{
    if (y1 - y0 <= SMALL_ROWS && fr->nmax <= PIECE)
        dot_small(fr, canvas, y0, y1, lut16, lfix, tab, 0);
    else
        dot_sse2(fr, canvas, y0, y1, lut16, lfix, tab, 0);
}

static void dot_sse2_wobble(const dot_frame *fr, smp_image *canvas, int y0,
                            int y1, const uint16_t *lut16, uint32_t lfix,
                            const uint8_t *tab)
{
    if (y1 - y0 <= SMALL_ROWS && fr->nmax <= PIECE)
        dot_small(fr, canvas, y0, y1, lut16, lfix, tab, 1);
    else
        dot_sse2(fr, canvas, y0, y1, lut16, lfix, tab, 1);
}
#endif

void smp_stamper_dot(smp_stamper *st, smp_image *canvas, const smp_dot *d,
                     const smp_ink *ink, const smp_lut *lut)
{
    const float r = 0.5f * d->diameter;
    if (!(r > 0.0f) || !(d->opacity > 0.0f) || !(d->aspect > 0.0f))
        return;
    float unit;
    const profile *p = table(st, r, &unit);
    if (!p)
        return;
    const float load = d->opacity > 1.0f ? 255.0f : d->opacity * 255.0f;
    const uint32_t lfix = (uint32_t)(load * 256.0f + 0.5f);
    const int last = p->cut[(int)load + 1];     /* at least load's own */
    if (last == 0)
        return;
    /* an irregular outline only shows on dots a few pixels wide */
    float wa = r > 1.5f ? d->shape[0] : 0.0f;
    float wc = r > 1.5f ? d->shape[1] : 0.0f;
    float wsum = fabsf(wa) + fabsf(wc);
    if (wsum > 0.4f) {          /* past any plausible outline */
        wa *= 0.4f / wsum;
        wc *= 0.4f / wsum;
        wsum = 0.4f;
    }
    const int wobble = wsum > 0.0f;
    /*
     * The outline's third harmonic bends the squared distance s: the rim
     * (at o) moves out to o (1 + wa cos 3t + wc sin 3t), t the angle,
     * for s' = s (1 - 2 (wa cos 3t + wc sin 3t)).  With d^3 cos 3t =
     * u^3 - 3uv^2 and d^3 sin 3t = 3u^2 v - v^3, s' = s - 2 h3 / d, and
     * 1/d is taken as 1/o: exact at the rim, fading inwards, and never
     * taking more than 2 wsum of s.  In the frame scaled by k (k^2 the
     * table's entries per pixel squared), s' k^2 = f - h, with
     * h = u (wa uu + wb vv) + v (wc uu + wd vv).
     */
    float e = st->softness * d->diameter;
    const float o = r + 0.5f * (e > 1.0f ? e : 1.0f);
    const float lo = 1.0f - 2.0f * wsum;
    /* the divisions all at once, none waiting on another */
    const float inv_lo = 1.0f / lo, inv_aspect = 1.0f / d->aspect;
    const float inv_o = 1.0f / o, inv_unit = 1.0f / unit;
    float s, c;
    sin_cos(d->angle, &s, &c);
    const float k = p->k * inv_unit, inv_k = p->inv_k * unit;
    /* reach in table entries: s' < last needs s < last / lo; in pixels
     * squared, over k^2 */
    const float reach2 = (float)last * (1.001f * inv_lo);
    const float reach2_px = reach2 * (p->inv_scale * (unit * unit));
    /* rows whose centre lies within hy of the dot's: the bounding box of
     * the rotated ellipse of semi-axes reach and reach * aspect; and the
     * widest span, the box's width and a pixel to spare */
    const float ab = d->aspect * d->aspect;
    const float hy = sqrtf(reach2_px * (s * s + ab * c * c));
    const float hx = sqrtf(reach2_px * (c * c + ab * s * s));
    const int nmax = hx < 1e6f ? (int)(2.0f * hx) + 2 : 2000002;
    float ylo = d->y - 0.5f - hy, yhi = d->y - 0.5f + hy;
    const float hgt = (float)canvas->height;
    ylo = ylo > 0.0f ? ylo : 0.0f;
    ylo = ylo < hgt ? ylo : hgt;
    yhi = yhi > -1.0f ? yhi : -1.0f;
    yhi = yhi < hgt - 1.0f ? yhi : hgt - 1.0f;
    const int y0 = ceil_int(ylo), y1 = floor_int(yhi) + 1;
    if (y0 >= y1)
        return;
    ink_table *it = ink_of(st, ink, lut, (int)load + 1 > 255 ? 255
                                                            : (int)load + 1);
    if (!it)
        return;
    const uint8_t *const tab = &it->row[0][0][0];
    const float kv = k * inv_aspect, bk = 2.0f * inv_o * inv_k;
    dot_frame fr;               /* the wobble's terms are set if used */
    fr.y = d->y;
    fr.su = k * s;
    fr.sv = kv * c;
    fr.du = k * c;
    fr.dv = -kv * s;
    fr.a = fr.du * fr.du + fr.dv * fr.dv;
    fr.a4 = 4.0f * fr.a;
    fr.inv_2a = 0.5f / fr.a;
    fr.reach2 = reach2;
    fr.xc = d->x - 0.5f;
    fr.xend = (float)canvas->width;
    fr.lo = lo;
    fr.fin = (float)last;
    fr.nmax = nmax;
    if (wobble) {
        /* h's terms in j along a span from (u0, v0): with u = u0 + j du,
         * v = v0 + j dv */
        const float du = fr.du, dv = fr.dv;
        fr.wa = bk * wa;
        fr.wb = -3.0f * bk * wa;
        fr.wc = 3.0f * bk * wc;
        fr.wd = -bk * wc;
        fr.h1u = 3.0f * fr.wa * du + fr.wc * dv;
        fr.h1v = fr.wb * du + 3.0f * fr.wd * dv;
        fr.h1uv = 2.0f * (fr.wb * dv + fr.wc * du);
        fr.h2u = 3.0f * fr.wa * du * du + fr.wb * dv * dv +
                 2.0f * fr.wc * du * dv;
        fr.h2v = 2.0f * fr.wb * du * dv + fr.wc * du * du +
                 3.0f * fr.wd * dv * dv;
        fr.h3 = fr.wa * du * du * du + fr.wb * du * dv * dv +
                fr.wc * du * du * dv + fr.wd * dv * dv * dv;
    }
    const uint16_t *lut16 = p->lut;
#ifdef __SSE2__
    if (!st->scalar) {
        if (wobble)
            dot_sse2_wobble(&fr, canvas, y0, y1, lut16, lfix, tab);
        else
            dot_sse2_round(&fr, canvas, y0, y1, lut16, lfix, tab);
        return;
    }
#endif
    if (wobble)
        dot_c(&fr, canvas, y0, y1, lut16, lfix, tab, 1);
    else
        dot_c(&fr, canvas, y0, y1, lut16, lfix, tab, 0);
}

void smp_stamper_scalar(smp_stamper *st, int on)
{
    st->scalar = on != 0;
}

/* Asks for the rows a dot's visible skirt or soft edge (up to a
 * softness of 0.5) reaches, a line at each end of each. */
void smp_stamper_prefetch(const smp_image *canvas, const smp_dot *d)
{
#if defined(__GNUC__)
    float reach = d->diameter * 0.75f + 0.75f;
    reach = reach < 64.0f ? reach : 64.0f;  /* a hint: no more for one */
    float fy0 = d->y - reach, fy1 = d->y + reach, fx = d->x - reach;
    if (!(fy1 >= 0.0f && fy0 < (float)canvas->height && fx < canvas->width))
        return;
    int y0 = fy0 > 0.0f ? (int)fy0 : 0;
    int y1 = fy1 < (float)canvas->height ? (int)fy1 + 1 : (int)canvas->height;
    int x = fx > 0.0f ? (int)fx : 0;
    size_t span = (size_t)(2.0f * reach) * 4;
    const uint8_t *p = canvas->pixels + (size_t)y0 * canvas->stride +
                       (size_t)x * 4;
    for (int y = y0; y < y1; y++, p += canvas->stride) {
        __builtin_prefetch(p, 1);
        __builtin_prefetch(p + span, 1);
    }
#else
    (void)canvas;
    (void)d;
#endif
}

void smp_stamp_dot(smp_image *canvas, const smp_dot *d, double softness,
                   double spread, const smp_ink *ink, const smp_lut *lut)
{
    smp_stamper *st = smp_stamper_new(softness, spread);
    if (!st)
        return;
    smp_stamper_dot(st, canvas, d, ink, lut);
    smp_stamper_free(st);
}
