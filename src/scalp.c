/*
 * scalp.c - what is bare skin, what is hair and what is backdrop (or a
 * shirt) in the photo, so that dots land on skin, infill goes between
 * hairs, and the pigment can be matched to the client.
 *
 * Skin is found by its colour: the brighter half of the pixels in the
 * middle of the head frame gives the typical skin chromaticity and
 * saturation.  A pixel is hair when it is much darker than the skin
 * around it (dark hair) or much greyer (grey and white hair); the skin's
 * local brightness is the brightest cell within a few millimetres, which
 * follows the lighting of the dome without being pulled down by dense
 * stubble.  A pixel whose colour is far from skin's is neither: backdrop,
 * clothing, eyes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scalp.h"

static double luma3(const uint8_t *p)
{
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

static double sat3(const uint8_t *p)
{
    int mx = p[0] > p[1] ? p[0] : p[1], mn = p[0] < p[1] ? p[0] : p[1];
    mx = p[2] > mx ? p[2] : mx;
    mn = p[2] < mn ? p[2] : mn;
    return mx ? (double)(mx - mn) / mx : 0;
}

static int cmp_u8(const void *a, const void *b)
{
    return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* Typical skin: the median colour of the brighter half of the
 * non-backdrop pixels in the inner part of the head frame. */
