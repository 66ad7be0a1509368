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
    return smp_frame_coverage_ab(fr, a, b, rim_px);
}

/* Background: the mean colour of the photo's border. */
void smp_backdrop(const smp_image *img, uint32_t step, double bg[3])
{
    size_t nb = 0;
    bg[0] = bg[1] = bg[2] = 0;
    for (uint32_t y = 0; y < img->height; y += step)
        for (uint32_t x = 0; x < img->width; x += step) {
            if (x >= step && y >= step && x + step < img->width &&
                y + step < img->height)
                continue;
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            for (int c = 0; c < 3; c++)
                bg[c] += p[c];
            nb++;
        }
    for (int c = 0; c < 3; c++)
        bg[c] /= (double)nb;
}

int smp_is_backdrop(const uint8_t *p, const double bg[3])
{
    return p[3] < 128 ||
           fabs(p[0] - bg[0]) + fabs(p[1] - bg[1]) + fabs(p[2] - bg[2]) < 60;
}

static int is_head(const smp_image *img, uint32_t x, uint32_t y,
                   const double bg[3])
{
    return !smp_is_backdrop(img->pixels + y * img->stride + x * 4, bg);
}

/* Seen from above: the filled ellipse with the same centroid and second
 * moments as the pixels that are not backdrop. */
static smp_status estimate_top(const smp_image *img, uint32_t step,
                               const double bg[3], smp_head *out,
                               smp_error *err)
{
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
    for (uint32_t y = 0; y < img->height; y += step)
        for (uint32_t x = 0; x < img->width; x += step) {
            if (!is_head(img, x, y, bg))
                continue;
            n++;
            sx += x;
            sy += y;
            sxx += (double)x * x;
            syy += (double)y * y;
        }
    double total = ceil((double)img->width / step) *
                   ceil((double)img->height / step);
    if (n < 0.02 * total)
        return smp_fail(err, SMP_ERR_REGION, "no head found against the "
                        "background; give --head CX,CY,RX,RY or --mask");
    double mx = sx / n, my = sy / n;
    out->cx = mx;
    out->cy = my;
    /* a uniformly filled ellipse of semi-axis r has variance r^2 / 4 */
    out->rx = 2 * sqrt(fmax(sxx / n - mx * mx, 1));
    out->ry = 2 * sqrt(fmax(syy / n - my * my, 1));
    return SMP_OK;
}

/*
 * Seen from the front the face and neck run on below the head, so only
 * the dome is measured: going down from the first row of head, the head
 * widens until its middle, about 1.36 half-widths below the crown (a head
 * is about 1.36 times as long as it is wide).
 */
static smp_status estimate_front(const smp_image *img, uint32_t step,
                                 const double bg[3], smp_head *out,
                                 smp_error *err)
{
    double top = -1, half = 0, mid = 0;
    for (uint32_t y = 0; y < img->height; y += step) {
        uint32_t l = img->width, r = 0, count = 0;
        for (uint32_t x = 0; x < img->width; x += step)
            if (is_head(img, x, y, bg)) {
                if (x < l)
                    l = x;
                r = x;
                count++;
            }
        /* a row counts once a solid run of head crosses it */
        if (count < 4 || (double)count * step < 0.5 * (r - l))
            continue;
        if (top < 0)
            top = y;
        if (y - top > 1.36 * half && half > 0)
            break;
        if ((r - l) / 2.0 > half) {
            half = (r - l) / 2.0;
            mid = (l + r) / 2.0;
        }
    }
    if (top < 0 || half < 0.05 * img->width)
        return smp_fail(err, SMP_ERR_REGION, "no head found against the "
                        "background; give --head CX,CY,RX,RY or --mask");
    out->cx = mid;
    out->rx = half;
    out->ry = 1.36 * half;
    out->cy = top + out->ry;
    return SMP_OK;
}

/*
 * First estimate of the head: clinic photos have a plain backdrop, so the
 * border gives its colour, and pixels that differ from it are the head.
 */
/* Whether the middle of the photo is mostly the border's colour: then
 * the border is scalp too, and the photo a close-up with no backdrop. */
static int is_closeup(const smp_image *img, uint32_t step, const double bg[3])
{
    size_t n = 0, same = 0;
    for (uint32_t y = img->height / 4; y < img->height * 3 / 4; y += step)
        for (uint32_t x = img->width / 4; x < img->width * 3 / 4; x += step) {
            n++;
            same += !is_head(img, x, y, bg);
        }
    return n > 0 && same * 2 > n;
}

smp_status smp_head_estimate(const smp_image *img, smp_view view,
                             smp_head *out, int *closeup, smp_error *err)
{
    uint32_t step = (img->width > img->height ? img->width : img->height) /
                    400 + 1;
    double bg[3];
    smp_backdrop(img, step, bg);
    out->front = view == SMP_VIEW_FRONT ? SMP_FRONT_BOTTOM : SMP_FRONT_TOP;
    *closeup = is_closeup(img, step, bg);
    if (*closeup) {
        /* all scalp: a frame that holds the whole photo */
        out->cx = img->width / 2.0;
        out->cy = img->height / 2.0;
        out->rx = img->width * 0.75;
        out->ry = img->height * 0.75;
        return SMP_OK;
    }
    return view == SMP_VIEW_FRONT ? estimate_front(img, step, bg, out, err)
                                  : estimate_top(img, step, bg, out, err);
}
