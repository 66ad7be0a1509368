/*
 * front.c - front.jpg: a face-on view, head slightly bowed, with a
 * receding Norwood III hairline; face towards the image bottom.
 */
#include <stdlib.h>
#include <string.h>
#include "gen.h"

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

static float front_prob(const void *ctx, float x, float y, float *dirx,
                        float *diry, float *len)
{
    const uint32_t seed = *(const uint32_t *)ctx;
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

int draw_front(canvas *c, float *mask)
{
    (void)mask;
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
    scatter_stubble(c, front_prob, &seed, seed, 6.0f, 0.92f, NULL);
    draw_brows(c, seed + 100);
    draw_lids(c, seed + 200);
    return 1;
}

