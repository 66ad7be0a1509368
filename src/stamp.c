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
 * when first needed.  The ink is a table too: for each load, the bytes a
 * channel's bytes become.  Each row visits only the span where the dot
 * can leave pigment, found from the squared distance's quadratic, with
 * no branch per pixel.  The outline's wobble bends the squared distance
 * by its third harmonic, exact at the rim, where it shows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stamp.h"

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
    uint16_t *lut;              /* n entries, then a 0 */
    uint16_t cut[257];          /* entries that leave pigment, by load */
} profile;

/*
 * An ink as a table: for each load q, each channel's byte after the
 * filter, for each byte before: L' = L T^(q/255) in linear light, through
 * the 16-bit tables, once per entry.  Rows are made up to the largest
 * load used so far.
 */
#define INKS 4
typedef struct ink_table {
    const smp_ink *ink;
    const smp_lut *lut;
    int made;                   /* rows 0..made-1 are there */
    uint8_t (*row)[3][256];     /* [q][channel][byte] */
} ink_table;

struct smp_stamper {
    float softness, spread;
    float rc;                   /* dots below this radius: 1 px edge */
    float rb;                   /* and below this: a table of their own */
    int nbins;
    profile big;                /* in units of the radius squared */
    profile *bins;              /* by radius, in pixels squared */
    ink_table inks[INKS];       /* the last inks used */
    int next_ink;
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

/* The table for radius r, made if needed; *norm: the squared distance's
 * factor into its units.  NULL when out of memory or too large. */
static const profile *table(smp_stamper *st, float r, float *norm)
{
    profile *p;
    if (r >= st->rb && st->softness > 0) {
        /* wide enough for its edge to be smooth across a pixel */
        p = &st->big;
        *norm = 1.0f / (r * r);
        if (!p->lut && (p->lut = malloc((BIG_N + 1) * sizeof *p->lut)))
            profile_make(p, BIG_N, 1.0f, 2.0f * st->softness, st->spread,
                         1.0f, 0);
    } else {
        int b = (int)(r * BINS_PER_PX + 0.5f);
        if (b >= st->nbins)
            return NULL;        /* a dot over 96 px wide with no edge */
        p = &st->bins[b];
        *norm = 1.0f;
        float rb = (float)b / BINS_PER_PX, e = 2.0f * st->softness * rb;
        if (!p->lut && (p->lut = malloc((BIN_N + 1) * sizeof *p->lut)))
            profile_make(p, BIN_N, rb, e > 1.0f ? e : 1.0f, st->spread,
                         1.0f, 1);
    }
    return p->lut ? p : NULL;
}

/* The ink's table, with rows up to load qmax; NULL when out of memory. */
static ink_table *ink_of(smp_stamper *st, const smp_ink *ink,
                         const smp_lut *lut, int qmax)
{
    ink_table *t = NULL;
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
    for (; t->made <= qmax; t->made++)
        for (int c = 0; c < 3; c++) {
            uint32_t m = ink->mul[c][t->made];
            for (int v = 0; v < 256; v++)
                t->row[t->made][c][v] = lut->l2s[(lut->s2l[v] * m + 32768u)
                                                 >> 16];
        }
    return t;
}

/* Filters one pixel through the ink at load q (0, which leaves it as it
 * was, to 255). */
static inline void put(uint8_t *restrict p, const uint8_t (*f)[256])
{
    p[0] = f[0][p[0]];
    p[1] = f[1][p[1]];
    p[2] = f[2][p[2]];
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

void smp_stamper_dot(smp_stamper *st, smp_image *canvas, const smp_dot *d,
                     const smp_ink *ink, const smp_lut *lut)
{
    const float r = 0.5f * d->diameter;
    if (!(r > 0.0f) || !(d->opacity > 0.0f) || !(d->aspect > 0.0f))
        return;
    float norm;
    const profile *p = table(st, r, &norm);
    if (!p)
        return;
    const float load = d->opacity > 1.0f ? 255.0f : d->opacity * 255.0f;
    const uint32_t lfix = (uint32_t)(load * 256.0f + 0.5f);
    const int last = p->cut[(int)load + 1];     /* at least load's own */
    if (last == 0)
        return;
    const float end = (float)last / p->scale;   /* in the table's units */
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
     * taking more than 2 wsum of s.
     */
    float e = st->softness * d->diameter;
    const float o = r + 0.5f * (e > 1.0f ? e : 1.0f);
    const float bend = 2.0f / o, lo = 1.0f - 2.0f * wsum;
    /* reach in pixels, in the dot's frame: s' < end needs s < end / lo */
    const float reach2 = end / norm / lo * 1.001f;
    const float reach = sqrtf(reach2);
    const float c = cosf(d->angle), s = sinf(d->angle);
    const float inv_aspect = 1.0f / d->aspect;
    /* bounding box of the rotated ellipse of semi-axes reach and
     * reach * aspect */
    const float rb = reach * d->aspect;
    const float hy = sqrtf(reach2 * s * s + rb * rb * c * c);
    /* rows whose centre lies within hy of the dot's */
    int y0 = ceil_int(d->y - 0.5f - hy);
    int y1 = floor_int(d->y - 0.5f + hy) + 1;
    if (y0 < 0) y0 = 0;
    if (y1 > (int)canvas->height) y1 = (int)canvas->height;
    ink_table *it = ink_of(st, ink, lut, (int)load + 1 > 255 ? 255
                                                            : (int)load + 1);
    if (!it)
        return;
    const uint8_t (*const tab)[3][256] = (const uint8_t (*)[3][256])it->row;
    /* u, v: the dot's frame; along a row they step by du, dv a pixel,
     * and the squared distance is a t^2 + b t + c0, t = x + 0.5 - d->x */
    const float du = c, dv = -s * inv_aspect;
    const float a = du * du + dv * dv, inv_2a = 0.5f / a;
    const float scale = p->scale * norm, dd = 2.0f * a * scale;
    const float kb = bend * scale;
    const float fin = (float)last;
    const float xc = d->x - 0.5f;
    const uint16_t *lut16 = p->lut;
    float dy = (float)y0 + 0.5f - d->y;
    for (int y = y0; y < y1; y++, dy += 1.0f) {
        const float u0 = dy * s, v0 = dy * c * inv_aspect;
        const float b = 2.0f * (u0 * du + v0 * dv), c0 = u0 * u0 + v0 * v0;
        const float disc = b * b - 4.0f * a * (c0 - reach2);
        if (!(disc > 0.0f))
            continue;
        const float root = sqrtf(disc);
        int x0 = ceil_int(xc + (-b - root) * inv_2a);
        int x1 = floor_int(xc + (-b + root) * inv_2a) + 1;
        if (x0 < 0) x0 = 0;
        if (x1 > (int)canvas->width) x1 = (int)canvas->width;
        if (x0 >= x1)
            continue;
        uint8_t *px = canvas->pixels + (size_t)y * canvas->stride +
                      (size_t)x0 * 4;
        const float t = (float)x0 - xc;
        /* the table index and its first two differences */
        float f = (a * t * t + b * t + c0) * scale;
        float df = (a * (2.0f * t + 1.0f) + b) * scale;
        if (!wobble) {
            /* no branch on the coverage: past the end the table gives
             * 0, and load 0 puts back the byte that was there */
            for (int x = x0; x < x1; x++, px += 4, f += df, df += dd) {
                float g = f < fin ? f : fin;
                put(px, tab[((uint32_t)lut16[(int)g] * lfix + (1u << 23))
                            >> 24]);
            }
            continue;
        }
        float u = u0 + du * t, v = v0 + dv * t;
        for (int x = x0; x < x1; x++, px += 4, f += df, df += dd,
             u += du, v += dv) {
            float uu = u * u, vv = v * v;
            float h3 = wa * u * (uu - 3.0f * vv) + wc * v * (3.0f * uu - vv);
            float g = f - kb * h3, low = lo * f;
            g = g > low ? g : low;
            g = g < fin ? g : fin;
            put(px, tab[((uint32_t)lut16[(int)g] * lfix + (1u << 23))
                        >> 24]);
        }
    }
}

void smp_stamper_prefetch(const smp_image *canvas, const smp_dot *d)
{
#if defined(__GNUC__)
    float reach = d->diameter * 1.3f + 1.0f;
    int y0 = (int)(d->y - reach), y1 = (int)(d->y + reach) + 1;
    int x = (int)(d->x - reach);
    if (y0 < 0) y0 = 0;
    if (y1 > (int)canvas->height) y1 = (int)canvas->height;
    if (x < 0) x = 0;
    if (x >= (int)canvas->width)
        return;
    for (int y = y0; y < y1; y++) {
        const uint8_t *p = canvas->pixels + (size_t)y * canvas->stride +
                           (size_t)x * 4;
        __builtin_prefetch(p, 1);
        __builtin_prefetch(p + 4 * (size_t)(2 * reach), 1);
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
