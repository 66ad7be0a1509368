/*
 * stamp.c - pigment dots, stamped straight into the canvas.
 *
 * A dot is an ellipse with a soft edge, positioned to a fraction of a
 * pixel: each pixel centre gets a coverage from its distance to the dot's
 * centre in the dot's own (rotated, stretched) frame, the edge falling
 * smoothly over `softness * diameter`, and never over less than one pixel,
 * which anti-aliases dots down to a fraction of a pixel.  Coverage times
 * the dot's opacity is the pigment load, applied by the ink's table in
 * linear light.  Pixels the dot does not reach are never written.
 */
#include <math.h>
#include "stamp.h"

void smp_stamp_dot(smp_image *canvas, const smp_dot *d, double softness,
                   double spread, const smp_ink *ink, const smp_lut *lut)
{
    float r = 0.5f * d->diameter;
    float edge = (float)softness * d->diameter;
    if (edge < 1.0f)
        edge = 1.0f;
    float outer = r + 0.5f * edge;          /* the core's coverage ends here */
    /* pigment that migrated round the dot: a faint skirt to 1.8 radii */
    float skirt = spread > 0 ? 1.8f * r : 0.0f;
    float reach = outer > skirt ? outer : skirt;
    /* an irregular outline only shows on dots a few pixels wide */
    float wa = r > 1.5f ? d->shape[0] : 0.0f, wb = r > 1.5f ? d->shape[1] : 0.0f;
    float wmax = 1.0f + fabsf(wa) + fabsf(wb);
    reach *= wmax;
    float ext = reach + 0.5f;
    int x0 = (int)floorf(d->x - ext), x1 = (int)ceilf(d->x + ext);
    int y0 = (int)floorf(d->y - ext), y1 = (int)ceilf(d->y + ext);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > (int)canvas->width) x1 = (int)canvas->width;
    if (y1 > (int)canvas->height) y1 = (int)canvas->height;
    float c = cosf(d->angle), s = sinf(d->angle);
    float inv_aspect = 1.0f / d->aspect;
    float inv_edge = 1.0f / edge;
    float inv_skirt = skirt > 0 ? 1.0f / skirt : 0.0f;
    float skirt_load = (float)spread;
    float load = d->opacity * 255.0f;
    for (int y = y0; y < y1; y++) {
        uint8_t *row = canvas->pixels + (size_t)y * canvas->stride;
        float dy = (float)y + 0.5f - d->y;
        for (int x = x0; x < x1; x++) {
            float dx = (float)x + 0.5f - d->x;
            float u = dx * c + dy * s;
            float v = (dy * c - dx * s) * inv_aspect;
            float dist2 = u * u + v * v;
            if (dist2 >= reach * reach)
                continue;
            float dist = sqrtf(dist2);
            float o = outer;
            if (wa != 0.0f && dist > 0.0f) {
                /* third harmonic of the outline: cos 3t and sin 3t */
                float iu = u / dist, iv = v / dist;
                float c3 = iu * (iu * iu - 3.0f * iv * iv);
                float s3 = iv * (3.0f * iu * iu - iv * iv);
                o *= 1.0f + wa * c3 + wb * s3;
            }
            float t = (o - dist) * inv_edge;            /* 0 at the rim */
            float cov = t <= 0.0f ? 0.0f
                      : t >= 1.0f ? 1.0f : t * t * (3.0f - 2.0f * t);
            if (skirt > 0.0f && dist < skirt) {
                float k = 1.0f - dist * inv_skirt;
                cov += skirt_load * k * k * (1.0f - cov);
            }
            int q = (int)(cov * load + 0.5f);
            if (q <= 0)
                continue;
            if (q > 255)
                q = 255;
            uint8_t *p = row + (size_t)x * 4;
            for (int ch = 0; ch < 3; ch++) {
                uint32_t lin = lut->s2l[p[ch]];
                p[ch] = lut->l2s[(lin * ink->mul[ch][q] + 32768u) >> 16];
            }
        }
    }
}
