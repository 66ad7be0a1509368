/*
 * appearance.c - the same dots, seen at different times.  Figures from
 * DOMAIN.md: healed dots are 15-25 % lighter in contrast and 10-20 %
 * softer-edged than fresh ones, and fresh dots are slightly larger from the
 * swelling round each puncture, with the skin slightly red for a few days.
 * Over years pigment fades and migrates: dots lighten, spread a little and
 * soften; pigment set too deep (or tattoo ink) drifts blue-green.
 */
#include <math.h>
#include <string.h>
#include "appearance.h"
#include "density.h"

void smp_appearance_of(smp_look look, smp_appearance *a)
{
    memset(a, 0, sizeof *a);
    a->size = 1.0;
    a->load = 1.0;
    a->softness = 0.45;
    a->spread = 0.10;
    if (look == SMP_LOOK_FRESH) {
        a->spread = 0;
        a->size = 1.06;
        a->load = 1.18;         /* healed ends ~20 % lighter than this */
        a->softness = 0.38;     /* healed is ~15 % softer */
        a->halo = 0.10;
        a->erythema = 0.07;
    }
}

void smp_appearance_aged(double years, smp_appearance *a)
{
    smp_appearance_of(SMP_LOOK_HEALED, a);
    if (years <= 0)
        return;
    /* half the pigment gone and 10 % wider after five years, which is
     * when a touch-up is due */
    a->load = exp(-0.13 * years);
    a->size = 1.0 + 0.02 * years;
    a->softness = 0.45 + 0.04 * years;
    a->spread = 0.10 + 0.02 * years;
}

void smp_shade_shifted(const uint8_t shade[3], double years, uint8_t out[3])
{
    /* carbon seen through more tissue scatters blue; the shift grows over
     * the first years and then stays */
    static const uint8_t teal[3] = {48, 86, 98};
    double m = 0.65 * (1.0 - exp(-years / 3.0));
    for (int c = 0; c < 3; c++)
        out[c] = (uint8_t)lrint(shade[c] + (teal[c] - shade[c]) * m);
}

/* How many dots ahead the rows a dot touches are asked for. */
#define PREFETCH 6

int smp_stamp_dots_with(smp_image *canvas, const smp_dot *dots,
                        size_t from, size_t to, const smp_appearance *a,
                        smp_stamper *dot, smp_stamper *halo,
                        const smp_ink *inks, const smp_ink *red,
                        const smp_lut *lut, atomic_int *cancel)
{
    if (!dot || (a->halo > 0 && !halo))
        return -2;
    const float size = (float)a->size, hload = (float)a->halo;
    for (size_t i = from; i < to; i++) {
        if (cancel && *cancel && (i & 1023) == 0)
            return -1;
        if (i + PREFETCH < to)
            smp_stamper_prefetch(canvas, &dots[i + PREFETCH]);
        smp_dot d = dots[i];
        if (a->halo > 0) {
            smp_dot h = d;
            h.diameter *= 2.6f;
            h.aspect = 1.0f;
            h.opacity = hload;
            smp_stamper_dot(halo, canvas, &h, red, lut);
        }
        d.diameter *= size;
        d.opacity = fminf(1.0f, (float)(d.opacity * a->load));
        smp_stamper_dot(dot, canvas, &d, &inks[d.session - 1], lut);
    }
    return 0;
}

int smp_stamp_dots(smp_image *canvas, const smp_dot *dots, size_t from,
                   size_t to, const smp_appearance *a, const smp_ink *inks,
                   const smp_ink *red, const smp_lut *lut,
                   atomic_int *cancel)
{
    smp_stamper *dot = smp_stamper_new(a->softness, a->spread);
    smp_stamper *halo = a->halo > 0 ? smp_stamper_new(SMP_HALO_SOFTNESS, 0)
                                    : NULL;
    int st = smp_stamp_dots_with(canvas, dots, from, to, a, dot, halo, inks,
                                 red, lut, cancel);
    smp_stamper_free(dot);
    smp_stamper_free(halo);
    return st;
}

/*
 * How far from its centre a stamper can reach, in pixels: the profile
 * ends at the larger of the soft rim (r + e/2, e at least a pixel) and
 * the skirt (1.8 r); a small dot's pixels are averaged over a square, a
 * half diagonal further; its table's radius is rounded to 1/64 px; the
 * outline's wobble shrinks the squared distance by up to 2 w (w capped
 * at 0.4); a dot stretched past round reaches further by its aspect.
 * Rounded up generously: a bound too small would let two sessions stamp
 * the same rows at once.
 */
static float reach_of(float diameter, float aspect, const float shape[2],
                      float softness, float spread)
{
    float r = 0.5f * diameter, e = softness * diameter;
    float rim = r + 0.5f * (e > 1.0f ? e : 1.0f);
    float skirt = spread > 0 ? 1.8f * r : 0.0f;
    float reach = (rim > skirt ? rim : skirt) + 0.75f + 1.0f / 64;
    float w = r > 1.5f ? fabsf(shape[0]) + fabsf(shape[1]) : 0.0f;
    if (w > 0.4f)
        w = 0.4f;
    reach /= sqrtf(1.0f - 2.0f * w);
    return reach * (aspect > 1.0f ? aspect : 1.0f) * 1.01f + 1.0f;
}

void smp_dot_rows(const smp_dot *d, const smp_appearance *a, uint32_t height,
                  uint32_t *y0, uint32_t *y1)
{
    float reach = reach_of(d->diameter * (float)a->size, d->aspect, d->shape,
                           (float)a->softness, (float)a->spread);
    if (a->halo > 0) {
        float h = reach_of(d->diameter * 2.6f, 1.0f, d->shape,
                           (float)SMP_HALO_SOFTNESS, 0.0f);
        reach = h > reach ? h : reach;
    }
    float top = floorf(d->y - 0.5f - reach), bottom = ceilf(d->y + reach);
    float hf = (float)height;
    /* NaN and far-off dots end up empty at an edge */
    *y0 = top > 0 ? top < hf ? (uint32_t)top : height : 0;
    *y1 = bottom > (float)*y0 ? bottom < hf ? (uint32_t)bottom : height
                              : *y0;
}

void smp_redden(smp_image *canvas, const smp_field *cover, double amount,
                const smp_lut *lut)
{
    smp_redden_rows(canvas, cover, amount, lut, 0, canvas->height);
}

void smp_redden_rows(smp_image *canvas, const smp_field *cover,
                     double amount, const smp_lut *lut, uint32_t y0,
                     uint32_t y1)
{
    if (!(cover->max > 0) || amount <= 0)
        return;
    /* green and blue absorbed a little more: blood under fresh skin */
    const double k[3] = {0.0, 1.0, 0.8};
    for (uint32_t y = y0; y < y1 && y < canvas->height; y++) {
        uint8_t *p = canvas->pixels + (size_t)y * canvas->stride;
        for (uint32_t x = 0; x < canvas->width; x++, p += 4) {
            double c = smp_field_at(cover, x + 0.5f, y + 0.5f) / cover->max;
            if (c <= 0.001)
                continue;
            for (int ch = 1; ch < 3; ch++) {
                uint32_t lin = lut->s2l[p[ch]];
                double f = 1.0 - amount * k[ch] * c;
                p[ch] = lut->l2s[(uint32_t)(lin * f + 0.5)];
            }
        }
    }
}
