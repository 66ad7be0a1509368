/*
 * region.c - where on the photo the scalp is: the head frame (an ellipse
 * with a front side), its coordinates, and a first estimate of it from the
 * photo when the technician gives none.
 *
 * Head-frame coordinates: `a` runs across the head (-1 at one side, +1 at
 * the other) and `b` from the back (-1) to the front (+1), both in units of
 * the ellipse's semi-axes, so the head is a^2 + b^2 <= 1 whatever way the
 * photo is turned.
 */
#include <math.h>
#include <stdlib.h>
#include "region.h"

void smp_frame_init(smp_frame *fr, const smp_head *h)
{
    fr->head = *h;
    fr->cx = h->cx;
    fr->cy = h->cy;
    switch (h->front) {
    case SMP_FRONT_TOP:    fr->fx = 0;  fr->fy = -1; break;
    case SMP_FRONT_BOTTOM: fr->fx = 0;  fr->fy = 1;  break;
    case SMP_FRONT_LEFT:   fr->fx = -1; fr->fy = 0;  break;
    default:               fr->fx = 1;  fr->fy = 0;  break;
    }
    int vertical = h->front == SMP_FRONT_TOP || h->front == SMP_FRONT_BOTTOM;
    fr->fwd_r = vertical ? h->ry : h->rx;
    fr->lat_r = vertical ? h->rx : h->ry;
    /* lateral axis: the forward axis turned a quarter clockwise, so +a is
     * the client's right side seen from above with the front at the top */
    fr->lx = -fr->fy;
    fr->ly = fr->fx;
}

void smp_frame_to_head(const smp_frame *fr, double x, double y,
                       double *a, double *b)
{
    double dx = x - fr->cx, dy = y - fr->cy;
    *a = (dx * fr->lx + dy * fr->ly) / fr->lat_r;
    *b = (dx * fr->fx + dy * fr->fy) / fr->fwd_r;
}

void smp_frame_to_photo(const smp_frame *fr, double a, double b,
                        double *x, double *y)
{
    *x = fr->cx + a * fr->lat_r * fr->lx + b * fr->fwd_r * fr->fx;
    *y = fr->cy + a * fr->lat_r * fr->ly + b * fr->fwd_r * fr->fy;
}

double smp_frame_coverage(const smp_frame *fr, double x, double y,
                          double rim_px)
{
    double a, b;
    smp_frame_to_head(fr, x, y, &a, &b);
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

/*
 * First estimate of the head: clinic photos have a plain backdrop, so
 * the border pixels give the background colour; pixels that differ from
 * it are the head (and maybe shoulders).  The filled ellipse with the same
 * centroid and second moments as those pixels is the head frame.
 */
smp_status smp_head_estimate(const smp_image *img, smp_head *out,
                             smp_error *err)
{
    uint32_t w = img->width, h = img->height;
    uint32_t step = (w > h ? w : h) / 400 + 1;
    /* background: mean of the border samples */
    double bg[3] = {0, 0, 0};
    size_t nb = 0;
    for (uint32_t y = 0; y < h; y += step)
        for (uint32_t x = 0; x < w; x += step) {
            if (x >= step && y >= step && x + step < w && y + step < h)
                continue;
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            for (int c = 0; c < 3; c++)
                bg[c] += p[c];
            nb++;
        }
    for (int c = 0; c < 3; c++)
        bg[c] /= (double)nb;
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (uint32_t y = 0; y < h; y += step)
        for (uint32_t x = 0; x < w; x += step) {
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            if (p[3] < 128)
                continue;
            double d = fabs(p[0] - bg[0]) + fabs(p[1] - bg[1]) +
                       fabs(p[2] - bg[2]);
            if (d < 60)
                continue;
            n++;
            sx += x;
            sy += y;
            sxx += (double)x * x;
            syy += (double)y * y;
            sxy += (double)x * y;
        }
    double total = ceil((double)w / step) * ceil((double)h / step);
    if (n < 0.02 * total)
        return smp_fail(err, SMP_ERR_REGION, "no head found against the "
                        "background; give --head CX,CY,RX,RY or --mask");
    double mx = sx / n, my = sy / n;
    double vx = sxx / n - mx * mx, vy = syy / n - my * my;
    (void)sxy;
    out->cx = mx;
    out->cy = my;
    /* a uniformly filled ellipse of semi-axis r has variance r^2 / 4 */
    out->rx = 2 * sqrt(fmax(vx, 1));
    out->ry = 2 * sqrt(fmax(vy, 1));
    out->front = SMP_FRONT_TOP;
    return SMP_OK;
}
