/*
 * crown.c - top-down views of a head, forehead towards the image top:
 *
 *     crown.jpg     light skin, Norwood VI-VII, dark stubble fringe
 *     dark.jpg      dark skin, Norwood V-VI, black stubble fringe
 *     grey.jpg      light, older skin, Norwood V, salt-and-pepper stubble
 *     alopecia.jpg  a buzz cut with three alopecia areata patches (+ mask)
 *
 * All four are one drawing, draw_top(), with a different `topdown`: the
 * head's outline, skin, backdrop, where the hair is, and how it looks.
 */
#include <stdlib.h>
#include <string.h>
#include "gen.h"

#define TOP_W 1600
#define TOP_H 1200

typedef struct topdown topdown;

/* Hair density 0..1 at head coordinates (u, v), pixel (x, y). */
typedef float (*hair_fn)(const topdown *t, float u, float v, float x, float y);

/*
 * The remaining fringe of male pattern baldness: hair outside a ring of
 * radius rb (in head coordinates) that is `back` behind, back + side at
 * the sides (= `front` there) and rises by front_gain by the angle
 * front_end * pi, i.e. the fringe stops at the temples.  Norwood V keeps
 * a sparse, patchy band across the top (the bridge) at v = bridge_v.
 */
typedef struct norwood {
    float back, side;
    float front, front_gain, front_end;
    float bridge_v, bridge_w, bridge_d;
} norwood;

/* An alopecia areata patch: centre in head coordinates, semi-axes in
 * surface pixels, turned by `angle`. */
typedef struct patch {
    float u, v, a, b, angle;
} patch;

struct topdown {
    uint32_t seed;
    float cx, cy, rx, ry;       /* the outline: an ellipse ... */
    float egg;                  /* ... this much narrower at the forehead */
    int skin[3], paper[3], ear[3];      /* sRGB */
    int moles, freckles, sun;
    float redness;              /* of skin_albedo */
    float under[3], under_amt;  /* shaved hair seen through the skin */
    float oil;                  /* gloss of the bare scalp */
    float bumpiness;
    float spec_broad, spec_sharp;   /* 0: the default rig's */
    hair_fn hair;
    const norwood *pat;
    float stub_len, stub_density, darkness;
    float whorl_u, whorl_v;     /* buzz cut: the hair's whorl */
    stubble_look *look;         /* NULL: classic dark stubble */
    /* alopecia: signed distance (px, negative inside) to the nearest
       patch's edge, per pixel, or NULL */
    const float *patch_edge;
};

/* Head coordinates: the outline is u^2 + v^2 = 1, a slightly egg-shaped
 * ellipse, narrower at the forehead (top) than at the back. */
static void top_uv(const topdown *t, float x, float y, float *u, float *v)
{
    *v = (y - t->cy) / t->ry;
    *u = (x - t->cx) / (t->rx * (1.0f + t->egg * clampf(*v, -1.0f, 1.0f)));
}

/* Hair density 0..1 of a Norwood pattern. */
static float fringe(const topdown *t, float u, float v, float x, float y)
{
    const norwood *P = t->pat;
    const uint32_t seed = t->seed;
    (void)x;
    (void)y;
    float r = sqrtf(u * u + v * v);
    float d = 0.0f;
    if (r >= P->back - 0.1f) {
        float phi = fabsf(atan2f(u, v));            /* 0: back, pi: front */
        float side = phi / (0.5f * PI);
        float rb;
        if (phi < 0.5f * PI)
            rb = P->back + P->side * side * side;
        else
            rb = P->front + P->front_gain * smooth(0.5f * PI, P->front_end * PI, phi);
        rb += 0.05f * fbm(u * 2.5f, v * 2.5f, 2, seed);          /* wavy */
        rb += 0.018f * fbm(u * 14.0f, v * 14.0f, 2, seed + 5);   /* ragged */
        d = smooth(rb, rb + 0.13f, r);
    }
    if (P->bridge_d > 0.0f) {
        /* a band from side to side, bowed a little towards the back */
        float bv = P->bridge_v + 0.12f * u * u + 0.04f * fbm(u * 3.0f, 1.7f, 2, seed + 41);
        float patchy = smooth(-0.45f, 0.35f, fbm(u * 7.0f, v * 7.0f, 2, seed + 42));
        d = fmaxf(d, P->bridge_d * bell(v, bv, P->bridge_w) * (0.35f + 0.65f * patchy));
    }
    return d;
}

