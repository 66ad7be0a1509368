/*
 * back.c - scar.jpg: the back of a head with a short buzz cut, a FUT
 * strip scar across the occiput and FUE extraction scars above it, and
 * scar-mask.png, white over the scar tissue.
 *
 * The view is from behind: crown at the image top, the nape hairline and
 * neck at the bottom, ears at the sides.  About 7 px/mm.
 */
#include <stdlib.h>
#include <string.h>
#include "gen.h"

#define BACK_W 1600
#define BACK_H 1200
static const float back_cx = 800.0f, back_cy = 610.0f;
static const float back_rx = 525.0f, back_ry = 570.0f;   /* the dome */
static const float whorl_x = 835.0f, whorl_y = 125.0f;
#define EAR_Y 735.0f
#define MAX_FUE 96

typedef struct scene {
    uint32_t seed;
    /* the strip, column by column: centre row, 1/sqrt(1 + slope^2) and
       half width (px) */
    float ys[BACK_W], across[BACK_W], half[BACK_W];
    float *strip;       /* w*h: strip coverage, antialiased */
    float *dots;        /* w*h: FUE scar coverage, antialiased */
    float *fue;         /* w*h: how much each FUE scar shows, soft-edged */
    float *bare;        /* w*h: no hair roots here */
} scene;

/*
 * Half width of the silhouette at row y: a round dome above the widest
 * row, then narrowing into the neck.
 */
static float back_halfwidth(float y)
{
    if (y <= back_cy) {
        float v = (back_cy - y) / back_ry;
        if (v >= 1.0f)
            return 0.0f;
        return back_rx * powf(1.0f - powf(v, 2.2f), 1.0f / 2.2f);
    }
    float t = (y - back_cy) / ((float)BACK_H - back_cy);
    return back_rx * (1.0f - 0.04f * smooth(0.0f, 0.4f, t) -
                      0.20f * smooth(0.3f, 0.85f, t));
}

static float back_slope(float y)
{
    return 0.5f * (back_halfwidth(y + 1.0f) - back_halfwidth(y - 1.0f));
}

/* Unit normal of the head as a solid of revolution about the vertical;
 * under the bulge of the occiput the surface turns down into the neck. */
static void back_normal(float dx, float y, float hw, float dhw, float n[3])
{
    n[0] = dx;
    n[1] = -hw * dhw;
    n[2] = sqrtf(fmaxf(hw * hw - dx * dx, 0.002f * hw * hw + 1.0f));
    norm3(n);
    n[1] += 0.25f * n[2] * bell(y, 990.0f, 110.0f);
    norm3(n);
}

/* The nape hairline: hair above this row, rising behind the ears. */
static float nape_line(float x, uint32_t seed)
{
    static const float xs[] = {0.00f, 0.20f, 0.35f, 0.48f, 0.58f, 0.66f,
                               0.74f, 0.82f, 1.10f};
    static const float ys[] = {1090.0f, 1083.0f, 1062.0f, 1025.0f, 975.0f,
                               915.0f, 862.0f, 832.0f, 820.0f};
    float dx = fabsf(x - back_cx) / back_rx;
    float y = pchip(xs, ys, (int)(sizeof xs / sizeof xs[0]), dx);
    y += 10.0f * fbm(x * 0.012f, 2.0f, 2, seed + 3);
    y += 4.0f * fbm(x * 0.07f, 8.0f, 2, seed + 4);
    return y;
}

/* Hair density 0..1: the buzz cut above the nape line, none on the
 * strip, a little thinner around it (the donor area). */
static float back_hair(const scene *S, float x, float y)
{
    float hl = nape_line(x, S->seed);
    float d = smooth(hl + 12.0f, hl - 30.0f, y);
    /* lone hairs of the nape fuzz below the line */
    d = fmaxf(d, 0.10f * smooth(hl + 60.0f, hl, y));
    int ix = (int)clampf(x, 0.0f, (float)(BACK_W - 1));
    float dist = fabsf(y - S->ys[ix]) * S->across[ix];
    d *= smooth(S->half[ix] - 3.0f, S->half[ix] + 5.0f, dist);
    d *= 1.0f - 0.15f * bell(dist, S->half[ix], 220.0f);
    return d;
}

