/*
 * skin.c - lighting and skin: a studio light rig, lit skin colour, skin
 * albedo with mottling and pores, spots, backdrop, ears, and stubble.
 */
#include <string.h>
#include "gen.h"

/* ---- light and skin ------------------------------------------------------ */

/* Studio lighting: a soft key upper left, a weak cool fill right. */
void rig_default(rig *L)
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
    L->spec_broad = 0.045f;
    L->spec_sharp = 0.17f;
    L->exposure = 0.95f;
}

/*
 * Lit skin colour from a unit normal (z towards the camera), albedo,
 * gloss (specular strength, 1 = a freshly shaved scalp) and ambient
 * occlusion.
 */
void shade(const rig *L, const float n[3], const float alb[3],
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
    float s = gloss * fres * (L->spec_broad * ndh4 * ndh2 + L->spec_sharp * ndh32 * ndh4);
    s *= smooth(-0.1f, 0.3f, dk);
    for (int k = 0; k < 3; k++)
        out[k] = L->exposure * (out[k] + s * L->key_col[k]);
}

/*
 * Skin albedo: base tone, blotchy redness (`red` from a low-frequency
 * field), finer mottling and grain, darkened in pores.  (x, y) are in
 * "skin pixels" (about 7 per mm).
 */
void skin_albedo(const float base[3], float x, float y, float pore,
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
void bump(float n[3], float x, float y, float scale, float amount,
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
int make_spots(spot *s, uint64_t seed, float cx, float cy, float rx,
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

void apply_spots(const spot *s, int n, float x, float y, float alb[3])
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
void backdrop(const float base[3], float x, float y, int w, int h,
              float blot, float out[3])
{
    float u = (x / (float)w - 0.45f) * 2.0f, v = (y / (float)h - 0.42f) * 2.0f;
    float vig = 1.0f - 0.15f * (u * u + v * v);
    float grad = 1.0f + 0.12f * (1.0f - (x + y) / (float)(w + h));
    for (int k = 0; k < 3; k++)
        out[k] = base[k] * vig * grad * (1.0f + 0.04f * blot);
}

/* Ears: a shaded oval with a darker inner fold, composited over `bg`. */
void ear(const rig *L, const float base[3], float eu, float ev,
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
 * One stub in a stubble_look: picks a tone, casts a faint shadow down and
 * to the right (away from the key light) and paints the shaft, bent by
 * the look's curl over its second half.
 */
static void stub_look(canvas *c, rng *r, const stubble_look *lk, float x,
                      float y, float dirx, float diry, float len,
                      float darkness)
{
    static const float halo[3] = {0.45f, 0.47f, 0.56f};
    static const float shadow[3] = {0.45f, 0.42f, 0.42f};
    float u = rng_unit(r);
    int t = 0;
    while (t < lk->ntones - 1 && u > lk->tone[t].share) {
        u -= lk->tone[t].share;
        t++;
    }
    const hair_tone *tn = &lk->tone[t];
    if (tn->halo > 0.0f)
        stamp_mul(c, x, y, x + 0.5f * dirx * len, y + 0.5f * diry * len, 1.6f,
                  halo, tn->halo * darkness);
    float a = atan2f(diry, dirx) + 0.35f * rng_normal(r);
    float l = len * rng_range(r, 0.4f, 1.2f);
    float rad = rng_range(r, lk->rad_min, lk->rad_max);
    float alpha = tn->alpha * darkness * rng_range(r, 0.7f, 1.0f);
    float bend = lk->curl * (rng_unit(r) < 0.5f ? -1.0f : 1.0f) *
                 rng_range(r, 0.5f, 1.0f);
    float mx = x + cosf(a) * 0.5f * l, my = y + sinf(a) * 0.5f * l;
    float ex = mx + cosf(a + bend) * 0.5f * l, ey = my + sinf(a + bend) * 0.5f * l;
    if (lk->shadow > 0.0f) {
        stamp_mul(c, x + 0.8f, y + 1.0f, mx + 0.8f, my + 1.0f, rad + 0.3f,
                  shadow, lk->shadow * alpha);
        stamp_mul(c, mx + 0.8f, my + 1.0f, ex + 0.8f, ey + 1.0f, rad + 0.3f,
                  shadow, lk->shadow * alpha);
    }
    stamp_mix(c, x, y, mx, my, rad, lk->lin[t], alpha);
    /* a thinner, fainter tip, so the two halves do not bead at the joint */
    stamp_mix(c, mx, my, ex, ey, 0.8f * rad, lk->lin[t], 0.85f * alpha);
}

/*
 * Stubble by follicular units on a jittered grid.  prob() gives the
 * expected number of units in a cell (it may exceed 1: foreshortened
 * surface packs more follicles into a pixel), the hair direction in the
 * image and the visible stub length.  Each unit has 1-3 hairs, drawn as
 * classic dark stubs or, with a look, in its tones.
 */
void scatter_stubble(canvas *c, stubble_fn prob, const void *ctx,
                     uint32_t seed, float cell, float darkness,
                     stubble_look *look)
{
    if (look)
        for (int t = 0; t < look->ntones; t++)
            rgb_lin(look->lin[t], look->tone[t].rgb[0], look->tone[t].rgb[1],
                    look->tone[t].rgb[2]);
    int gw = (int)((float)c->w / cell) + 1, gh = (int)((float)c->h / cell) + 1;
    for (int gy = 0; gy < gh; gy++)
        for (int gx = 0; gx < gw; gx++) {
            rng r = cell_rng(gx, gy, seed);
            float x = ((float)gx + 0.5f) * cell, y = ((float)gy + 0.5f) * cell;
            float dx, dy, len;
            float p = prob(ctx, x, y, &dx, &dy, &len);
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
                for (int k = 0; k < hairs; k++) {
                    /* y first: keeps the committed samples' pixels */
                    float hy = uy + rng_range(&r, -0.9f, 0.9f);
                    float hx = ux + rng_range(&r, -0.9f, 0.9f);
                    if (look && look->bare && hx >= 0.0f && hy >= 0.0f &&
                        hx < (float)c->w && hy < (float)c->h &&
                        look->bare[(size_t)hy * (size_t)c->w + (size_t)hx] >= 0.5f)
                        continue;
                    if (look)
                        stub_look(c, &r, look, hx, hy, dx, dy, len, darkness);
                    else
                        stub(c, &r, hx, hy, dx, dy, len, darkness);
                }
            }
        }
}
