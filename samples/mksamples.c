/*
 * mksamples.c - draws the bundled sample "client photos" procedurally.
 *
 *     mksamples OUTDIR     writes OUTDIR/crown.jpg, front.jpg, thinning.png
 *
 * Nothing comes from real photos or texture files: skin, stubble, hair and
 * backdrop are all drawn here from gradient noise and many small stamps,
 * with fixed seeds and a private PRNG, so every run writes the same
 * pixels.  Shading is done in linear light and encoded to sRGB at the end
 * with a little sensor grain (which also hides any banding).
 *
 * Only libc, libm and libsmp's public smp_image_new / smp_image_save.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "smp/smp.h"

#define PI 3.14159265358979323846f

/* ---- small maths ------------------------------------------------------ */

static float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static float mixf(float a, float b, float t)
{
    return a + (b - a) * t;
}

/* Hermite step from e0 to e1 (e1 < e0 gives a falling step). */
static float smooth(float e0, float e1, float x)
{
    float t = clampf((x - e0) / (e1 - e0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

static float sq(float x)
{
    return x * x;
}

/* exp(-((x - c) / s)^2) */
static float bell(float x, float c, float s)
{
    return expf(-sq((x - c) / s));
}

static float dot3(const float a[3], const float b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void norm3(float v[3])
{
    float l = sqrtf(dot3(v, v));
    if (l > 0.0f) {
        v[0] /= l;
        v[1] /= l;
        v[2] /= l;
    }
}

static float srgb_to_lin(float c)
{
    c /= 255.0f;
    return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

static float lin_to_srgb(float c)
{
    c = clampf(c, 0.0f, 1.0f);
    return 255.0f * (c <= 0.0031308f ? 12.92f * c
                                     : 1.055f * powf(c, 1.0f / 2.4f) - 0.055f);
}

/* lin_to_srgb through a table, linearly interpolated (error < 0.02). */
#define SRGB_LUT 8192
static float srgb_lut[SRGB_LUT + 1];

static void srgb_init(void)
{
    for (int i = 0; i <= SRGB_LUT; i++)
        srgb_lut[i] = lin_to_srgb((float)i / SRGB_LUT);
}

static float encode_srgb(float c)
{
    float f = clampf(c, 0.0f, 1.0f) * SRGB_LUT;
    int i = (int)f;
    if (i >= SRGB_LUT)
        return srgb_lut[SRGB_LUT];
    return mixf(srgb_lut[i], srgb_lut[i + 1], f - (float)i);
}

static void rgb_lin(float out[3], int r, int g, int b)
{
    out[0] = srgb_to_lin((float)r);
    out[1] = srgb_to_lin((float)g);
    out[2] = srgb_to_lin((float)b);
}

/* ---- deterministic randomness ----------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

/* splitmix64 */
static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static float rng_unit(rng *r)
{
    return (float)((double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0));
}

static float rng_range(rng *r, float a, float b)
{
    return a + (b - a) * rng_unit(r);
}

static float rng_normal(rng *r)
{
    float u = rng_unit(r), v = rng_unit(r);
    if (u < 1e-7f)
        u = 1e-7f;
    return sqrtf(-2.0f * logf(u)) * cosf(2.0f * PI * v);
}

/* A generator for one grid cell, so decisions do not depend on order. */
static rng cell_rng(int32_t x, int32_t y, uint32_t salt)
{
    rng r = {((uint64_t)(uint32_t)x << 32 | (uint32_t)y) ^
             ((uint64_t)salt * 0xd1b54a32d192ed03u)};
    rng_next(&r);
    return r;
}

static uint32_t hash32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

/* ---- gradient noise ---------------------------------------------------- */

/*
 * A shuffled table of 4096 entries: the lattice repeats only every 4096
 * cells, far more than any image here spans even at the finest scale.
 */
#define PERM 4096
static uint16_t perm[PERM];
static float grad_x[256], grad_y[256];
static float gauss_tab[4096];      /* standard normal samples, for grain */

static void noise_init(void)
{
    rng r = {0x6e6f697365u};
    for (int i = 0; i < PERM; i++)
        perm[i] = (uint16_t)i;
    for (int i = PERM - 1; i > 0; i--) {
        int j = (int)(rng_next(&r) % (uint64_t)(i + 1));
        uint16_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < 256; i++) {
        float a = 2.0f * PI * ((float)i + 0.5f) / 256.0f;
        grad_x[i] = cosf(a);
        grad_y[i] = sinf(a);
    }
    for (int i = 0; i < 4096; i++)
        gauss_tab[i] = rng_normal(&r);
}

static unsigned corner(uint32_t x, uint32_t y)
{
    return perm[(perm[x & (PERM - 1)] + y) & (PERM - 1)] & 255u;
}

static float fade(float t)
{
    return t * t * t * (t * (t * 6.0f - 15.0f) + 10.0f);
}

/* Perlin-style gradient noise, roughly in [-1, 1]. */
static float gnoise(float x, float y, uint32_t seed)
{
    float fx = floorf(x), fy = floorf(y);
    uint32_t hs = hash32(seed * 0x9e3779b9u + 0x632be5abu);
    uint32_t ix = (uint32_t)(int32_t)fx + (hs & 0xffffu);
    uint32_t iy = (uint32_t)(int32_t)fy + (hs >> 16);
    float tx = x - fx, ty = y - fy;
    unsigned h00 = corner(ix, iy), h10 = corner(ix + 1, iy);
    unsigned h01 = corner(ix, iy + 1), h11 = corner(ix + 1, iy + 1);
    float n00 = grad_x[h00] * tx + grad_y[h00] * ty;
    float n10 = grad_x[h10] * (tx - 1.0f) + grad_y[h10] * ty;
    float n01 = grad_x[h01] * tx + grad_y[h01] * (ty - 1.0f);
    float n11 = grad_x[h11] * (tx - 1.0f) + grad_y[h11] * (ty - 1.0f);
    float u = fade(tx), v = fade(ty);
    return 1.41f * mixf(mixf(n00, n10, u), mixf(n01, n11, u), v);
}

/* Fractal sum; each octave is rotated so no axis shows through. */
static float fbm(float x, float y, int octaves, uint32_t seed)
{
    float sum = 0.0f, amp = 1.0f, total = 0.0f;
    for (int i = 0; i < octaves; i++) {
        sum += amp * gnoise(x, y, seed + 7919u * (uint32_t)i);
        total += amp;
        float nx = 1.62f * x - 1.18f * y + 13.7f;
        float ny = 1.18f * x + 1.62f * y - 7.3f;
        x = nx;
        y = ny;
        amp *= 0.5f;
    }
    return sum / total;
}

/*
 * Slowly varying fields (features of 80 px and more) on a coarse grid,
 * read back bilinearly: the same look for a fraction of the noise calls.
 */
#define LF_MAX 6
typedef void (*lf_fn)(float x, float y, uint32_t seed, float *out);

typedef struct lowfreq {
    int gw, gh, k;
    float step;
    float *v;
} lowfreq;

static int lf_init(lowfreq *g, int w, int h, float step, int k, lf_fn fn,
                   uint32_t seed)
{
    g->gw = (int)ceilf((float)w / step) + 2;
    g->gh = (int)ceilf((float)h / step) + 2;
    g->k = k;
    g->step = step;
    g->v = malloc((size_t)g->gw * (size_t)g->gh * (size_t)k * sizeof *g->v);
    if (!g->v)
        return 0;
    for (int y = 0; y < g->gh; y++)
        for (int x = 0; x < g->gw; x++)
            fn((float)x * step, (float)y * step, seed,
               g->v + ((size_t)y * (size_t)g->gw + (size_t)x) * (size_t)k);
    return 1;
}

static void lf_at(const lowfreq *g, float x, float y, float *out)
{
    float gx = clampf(x / g->step, 0.0f, (float)g->gw - 1.001f);
    float gy = clampf(y / g->step, 0.0f, (float)g->gh - 1.001f);
    int ix = (int)gx, iy = (int)gy;
    float tx = gx - (float)ix, ty = gy - (float)iy;
    size_t k = (size_t)g->k, row = (size_t)g->gw * k;
    const float *a = g->v + ((size_t)iy * (size_t)g->gw + (size_t)ix) * k;
    for (size_t i = 0; i < k; i++)
        out[i] = mixf(mixf(a[i], a[i + k], tx), mixf(a[i + row], a[i + row + k], tx),
                      ty);
}

/* ---- canvas ------------------------------------------------------------ */

/* Linear-light RGB, three floats a pixel, plus scratch layers. */
typedef struct canvas {
    int w, h;
    float *px;
    float *layer;       /* w*h: pore depth 0..1 */
    float *applied;     /* w*h: coverage already applied by strand `owner` */
    uint32_t *owner;
} canvas;

static int canvas_init(canvas *c, int w, int h)
{
    size_t n = (size_t)w * (size_t)h;
    c->w = w;
    c->h = h;
    c->px = calloc(n * 3, sizeof *c->px);
    c->layer = calloc(n, sizeof *c->layer);
    c->applied = calloc(n, sizeof *c->applied);
    c->owner = calloc(n, sizeof *c->owner);
    return c->px && c->layer && c->applied && c->owner;
}

static void canvas_free(canvas *c)
{
    free(c->px);
    free(c->layer);
    free(c->applied);
    free(c->owner);
}

static float *pixel(canvas *c, int x, int y)
{
    return c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
}

/* Distance from (px, py) to the segment a-b. */
static float seg_dist(float px, float py, float ax, float ay, float bx,
                      float by)
{
    float dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    float t = l2 > 0.0f ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0.0f;
    t = clampf(t, 0.0f, 1.0f);
    float ex = px - (ax + t * dx), ey = py - (ay + t * dy);
    return sqrtf(ex * ex + ey * ey);
}

/* Soft coverage of a line of radius `rad` at distance d (~1.2 px blur). */
static float line_cov(float d, float rad)
{
    if (rad < 0.6f)     /* thinner than a pixel: fainter, not thinner */
        return (rad / 0.6f) * (1.0f - smooth(-0.6f, 1.2f, d));
    return 1.0f - smooth(rad - 0.6f, rad + 0.6f, d);
}

typedef struct box {
    int x0, y0, x1, y1;
} box;

static box seg_box(const canvas *c, float ax, float ay, float bx, float by,
                   float m)
{
    box b = {(int)floorf(fminf(ax, bx) - m), (int)floorf(fminf(ay, by) - m),
             (int)ceilf(fmaxf(ax, bx) + m), (int)ceilf(fmaxf(ay, by) + m)};
    if (b.x0 < 0) b.x0 = 0;
    if (b.y0 < 0) b.y0 = 0;
    if (b.x1 > c->w - 1) b.x1 = c->w - 1;
    if (b.y1 > c->h - 1) b.y1 = c->h - 1;
    return b;
}

/*
 * Darkens pixels under a short capsule: each channel is multiplied towards
 * `tint` by alpha * coverage.  Stubble, brow hairs, lashes, creases.
 */
static void stamp_mul(canvas *c, float ax, float ay, float bx, float by,
                      float rad, const float tint[3], float alpha)
{
    box b = seg_box(c, ax, ay, bx, by, rad + 1.5f);
    for (int y = b.y0; y <= b.y1; y++)
        for (int x = b.x0; x <= b.x1; x++) {
            float d = seg_dist((float)x + 0.5f, (float)y + 0.5f, ax, ay, bx, by);
            float a = alpha * line_cov(d, rad);
            if (a <= 0.0f)
                continue;
            float *p = pixel(c, x, y);
            for (int k = 0; k < 3; k++)
                p[k] *= 1.0f - a * (1.0f - tint[k]);
        }
}

/*
 * One segment of strand `id`: a pixel already covered by an earlier
 * segment of the same strand only gains the extra coverage, so joints do
 * not show as beads.  `mul` darkens towards col (a shadow) instead of
 * painting col over the pixel.
 */
static void stamp_strand(canvas *c, uint32_t id, float ax, float ay, float bx,
                         float by, float rad, const float col[3], float alpha,
                         int mul)
{
    box b = seg_box(c, ax, ay, bx, by, rad + 1.5f);
    for (int y = b.y0; y <= b.y1; y++)
        for (int x = b.x0; x <= b.x1; x++) {
            float d = seg_dist((float)x + 0.5f, (float)y + 0.5f, ax, ay, bx, by);
            float a = alpha * line_cov(d, rad);
            if (a <= 0.0f)
                continue;
            size_t i = (size_t)y * (size_t)c->w + (size_t)x;
            float a0 = c->owner[i] == id ? c->applied[i] : 0.0f;
            if (a <= a0)
                continue;
            float *p = c->px + 3 * i;
            for (int k = 0; k < 3; k++) {
                if (mul)
                    p[k] *= (1.0f - a * (1.0f - col[k])) /
                            (1.0f - a0 * (1.0f - col[k]));
                else
                    p[k] += (col[k] - p[k]) * (a - a0) / (1.0f - a0);
            }
            c->owner[i] = id;
            c->applied[i] = a;
        }
}

/* Adds a soft round pore (depth 0..1) into c->layer. */
static void stamp_pore(canvas *c, float cx, float cy, float rad, float depth)
{
    box b = seg_box(c, cx, cy, cx, cy, 2.5f * rad + 1.0f);
    float inv = 1.0f / (rad * rad);
    for (int y = b.y0; y <= b.y1; y++)
        for (int x = b.x0; x <= b.x1; x++) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            float v = depth * expf(-(dx * dx + dy * dy) * inv);
            float *l = c->layer + (size_t)y * (size_t)c->w + (size_t)x;
            *l = fmaxf(*l, v);
        }
}

/* Pores on a jittered grid: about `prob` per cell*cell pixels. */
static void scatter_pores(canvas *c, float cell, float rmin, float rmax,
                          float prob, uint32_t salt)
{
    int gw = (int)((float)c->w / cell) + 1, gh = (int)((float)c->h / cell) + 1;
    for (int gy = 0; gy < gh; gy++)
        for (int gx = 0; gx < gw; gx++) {
            rng r = cell_rng(gx, gy, salt);
            if (rng_unit(&r) > prob)
                continue;
            float x = ((float)gx + rng_unit(&r)) * cell;
            float y = ((float)gy + rng_unit(&r)) * cell;
            stamp_pore(c, x, y, rng_range(&r, rmin, rmax),
                       rng_range(&r, 0.35f, 1.0f));
        }
}

/*
 * Encodes into the RGBA8 image: sRGB with gaussian grain (sigma in 8-bit
 * levels, mostly luminance) and triangular dither.
 */
static void canvas_to_image(canvas *c, smp_image *img, float grain,
                            uint32_t salt)
{
    rng r = {0x5eed0000u ^ salt};
    for (int y = 0; y < c->h; y++) {
        uint8_t *row = img->pixels + (size_t)y * img->stride;
        for (int x = 0; x < c->w; x++) {
            const float *p = pixel(c, x, y);
            uint64_t g = rng_next(&r), d = rng_next(&r);
            float lum = grain * gauss_tab[g & 4095];
            for (int k = 0; k < 3; k++) {
                float chroma = 0.35f * grain * gauss_tab[(g >> (12 + 12 * k)) & 4095];
                float dith = ((float)((d >> (20 * k)) & 1023) -
                              (float)((d >> (20 * k + 10)) & 1023)) / 1024.0f;
                float v = encode_srgb(p[k]) + lum + chroma + dith;
                row[4 * x + k] = (uint8_t)clampf(floorf(v + 0.5f), 0.0f, 255.0f);
            }
            row[4 * x + 3] = 255;
        }
    }
}

/* ---- skin shading ------------------------------------------------------ */

typedef struct rig {
    float key[3], key_col[3];
    float fill[3], fill_col[3];
    float amb[3];
    float wrap[3];      /* per channel: red light wraps furthest (SSS) */
    float half[3];      /* key half vector */
    float exposure;
} rig;

/* Studio lighting: a soft key upper left, a weak cool fill right. */
static void rig_default(rig *L)
{
    memset(L, 0, sizeof *L);
    L->key[0] = -0.45f; L->key[1] = -0.55f; L->key[2] = 0.70f;
    norm3(L->key);
    L->key_col[0] = 1.00f; L->key_col[1] = 0.97f; L->key_col[2] = 0.92f;
    L->fill[0] = 0.65f; L->fill[1] = 0.20f; L->fill[2] = 0.73f;
    norm3(L->fill);
    L->fill_col[0] = 0.19f; L->fill_col[1] = 0.20f; L->fill_col[2] = 0.23f;
    L->amb[0] = 0.08f; L->amb[1] = 0.085f; L->amb[2] = 0.095f;
    L->wrap[0] = 0.42f; L->wrap[1] = 0.33f; L->wrap[2] = 0.30f;
    L->half[0] = L->key[0]; L->half[1] = L->key[1]; L->half[2] = L->key[2] + 1.0f;
    norm3(L->half);
    L->exposure = 0.95f;
}

/*
 * Lit skin colour from a unit normal (z towards the camera), albedo,
 * gloss (specular strength, 1 = a freshly shaved scalp) and ambient
 * occlusion.
 */
static void shade(const rig *L, const float n[3], const float alb[3],
                  float gloss, float ao, float out[3])
{
    float dk = dot3(n, L->key), df = dot3(n, L->fill);
    float f = fmaxf(0.0f, (df + 0.3f) / 1.3f);
    for (int k = 0; k < 3; k++) {
        float w = L->wrap[k];
        float d = fmaxf(0.0f, (dk + w) / (1.0f + w));
        d = d * d * (1.5f - 0.5f * d);     /* a softer shoulder */
        out[k] = alb[k] * (L->key_col[k] * d + L->fill_col[k] * f +
                           L->amb[k] * ao);
    }
    float ndh = fmaxf(0.0f, dot3(n, L->half));
    float ndh2 = ndh * ndh, ndh4 = ndh2 * ndh2, ndh8 = ndh4 * ndh4;
    float ndh32 = ndh8 * ndh8 * ndh8 * ndh8;
    float fres = 1.0f + 2.0f * sq(sq(1.0f - fmaxf(0.0f, n[2])));
    float s = gloss * fres * (0.045f * ndh4 * ndh2 + 0.17f * ndh32 * ndh4);
    s *= smooth(-0.1f, 0.3f, dk);
    for (int k = 0; k < 3; k++)
        out[k] = L->exposure * (out[k] + s * L->key_col[k]);
}

/*
 * Skin albedo: base tone, blotchy redness (`red` from a low-frequency
 * field), finer mottling and grain, darkened in pores.  (x, y) are in
 * "skin pixels" (about 7 per mm).
 */
static void skin_albedo(const float base[3], float x, float y, float pore,
                        float red, uint32_t seed, float redness, float out[3])
{
    float blotch = fbm(x * 0.03f, y * 0.03f, 3, seed + 2);        /* ~35 px */
    float fine = gnoise(x * 0.35f, y * 0.35f, seed + 3);          /* ~3 px */
    float lum = 1.0f + 0.045f * blotch + 0.03f * fine - 0.16f * pore;
    float rr = redness * (red + 0.3f * blotch);
    /* desaturate the base a little towards its luminance */
    float luma = 0.2126f * base[0] + 0.7152f * base[1] + 0.0722f * base[2];
    out[0] = mixf(base[0], luma, 0.12f) * lum * (1.0f + 0.05f * rr);
    out[1] = mixf(base[1], luma, 0.12f) * lum * (1.0f - 0.08f * rr);
    out[2] = mixf(base[2], luma, 0.12f) * lum * (1.0f - 0.06f * rr);
}

/* Perturbs n by the gradient of a fine bump field (pore-scale relief). */
static void bump(float n[3], float x, float y, float scale, float amount,
                 uint32_t seed)
{
    float h0 = gnoise(x * scale, y * scale, seed);
    float hx = gnoise((x + 1.0f) * scale, y * scale, seed);
    float hy = gnoise(x * scale, (y + 1.0f) * scale, seed);
    n[0] -= amount * (hx - h0);
    n[1] -= amount * (hy - h0);
    norm3(n);
}

/* Brownish spots: small moles, freckles and faint sun spots. */
typedef struct spot {
    float x, y, r, strength;
} spot;

#define MAX_SPOTS 64

static int make_spots(spot *s, uint64_t seed, float cx, float cy, float rx,
                      float ry, int moles, int freckles, int sun)
{
    rng r = {seed};
    int n = 0;
    for (int i = 0; i < moles + freckles + sun && n < MAX_SPOTS; i++) {
        float a = rng_range(&r, 0.0f, 2.0f * PI), rr = sqrtf(rng_unit(&r));
        spot *p = &s[n++];
        p->x = cx + cosf(a) * rr * rx;
        p->y = cy + sinf(a) * rr * ry;
        if (i < moles) {
            p->r = rng_range(&r, 1.6f, 3.0f);
            p->strength = rng_range(&r, 0.35f, 0.6f);
        } else if (i < moles + freckles) {
            p->r = rng_range(&r, 2.0f, 4.5f);
            p->strength = rng_range(&r, 0.06f, 0.14f);
        } else {
            p->r = rng_range(&r, 10.0f, 26.0f);
            p->strength = rng_range(&r, 0.04f, 0.08f);
        }
    }
    return n;
}

static void apply_spots(const spot *s, int n, float x, float y, float alb[3])
{
    static const float tint[3] = {0.62f, 0.45f, 0.36f};
    float v = 0.0f;
    for (int i = 0; i < n; i++) {
        float dx = x - s[i].x, dy = y - s[i].y;
        if (fabsf(dx) > 3.0f * s[i].r || fabsf(dy) > 3.0f * s[i].r)
            continue;
        float d2 = (dx * dx + dy * dy) / (s[i].r * s[i].r);
        if (d2 < 9.0f)
            v += s[i].strength * expf(-d2 * d2 * 0.5f);
    }
    v = clampf(v, 0.0f, 1.0f);
    for (int k = 0; k < 3; k++)
        alb[k] *= 1.0f - v * (1.0f - tint[k]);
}

/* Backdrop: muted grey-blue paper, vignette, faint unevenness. */
static void backdrop(const float base[3], float x, float y, int w, int h,
                     float blot, float out[3])
{
    float u = (x / (float)w - 0.45f) * 2.0f, v = (y / (float)h - 0.42f) * 2.0f;
    float vig = 1.0f - 0.15f * (u * u + v * v);
    float grad = 1.0f + 0.12f * (1.0f - (x + y) / (float)(w + h));
    for (int k = 0; k < 3; k++)
        out[k] = base[k] * vig * grad * (1.0f + 0.04f * blot);
}

/* Ears: a shaded oval with a darker inner fold, composited over `bg`. */
static void ear(const rig *L, const float base[3], float eu, float ev,
                float side, float dim, float bg[3])
{
    float er = eu * eu + ev * ev;
    if (er >= 1.2f)
        return;
    float ea = 1.0f - smooth(0.85f, 1.05f, sqrtf(er));
    float n[3] = {eu * 0.75f, ev * 0.45f, sqrtf(fmaxf(0.05f, 1.0f - er))};
    norm3(n);
    float fold = smooth(0.55f, 0.15f, fabsf(eu * side - 0.3f) + 0.45f * fabsf(ev));
    float alb[3], col[3];
    for (int k = 0; k < 3; k++)
        alb[k] = base[k] * (1.0f - 0.35f * fold);
    shade(L, n, alb, 0.25f, 0.6f, col);
    for (int k = 0; k < 3; k++)
        bg[k] = mixf(bg[k], col[k] * dim, ea);
}

/* ---- stubble ------------------------------------------------------------ */

/*
 * One stub: a short dark dash from the follicle along (dirx, diry), over a
 * faint blue-grey halo where the shaft shows through the skin.
 */
static void stub(canvas *c, rng *r, float x, float y, float dirx, float diry,
                 float len, float darkness)
{
    static const float tint[3] = {0.08f, 0.07f, 0.065f};
    static const float halo[3] = {0.45f, 0.47f, 0.56f};
    stamp_mul(c, x, y, x + 0.5f * dirx * len, y + 0.5f * diry * len, 1.6f, halo,
              0.16f * darkness);
    float a = atan2f(diry, dirx) + 0.35f * rng_normal(r);
    float l = len * rng_range(r, 0.4f, 1.2f);
    float rad = rng_range(r, 0.45f, 0.8f);
    stamp_mul(c, x, y, x + cosf(a) * l, y + sinf(a) * l, rad, tint,
              darkness * rng_range(r, 0.55f, 0.9f));
}

/*
 * Stubble by follicular units on a jittered grid.  prob() gives the
 * expected number of units in a cell (it may exceed 1: foreshortened
 * surface packs more follicles into a pixel), the hair direction in the
 * image and the visible stub length.  Each unit has 1-3 hairs.
 */
typedef float (*stubble_fn)(float x, float y, uint32_t seed, float *dirx,
                            float *diry, float *len);

static void scatter_stubble(canvas *c, stubble_fn prob, uint32_t seed,
                            float cell, float darkness)
{
    int gw = (int)((float)c->w / cell) + 1, gh = (int)((float)c->h / cell) + 1;
    for (int gy = 0; gy < gh; gy++)
        for (int gx = 0; gx < gw; gx++) {
            rng r = cell_rng(gx, gy, seed);
            float x = ((float)gx + 0.5f) * cell, y = ((float)gy + 0.5f) * cell;
            float dx, dy, len;
            float p = prob(x, y, seed, &dx, &dy, &len);
            if (p <= 0.0f)
                continue;
            int n = (int)p;
            if (rng_unit(&r) < p - (float)n)
                n++;
            for (int i = 0; i < n && i < 4; i++) {
                float ux = ((float)gx + rng_unit(&r)) * cell;
                float uy = ((float)gy + rng_unit(&r)) * cell;
                float u = rng_unit(&r);
                int hairs = u < 0.40f ? 1 : u < 0.80f ? 2 : 3;
                for (int k = 0; k < hairs; k++)
                    stub(c, &r, ux + rng_range(&r, -0.9f, 0.9f),
                         uy + rng_range(&r, -0.9f, 0.9f), dx, dy, len,
                         darkness);
            }
        }
}

/* ---- 1. crown: top-down, Norwood VI-VII, forehead at the top ----------- */

#define CROWN_W 1600
#define CROWN_H 1200
static const float crown_cx = 800.0f, crown_cy = 610.0f;
static const float crown_rx = 560.0f, crown_ry = 520.0f;

/* Head coordinates: the outline is u^2 + v^2 = 1, a slightly egg-shaped
 * ellipse, narrower at the forehead (top) than at the back. */
static void crown_uv(float x, float y, float *u, float *v)
{
    *v = (y - crown_cy) / crown_ry;
    *u = (x - crown_cx) / (crown_rx * (1.0f + 0.05f * clampf(*v, -1.0f, 1.0f)));
}

/* Hair density 0..1 of the remaining horseshoe fringe. */
static float crown_fringe(float u, float v, uint32_t seed)
{
    float r = sqrtf(u * u + v * v);
    if (r < 0.6f)
        return 0.0f;
    float phi = fabsf(atan2f(u, v));            /* 0: back, pi: front */
    float side = phi / (0.5f * PI);
    float rb;
    if (phi < 0.5f * PI)
        rb = 0.70f + 0.10f * side * side;       /* back 0.70, sides 0.80 */
    else
        rb = 0.80f + 0.55f * smooth(0.5f * PI, 0.78f * PI, phi);
    rb += 0.05f * fbm(u * 2.5f, v * 2.5f, 2, seed);          /* wavy */
    rb += 0.018f * fbm(u * 14.0f, v * 14.0f, 2, seed + 5);   /* ragged */
    return smooth(rb, rb + 0.13f, r);
}

static float crown_prob(float x, float y, uint32_t seed, float *dirx,
                        float *diry, float *len)
{
    float u, v;
    crown_uv(x, y, &u, &v);
    float r2 = u * u + v * v;
    if (r2 >= 0.998f)
        return 0.0f;
    float z = sqrtf(1.0f - r2);
    float d = crown_fringe(u, v, seed);
    /* hair grows outward and down the sides; to the back at the nape */
    float r = sqrtf(r2) + 1e-6f;
    *dirx = u / r;
    *diry = v / r + 0.35f;
    *len = (2.2f + 2.0f * (1.0f - z)) * (0.6f + 0.4f * d);
    float fore = fmaxf(0.25f, z * 0.8f + 0.2f);   /* foreshortening */
    return 1.25f * d / fore;
}

static void crown_lf(float x, float y, uint32_t seed, float *out)
{
    out[0] = fbm(x * 0.006f, y * 0.006f, 3, seed + 1);       /* redness */
    out[1] = fbm(x * 0.01f, y * 0.01f, 2, seed + 30);        /* oiliness */
    out[2] = fbm(x * 0.002f, y * 0.002f, 3, seed + 60);      /* backdrop */
    out[3] = fbm(x * 0.02f, y * 0.02f, 2, seed + 80);        /* crease depth */
}

/*
 * An ear seen from above: a shell standing out from the side of the head,
 * shadowed where it meets the skull, with a rolled, lit rim (the helix)
 * and a darker groove inside it.  t is the distance out from the skull's
 * outline, s along it (negative towards the face).
 */
static void crown_ear(const rig *L, const float base[3], float s, float t,
                      float side, float bg[3])
{
    const float half = 118.0f;
    float q = s / half;
    if (q <= -1.0f || q >= 1.0f || t < -12.0f)
        return;
    float reach = 50.0f * sqrtf(1.0f - q * q) * (0.7f + 0.3f * q);
    /* a little below the focal plane of the scalp: soft-edged */
    float ea = clampf((reach - t) / 2.5f + 0.5f, 0.0f, 1.0f);
    if (ea <= 0.0f)
        return;
    float w = clampf(t / reach, 0.0f, 1.0f);
    float rim = smooth(0.7f, 1.0f, w);
    float n[3] = {side * (0.3f + 0.6f * rim), 0.45f * q, 1.0f - 0.3f * rim};
    norm3(n);
    float alb[3], col[3];
    float groove = 0.22f * bell(w, 0.55f, 0.16f);
    for (int k = 0; k < 3; k++)
        alb[k] = base[k] * (1.0f - groove);
    shade(L, n, alb, 0.2f, 0.5f, col);
    float occl = 0.3f + 0.55f * smooth(0.0f, 0.7f, w);    /* under the skull */
    for (int k = 0; k < 3; k++)
        bg[k] = mixf(bg[k], col[k] * occl, ea);
}

static int draw_crown(canvas *c)
{
    const uint32_t seed = 1001;
    rig L;
    rig_default(&L);
    float base[3], paper[3], ear_base[3];
    rgb_lin(base, 205, 160, 135);
    rgb_lin(paper, 112, 124, 138);
    rgb_lin(ear_base, 204, 146, 124);
    spot spots[MAX_SPOTS];
    int nspots = make_spots(spots, seed * 31u, crown_cx, crown_cy - 40.0f,
                            0.75f * crown_rx, 0.7f * crown_ry, 5, 40, 16);
    lowfreq lf;
    if (!lf_init(&lf, c->w, c->h, 8.0f, 4, crown_lf, seed))
        return 0;
    scatter_pores(c, 5.0f, 0.55f, 1.05f, 0.55f, seed + 9);

    static const float under[3] = {0.55f, 0.57f, 0.66f};
    const float ear_y = crown_cy + 0.10f * crown_ry;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            float fx = (float)x + 0.5f, fy = (float)y + 0.5f;
            float *p = pixel(c, x, y);
            float low[LF_MAX];
            lf_at(&lf, fx, fy, low);
            float u, v;
            crown_uv(fx, fy, &u, &v);
            float r = sqrtf(u * u + v * v);
            float edge = (r - 1.0f) * fminf(crown_rx, crown_ry);   /* px */
            float ha = clampf(0.6f - edge, 0.0f, 1.0f);
            float bg[3] = {0.0f, 0.0f, 0.0f};
            if (ha < 1.0f) {
                backdrop(paper, fx, fy, c->w, c->h, low[2], bg);
                /* the head's soft shadow, cast down and to the right; kept
                   light, as on a backdrop well behind the subject */
                float su = (fx - crown_cx - 30.0f) / (crown_rx + 20.0f);
                float sv = (fy - crown_cy - 36.0f) / (crown_ry + 20.0f);
                float sh = sqrtf(su * su + sv * sv);
                float shadow = 1.0f - 0.16f * (1.0f - smooth(0.9f, 1.2f, sh));
                for (int k = 0; k < 3; k++)
                    bg[k] *= shadow;
                /* the tops of the ears, a little behind the middle */
                if (fabsf(fy - ear_y) < 130.0f) {
                    float hwr = crown_rx * (1.0f + 0.05f * v) *
                                sqrtf(fmaxf(0.0f, 1.0f - v * v));
                    float side = fx < crown_cx ? -1.0f : 1.0f;
                    crown_ear(&L, ear_base, fy - ear_y, fabsf(fx - crown_cx) - hwr,
                              side, bg);
                }
            }
            if (ha <= 0.0f) {
                memcpy(p, bg, sizeof bg);
                continue;
            }
            float r2 = fminf(u * u + v * v, 0.9995f);
            float z = sqrtf(1.0f - r2);
            /* an ellipsoid a bit flatter than it is wide */
            float n[3] = {u, v * crown_rx / crown_ry, z * 1.25f};
            norm3(n);
            float pore = c->layer[(size_t)y * (size_t)c->w + (size_t)x];
            float alb[3], col[3];
            skin_albedo(base, fx, fy, pore, low[0], seed, 0.45f, alb);
            apply_spots(spots, nspots, fx, fy, alb);
            /* shaved hair under the skin reads as a blue-grey shadow */
            float fr = crown_fringe(u, v, seed);
            for (int k = 0; k < 3; k++)
                alb[k] *= 1.0f - 0.5f * fr * fr * (1.0f - under[k]);
            /* the rim turning away is a touch redder */
            float rim = smooth(0.75f, 1.0f, r);
            alb[1] *= 1.0f - 0.06f * rim;
            alb[2] *= 1.0f - 0.05f * rim;
            /* faint forehead creases where the brow slopes away (top) */
            float front = smooth(0.6f, 0.25f, fabsf(atan2f(u, -v)));
            if (front > 0.0f && r > 0.85f) {
                float crease = 0.0f, ang = atan2f(u, -v);
                for (int k = 0; k < 2; k++) {
                    float rk = 0.93f + 0.03f * (float)k +
                               0.012f * gnoise(ang * 3.0f, (float)k * 5.0f, seed + 90);
                    float broken = smooth(-0.2f, 0.4f, gnoise(ang * 7.0f, (float)k * 3.0f + 1.5f,
                                                              seed + 91));
                    crease += bell(r, rk, 0.003f) * broken;
                }
                crease *= front * (0.5f + 0.5f * low[3]);
                for (int k = 0; k < 3; k++)
                    alb[k] *= 1.0f - 0.16f * clampf(crease, 0.0f, 1.0f);
                n[1] += 0.08f * crease;
            }
            bump(n, fx, fy, 0.45f, 0.12f, seed + 20);
            float oil = 1.1f + 0.4f * low[1];
            float gloss = oil * (1.0f - 0.7f * pore) * (1.0f - 0.6f * fr);
            float ao = 0.5f + 0.5f * z;
            shade(&L, n, alb, gloss, ao, col);
            for (int k = 0; k < 3; k++)
                p[k] = mixf(bg[k], col[k], ha);
        }
    free(lf.v);
    scatter_stubble(c, crown_prob, seed, 6.0f, 0.9f);
    return 1;
}

/* ---- 2. front: face-on, Norwood III, M-shaped receding hairline -------- */

#define FRONT_W 1200
#define FRONT_H 1600
static const float front_cx = 600.0f, front_cy = 820.0f;
static const float front_rx = 470.0f, front_ry = 640.0f;
#define BROW_Y 1200.0f      /* eyebrows */
#define LASH_Y 1312.0f      /* upper lash line of the downcast eyes */
#define EYE_DX 172.0f       /* eye centres from the midline */
#define NOSE_Y 1565.0f      /* nose tip, just above the bottom edge */

/*
 * Half width of the head silhouette at row y: a slightly squarish dome
 * (superellipse) above the centre, a face narrowing a little below.
 */
static float front_halfwidth(float y)
{
    if (y <= front_cy) {
        float v = (front_cy - y) / front_ry;
        if (v >= 1.0f)
            return 0.0f;
        return front_rx * powf(1.0f - powf(v, 2.4f), 1.0f / 2.4f);
    }
    /* level at the centre row, so the outline has no kink there */
    float t = (y - front_cy) / ((float)FRONT_H - front_cy);
    float w = 1.0f - 0.06f * smooth(0.0f, 0.35f, t) - 0.10f * t * t;
    return front_rx * w;
}

/* Monotone cubic (Fritsch-Carlson) through n <= 16 points. */
static float pchip(const float *xs, const float *ys, int n, float x)
{
    if (x <= xs[0])
        return ys[0];
    if (x >= xs[n - 1])
        return ys[n - 1];
    int i = 0;
    while (x > xs[i + 1])
        i++;
    float d[2];
    for (int m = 0; m < 2; m++) {
        int k = i + m;
        if (k == 0 || k == n - 1) {
            int j = k == 0 ? 0 : n - 2;
            d[m] = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
            continue;
        }
        float s0 = (ys[k] - ys[k - 1]) / (xs[k] - xs[k - 1]);
        float s1 = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
        d[m] = s0 * s1 <= 0.0f ? 0.0f : 2.0f / (1.0f / s0 + 1.0f / s1);
    }
    float hgt = xs[i + 1] - xs[i], t = (x - xs[i]) / hgt;
    float t2 = t * t, t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * ys[i] + (t3 - 2 * t2 + t) * hgt * d[0] +
           (-2 * t3 + 3 * t2) * ys[i + 1] + (t3 - t2) * hgt * d[1];
}

/* The hairline: hair above this row, as a function of x. */
static float front_hairline(float x, uint32_t seed)
{
    /* |x - cx| / rx: forelock, temple recession, temple point, sides */
    static const float xs[] = {0.00f, 0.12f, 0.26f, 0.38f, 0.50f, 0.62f,
                               0.72f, 0.82f, 0.90f, 0.97f, 1.05f};
    static const float ys[] = {782.0f, 775.0f, 748.0f, 702.0f, 688.0f,
                               718.0f, 786.0f, 885.0f, 995.0f, 1105.0f,
                               1185.0f};
    float dx = fabsf(x - front_cx) / front_rx;
    float y = pchip(xs, ys, (int)(sizeof xs / sizeof xs[0]), dx);
    y += 12.0f * fbm(x * 0.010f, 3.0f, 2, seed + 3);
    y += 5.0f * fbm(x * 0.06f, 9.0f, 2, seed + 4);
    return y;
}

static float front_hair_density(float x, float y, uint32_t seed)
{
    float hl = front_hairline(x, seed);
    /* a soft transition, ~7 mm from bare skin to full density */
    float d = smooth(hl + 12.0f, hl - 45.0f, y);
    /* the recessions and the forelock's sides are thinner than the top */
    float dx = fabsf(x - front_cx) / front_rx;
    float thin = 0.25f * bell(dx, 0.45f, 0.15f) * smooth(450.0f, 620.0f, y);
    return d * (1.0f - thin);
}

/* Relief of the face (px towards the camera): brows, eyes, nose. */
static float face_relief(float x, float y)
{
    float dx = x - front_cx, adx = fabsf(dx);
    float h = 0.0f;
    /* temple hollows */
    h -= 10.0f * bell(adx, 400.0f, 60.0f) * bell(y, BROW_Y - 170.0f, 100.0f);
    h += 14.0f * bell(y, BROW_Y - 10.0f, 45.0f) * smooth(330.0f, 150.0f, adx);
    h -= 18.0f * bell(adx, EYE_DX, 85.0f) * bell(y, LASH_Y - 15.0f, 60.0f);
    h += 12.0f * bell(adx, EYE_DX, 55.0f) * bell(y, LASH_Y + 5.0f, 32.0f);
    h -= 4.0f * bell(dx, 0.0f, 30.0f) * bell(y, BROW_Y + 30.0f, 30.0f);
    /* nose: a ridge growing to the tip */
    float nt = smooth(BROW_Y + 80.0f, NOSE_Y, y) *
               (1.0f - smooth(NOSE_Y, NOSE_Y + 110.0f, y));
    float nw = 24.0f + 34.0f * smooth(NOSE_Y - 170.0f, NOSE_Y, y);
    h += 55.0f * nt * bell(dx, 0.0f, nw);
    /* the nostril wings either side of the tip */
    h += 14.0f * bell(adx, 52.0f, 22.0f) * bell(y, NOSE_Y - 5.0f, 30.0f);
    h += 12.0f * bell(adx, 230.0f, 90.0f) * bell(y, NOSE_Y - 60.0f, 80.0f);
    return h;
}

/* Unit normal of the head as a solid of revolution about the vertical,
 * given the silhouette half width hw and its slope dhw at row y. */
static void front_normal(float dx, float y, float hw, float dhw, float n[3])
{
    n[0] = dx;
    n[1] = -hw * dhw;
    n[2] = sqrtf(fmaxf(hw * hw - dx * dx, 0.002f * hw * hw + 1.0f));
    norm3(n);
    /* the face below the brows is tilted down, towards the floor */
    n[1] += 0.3f * n[2] * smooth(BROW_Y - 50.0f, (float)FRONT_H, y);
    norm3(n);
}

static float front_slope(float y)
{
    return 0.5f * (front_halfwidth(y + 1.0f) - front_halfwidth(y - 1.0f));
}

static float front_prob(float x, float y, uint32_t seed, float *dirx,
                        float *diry, float *len)
{
    float hw = front_halfwidth(y);
    if (hw <= 0.0f || fabsf(x - front_cx) >= hw - 0.5f || y > BROW_Y)
        return 0.0f;
    float d = front_hair_density(x, y, seed);
    float hl = front_hairline(x, seed);
    /* lone hairs scattered up to ~5 mm ahead of the line */
    float lone = 0.12f * smooth(hl + 40.0f, hl, y) * (1.0f - d);
    if (d <= 0.0f && lone <= 0.0f)
        return 0.0f;
    float n[3];
    front_normal(x - front_cx, y, hw, front_slope(y), n);
    float fore = fmaxf(0.25f, n[2]);
    /* hair grows forwards and down, i.e. down the surface to the face */
    *dirx = 0.6f * n[0];
    *diry = 1.0f;
    *len = (1.8f + 4.0f * (1.0f - n[2])) * (0.6f + 0.4f * d);
    return (2.0f * d + lone) / fore;
}

/* Eyebrows: many short strokes along an arch. */
static void draw_brows(canvas *c, uint32_t seed)
{
    static const float tint[3] = {0.16f, 0.12f, 0.10f};
    rng r = {seed};
    for (int side = -1; side <= 1; side += 2)
        for (int i = 0; i < 1100; i++) {
            float t = rng_unit(&r);                 /* 0 inner, 1 tail */
            float xc = front_cx + (float)side * (70.0f + 225.0f * t);
            float yc = BROW_Y - 30.0f * sinf(PI * fminf(1.0f, t * 1.25f)) + 12.0f * t;
            float thick = mixf(28.0f, 8.0f, t * t);
            float off = rng_normal(&r) * 0.45f * thick;
            if (fabsf(off) > thick)
                continue;
            float density = t < 0.08f ? t / 0.08f : 1.0f - 0.55f * t;
            if (rng_unit(&r) > density)
                continue;
            /* inner hairs point up and out, the rest out and slightly down */
            float ang = t < 0.2f ? mixf(-1.25f, -0.5f, t / 0.2f) : mixf(-0.35f, 0.25f, t);
            ang += 0.22f * rng_normal(&r);
            float dxs = cosf(ang) * (float)side, dys = sinf(ang);
            float l = rng_range(&r, 8.0f, 16.0f);
            float x0 = xc, y0 = yc + off;
            stamp_mul(c, x0, y0, x0 + dxs * l, y0 + dys * l,
                      rng_range(&r, 0.4f, 0.75f), tint, rng_range(&r, 0.3f, 0.6f));
        }
}

/* Downcast eyes: a soft lid crease and a fine lash line curving down. */
static void draw_lids(canvas *c, uint32_t seed)
{
    static const float lash[3] = {0.12f, 0.10f, 0.09f};
    static const float crease[3] = {0.62f, 0.50f, 0.48f};
    rng r = {seed};
    for (int side = -1; side <= 1; side += 2) {
        float ex = front_cx + (float)side * EYE_DX;
        float px = 0, py = 0, pcy = 0;
        for (int i = 0; i <= 40; i++) {
            float t = (float)i / 40.0f;             /* inner to outer */
            float x = ex + (float)side * (t - 0.5f) * 150.0f;
            float y = LASH_Y + 16.0f * sinf(PI * t) + 4.0f * t;
            float cy = y - 32.0f - 8.0f * sinf(PI * t);
            if (i > 0) {
                stamp_mul(c, px, py, x, y, 1.1f, lash, 0.45f * sinf(PI * fminf(1.0f, t * 1.1f)));
                stamp_mul(c, px, pcy, x, cy, 2.5f, crease, 0.25f * sinf(PI * t));
            }
            px = x;
            py = y;
            pcy = cy;
        }
        for (int i = 0; i < 110; i++) {
            float t = rng_range(&r, 0.08f, 0.98f);
            float x = ex + (float)side * (t - 0.5f) * 150.0f;
            float y = LASH_Y + 16.0f * sinf(PI * t) + 4.0f * t;
            float ang = 0.5f * PI - (float)side * (0.2f + 0.7f * t) * 0.8f +
                        0.15f * rng_normal(&r);
            float l = rng_range(&r, 4.0f, 10.0f) * (0.4f + sinf(PI * t));
            stamp_mul(c, x, y, x + cosf(ang) * l, y + sinf(ang) * l, 0.45f, lash,
                      rng_range(&r, 0.35f, 0.7f));
        }
    }
}

static void front_lf(float x, float y, uint32_t seed, float *out)
{
    out[0] = fbm(x * 0.006f, y * 0.006f, 3, seed + 1);       /* redness */
    out[1] = fbm(x * 0.01f, y * 0.01f, 2, seed + 30);        /* oiliness */
    out[2] = fbm(x * 0.002f, y * 0.002f, 3, seed + 60);      /* backdrop */
}

static int draw_front(canvas *c)
{
    const uint32_t seed = 2002;
    rig L;
    rig_default(&L);
    float base[3], ear_base[3], paper[3];
    rgb_lin(base, 206, 161, 136);
    rgb_lin(ear_base, 200, 144, 122);
    rgb_lin(paper, 112, 124, 138);
    spot spots[MAX_SPOTS];
    int nspots = make_spots(spots, seed * 31u, front_cx, 950.0f, 330.0f, 480.0f,
                            4, 24, 8);
    lowfreq lf;
    if (!lf_init(&lf, c->w, c->h, 8.0f, 3, front_lf, seed))
        return 0;
    scatter_pores(c, 5.0f, 0.55f, 1.0f, 0.55f, seed + 9);

    static const float under[3] = {0.36f, 0.37f, 0.44f};
    /* the face relief, once per pixel, from the temples down */
    const int relief_y0 = (int)(BROW_Y - 500.0f);
    float *relief = malloc((size_t)c->w * (size_t)(c->h - relief_y0) * sizeof *relief);
    if (!relief) {
        free(lf.v);
        return 0;
    }
    for (int y = relief_y0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            relief[(size_t)(y - relief_y0) * (size_t)c->w + (size_t)x] =
                face_relief((float)x + 0.5f, (float)y + 0.5f);
    const float ear_y = 0.5f * (BROW_Y + NOSE_Y) + 10.0f;
    const float ear_x = front_halfwidth(ear_y) - 6.0f;
    for (int y = 0; y < c->h; y++) {
        float fy = (float)y + 0.5f;
        float hw = front_halfwidth(fy), slope = front_slope(fy);
        /* near the crown the rows change fast: measure the edge along
           the silhouette's normal, not across the row */
        float across = sqrtf(1.0f + slope * slope);
        float shw = front_halfwidth(fy - 30.0f) + 40.0f;
        for (int x = 0; x < c->w; x++) {
            float fx = (float)x + 0.5f;
            float *p = pixel(c, x, y);
            float low[LF_MAX];
            lf_at(&lf, fx, fy, low);
            float dx = fx - front_cx;
            float edge = (fabsf(dx) - hw) / across;
            float ha = hw > 0.0f ? clampf(0.6f - edge, 0.0f, 1.0f) : 0.0f;
            float bg[3] = {0.0f, 0.0f, 0.0f};
            if (ha < 1.0f) {
                backdrop(paper, fx, fy, c->w, c->h, low[2], bg);
                /* a soft shadow on the backdrop, right of the head */
                float sd = (fabsf(dx - 40.0f) - shw) / 70.0f;
                float shadow = 1.0f - 0.16f * (1.0f - smooth(-0.5f, 1.0f, sd)) *
                                          smooth(120.0f, 300.0f, fy);
                for (int k = 0; k < 3; k++)
                    bg[k] *= shadow;
                for (int side = -1; side <= 1; side += 2) {
                    float eu = (fx - front_cx - (float)side * ear_x) / 46.0f;
                    float ev = (fy - ear_y) / 165.0f;
                    if (eu * (float)side < 0.0f)
                        eu *= 0.6f;
                    ear(&L, ear_base, eu, ev, (float)side, 0.85f, bg);
                }
            }
            if (ha <= 0.0f) {
                memcpy(p, bg, sizeof bg);
                continue;
            }
            float n[3];
            front_normal(dx, fy, hw, slope, n);
            float nz = n[2];
            if (y > relief_y0 && y < c->h - 1 && x > 0 && x < c->w - 1) {
                const float *rl = relief + (size_t)(y - relief_y0) * (size_t)c->w + (size_t)x;
                float hx = rl[1] - rl[-1];
                float hy = rl[c->w] - rl[-c->w];
                n[0] -= 0.5f * hx;
                n[1] -= 0.5f * hy;
                norm3(n);
            }
            float pore = c->layer[(size_t)y * (size_t)c->w + (size_t)x];
            float alb[3], col[3];
            skin_albedo(base, fx, fy, pore, low[0], seed, 0.40f, alb);
            apply_spots(spots, nspots, fx, fy, alb);
            float hd = fy < BROW_Y ? front_hair_density(fx, fy, seed) : 0.0f;
            for (int k = 0; k < 3; k++)
                alb[k] *= 1.0f - 0.6f * hd * hd * (1.0f - under[k]);
            /* redder nose tip and lids */
            float nose = smooth(NOSE_Y - 100.0f, NOSE_Y, fy) * bell(dx, 0.0f, 60.0f);
            float lids = bell(fabsf(dx), EYE_DX, 70.0f) * bell(fy, LASH_Y - 12.0f, 30.0f);
            float rd = 0.12f * nose + 0.10f * lids;
            alb[1] *= 1.0f - rd;
            alb[2] *= 1.0f - 0.8f * rd;
            bump(n, fx, fy, 0.45f, 0.10f, seed + 20);
            float oil = 0.85f + 0.3f * low[1];
            /* the forehead (T-zone) shines most */
            oil *= 1.0f + 0.4f * bell(dx, 0.0f, 200.0f) *
                              smooth(BROW_Y + 100.0f, 800.0f, fy) * smooth(600.0f, 800.0f, fy);
            float gloss = oil * (1.0f - 0.7f * pore) * (1.0f - 0.75f * hd);
            float ao = 0.55f + 0.45f * nz;
            ao *= 1.0f - 0.15f * bell(fabsf(dx), EYE_DX, 80.0f) * bell(fy, LASH_Y - 20.0f, 55.0f);
            shade(&L, n, alb, gloss, ao, col);
            for (int k = 0; k < 3; k++)
                p[k] = mixf(bg[k], col[k], ha);
        }
    }
    free(relief);
    free(lf.v);
    scatter_stubble(c, front_prob, seed, 6.0f, 0.92f);
    draw_brows(c, seed + 100);
    draw_lids(c, seed + 200);
    return 1;
}

/* ---- 3. thinning: crown close-up (~18 px/mm), diffuse thinning -------- */

#define THIN_W 1200
#define THIN_H 900
static const float whorl_x = 430.0f, whorl_y = 330.0f;

/* Hair direction: a clockwise spiral out of the crown whorl. */
static float flow_angle(float x, float y, float wander)
{
    float dx = x - whorl_x, dy = y - whorl_y;
    float d = sqrtf(dx * dx + dy * dy) + 1.0f;
    float twist = mixf(0.95f, 0.45f, smooth(0.0f, 650.0f, d));
    return atan2f(dy, dx) + twist + 0.45f * wander;
}

static void thin_lf(float x, float y, uint32_t seed, float *out)
{
    out[0] = fbm(x * 0.003f, y * 0.003f, 3, seed + 1);       /* redness */
    out[1] = fbm(x * 0.006f, y * 0.006f, 2, seed + 30);      /* oiliness */
    out[2] = fbm(x * 0.003f, y * 0.003f, 2, seed + 40);      /* hair flow */
    out[3] = fbm(x * 0.004f, y * 0.004f, 2, seed + 50);      /* patchiness */
}

static int draw_thinning(canvas *c)
{
    const uint32_t seed = 3003;
    rig L;
    rig_default(&L);
    L.exposure = 1.0f;
    float base[3];
    rgb_lin(base, 212, 168, 145);
    lowfreq lf;
    if (!lf_init(&lf, c->w, c->h, 8.0f, 4, thin_lf, seed))
        return 0;
    scatter_pores(c, 9.0f, 1.0f, 1.8f, 0.6f, seed + 9);
    const float sx = 0.5f * (float)THIN_W, sy = 0.5f * (float)THIN_H;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            float fx = (float)x + 0.5f, fy = (float)y + 0.5f;
            float low[LF_MAX];
            lf_at(&lf, fx, fy, low);
            /* a gently curved patch of a big sphere */
            float u = (fx - sx) / 1100.0f, v = (fy - sy) / 1100.0f;
            float n[3] = {u, v, sqrtf(fmaxf(0.1f, 1.0f - u * u - v * v))};
            norm3(n);
            float pore = c->layer[(size_t)y * (size_t)c->w + (size_t)x];
            float alb[3];
            skin_albedo(base, fx * 0.5f, fy * 0.5f, pore, low[0], seed, 0.9f, alb);
            bump(n, fx, fy, 0.3f, 0.08f, seed + 20);
            float gloss = (0.8f + 0.3f * low[1]) * (1.0f - 0.7f * pore);
            shade(&L, n, alb, gloss, 1.0f, pixel(c, x, y));
        }

    /* follicular units: sparse (diffuse thinning), mostly singles */
    float dark[3], grey[3];
    rgb_lin(dark, 52, 40, 32);
    rgb_lin(grey, 170, 160, 150);
    static const float shadow_tint[3] = {0.62f, 0.58f, 0.58f};
    static const float follicle[3] = {0.50f, 0.40f, 0.38f};
    const float cell = 30.0f;
    uint32_t id = 1;
    int gw = (int)((float)c->w / cell) + 4, gh = (int)((float)c->h / cell) + 4;
    for (int gy = -3; gy < gh; gy++)
        for (int gx = -3; gx < gw; gx++) {
            rng r = cell_rng(gx, gy, seed);
            float ux = ((float)gx + rng_unit(&r)) * cell;
            float uy = ((float)gy + rng_unit(&r)) * cell;
            float low[LF_MAX];
            lf_at(&lf, ux, uy, low);
            /* thinnest at the whorl, patchy elsewhere */
            float dw = hypotf(ux - whorl_x, uy - whorl_y);
            float keep = 0.45f + 0.25f * smooth(40.0f, 450.0f, dw) + 0.3f * low[3];
            if (rng_unit(&r) > keep)
                continue;
            float q = rng_unit(&r);
            int hairs = q < 0.55f ? 1 : q < 0.9f ? 2 : 3;
            /* hairs of one unit leave together and run side by side */
            float unit_jit = 0.22f * rng_normal(&r);
            float unit_len = rng_range(&r, 70.0f, 220.0f);
            for (int k = 0; k < hairs; k++) {
                float x = ux + rng_range(&r, -2.0f, 2.0f);
                float y = uy + rng_range(&r, -2.0f, 2.0f);
                int vellus = rng_unit(&r) < 0.25f;      /* miniaturised */
                int is_grey = !vellus && rng_unit(&r) < 0.06f;
                /* diffuse thinning: calibres vary, many hairs miniaturise */
                float rad = vellus ? rng_range(&r, 0.3f, 0.45f)
                                   : rng_range(&r, 0.45f, 0.75f) + 0.25f * sq(rng_unit(&r));
                float len = vellus ? rng_range(&r, 15.0f, 45.0f)
                                   : unit_len * rng_range(&r, 0.7f, 1.15f);
                float tone = rng_range(&r, 0.75f, 1.35f);
                float col[3];
                for (int j = 0; j < 3; j++)
                    col[j] = (is_grey ? grey[j] : dark[j]) * (vellus ? 2.2f : tone);
                float alpha = vellus ? 0.5f : 0.92f;
                float jit = unit_jit + 0.06f * rng_normal(&r);
                /* some hairs stand off the scalp: softer, their shadow
                   further away */
                int lifted = !vellus && rng_unit(&r) < 0.3f;
                float lift = lifted ? 2.2f : 1.0f;
                float wave_seed = (float)(rng_next(&r) & 1023);
                /* the follicle opening, and the root rising off the skin */
                stamp_mul(c, x, y, x, y, rad + 1.0f, follicle, 0.6f);
                float pts[48][2];
                int np = 0;
                float px = x, py = y, step = 6.0f;
                for (int s = 0; s < 48 && (float)s * step < len; s++) {
                    pts[np][0] = px;
                    pts[np][1] = py;
                    np++;
                    float wl[LF_MAX];
                    lf_at(&lf, px, py, wl);
                    float a = flow_angle(px, py, wl[2]) + jit +
                              0.3f * gnoise((float)s * 0.08f, wave_seed, seed + 70);
                    px += cosf(a) * step;
                    py += sinf(a) * step;
                }
                /* shadow: touching the skin at the root, offset further on */
                for (int s = 1; s < np; s++) {
                    float t0 = smooth(0.0f, 0.35f, (float)(s - 1) / (float)np);
                    float t1 = smooth(0.0f, 0.35f, (float)s / (float)np);
                    stamp_strand(c, id, pts[s - 1][0] + 2.0f * lift * t0,
                                 pts[s - 1][1] + 3.0f * lift * t0,
                                 pts[s][0] + 2.0f * lift * t1, pts[s][1] + 3.0f * lift * t1,
                                 rad + 2.4f * lift, shadow_tint,
                                 vellus ? 0.08f : 0.2f / lift, 1);
                }
                id++;
                for (int s = 1; s < np; s++) {
                    float t = (float)s / (float)np;
                    /* a sheen where the strand runs across the light */
                    float tx = pts[s][0] - pts[s - 1][0], ty = pts[s][1] - pts[s - 1][1];
                    float across = fabsf((tx * L.key[1] - ty * L.key[0]) /
                                         (sqrtf(tx * tx + ty * ty) + 1e-6f));
                    float sheen = 1.0f + 1.8f * powf(across, 8.0f) * smooth(0.1f, 0.4f, t);
                    float cc[3];
                    for (int j = 0; j < 3; j++)
                        cc[j] = col[j] * sheen * (1.0f + 0.3f * t);
                    float rr = rad * (1.0f - 0.45f * t * t);  /* tapering tip */
                    float a = alpha * (1.0f - 0.5f * t * t * t);
                    if (lifted) {       /* out of focus away from the root */
                        rr += 0.6f * smooth(0.1f, 0.6f, t);
                        a *= 1.0f - 0.4f * smooth(0.1f, 0.6f, t);
                    }
                    stamp_strand(c, id, pts[s - 1][0], pts[s - 1][1], pts[s][0],
                                 pts[s][1], rr, cc, a, 0);
                }
                id++;
            }
        }
    free(lf.v);
    return 1;
}

/* ---- main ---------------------------------------------------------------- */

typedef struct sample {
    const char *name;
    int w, h;
    smp_format format;
    float grain;
    int (*draw)(canvas *c);
} sample;

static int make(const char *dir, const sample *s)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, s->name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "mksamples: output path too long\n");
        return 1;
    }
    canvas c;
    if (!canvas_init(&c, s->w, s->h) || !s->draw(&c)) {
        canvas_free(&c);
        fprintf(stderr, "mksamples: out of memory\n");
        return 1;
    }
    smp_image *img;
    smp_error err;
    if (smp_image_new((uint32_t)s->w, (uint32_t)s->h, &img, &err) != SMP_OK) {
        canvas_free(&c);
        fprintf(stderr, "mksamples: %s\n", err.msg);
        return 1;
    }
    canvas_to_image(&c, img, s->grain, (uint32_t)s->w * 7u + (uint32_t)s->h);
    canvas_free(&c);
    img->res.unit = SMP_RES_NONE;
    img->res.x = img->res.y = 0;
    img->format = s->format;
    smp_save_options opt = {s->format, 90, NULL};
    smp_status st = smp_image_save(img, path, &opt, &err);
    smp_image_free(img);
    if (st != SMP_OK) {
        fprintf(stderr, "mksamples: %s\n", err.msg);
        return 1;
    }
    printf("%s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mksamples OUTDIR\n");
        return 2;
    }
    static const sample samples[] = {
        {"crown.jpg", CROWN_W, CROWN_H, SMP_FORMAT_JPEG, 1.4f, draw_crown},
        {"front.jpg", FRONT_W, FRONT_H, SMP_FORMAT_JPEG, 1.4f, draw_front},
        {"thinning.png", THIN_W, THIN_H, SMP_FORMAT_PNG, 0.7f, draw_thinning},
    };
    noise_init();
    srgb_init();
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (make(argv[1], &samples[i]) != 0)
            return 1;
    return 0;
}
