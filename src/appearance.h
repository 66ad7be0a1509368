/* appearance.h - how dots look: fresh, healed, aged (see appearance.c). */
#ifndef SMP_APPEARANCE_H
#define SMP_APPEARANCE_H

#include "stamp.h"

/* Multipliers applied to every dot's own size and load when stamping. */
typedef struct smp_appearance {
    double size;                /* diameter factor */
    double load;                /* pigment load factor */
    double softness;            /* soft edge, share of the diameter */
    double spread;              /* skirt of migrated pigment */
    double halo;                /* load of the red halo round a fresh dot */
    double erythema;            /* redness of fresh skin over the area */
} smp_appearance;

/* Fresh or healed right after the sessions. */
void smp_appearance_of(smp_look look, smp_appearance *a);
/* Healed and `years` old: faded, spread and softened. */
void smp_appearance_aged(double years, smp_appearance *a);
/* The shade drifted towards blue-green after `years`. */
void smp_shade_shifted(const uint8_t shade[3], double years, uint8_t out[3]);

/* Stamps dots[from..to) with their session's ink; 0, -1 if cancelled,
 * -2 if out of memory.  `red` is the ink of the halo. */
int smp_stamp_dots(smp_image *canvas, const smp_dot *dots, size_t from,
                   size_t to, const smp_appearance *a, const smp_ink *inks,
                   const smp_ink *red, const smp_lut *lut,
                   atomic_int *cancel);
/* The same with stampers kept from one call to the next (their tables
 * then are made once): `dot` for a's softness and spread, `halo` (when
 * a->halo > 0) for SMP_HALO_SOFTNESS and none. */
#define SMP_HALO_SOFTNESS 0.9
int smp_stamp_dots_with(smp_image *canvas, const smp_dot *dots,
                        size_t from, size_t to, const smp_appearance *a,
                        smp_stamper *dot, smp_stamper *halo,
                        const smp_ink *inks, const smp_ink *red,
                        const smp_lut *lut, atomic_int *cancel);
/* The rows [*y0, *y1) of a canvas `height` rows high that stamping d
 * with look a may change (its halo too): a bound, never too small. */
void smp_dot_rows(const smp_dot *d, const smp_appearance *a, uint32_t height,
                  uint32_t *y0, uint32_t *y1);
/* Reddens the skin in proportion to `cover` (0..1 of its max); _rows
 * only rows [y0, y1). */
void smp_redden(smp_image *canvas, const smp_field *cover, double amount,
                const smp_lut *lut);
void smp_redden_rows(smp_image *canvas, const smp_field *cover,
                     double amount, const smp_lut *lut, uint32_t y0,
                     uint32_t y1);

#endif
