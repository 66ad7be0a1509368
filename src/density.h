/* density.h - building the density field (see density.c). */
#ifndef SMP_DENSITY_H
#define SMP_DENSITY_H

#include "hairline.h"

/* A mask pixel's share of the full density: its luma, with the last
 * couple of levels read as black so that JPEG noise in a black area does
 * not sprinkle dots there. */
static inline double smp_mask_value(const uint8_t *rgba)
{
    int luma = (299 * rgba[0] + 587 * rgba[1] + 114 * rgba[2] + 500) / 1000;
    return luma <= 2 ? 0.0 : luma / 255.0;
}

/* frame: NULL for no head-frame bound; hl: NULL for no hairline;
 * mask: NULL or photo-sized; lambda_full: dots per px^2 at full cover.
 * front, if not NULL, is a field of the same grid that receives the
 * hairline profile alone (0..1).  threads: 2 shares the work with a
 * second thread (the field is the same).  f and front come from
 * smp_field_init. */
smp_status smp_density_build(smp_field *f, const smp_image *photo,
                             const smp_frame *frame, double rim_px,
                             const smp_hairline *hl, const smp_image *mask,
                             double lambda_full, smp_field *front,
                             int threads, smp_error *err);

#endif
