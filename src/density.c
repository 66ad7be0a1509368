/*
 * density.c - the density field: how many dots per square pixel the final
 * session should leave at each point of the photo.  Stored on a coarse
 * grid (a few pixels a cell; dots are a millimetre apart) and read back
 * with bilinear interpolation so that spacing changes smoothly.
 */
#include <math.h>
#include <stdlib.h>
#include "internal.h"

smp_status smp_field_init(smp_field *f, uint32_t img_w, uint32_t img_h,
                          float cell, smp_error *err)
{
    f->lambda = NULL;
    if (!(cell >= 1.0f) || img_w == 0 || img_h == 0)
        return smp_fail(err, SMP_ERR_ARG, "invalid density grid");
    f->cell = cell;
    f->img_w = img_w;
    f->img_h = img_h;
    f->w = (uint32_t)ceilf((float)img_w / cell);
    f->h = (uint32_t)ceilf((float)img_h / cell);
    f->max = 0;
    size_t n = smp_mul3(f->w, f->h, sizeof(float));
    if (n == 0 || !(f->lambda = calloc(1, n)))
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory for the density "
                        "field");
    return SMP_OK;
}

void smp_field_release(smp_field *f)
{
    free(f->lambda);
    f->lambda = NULL;
}

float smp_field_at(const smp_field *f, float x, float y)
{
    /* cell (i, j) holds the value at its centre ((i + .5) c, (j + .5) c) */
    float gx = x / f->cell - 0.5f, gy = y / f->cell - 0.5f;
    if (gx < 0) gx = 0;
    if (gy < 0) gy = 0;
    if (gx > (float)(f->w - 1)) gx = (float)(f->w - 1);
    if (gy > (float)(f->h - 1)) gy = (float)(f->h - 1);
    uint32_t i = (uint32_t)gx, j = (uint32_t)gy;
    uint32_t i1 = i + 1 < f->w ? i + 1 : i, j1 = j + 1 < f->h ? j + 1 : j;
    float fx = gx - (float)i, fy = gy - (float)j;
    const float *r0 = f->lambda + (size_t)j * f->w;
    const float *r1 = f->lambda + (size_t)j1 * f->w;
    float a = r0[i] + (r0[i1] - r0[i]) * fx;
    float b = r1[i] + (r1[i1] - r1[i]) * fx;
    return a + (b - a) * fy;
}

double smp_field_total(const smp_field *f)
{
    /* cells on the right and bottom edges may stick out of the photo */
    double sum = 0;
    for (uint32_t j = 0; j < f->h; j++) {
        double ch = fmin(f->cell, (double)f->img_h - (double)j * f->cell);
        double row = 0;
        for (uint32_t i = 0; i < f->w; i++) {
            double cw = fmin(f->cell, (double)f->img_w - (double)i * f->cell);
            row += f->lambda[(size_t)j * f->w + i] * cw;
        }
        sum += row * ch;
    }
    return sum;
}
