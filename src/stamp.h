/* stamp.h - anti-aliased pigment dots on an RGBA8 canvas (see stamp.c). */
#ifndef SMP_STAMP_H
#define SMP_STAMP_H

#include "pigment.h"

/* `softness`: width of the dot's soft edge as a share of its diameter;
 * `spread`: load of the faint skirt of migrated pigment round it (0: none). */
void smp_stamp_dot(smp_image *canvas, const smp_dot *d, double softness,
                   double spread, const smp_ink *ink, const smp_lut *lut);

#endif