static float back_prob(const void *ctx, float x, float y, float *dirx,
                       float *diry, float *len)
{
    const scene *S = ctx;
    float hw = back_halfwidth(y);
    float dx = x - back_cx;
    if (hw <= 0.0f || fabsf(dx) >= hw - 0.5f)
        return 0.0f;
    float d = back_hair(S, x, y);
    if (d <= 0.0f)
        return 0.0f;
    float n[3];
    back_normal(dx, y, hw, back_slope(y), n);
    /* out of the whorl in a spiral, then down the back of the head,
       turning in towards the middle at the nape */
    float wx = x - whorl_x, wy = y - whorl_y;
    float wr = sqrtf(wx * wx + wy * wy) + 1.0f;
    float w = smooth(420.0f, 60.0f, wr);
    float rx = (wx * cosf(0.6f) - wy * sinf(0.6f)) / wr;
    float ry = (wx * sinf(0.6f) + wy * cosf(0.6f)) / wr;
    float side = dx / hw;
    float downx = 0.3f * side - 0.45f * side * smooth(850.0f, 1080.0f, y);
    *dirx = mixf(downx, rx, w);
    *diry = mixf(1.0f, ry, w);
    float fore = fmaxf(0.25f, n[2]);
    *len = (3.5f + 3.5f * (1.0f - n[2])) * (0.6f + 0.4f * d);
    return 1.25f * d / fore;
}

static void back_lf(float x, float y, uint32_t seed, float *out)
{
    out[0] = fbm(x * 0.006f, y * 0.006f, 3, seed + 1);       /* redness */
    out[1] = fbm(x * 0.01f, y * 0.01f, 2, seed + 30);        /* oiliness */
    out[2] = fbm(x * 0.002f, y * 0.002f, 3, seed + 60);      /* backdrop */
    out[3] = fbm(x * 0.015f, y * 0.015f, 2, seed + 80);      /* scar tone */
}

/*
 * An ear seen from behind: the back of the pinna standing out from the
 * side of the head, widest at the top (the helix), close to the head at
 * the lobe, shadowed in the groove where it joins the skull.  t is the
 * distance out from the head's outline, s along it (negative upwards).
 */
static void back_ear(const rig *L, const float base[3], float s, float t,
                     float side, float bg[3])
{
    const float half = 215.0f;
    float q = (s + 20.0f) / half;
    if (q <= -1.0f || q >= 1.0f || t < -12.0f)
        return;
    float reach = 92.0f * sqrtf(1.0f - q * q) * (0.78f - 0.3f * q);
    float ea = clampf((reach - t) / 1.4f + 0.5f, 0.0f, 1.0f);
    if (ea <= 0.0f)
        return;
    float w = clampf(t / reach, 0.0f, 1.0f);
    float rim = smooth(0.72f, 1.0f, w);
    float n[3] = {side * (0.45f + 0.45f * rim), 0.35f * q - 0.25f * rim * (q < 0.0f),
                  0.85f - 0.3f * rim};
    norm3(n);
    float alb[3], col[3];
    for (int k = 0; k < 3; k++)
        alb[k] = base[k] * (1.0f - 0.1f * bell(w, 0.6f, 0.15f));
    shade(L, n, alb, 0.3f, 0.6f, col);
    float occl = 0.35f + 0.65f * smooth(0.0f, 0.55f, w);   /* the groove */
    for (int k = 0; k < 3; k++)
        bg[k] = mixf(bg[k], col[k] * occl, ea);
}

/* Coverage of a disc-ish ellipse into buf (max), antialiased over
 * `soft` px, times `amount`. */
