/* stamp.h - anti-aliased pigment dots on an RGBA8 canvas (see stamp.c). */
#ifndef SMP_STAMP_H
#define SMP_STAMP_H

#include "pigment.h"

/*
 * How a set of dots is stamped: `softness`, the width of a dot's soft
 * edge as a share of its diameter; `spread`, the load of the faint skirt
 * of migrated pigment round it (0: none).  It holds the coverage tables
 * the dots share, made as they are first needed, so one stamper serves
 * one thread.  NULL when out of memory.
 */
typedef struct smp_stamper smp_stamper;
smp_stamper *smp_stamper_new(double softness, double spread);
void smp_stamper_free(smp_stamper *st);
void smp_stamper_dot(smp_stamper *st, smp_image *canvas, const smp_dot *d,
                     const smp_ink *ink, const smp_lut *lut);
/* Stamps with plain C rather than SIMD from now on (on) or not: the two
 * give the same bytes; for tests. */
void smp_stamper_scalar(smp_stamper *st, int on);
/* Asks the memory for the rows a dot will touch, a few dots ahead of
 * stamping it: dots far apart would otherwise wait for every row. */
void smp_stamper_prefetch(const smp_image *canvas, const smp_dot *d);

/* One dot on its own, with a stamper made for it. */
void smp_stamp_dot(smp_image *canvas, const smp_dot *d, double softness,
                   double spread, const smp_ink *ink, const smp_lut *lut);

#endif
