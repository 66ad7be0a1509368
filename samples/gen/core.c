/*
 * core.c - the generator's plumbing: sRGB conversion, a private PRNG,
 * gradient noise, low-frequency fields and a linear-light canvas with
 * antialiased stroke stamps.
 */
#include <stdlib.h>
#include "gen.h"

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

void srgb_init(void)
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

void rgb_lin(float out[3], int r, int g, int b)
{
    out[0] = srgb_to_lin((float)r);
    out[1] = srgb_to_lin((float)g);
    out[2] = srgb_to_lin((float)b);
}

/* Monotone cubic (Fritsch-Carlson) through n <= 16 points. */
float pchip(const float *xs, const float *ys, int n, float x)
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

/* ---- deterministic randomness ----------------------------------------- */


/* splitmix64 */
uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

float rng_unit(rng *r)
{
    return (float)((double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0));
}

float rng_range(rng *r, float a, float b)
{
    return a + (b - a) * rng_unit(r);
}

float rng_normal(rng *r)
{
    float u = rng_unit(r), v = rng_unit(r);
    if (u < 1e-7f)
        u = 1e-7f;
    return sqrtf(-2.0f * logf(u)) * cosf(2.0f * PI * v);
}

/* A generator for one grid cell, so decisions do not depend on order. */
rng cell_rng(int32_t x, int32_t y, uint32_t salt)
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

void noise_init(void)
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
float gnoise(float x, float y, uint32_t seed)
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
float fbm(float x, float y, int octaves, uint32_t seed)
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

/* ---- low-frequency fields ------------------------------------------------ */

int lf_init(lowfreq *g, int w, int h, float step, int k, lf_fn fn,
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

void lf_at(const lowfreq *g, float x, float y, float *out)
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

int canvas_init(canvas *c, int w, int h)
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

void canvas_free(canvas *c)
{
    free(c->px);
    free(c->layer);
    free(c->applied);
    free(c->owner);
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

/* Pixels under a short capsule, by alpha * coverage: with `mul` each
 * channel multiplied towards col (stubble, brow hairs, lashes, creases),
 * else col painted over them (grey and white hairs). */
static void stamp_capsule(canvas *c, float ax, float ay, float bx, float by,
                          float rad, const float col[3], float alpha, int mul)
{
    box b = seg_box(c, ax, ay, bx, by, rad + 1.5f);
    for (int y = b.y0; y <= b.y1; y++)
        for (int x = b.x0; x <= b.x1; x++) {
            float d = seg_dist((float)x + 0.5f, (float)y + 0.5f, ax, ay, bx, by);
            float a = alpha * line_cov(d, rad);
            if (a <= 0.0f)
                continue;
            float *p = pixel(c, x, y);
            for (int k = 0; k < 3; k++) {
                if (mul)
                    p[k] *= 1.0f - a * (1.0f - col[k]);
                else
                    p[k] += (col[k] - p[k]) * a;
            }
        }
}

void stamp_mul(canvas *c, float ax, float ay, float bx, float by,
               float rad, const float tint[3], float alpha)
{
    stamp_capsule(c, ax, ay, bx, by, rad, tint, alpha, 1);
}

void stamp_mix(canvas *c, float ax, float ay, float bx, float by, float rad,
               const float col[3], float alpha)
{
    stamp_capsule(c, ax, ay, bx, by, rad, col, alpha, 0);
}

/*
 * One segment of strand `id`: a pixel already covered by an earlier
 * segment of the same strand only gains the extra coverage, so joints do
 * not show as beads.  `mul` darkens towards col (a shadow) instead of
 * painting col over the pixel.
 */
void stamp_strand(canvas *c, uint32_t id, float ax, float ay, float bx,
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
void scatter_pores(canvas *c, float cell, float rmin, float rmax,
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
void canvas_to_image(canvas *c, smp_image *img, float grain,
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