static void cover_dot(float *buf, float cx, float cy, float r, float aspect,
                      float angle, float grow, float soft, float amount)
{
    float ca = cosf(angle), sa = sinf(angle);
    int x0 = (int)floorf(cx - r - grow - 2.0f), x1 = (int)ceilf(cx + r + grow + 2.0f);
    int y0 = (int)floorf(cy - r - grow - 2.0f), y1 = (int)ceilf(cy + r + grow + 2.0f);
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < BACK_H; y++)
        for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < BACK_W; x++) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            float a = dx * ca + dy * sa, b = (-dx * sa + dy * ca) / aspect;
            float d = sqrtf(a * a + b * b);
            float v = amount * clampf((r + grow - d) / soft + 0.5f, 0.0f, 1.0f);
            float *p = buf + (size_t)y * BACK_W + (size_t)x;
            *p = fmaxf(*p, v);
        }
}

/* The strip's path and the FUE scars' places, as coverage maps. */
static void scar_layout(scene *S)
{
    const uint32_t seed = S->seed;
    for (int x = 0; x < BACK_W; x++) {
        float fx = (float)x + 0.5f;
        float q = (fx - back_cx) / back_rx;
        /* a shallow smile: lowest in the middle, rising towards the ears */
        S->ys[x] = 700.0f - 85.0f * q * q + 7.0f * fbm(fx * 0.004f, 0.5f, 2, seed + 5);
        float w = (24.0f - 7.0f * q * q) *
                  (1.0f + 0.15f * fbm(fx * 0.006f, 1.5f, 2, seed + 6));
        S->half[x] = w + 1.6f * gnoise(fx * 0.05f, 3.3f, seed + 7) +
                     0.7f * gnoise(fx * 0.2f, 5.1f, seed + 8);
    }
    for (int x = 0; x < BACK_W; x++) {
        int a = x > 0 ? x - 1 : x, b = x < BACK_W - 1 ? x + 1 : x;
        float slope = (S->ys[b] - S->ys[a]) / (float)(b - a);
        S->across[x] = 1.0f / sqrtf(1.0f + slope * slope);
    }
    for (int y = 0; y < BACK_H; y++)
        for (int x = 0; x < BACK_W; x++) {
            float d = fabsf((float)y + 0.5f - S->ys[x]) * S->across[x];
            size_t i = (size_t)y * BACK_W + (size_t)x;
            S->strip[i] = clampf(S->half[x] - d + 0.5f, 0.0f, 1.0f);
            S->bare[i] = clampf(S->half[x] + 1.5f - d + 0.5f, 0.0f, 1.0f);
        }
    /* FUE scars: ~1 mm, in the donor band above the strip, never closer
       than ~6 mm to each other */
    rng r = {seed * 977u + 13u};
    float px[MAX_FUE], py[MAX_FUE];
    int n = 0;
    for (int tries = 0; tries < 4000 && n < 64; tries++) {
        float x = rng_range(&r, back_cx - 0.8f * back_rx, back_cx + 0.8f * back_rx);
        int ix = (int)x;
        float top = S->ys[ix] - 330.0f, bottom = S->ys[ix] - S->half[ix] - 30.0f;
        /* a few below the strip too */
        if (rng_unit(&r) < 0.12f) {
            top = S->ys[ix] + S->half[ix] + 30.0f;
            bottom = top + 110.0f;
        }
        float y = rng_range(&r, top, bottom);
        float hw = back_halfwidth(y);
        if (fabsf(x - back_cx) > hw - 40.0f || y > nape_line(x, seed) - 25.0f)
            continue;
        int ok = 1;
        for (int k = 0; k < n && ok; k++)
            ok = sq(px[k] - x) + sq(py[k] - y) > 42.0f * 42.0f;
        if (!ok)
            continue;
        px[n] = x;
        py[n] = y;
        n++;
        float rad = rng_range(&r, 3.1f, 4.0f);
        float aspect = rng_range(&r, 0.8f, 1.0f), ang = rng_range(&r, 0.0f, PI);
        cover_dot(S->dots, x, y, rad, aspect, ang, 0.0f, 1.0f, 1.0f);
        cover_dot(S->bare, x, y, rad, aspect, ang, 1.0f, 1.0f, 1.0f);
        cover_dot(S->fue, x, y, rad, aspect, ang, -0.3f, 2.2f,
                  rng_range(&r, 0.5f, 0.85f));
    }
}