static smp_status typical_skin(smp_scalp *sc, const smp_image *img,
                               const smp_frame *fr, smp_error *err)
{
    size_t cap = 1 << 16, n = 0;
    uint8_t (*px)[3] = malloc(cap * sizeof *px);
    uint8_t *lum = malloc(cap);
    if (!px || !lum) {
        free(px);
        free(lum);
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    uint32_t step = (uint32_t)sqrt((double)img->width * img->height / cap) + 1;
    for (uint32_t y = 0; y < img->height && n < cap; y += step)
        for (uint32_t x = 0; x < img->width && n < cap; x += step) {
            double a, b;
            smp_frame_to_head(fr, x, y, &a, &b);
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            if (a * a + b * b > 0.6 * 0.6 || smp_is_backdrop(p, sc->bg))
                continue;
            memcpy(px[n], p, 3);
            lum[n++] = (uint8_t)luma3(p);
        }
    memset(sc->skin_rgb, 0, 3);
    if (n < 16) {
        free(px);
        free(lum);
        return SMP_OK;
    }
    uint8_t *sorted = malloc(n);
    if (!sorted) {
        free(px);
        free(lum);
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    memcpy(sorted, lum, n);
    qsort(sorted, n, 1, cmp_u8);
    uint8_t cut = sorted[n / 2];
    free(sorted);
    /* per-channel medians of the brighter half */
    for (int c = 0; c < 3; c++) {
        size_t hist[256] = {0}, m = 0;
        for (size_t i = 0; i < n; i++)
            if (lum[i] >= cut) {
                hist[px[i][c]]++;
                m++;
            }
        size_t acc = 0;
        int v = 0;
        while (v < 255 && (acc += hist[v]) < m / 2)
            v++;
        sc->skin_rgb[c] = (uint8_t)v;
    }
    sc->skin_sat = sat3(sc->skin_rgb);
    /* darker than the darkest skin in any usable photo, that was hair;
     * skin of every tone is redder than it is blue */
    const uint8_t *k = sc->skin_rgb;
    if (luma3(k) < 45 || k[0] < k[2] + 8 || k[0] < k[1])
        memset(sc->skin_rgb, 0, 3);
    free(px);
    free(lum);
    return SMP_OK;
}

/* Whether the middle of the head frame is mostly the border's colour. */
static int mostly_backdrop(const smp_image *img, const smp_frame *fr,
                           const double bg[3])
{
    size_t n = 0, same = 0;
    uint32_t step = (img->width > img->height ? img->width : img->height) /
                    200 + 1;
    for (uint32_t y = 0; y < img->height; y += step)
        for (uint32_t x = 0; x < img->width; x += step) {
            double a, b;
            smp_frame_to_head(fr, x, y, &a, &b);
            if (a * a + b * b > 0.5 * 0.5)
                continue;
            n++;
            same += smp_is_backdrop(img->pixels + y * img->stride + x * 4, bg);
        }
    return n > 0 && same * 2 > n;
}

/* Far from skin's colour: backdrop, clothing, eyes, lips... */
static int off_colour(const smp_scalp *sc, const uint8_t *p)
{
    if (smp_is_backdrop(p, sc->bg))
        return 1;
    /* chromaticity: compare r and b shares of the sum */
    double s = p[0] + p[1] + p[2] + 1.0;
    double k = sc->skin_rgb[0] + sc->skin_rgb[1] + sc->skin_rgb[2] + 1.0;
    double dr = p[0] / s - sc->skin_rgb[0] / k;
    double db = p[2] / s - sc->skin_rgb[2] / k;
    return dr * dr + db * db > 0.06 * 0.06 && luma3(p) > 60;
}

int smp_scalp_class(const smp_scalp *sc, const smp_image *img, uint32_t x,
                    uint32_t y)
{
    const uint8_t *p = img->pixels + y * img->stride + x * 4;
    uint32_t i = (uint32_t)(x / sc->cell), j = (uint32_t)(y / sc->cell);
    if (i >= sc->w) i = sc->w - 1;
    if (j >= sc->h) j = sc->h - 1;
    double bright = sc->bright[(size_t)j * sc->w + i];
    double l = luma3(p);
    if (smp_is_backdrop(p, sc->bg) || !sc->skin_rgb[0])
        return SMP_PX_OTHER;            /* backdrop, or no skin at all */
    if (l < 0.72 * bright)
        return SMP_PX_HAIR;             /* dark hair, or its shadow */
    if (sc->skin_sat > 0.12 && sat3(p) < 0.45 * sc->skin_sat &&
        l > 0.55 * bright)
        return SMP_PX_HAIR;             /* grey or white hair */
    return off_colour(sc, p) ? SMP_PX_OTHER : SMP_PX_SKIN;
}

void smp_grid_dilate(float *v, float *tmp, uint32_t w, uint32_t h, int r)
{
    for (uint32_t j = 0; j < h; j++)
        for (uint32_t i = 0; i < w; i++) {
            float m = 0;
            for (int d = -r; d <= r; d++) {
                int k = (int)i + d;
                if (k >= 0 && k < (int)w && v[(size_t)j * w + k] > m)
                    m = v[(size_t)j * w + k];
            }
            tmp[(size_t)j * w + i] = m;
        }
    for (uint32_t j = 0; j < h; j++)
        for (uint32_t i = 0; i < w; i++) {
            float m = 0;
            for (int d = -r; d <= r; d++) {
                int k = (int)j + d;
                if (k >= 0 && k < (int)h && tmp[(size_t)k * w + i] > m)
                    m = tmp[(size_t)k * w + i];
            }
            v[(size_t)j * w + i] = m;
        }
}

smp_status smp_scalp_analyse(smp_scalp *sc, const smp_image *img,
                             const smp_frame *frame, float cell,
                             smp_error *err)
{
    memset(sc, 0, sizeof *sc);
    sc->cell = cell;
    sc->w = (uint32_t)ceilf((float)img->width / cell);
    sc->h = (uint32_t)ceilf((float)img->height / cell);
    size_t n = (size_t)sc->w * sc->h;
    sc->skin = calloc(n, sizeof *sc->skin);
    sc->bright = calloc(n, sizeof *sc->bright);
    float *tmp = malloc(n * sizeof *tmp);
    smp_status st = SMP_OK;
    if (!sc->skin || !sc->bright || !tmp) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    uint32_t step = (img->width > img->height ? img->width : img->height) /
                    400 + 1;
    smp_backdrop(img, step, sc->bg);
    if (mostly_backdrop(img, frame, sc->bg)) {
        /* a close-up: the border is scalp too, there is no backdrop */
        sc->bg[0] = sc->bg[1] = sc->bg[2] = -1000;
    }
    if ((st = typical_skin(sc, img, frame, err)) != SMP_OK)
        goto done;
    /* mean luma of the skin-coloured pixels in each cell, then the
     * brightest within ~4 cells' radius for the local skin brightness */
    for (uint32_t j = 0; j < sc->h; j++)
        for (uint32_t i = 0; i < sc->w; i++) {
            uint32_t x0 = (uint32_t)(i * cell), y0 = (uint32_t)(j * cell);
            uint32_t x1 = (uint32_t)((i + 1) * cell), y1 = (uint32_t)((j + 1) * cell);
            if (x1 > img->width) x1 = img->width;
            if (y1 > img->height) y1 = img->height;
            double sum = 0;
            int m = 0;
            for (uint32_t y = y0; y < y1; y++)
                for (uint32_t x = x0; x < x1; x++) {
                    const uint8_t *p = img->pixels + y * img->stride + x * 4;
                    if (!off_colour(sc, p)) {
                        sum += luma3(p);
                        m++;
                    }
                }
            sc->bright[(size_t)j * sc->w + i] = m ? (float)(sum / m) : 0;
        }
    int r = (int)(24.0 / cell) + 1;     /* about 24 px, a few mm */
    smp_grid_dilate(sc->bright, tmp, sc->w, sc->h, r);
    /* per cell: share of bare skin; over the head frame: hair cover */
    double head = 0, hair = 0, hsum[3] = {0, 0, 0};
    for (uint32_t j = 0; j < sc->h; j++)
        for (uint32_t i = 0; i < sc->w; i++) {
            uint32_t x0 = (uint32_t)(i * cell), y0 = (uint32_t)(j * cell);
            uint32_t x1 = (uint32_t)((i + 1) * cell), y1 = (uint32_t)((j + 1) * cell);
            if (x1 > img->width) x1 = img->width;
            if (y1 > img->height) y1 = img->height;
            double a, b;
            smp_frame_to_head(frame, (i + 0.5) * cell, (j + 0.5) * cell, &a,
                              &b);
            int in_head = a * a + b * b < 1;
            int skin = 0, all = 0;
            for (uint32_t y = y0; y < y1; y++)
                for (uint32_t x = x0; x < x1; x++) {
                    int k = smp_scalp_class(sc, img, x, y);
                    skin += k == SMP_PX_SKIN;
                    all++;
                    if (in_head && k != SMP_PX_OTHER) {
                        head++;
                        if (k == SMP_PX_HAIR) {
                            const uint8_t *p = img->pixels + y * img->stride +
                                               x * 4;
                            hair++;
                            for (int c = 0; c < 3; c++)
                                hsum[c] += p[c];
                        }
                    }
                }
            sc->skin[(size_t)j * sc->w + i] = all ? (float)skin / all : 0;
        }
    sc->hair_cover = head > 0 ? hair / head : 0;
    for (int c = 0; c < 3; c++)
        sc->hair_rgb[c] = (uint8_t)(hair > 0 ? hsum[c] / hair + 0.5 : 0);
done:
    free(tmp);
    if (st != SMP_OK)
        smp_scalp_release(sc);
    return st;
}

void smp_scalp_release(smp_scalp *sc)
{
    free(sc->skin);
    free(sc->bright);
    sc->skin = sc->bright = NULL;
}
