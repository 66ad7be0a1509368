/* region.h - the head frame and its coordinates (see region.c). */
#ifndef SMP_REGION_H
#define SMP_REGION_H

#include <math.h>
#include "internal.h"

typedef struct smp_frame {
    smp_head head;
    double cx, cy;
    double fx, fy;          /* unit vector towards the front */
    double lx, ly;          /* unit vector across the head */
    double fwd_r, lat_r;    /* semi-axes along those, in pixels */
} smp_frame;

void smp_frame_init(smp_frame *fr, const smp_head *h);
void smp_frame_to_head(const smp_frame *fr, double x, double y,
                       double *a, double *b);
void smp_frame_to_photo(const smp_frame *fr, double a, double b,
                        double *x, double *y);
/* 1 well inside the ellipse, 0 outside, a smooth ramp `rim_px` wide. */
double smp_frame_coverage(const smp_frame *fr, double x, double y,
                          double rim_px);
/* The same from head coordinates. */
static inline double smp_frame_coverage_ab(const smp_frame *fr, double a,
                                           double b, double rim_px)
{
    double r = sqrt(a * a + b * b);
    /* distance inside the rim, in pixels, approximated along the radius */
    double rmin = fmin(fr->lat_r, fr->fwd_r);
    double inside = (1.0 - r) * rmin;
    if (inside <= 0)
        return 0;
    if (inside >= rim_px)
        return 1;
    double t = inside / rim_px;
    return t * t * (3 - 2 * t);
}
/* The backdrop's colour from the photo's border, sampled every `step`
 * pixels, and whether a pixel is backdrop (or transparent). */
void smp_backdrop(const smp_image *img, uint32_t step, double bg[3]);
int smp_is_backdrop(const uint8_t *rgba, const double bg[3]);
/* The head frame seen in the photo.  *closeup is set when the photo has
 * no backdrop (all scalp): the frame then holds the whole photo. */
smp_status smp_head_estimate(const smp_image *img, smp_view view,
                             smp_head *out, int *closeup, smp_error *err);

#endif
