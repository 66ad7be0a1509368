/*
 * gen.h - the sample generator's shared pieces: small maths, a private
 * PRNG, gradient noise, a linear-light canvas with stroke stamps, skin
 * shading and stubble.  See mksamples.c for the overview.
 *
 * Every sample is drawn by one draw_* function (crown.c, front.c,
 * closeup.c, back.c) into a canvas and, for the samples that come with a
 * mask, a w*h float buffer (0 = black, 1 = white).
 */
#ifndef SMP_SAMPLES_GEN_H
#define SMP_SAMPLES_GEN_H

#include <math.h>
#include <stdint.h>
#include "smp/smp.h"

#define PI 3.14159265358979323846f

/* ---- small maths ------------------------------------------------------ */

static inline float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static inline float mixf(float a, float b, float t)
{
    return a + (b - a) * t;
}

/* Hermite step from e0 to e1 (e1 < e0 gives a falling step). */
static inline float smooth(float e0, float e1, float x)
{
    float t = clampf((x - e0) / (e1 - e0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

static inline float sq(float x)
{
    return x * x;
}

/* exp(-((x - c) / s)^2) */
static inline float bell(float x, float c, float s)
{
    return expf(-sq((x - c) / s));
}

static inline float dot3(const float a[3], const float b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void norm3(float v[3])
{
    float l = sqrtf(dot3(v, v));
    if (l > 0.0f) {
        v[0] /= l;
        v[1] /= l;
        v[2] /= l;
    }
}

void srgb_init(void);
void rgb_lin(float out[3], int r, int g, int b);

/* Monotone cubic (Fritsch-Carlson) through n <= 16 points. */
float pchip(const float *xs, const float *ys, int n, float x);

/* ---- deterministic randomness ----------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

uint64_t rng_next(rng *r);
float rng_unit(rng *r);
float rng_range(rng *r, float a, float b);
float rng_normal(rng *r);
/* A generator for one grid cell, so decisions do not depend on order. */
rng cell_rng(int32_t x, int32_t y, uint32_t salt);

/* ---- gradient noise ---------------------------------------------------- */

void noise_init(void);
/* Perlin-style gradient noise, roughly in [-1, 1]. */
float gnoise(float x, float y, uint32_t seed);
/* Fractal sum; each octave is rotated so no axis shows through. */
float fbm(float x, float y, int octaves, uint32_t seed);

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

int lf_init(lowfreq *g, int w, int h, float step, int k, lf_fn fn,
            uint32_t seed);
void lf_at(const lowfreq *g, float x, float y, float *out);

/* ---- canvas ------------------------------------------------------------ */

/* Linear-light RGB, three floats a pixel, plus scratch layers. */
typedef struct canvas {
    int w, h;
    float *px;
    float *layer;       /* w*h: pore depth 0..1 */
    float *applied;     /* w*h: coverage already applied by strand `owner` */
    uint32_t *owner;
} canvas;

int canvas_init(canvas *c, int w, int h);
void canvas_free(canvas *c);

static inline float *pixel(canvas *c, int x, int y)
{
    return c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
}

/* Darkens pixels under a short capsule towards `tint` (a multiplier). */
void stamp_mul(canvas *c, float ax, float ay, float bx, float by, float rad,
               const float tint[3], float alpha);
/* Paints `col` over the pixels under a short capsule. */
void stamp_mix(canvas *c, float ax, float ay, float bx, float by, float rad,
               const float col[3], float alpha);
/* One segment of strand `id` (see core.c); `mul` darkens towards col. */
void stamp_strand(canvas *c, uint32_t id, float ax, float ay, float bx,
                  float by, float rad, const float col[3], float alpha,
                  int mul);
/* Pores on a jittered grid into c->layer: about `prob` per cell^2 px. */
void scatter_pores(canvas *c, float cell, float rmin, float rmax, float prob,
                   uint32_t salt);
/* Encodes into the RGBA8 image with sensor grain (sigma in 8-bit levels). */
void canvas_to_image(canvas *c, smp_image *img, float grain, uint32_t salt);

/* ---- skin shading ------------------------------------------------------ */

typedef struct rig {
    float key[3], key_col[3];
    float fill[3], fill_col[3];
    float amb[3];
    float wrap[3];      /* per channel: red light wraps furthest (SSS) */
    float half[3];      /* key half vector */
    float spec_broad, spec_sharp;   /* the two specular lobes */
    float exposure;
} rig;

/* Studio lighting: a soft key upper left, a weak cool fill right. */
void rig_default(rig *L);
void shade(const rig *L, const float n[3], const float alb[3], float gloss,
           float ao, float out[3]);
void skin_albedo(const float base[3], float x, float y, float pore, float red,
                 uint32_t seed, float redness, float out[3]);
void bump(float n[3], float x, float y, float scale, float amount,
          uint32_t seed);

/* Brownish spots: small moles, freckles and faint sun spots. */
typedef struct spot {
    float x, y, r, strength;
} spot;

#define MAX_SPOTS 64

int make_spots(spot *s, uint64_t seed, float cx, float cy, float rx, float ry,
               int moles, int freckles, int sun);
void apply_spots(const spot *s, int n, float x, float y, float alb[3]);
void backdrop(const float base[3], float x, float y, int w, int h, float blot,
              float out[3]);
void ear(const rig *L, const float base[3], float eu, float ev, float side,
         float dim, float bg[3]);

/* ---- stubble ------------------------------------------------------------ */

/*
 * The look of shaved hair.  NULL everywhere means the classic dark stub
 * (crown.jpg, front.jpg).  Otherwise each hair picks one of the tones by
 * share and is painted over the skin in that colour, after a faint
 * shadow on the side away from the key light; `curl` bends each stub
 * (tightly coiled hair shaved short shows as commas and dots).
 */
typedef struct hair_tone {
    float share;        /* of all hairs; the shares add up to 1 */
    int rgb[3];         /* sRGB of the shaft */
    float halo;         /* how much the shaft shows through the skin */
    float alpha;
} hair_tone;

#define MAX_TONES 4
typedef struct stubble_look {
    int ntones;
    hair_tone tone[MAX_TONES];
    float rad_min, rad_max;
    float curl;         /* radians over the stub's second half */
    float shadow;       /* strength of the cast shadow */
    /* optional, canvas-sized: no hair grows where it is >= 0.5 (scars);
       finer than the grid prob() is sampled on */
    const float *bare;
    float lin[MAX_TONES][3];    /* filled in by scatter_stubble */
} stubble_look;

/*
 * prob() gives the expected number of follicular units in a cell (it may
 * exceed 1), the hair direction in the image and the stub length.
 */
typedef float (*stubble_fn)(const void *ctx, float x, float y, float *dirx,
                            float *diry, float *len);

void scatter_stubble(canvas *c, stubble_fn prob, const void *ctx,
                     uint32_t seed, float cell, float darkness,
                     stubble_look *look);

/* ---- the samples ---------------------------------------------------------- */

/* `mask` is NULL, or w*h floats to fill with the sample's mask. */
typedef int (*draw_fn)(canvas *c, float *mask);

int draw_crown(canvas *c, float *mask);
int draw_dark(canvas *c, float *mask);
int draw_grey(canvas *c, float *mask);
int draw_alopecia(canvas *c, float *mask);
int draw_front(canvas *c, float *mask);
int draw_thinning(canvas *c, float *mask);
int draw_infill(canvas *c, float *mask);
int draw_scar(canvas *c, float *mask);

#endif
