/* pigment.h - colour tables and pigment inks (see pigment.c). */
#ifndef SMP_PIGMENT_H
#define SMP_PIGMENT_H

#include "internal.h"

/* sRGB bytes <-> 16-bit linear light; l2s[s2l[v]] == v for every byte. */
typedef struct smp_lut {
    uint16_t s2l[256];
    uint8_t l2s[65536];
} smp_lut;

void smp_lut_init(smp_lut *t);

/*
 * An ink: the pigment seen through the skin acts as a filter on the light
 * the skin returns (Beer-Lambert), so a pixel of linear value L under a
 * pigment load q/255 becomes L * T^(q/255), per channel.  mul holds
 * 65536 * T^(q/255) for each q, so stamping needs no pow() per pixel.
 */
typedef struct smp_ink {
    uint32_t mul[3][256];
} smp_ink;

/* `shade` is the pigment's transmittance as an sRGB colour: the colour a
 * white surface would take under a full load of it. */
void smp_ink_init(smp_ink *ink, const uint8_t shade[3], const smp_lut *t);

/* The preset name of a shade, or NULL. */
const char *smp_shade_name(const uint8_t rgb[3]);
/* The preset a technician would pick for this skin and (if hair_cover is
 * more than a trace) remaining hair; hair may be NULL. */
const char *smp_shade_choose(const uint8_t skin[3], const uint8_t *hair,
                             double hair_cover);

/* Default carbon shade and the share of pigment load in session k of n
 * (session 1 lightest, from DOMAIN.md's session practice). */
extern const uint8_t smp_default_shade[3];
double smp_session_strength(int k, int n);

#endif