/* Buzz cut: hair all over behind a natural frontal hairline, and none in
 * the alopecia patches, thinning over a few mm around each. */
static float buzz(const topdown *t, float u, float v, float x, float y)
{
    /* an oval from temple to temple, most forward in the middle */
    float hl = -0.83f + 0.36f * u * u + 0.015f * fbm(u * 12.0f, 3.0f, 2, t->seed + 44);
    float d = smooth(hl - 0.01f, hl + 0.06f, v);
    /* a few lone hairs a few mm ahead of the line */
    d = fmaxf(d, 0.08f * smooth(hl - 0.06f, hl, v));
    d *= 0.9f + 0.1f * fbm(u * 4.0f, v * 4.0f, 2, t->seed + 45);
    if (t->patch_edge) {
        int ix = (int)clampf(x, 0.0f, (float)(TOP_W - 1));
        int iy = (int)clampf(y, 0.0f, (float)(TOP_H - 1));
        float e = t->patch_edge[(size_t)iy * TOP_W + (size_t)ix];
        /* stubble thins out over ~4 mm; a stray hair or two inside */
        e += 6.0f * gnoise(x * 0.05f, y * 0.05f, t->seed + 46);
        d *= 0.015f + 0.985f * smooth(-4.0f, 30.0f, e);
    }
    return d;
}

static float top_prob(const void *ctx, float x, float y, float *dirx,
                      float *diry, float *len)
{
    const topdown *t = ctx;
    float u, v;
    top_uv(t, x, y, &u, &v);
    float r2 = u * u + v * v;
    if (r2 >= 0.998f)
        return 0.0f;
    float z = sqrtf(1.0f - r2);
    float d = t->hair(t, u, v, x, y);
    if (t->whorl_u != 0.0f || t->whorl_v != 0.0f) {
        /* out of the whorl in a clockwise spiral, down the sides */
        float du = u - t->whorl_u, dv = v - t->whorl_v;
        float dr = sqrtf(du * du + dv * dv) + 1e-3f;
        float tw = 0.9f * smooth(0.9f, 0.0f, dr);
        *dirx = (du * cosf(tw) - dv * sinf(tw)) / dr;
        *diry = (du * sinf(tw) + dv * cosf(tw)) / dr;
    } else {
        /* hair grows outward and down the sides; to the back at the nape */
        float r = sqrtf(r2) + 1e-6f;
        *dirx = u / r;
        *diry = v / r + 0.35f;
    }
    *len = (2.2f + 2.0f * (1.0f - z)) * (0.6f + 0.4f * d);
    *len *= t->stub_len;
    float fore = fmaxf(0.25f, z * 0.8f + 0.2f);   /* foreshortening */
    return t->stub_density * d / fore;
}

