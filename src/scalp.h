/* scalp.h - bare skin, hair and backdrop in the photo (see scalp.c). */
#ifndef SMP_SCALP_H
#define SMP_SCALP_H

#include "region.h"

typedef struct smp_scalp {
    uint32_t w, h;              /* grid of cells, as the density field */
    float cell;
    float *skin;                /* share of each cell that is bare skin */
    float *bright;              /* local skin luma, per cell */
    double bg[3];               /* backdrop colour */
    uint8_t skin_rgb[3];        /* typical skin colour */
    uint8_t hair_rgb[3];        /* typical hair colour, if any */
    double skin_sat;            /* typical skin saturation */
    double hair_cover;          /* share of the head frame under hair */
} smp_scalp;

/* Analyses the photo on the density field's grid, using the head frame
 * to know where to look.  skin (and bright) hold their values over the
 * cells [want[0], want[2]) x [want[1], want[3]) (NULL: every cell) and
 * the head ellipse's; elsewhere they are not to be read. */
smp_status smp_scalp_analyse(smp_scalp *sc, const smp_image *img,
                             const smp_frame *frame, float cell,
                             const uint32_t want[4], smp_error *err);
/* The colours, backdrop and hair cover alone (for the pigment), with no
 * grids: skin and bright are NULL.  A large photo is read on a sparse
 * lattice of its pixels; up to a few megapixels, the same figures as
 * smp_scalp_analyse. */
smp_status smp_scalp_survey(smp_scalp *sc, const smp_image *img,
                            const smp_frame *frame, float cell,
                            smp_error *err);
void smp_scalp_release(smp_scalp *sc);
/* Pixel classes. */
enum { SMP_PX_SKIN, SMP_PX_HAIR, SMP_PX_OTHER };
int smp_scalp_class(const smp_scalp *sc, const smp_image *img, uint32_t x,
                    uint32_t y);

/* Max filter of radius r cells over a w x h grid, separable; tmp holds
 * w * h values. */
void smp_grid_dilate(float *v, float *tmp, uint32_t w, uint32_t h, int r);

#endif
