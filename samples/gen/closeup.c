/*
 * closeup.c - close-ups of a crown with diffuse thinning: long fine hairs
 * flowing out of a whorl over visible scalp.
 *
 *     thinning.png  light skin, ~18 px/mm, whorl in view, a few grey hairs
 *     infill.jpg    medium skin, ~15 px/mm, denser near-black hair flowing
 *                   from a whorl above the frame (for --infill)
 */
#include <stdlib.h>
#include "gen.h"

typedef struct closeup {
    uint32_t seed;
    int skin[3], dark[3], grey[3];      /* sRGB */
    float whorl_x, whorl_y;
    float skin_scale;       /* skin_albedo's pixels per image pixel */
    float redness;
    float pore_cell, pore_rmin, pore_rmax;
    float cell;             /* one follicular unit at most per cell^2 */
    float keep, keep_whorl, keep_patchy;    /* share of cells with hair */
    float vellus, grey_share;
    float len_min, len_max; /* terminal hairs, px */
    float rad_scale;
} closeup;

/* Hair direction: a clockwise spiral out of the crown whorl. */
static float flow_angle(const closeup *P, float x, float y, float wander)
{
    float dx = x - P->whorl_x, dy = y - P->whorl_y;
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

static int draw_closeup(canvas *c, const closeup *P)
{
    const uint32_t seed = P->seed;
    rig L;
    rig_default(&L);
    L.exposure = 1.0f;
    float base[3];
    rgb_lin(base, P->skin[0], P->skin[1], P->skin[2]);
    lowfreq lf;
    if (!lf_init(&lf, c->w, c->h, 8.0f, 4, thin_lf, seed))
        return 0;
    scatter_pores(c, P->pore_cell, P->pore_rmin, P->pore_rmax, 0.6f, seed + 9);
    const float sx = 0.5f * (float)c->w, sy = 0.5f * (float)c->h;
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
            skin_albedo(base, fx * P->skin_scale, fy * P->skin_scale, pore, low[0], seed,
                        P->redness, alb);
            bump(n, fx, fy, 0.3f, 0.08f, seed + 20);
            float gloss = (0.8f + 0.3f * low[1]) * (1.0f - 0.7f * pore);
            shade(&L, n, alb, gloss, 1.0f, pixel(c, x, y));
        }

    /* follicular units: sparse (diffuse thinning), mostly singles */
    float dark[3], grey[3];
    rgb_lin(dark, P->dark[0], P->dark[1], P->dark[2]);
    rgb_lin(grey, P->grey[0], P->grey[1], P->grey[2]);
    static const float shadow_tint[3] = {0.62f, 0.58f, 0.58f};
    static const float follicle[3] = {0.50f, 0.40f, 0.38f};
    const float cell = P->cell;
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
            float dw = hypotf(ux - P->whorl_x, uy - P->whorl_y);
            float keep = P->keep + P->keep_whorl * smooth(40.0f, 450.0f, dw) +
                         P->keep_patchy * low[3];
            if (rng_unit(&r) > keep)
                continue;
            float q = rng_unit(&r);
            int hairs = q < 0.55f ? 1 : q < 0.9f ? 2 : 3;
            /* hairs of one unit leave together and run side by side */
            float unit_jit = 0.22f * rng_normal(&r);
            float unit_len = rng_range(&r, P->len_min, P->len_max);
            for (int k = 0; k < hairs; k++) {
                float x = ux + rng_range(&r, -2.0f, 2.0f);
                float y = uy + rng_range(&r, -2.0f, 2.0f);
                int vellus = rng_unit(&r) < P->vellus;      /* miniaturised */
                int is_grey = !vellus && rng_unit(&r) < P->grey_share;
                /* diffuse thinning: calibres vary, many hairs miniaturise */
                float rad = vellus ? rng_range(&r, 0.3f, 0.45f)
                                   : rng_range(&r, 0.45f, 0.75f) + 0.25f * sq(rng_unit(&r));
                rad *= P->rad_scale;
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
                    float a = flow_angle(P, px, py, wl[2]) + jit +
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

/* ---- thinning.png: light skin, ~18 px/mm ---------------------------------- */

int draw_thinning(canvas *c, float *mask)
{
    (void)mask;
    static const closeup P = {
        .seed = 3003, .skin = {212, 168, 145}, .dark = {52, 40, 32},
        .grey = {170, 160, 150}, .whorl_x = 430.0f, .whorl_y = 330.0f,
        .skin_scale = 0.5f, .redness = 0.9f,
        .pore_cell = 9.0f, .pore_rmin = 1.0f, .pore_rmax = 1.8f,
        .cell = 30.0f, .keep = 0.45f, .keep_whorl = 0.25f, .keep_patchy = 0.3f,
        .vellus = 0.25f, .grey_share = 0.06f, .len_min = 70.0f,
        .len_max = 220.0f, .rad_scale = 1.0f,
    };
    return draw_closeup(c, &P);
}

/* ---- infill.jpg: medium skin, ~15 px/mm ------------------------------------ */

int draw_infill(canvas *c, float *mask)
{
    (void)mask;
    static const closeup P = {
        .seed = 7007, .skin = {178, 124, 92}, .dark = {30, 24, 21},
        .grey = {150, 142, 136}, .whorl_x = 880.0f, .whorl_y = -260.0f,
        .skin_scale = 0.47f, .redness = 0.5f,
        .pore_cell = 8.0f, .pore_rmin = 0.85f, .pore_rmax = 1.5f,
        .cell = 22.0f, .keep = 0.42f, .keep_whorl = 0.2f, .keep_patchy = 0.3f,
        .vellus = 0.3f, .grey_share = 0.0f, .len_min = 60.0f,
        .len_max = 190.0f, .rad_scale = 0.85f,
    };
    return draw_closeup(c, &P);
}