static void top_lf(float x, float y, uint32_t seed, float *out)
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
static void top_ear(const rig *L, const float base[3], float s, float t,
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

static int draw_top(canvas *c, const topdown *t)
{
    const uint32_t seed = t->seed;
    rig L;
    rig_default(&L);
    if (t->spec_broad > 0.0f) {
        L.spec_broad = t->spec_broad;
        L.spec_sharp = t->spec_sharp;
    }
    float base[3], paper[3], ear_base[3];
    rgb_lin(base, t->skin[0], t->skin[1], t->skin[2]);
    rgb_lin(paper, t->paper[0], t->paper[1], t->paper[2]);
    rgb_lin(ear_base, t->ear[0], t->ear[1], t->ear[2]);
    spot spots[MAX_SPOTS];
    int nspots = make_spots(spots, seed * 31u, t->cx, t->cy - 40.0f,
                            0.75f * t->rx, 0.7f * t->ry, t->moles, t->freckles,
                            t->sun);
    lowfreq lf;
    if (!lf_init(&lf, c->w, c->h, 8.0f, 4, top_lf, seed))
        return 0;
    scatter_pores(c, 5.0f, 0.55f, 1.05f, 0.55f, seed + 9);

    const float *under = t->under;
    const float ear_y = t->cy + 0.10f * t->ry;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            float fx = (float)x + 0.5f, fy = (float)y + 0.5f;
            float *p = pixel(c, x, y);
            float low[LF_MAX];
            lf_at(&lf, fx, fy, low);
            float u, v;
            top_uv(t, fx, fy, &u, &v);
            float r = sqrtf(u * u + v * v);
            float edge = (r - 1.0f) * fminf(t->rx, t->ry);   /* px */
            float ha = clampf(0.6f - edge, 0.0f, 1.0f);
            float bg[3] = {0.0f, 0.0f, 0.0f};
            if (ha < 1.0f) {
                backdrop(paper, fx, fy, c->w, c->h, low[2], bg);
                /* the head's soft shadow, cast down and to the right; kept
                   light, as on a backdrop well behind the subject */
                float su = (fx - t->cx - 30.0f) / (t->rx + 20.0f);
                float sv = (fy - t->cy - 36.0f) / (t->ry + 20.0f);
                float sh = sqrtf(su * su + sv * sv);
                float shadow = 1.0f - 0.16f * (1.0f - smooth(0.9f, 1.2f, sh));
                for (int k = 0; k < 3; k++)
                    bg[k] *= shadow;
                /* the tops of the ears, a little behind the middle */
                if (fabsf(fy - ear_y) < 130.0f) {
                    float hwr = t->rx * (1.0f + t->egg * v) *
                                sqrtf(fmaxf(0.0f, 1.0f - v * v));
                    float side = fx < t->cx ? -1.0f : 1.0f;
                    top_ear(&L, ear_base, fy - ear_y, fabsf(fx - t->cx) - hwr,
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
            float n[3] = {u, v * t->rx / t->ry, z * 1.25f};
            norm3(n);
            float pore = c->layer[(size_t)y * (size_t)c->w + (size_t)x];
            /* alopecia patches: smooth skin, few open follicles */
            float bare = 0.0f;
            if (t->patch_edge) {
                bare = smooth(12.0f, -10.0f,
                              t->patch_edge[(size_t)y * (size_t)c->w + (size_t)x]);
                pore *= 1.0f - 0.6f * bare;
            }
            float alb[3], col[3];
            skin_albedo(base, fx, fy, pore, low[0], seed, t->redness, alb);
            apply_spots(spots, nspots, fx, fy, alb);
            /* shaved hair under the skin reads as a blue-grey shadow */
            float fr = t->hair(t, u, v, fx, fy);
            for (int k = 0; k < 3; k++)
                alb[k] *= 1.0f - t->under_amt * fr * fr * (1.0f - under[k]);
            /* the rim turning away is a touch redder */
            float rim = smooth(0.75f, 1.0f, r);
            alb[1] *= 1.0f - 0.06f * rim;
            alb[2] *= 1.0f - 0.05f * rim;
            if (bare > 0.0f) {              /* and the patches a touch pinker */
                alb[1] *= 1.0f - 0.03f * bare;
                alb[2] *= 1.0f - 0.02f * bare;
            }
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
            bump(n, fx, fy, 0.45f, t->bumpiness, seed + 20);
            float oil = t->oil + 0.4f * low[1];
            float gloss = oil * (1.0f - 0.7f * pore) * (1.0f - 0.6f * fr);
            float ao = 0.5f + 0.5f * z;
            shade(&L, n, alb, gloss, ao, col);
            for (int k = 0; k < 3; k++)
                p[k] = mixf(bg[k], col[k], ha);
        }
    free(lf.v);
    scatter_stubble(c, top_prob, t, seed, 6.0f, t->darkness, t->look);
    return 1;
}

/* ---- crown.jpg: light skin, Norwood VI-VII ------------------------------- */

int draw_crown(canvas *c, float *mask)
{
    (void)mask;
    static const norwood pat = {0.70f, 0.10f, 0.80f, 0.55f, 0.78f,
                                0.0f, 0.0f, 0.0f};
    const topdown t = {
        .seed = 1001, .cx = 800.0f, .cy = 610.0f, .rx = 560.0f, .ry = 520.0f,
        .egg = 0.05f, .skin = {205, 160, 135}, .paper = {112, 124, 138},
        .ear = {204, 146, 124}, .moles = 5, .freckles = 40, .sun = 16,
        .redness = 0.45f, .under = {0.55f, 0.57f, 0.66f}, .under_amt = 0.5f,
        .oil = 1.1f, .bumpiness = 0.12f, .hair = fringe, .pat = &pat,
        .stub_len = 1.0f, .stub_density = 1.25f, .darkness = 0.9f,
    };
    return draw_top(c, &t);
}

/* ---- dark.jpg: dark skin, Norwood V-VI ------------------------------------ */

int draw_dark(canvas *c, float *mask)
{
    (void)mask;
    /* a wider fringe than crown.jpg's, reaching further forward */
    static const norwood pat = {0.64f, 0.10f, 0.74f, 0.55f, 0.74f,
                                0.0f, 0.0f, 0.0f};
    /* black, tightly curled hair: short commas and dots */
    stubble_look look = {
        .ntones = 2,
        .tone = {{0.8f, {22, 18, 17}, 0.08f, 0.9f},
                 {0.2f, {44, 33, 28}, 0.06f, 0.85f}},
        .rad_min = 0.55f, .rad_max = 0.95f, .curl = 1.5f, .shadow = 0.0f,
    };
    const topdown t = {
        .seed = 4004, .cx = 790.0f, .cy = 600.0f, .rx = 555.0f, .ry = 530.0f,
        .egg = 0.06f, .skin = {104, 64, 44}, .paper = {166, 164, 158},
        .ear = {100, 62, 44}, .moles = 9, .freckles = 0, .sun = 12,
        .redness = 0.15f, .under = {0.62f, 0.62f, 0.68f}, .under_amt = 0.35f,
        .oil = 0.8f, .bumpiness = 0.12f, .spec_broad = 0.025f,
        .spec_sharp = 0.24f, .hair = fringe, .pat = &pat,
        .stub_len = 0.85f, .stub_density = 1.3f, .darkness = 0.95f,
        .look = &look,
    };
    return draw_top(c, &t);
}

/* ---- grey.jpg: older light skin, salt-and-pepper, Norwood V --------------- */

int draw_grey(canvas *c, float *mask)
{
    (void)mask;
    static const norwood pat = {0.62f, 0.10f, 0.72f, 0.60f, 0.80f,
                                -0.20f, 0.15f, 0.8f};
    stubble_look look = {
        .ntones = 3,
        .tone = {{0.42f, {150, 147, 143}, 0.05f, 0.85f},
                 {0.38f, {228, 226, 220}, 0.0f, 0.8f},
                 {0.20f, {56, 47, 42}, 0.14f, 0.85f}},
        .rad_min = 0.45f, .rad_max = 0.8f, .curl = 0.3f, .shadow = 0.35f,
    };
    const topdown t = {
        .seed = 5005, .cx = 805.0f, .cy = 615.0f, .rx = 565.0f, .ry = 515.0f,
        .egg = 0.04f, .skin = {214, 170, 148}, .paper = {112, 124, 138},
        .ear = {210, 150, 128}, .moles = 7, .freckles = 28, .sun = 26,
        .redness = 0.6f, .under = {0.70f, 0.71f, 0.76f}, .under_amt = 0.25f,
        .oil = 1.0f, .bumpiness = 0.12f, .hair = fringe, .pat = &pat,
        .stub_len = 1.1f, .stub_density = 1.25f, .darkness = 0.9f,
        .look = &look,
    };
    return draw_top(c, &t);
}

/* ---- alopecia.jpg: buzz cut, three alopecia areata patches ---------------- */

/*
 * Signed distance in surface pixels (negative inside) from the nearest
 * patch's ragged edge: the head is taken as a sphere of radius R px, each
 * patch an ellipse in the plane touching it at its centre.
 */
static float patch_dist(const patch *pt, int n, float u, float v, float R,
                        uint32_t seed)
{
    float r2 = u * u + v * v;
    if (r2 >= 1.0f)
        return 1e3f;
    float P[3] = {u, v, sqrtf(1.0f - r2)};
    float best = 1e3f;
    for (int i = 0; i < n; i++) {
        float C[3] = {pt[i].u, pt[i].v, sqrtf(1.0f - pt[i].u * pt[i].u - pt[i].v * pt[i].v)};
        if (dot3(P, C) <= 0.5f)
            continue;
        /* tangent frame at C: e1 the image x axis projected, e2 = C x e1 */
        float e1[3] = {1.0f - C[0] * C[0], -C[0] * C[1], -C[0] * C[2]};
        norm3(e1);
        float e2[3] = {C[1] * e1[2] - C[2] * e1[1], C[2] * e1[0] - C[0] * e1[2],
                       C[0] * e1[1] - C[1] * e1[0]};
        float d[3] = {P[0] - C[0], P[1] - C[1], P[2] - C[2]};
        float t1 = dot3(d, e1) * R, t2 = dot3(d, e2) * R;
        float ca = cosf(pt[i].angle), sa = sinf(pt[i].angle);
        float a1 = (t1 * ca + t2 * sa) / pt[i].a, a2 = (-t1 * sa + t2 * ca) / pt[i].b;
        float q = sqrtf(a1 * a1 + a2 * a2);
        if (q > 3.0f)
            continue;
        /* a ragged, not quite elliptic outline */
        float ang = atan2f(a2, a1);
        float wob = 1.0f + 0.09f * gnoise(1.3f * cosf(ang) + (float)i * 7.0f,
                                          1.3f * sinf(ang), seed + 47) +
                    0.03f * gnoise(4.0f * cosf(ang), 4.0f * sinf(ang) + (float)i * 5.0f,
                                   seed + 48);
        float e = (q / wob - 1.0f) * 0.5f * (pt[i].a + pt[i].b);
        best = fminf(best, e);
    }
    return best;
}

int draw_alopecia(canvas *c, float *mask)
{
    /* 7 px/mm: 5.6 x 4.2 cm, 3.3 x 2.7 cm and 2.1 x 1.8 cm */
    static const patch pt[] = {
        {0.24f, -0.10f, 196.0f, 147.0f, 0.45f},
        {-0.44f, 0.16f, 116.0f, 95.0f, -0.35f},
        {0.10f, 0.52f, 74.0f, 63.0f, 0.2f},
    };
    topdown t = {
        .seed = 6006, .cx = 800.0f, .cy = 605.0f, .rx = 560.0f, .ry = 525.0f,
        .egg = 0.05f, .skin = {208, 163, 138}, .paper = {112, 124, 138},
        .ear = {204, 146, 124}, .moles = 4, .freckles = 20, .sun = 6,
        .redness = 0.4f, .under = {0.52f, 0.54f, 0.63f}, .under_amt = 0.55f,
        .oil = 0.9f, .bumpiness = 0.12f, .hair = buzz,
        .stub_len = 1.7f, .stub_density = 1.25f, .darkness = 0.9f,
        .whorl_u = 0.06f, .whorl_v = 0.30f,
    };
    float *edge = malloc((size_t)TOP_W * TOP_H * sizeof *edge);
    if (!edge)
        return 0;
    const float R = 0.5f * (t.rx + t.ry);
    for (int y = 0; y < TOP_H; y++)
        for (int x = 0; x < TOP_W; x++) {
            float u, v;
            top_uv(&t, (float)x + 0.5f, (float)y + 0.5f, &u, &v);
            edge[(size_t)y * TOP_W + (size_t)x] =
                patch_dist(pt, (int)(sizeof pt / sizeof pt[0]), u, v, R, t.seed);
        }
    t.patch_edge = edge;
    int ok = draw_top(c, &t);
    /* the mask: white in each patch, fading to black 3 mm outside it */
    if (ok && mask)
        for (size_t i = 0; i < (size_t)TOP_W * TOP_H; i++)
            mask[i] = smooth(21.0f, 0.0f, edge[i]);
    free(edge);
    return ok;
}