/* Depth of the scar's surface below the skin around it (px, <= 0). */
static float strip_depth(const scene *S, int x, float y)
{
    float d = fabsf(y - S->ys[x]) * S->across[x];
    return -4.0f * smooth(S->half[x] + 2.0f, S->half[x] - 8.0f, d);
}

/* Paints the head, the scar tissue and the stubble; fills the mask. */
static void paint_scar(canvas *c, const scene *S, const lowfreq *lf,
                       float *mask)
{
    const uint32_t seed = S->seed;
    rig L;
    rig_default(&L);
    float base[3], paper[3], ear_base[3], scar_col[3], fue_col[3];
    rgb_lin(base, 208, 163, 138);
    rgb_lin(paper, 112, 124, 138);
    rgb_lin(ear_base, 204, 146, 124);
    rgb_lin(scar_col, 238, 203, 194);
    rgb_lin(fue_col, 242, 220, 210);
    static const float under[3] = {0.52f, 0.54f, 0.63f};
    spot spots[MAX_SPOTS];
    int nspots = make_spots(spots, seed * 31u, back_cx, 640.0f, 420.0f, 480.0f,
                            4, 22, 6);
    scatter_pores(c, 5.0f, 0.55f, 1.0f, 0.55f, seed + 9);

    for (int y = 0; y < c->h; y++) {
        float fy = (float)y + 0.5f;
        float hw = back_halfwidth(fy), slope = back_slope(fy);
        float across = sqrtf(1.0f + slope * slope);
        float shw = back_halfwidth(fy - 30.0f) + 40.0f;
        for (int x = 0; x < c->w; x++) {
            float fx = (float)x + 0.5f;
            float *p = pixel(c, x, y);
            size_t i = (size_t)y * (size_t)c->w + (size_t)x;
            float low[LF_MAX];
            lf_at(lf, fx, fy, low);
            float dx = fx - back_cx;
            float edge = (fabsf(dx) - hw) / across;
            float ha = hw > 0.0f ? clampf(0.6f - edge, 0.0f, 1.0f) : 0.0f;
            if (mask)
                mask[i] = ha * fmaxf(S->strip[i], S->dots[i]);
            float bg[3] = {0.0f, 0.0f, 0.0f};
            if (ha < 1.0f) {
                backdrop(paper, fx, fy, c->w, c->h, low[2], bg);
                /* a soft shadow on the backdrop, right of the head */
                float sd = (fabsf(dx - 40.0f) - shw) / 70.0f;
                float shadow = 1.0f - 0.16f * (1.0f - smooth(-0.5f, 1.0f, sd)) *
                                          smooth(60.0f, 240.0f, fy);
                for (int k = 0; k < 3; k++)
                    bg[k] *= shadow;
                /* the backs of the ears, standing out from the head */
                if (fabsf(fy - EAR_Y) < 240.0f)
                    back_ear(&L, ear_base, fy - EAR_Y, fabsf(dx) - hw,
                             dx < 0.0f ? -1.0f : 1.0f, bg);
            }
            if (ha <= 0.0f) {
                memcpy(p, bg, sizeof bg);
                continue;
            }
            float n[3];
            back_normal(dx, fy, hw, slope, n);
            float nz = n[2];
            float st = S->strip[i], fue = S->fue[i];
            float scar = fmaxf(st, fue);
            /* the strip is a shallow groove with rolled edges */
            if (st > 0.0f || S->bare[i] > 0.0f) {
                float hy = strip_depth(S, x, fy + 1.0f) - strip_depth(S, x, fy - 1.0f);
                n[1] -= 0.12f * hy;
                norm3(n);
            }
            float pore = c->layer[i] * (1.0f - scar);
            float alb[3], col[3];
            skin_albedo(base, fx, fy, pore, low[0], seed, 0.45f, alb);
            apply_spots(spots, nspots, fx, fy, alb);
            float fr = back_hair(S, fx, fy);
            for (int k = 0; k < 3; k++)
                alb[k] *= 1.0f - 0.55f * fr * fr * (1.0f - under[k]);
            float dist = (fy - S->ys[x]) * S->across[x];
            /* the tissue's colour fades in over ~2 px inside the edge */
            float tissue = clampf((S->half[x] - fabsf(dist)) / 2.5f + 0.3f, 0.0f, 1.0f);
            if (tissue > 0.0f || fue > 0.0f) {
                /* pale, pinkish, streaked along its length, a little
                   redder down the middle where it healed last */
                float streak = fbm(fx * 0.02f, dist * 0.3f, 2, seed + 11);
                float pink = 0.5f + 0.5f * low[3] +
                             0.5f * bell(dist, 0.0f, 0.25f * S->half[x]);
                float sc[3];
                for (int k = 0; k < 3; k++)
                    sc[k] = scar_col[k] * (1.0f + 0.07f * streak);
                sc[1] *= 1.0f - 0.07f * pink;
                sc[2] *= 1.0f - 0.06f * pink;
                for (int k = 0; k < 3; k++) {
                    alb[k] = mixf(alb[k], sc[k], 0.8f * tissue);
                    alb[k] = mixf(alb[k], fue_col[k], fue);
                }
            }
            /* faint creases across the neck */
            if (fy > 1080.0f) {
                float crease = 0.0f;
                for (int k = 0; k < 2; k++) {
                    float yc = 1135.0f + 45.0f * (float)k +
                               6.0f * gnoise(fx * 0.004f, (float)k * 3.0f, seed + 12) +
                               0.00015f * dx * dx;
                    float broken = smooth(-0.3f, 0.3f,
                                          gnoise(fx * 0.006f, (float)k * 5.0f + 1.0f, seed + 13));
                    crease += bell(fy, yc, 3.5f) * broken;
                }
                crease *= smooth(0.25f, 0.0f, fr);
                for (int k = 0; k < 3; k++)
                    alb[k] *= 1.0f - 0.08f * clampf(crease, 0.0f, 1.0f);
                n[1] += 0.06f * crease;
            }
            bump(n, fx, fy, 0.45f, 0.12f * (1.0f - 0.7f * scar), seed + 20);
            float oil = 0.9f + 0.4f * low[1];
            float gloss = oil * (1.0f - 0.7f * pore) * (1.0f - 0.6f * fr);
            gloss = mixf(gloss, 2.4f, tissue);  /* scar tissue shines */
            float ao = 0.55f + 0.45f * nz;
            shade(&L, n, alb, gloss, ao, col);
            for (int k = 0; k < 3; k++)
                p[k] = mixf(bg[k], col[k], ha);
        }
    }
    /* dark stubble; no roots on the scar tissue */
    stubble_look look = {
        .ntones = 2,
        .tone = {{0.85f, {34, 27, 23}, 0.16f, 0.85f},
                 {0.15f, {62, 48, 40}, 0.12f, 0.8f}},
        .rad_min = 0.45f, .rad_max = 0.8f, .curl = 0.25f, .shadow = 0.15f,
        .bare = S->bare,
    };
    scatter_stubble(c, back_prob, S, seed, 6.0f, 0.9f, &look);
}

int draw_scar(canvas *c, float *mask)
{
    size_t npx = (size_t)BACK_W * BACK_H;
    scene *S = calloc(1, sizeof *S);
    if (!S)
        return 0;
    S->seed = 8008;
    S->strip = calloc(npx, sizeof *S->strip);
    S->dots = calloc(npx, sizeof *S->dots);
    S->fue = calloc(npx, sizeof *S->fue);
    S->bare = calloc(npx, sizeof *S->bare);
    lowfreq lf = {0, 0, 0, 0.0f, NULL};
    int ok = S->strip && S->dots && S->fue && S->bare &&
             lf_init(&lf, c->w, c->h, 8.0f, 4, back_lf, S->seed);
    if (ok) {
        scar_layout(S);
        paint_scar(c, S, &lf, mask);
    }
    free(lf.v);
    free(S->strip);
    free(S->dots);
    free(S->fue);
    free(S->bare);
    free(S);
    return ok;
}
