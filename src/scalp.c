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
 *
 * Speed: the per-pixel tests run from tables that hold exactly the
 * doubles the formulas give, over rows of pixels, and only over the
 * cells asked for (and the few millimetres round them that the local
 * brightness reads); the brightest-cell filter costs the same whatever
 * its radius.  A survey for the pigment alone reads a large photo on a
 * sparse lattice of its pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scalp.h"

/* A survey reads about this many pixels at most: the colours and the
 * share of hair of a larger photo come out the same to a fraction of a
 * percent from a lattice of them. */
#define SURVEY_PIXELS 2500000.0

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
    /* the median luma, counted */
    size_t lh[256] = {0}, below = 0;
    for (size_t i = 0; i < n; i++)
        lh[lum[i]]++;
    int cut = 0;
    while (below + lh[cut] <= n / 2)
        below += lh[cut++];
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

/* ---- the same tests, from tables, for whole rows ----------------------- */

/*
 * Every entry is the double the formula above computes for that byte, and
 * sums are taken in the formula's order, so a pixel gets the same answer.
 * The chromaticity's two divisions become a multiplication by a tabled
 * reciprocal, exact to a few units in the 16th digit: a pixel that close
 * to the threshold is decided by the division itself.
 */
typedef struct px_tables {
    double bd[3][256];          /* fabs(v - bg[c]) */
    double lu[3][256];          /* luma weight of channel c times v */
    double inv_s[766];          /* 1 / (r + g + b + 1) */
    double kr, kb;              /* skin's r and b shares */
    uint16_t sat_lim[256];      /* sat3 < 0.45 skin_sat: max - min below */
    int grey_test, no_skin;
} px_tables;

#define CHROMA_T (0.06 * 0.06)

static void tables_init(px_tables *t, const smp_scalp *sc)
{
    for (int v = 0; v < 256; v++) {
        for (int c = 0; c < 3; c++)
            t->bd[c][v] = fabs(v - sc->bg[c]);
        t->lu[0][v] = 0.299 * v;
        t->lu[1][v] = 0.587 * v;
        t->lu[2][v] = 0.114 * v;
    }
    for (int s = 0; s < 766; s++)
        t->inv_s[s] = 1.0 / (s + 1.0);
    double k = sc->skin_rgb[0] + sc->skin_rgb[1] + sc->skin_rgb[2] + 1.0;
    t->kr = sc->skin_rgb[0] / k;
    t->kb = sc->skin_rgb[2] / k;
    double lim = 0.45 * sc->skin_sat;
    for (int mx = 0; mx < 256; mx++) {
        int d = 0;
        while (d <= mx && (mx ? (double)d / mx : 0) < lim)
            d++;
        t->sat_lim[mx] = (uint16_t)d;
    }
    t->grey_test = sc->skin_sat > 0.12;
    t->no_skin = !sc->skin_rgb[0];
}

static inline int backdrop_t(const px_tables *t, const uint8_t *p)
{
    return p[3] < 128 ||
           t->bd[0][p[0]] + t->bd[1][p[1]] + t->bd[2][p[2]] < 60;
}

static inline double luma_t(const px_tables *t, const uint8_t *p)
{
    return t->lu[0][p[0]] + t->lu[1][p[1]] + t->lu[2][p[2]];
}

/* off_colour for a pixel that is not backdrop, of luma l */
static inline int off_chroma_t(const px_tables *t, const uint8_t *p, double l)
{
    if (!(l > 60))
        return 0;
    int si = p[0] + p[1] + p[2];
    double inv = t->inv_s[si];
    double dr = p[0] * inv - t->kr, db = p[2] * inv - t->kb;
    double d = dr * dr + db * db;
    if (fabs(d - CHROMA_T) > 1e-12)
        return d > CHROMA_T;
    double s = si + 1.0;
    dr = p[0] / s - t->kr;
    db = p[2] / s - t->kb;
    return dr * dr + db * db > CHROMA_T;
}

static inline int class_t(const px_tables *t, const uint8_t *p, double bright)
{
    if (t->no_skin || backdrop_t(t, p))
        return SMP_PX_OTHER;
    double l = luma_t(t, p);
    if (l < 0.72 * bright)
        return SMP_PX_HAIR;
    if (t->grey_test) {
        int mx = p[0] > p[1] ? p[0] : p[1], mn = p[0] < p[1] ? p[0] : p[1];
        mx = p[2] > mx ? p[2] : mx;
        mn = p[2] < mn ? p[2] : mn;
        if (mx - mn < t->sat_lim[mx] && l > 0.55 * bright)
            return SMP_PX_HAIR;
    }
    return off_chroma_t(t, p, l) ? SMP_PX_OTHER : SMP_PX_SKIN;
}

/* ---- the brightest cell round each cell -------------------------------- */

/*
 * out[i * os] = the largest of in[(i - r .. i + r) * is] that lie in
 * [0, n), or 0: van Herk / Gil-Werman, three comparisons a value whatever
 * r.  buf holds 2 * (n + 4r + 2) floats.
 */
static void max_filter(const float *in, ptrdiff_t is, float *out,
                       ptrdiff_t os, uint32_t n, int r, float *buf)
{
    const uint32_t len = (uint32_t)(2 * r + 1);
    const uint32_t np = n + 2 * (uint32_t)r;
    float *g = buf, *hb = buf + np;
    for (uint32_t j = 0; j < np; j++) {
        float v = j >= (uint32_t)r && j < n + (uint32_t)r
                  ? in[(ptrdiff_t)(j - (uint32_t)r) * is] : 0.0f;
        g[j] = j % len == 0 || !(v < g[j - 1]) ? v : g[j - 1];
        hb[j] = v;
    }
    for (uint32_t j = np - 1; j-- > 0;)
        if (j % len != len - 1 && hb[j + 1] > hb[j])
            hb[j] = hb[j + 1];
    for (uint32_t i = 0; i < n; i++) {
        float m = hb[i] > g[i + 2 * (uint32_t)r] ? hb[i]
                                                 : g[i + 2 * (uint32_t)r];
        out[(ptrdiff_t)i * os] = m > 0 ? m : 0.0f;
    }
}

/*
 * The max filter of radius r over the w x h grid v, for the cells
 * [i0, i1) x [j0, j1) only (others are left as they are; what they hold
 * may be read).  Rows first, then columns.
 */
static smp_status dilate_box(float *v, float *tmp, uint32_t w, uint32_t h,
                             int r, uint32_t i0, uint32_t j0, uint32_t i1,
                             uint32_t j1)
{
    if (i0 >= i1 || j0 >= j1)
        return SMP_OK;
    if (r < 0)
        r = 0;
    uint32_t n = w > h ? w : h;
    float *buf = malloc(2 * ((size_t)n + 4 * (size_t)r + 2) * sizeof *buf);
    if (!buf)
        return SMP_ERR_NOMEM;
    /* rows that the column pass reads, whole columns the rows' windows
     * read: cells beyond them are never in the window of one we want */
    uint32_t rj0 = j0 > (uint32_t)r ? j0 - (uint32_t)r : 0;
    uint32_t rj1 = h - j1 > (uint32_t)r ? j1 + (uint32_t)r : h;
    uint32_t ci0 = i0 > (uint32_t)r ? i0 - (uint32_t)r : 0;
    uint32_t ci1 = w - i1 > (uint32_t)r ? i1 + (uint32_t)r : w;
    for (uint32_t j = rj0; j < rj1; j++) {
        /* a segment that stops short of the grid's edge only errs in its
         * outer r cells, which no wanted cell reads */
        const float *row = v + (size_t)j * w + ci0;
        max_filter(row, 1, tmp + (size_t)j * w + ci0, 1, ci1 - ci0, r, buf);
    }
    for (uint32_t i = i0; i < i1; i++)
        max_filter(tmp + (size_t)rj0 * w + i, (ptrdiff_t)w,
                   v + (size_t)rj0 * w + i, (ptrdiff_t)w, rj1 - rj0, r, buf);
    free(buf);
    return SMP_OK;
}

void smp_grid_dilate(float *v, float *tmp, uint32_t w, uint32_t h, int r)
{
    if (dilate_box(v, tmp, w, h, r, 0, 0, w, h) == SMP_OK)
        return;
    /* no memory for the filter's buffer: the plain way */
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

/* ---- the analysis ------------------------------------------------------ */

/*
 * The photo as the passes read it: every k-th pixel of every k-th row
 * (k = 1: all of it), w x h of them, in cells `cell` of them wide.
 */
typedef struct view {
    const smp_image *img;
    uint32_t k, w, h;
    uint32_t *xs, *ys;          /* cell i spans [xs[i], xs[i + 1]) */
} view;

static const uint8_t *view_px(const view *v, uint32_t x, uint32_t y)
{
    return v->img->pixels + (size_t)y * v->k * v->img->stride +
           (size_t)x * v->k * 4;
}

/* The cells whose centres may lie in the head ellipse. */
static void head_cells(const smp_scalp *sc, const smp_frame *fr, double k,
                       uint32_t box[4])
{
    const smp_head *hd = &fr->head;
    double c = sc->cell * k;
    double x0 = (hd->cx - hd->rx) / c - 2, x1 = (hd->cx + hd->rx) / c + 2;
    double y0 = (hd->cy - hd->ry) / c - 2, y1 = (hd->cy + hd->ry) / c + 2;
    box[0] = x0 <= 0 ? 0 : x0 >= sc->w ? sc->w : (uint32_t)x0;
    box[1] = y0 <= 0 ? 0 : y0 >= sc->h ? sc->h : (uint32_t)y0;
    box[2] = x1 <= 0 ? 0 : x1 >= sc->w ? sc->w : (uint32_t)x1;
    box[3] = y1 <= 0 ? 0 : y1 >= sc->h ? sc->h : (uint32_t)y1;
    if (!(fabs(fr->fx) + fabs(fr->fy) == 1 && fr->lat_r > 0 &&
          fr->fwd_r > 0)) {
        box[0] = box[1] = 0;    /* an odd frame: look everywhere */
        box[2] = sc->w;
        box[3] = sc->h;
    }
}

/*
 * Local skin brightness over `want` (and the cells round it that it
 * reads), then per cell of `want` the share of bare skin and, over the
 * cells in the head ellipse, the hair cover and colour.
 */
static smp_status passes(smp_scalp *sc, const view *vw, const px_tables *t,
                         const smp_frame *frame, const uint32_t want[4],
                         smp_error *err)
{
    const uint32_t w = sc->w, h = sc->h;
    const int r = (int)(24.0 / (vw->k * sc->cell)) + 1;   /* about 24 px */
    /* a pixel reads the brightness of the cell its coordinates divided
     * by the cell size fall in, which can be a neighbour of the cell it
     * counts for: the brightness is wanted a cell further */
    uint32_t lit[4] = {want[0] ? want[0] - 1 : 0, want[1] ? want[1] - 1 : 0,
                       want[2] < w ? want[2] + 1 : w,
                       want[3] < h ? want[3] + 1 : h};
    uint32_t bi0 = lit[0] > (uint32_t)r ? lit[0] - (uint32_t)r : 0;
    uint32_t bj0 = lit[1] > (uint32_t)r ? lit[1] - (uint32_t)r : 0;
    uint32_t bi1 = w - lit[2] > (uint32_t)r ? lit[2] + (uint32_t)r : w;
    uint32_t bj1 = h - lit[3] > (uint32_t)r ? lit[3] + (uint32_t)r : h;
    double *sum = malloc(w * sizeof *sum);
    int *cnt = malloc(w * sizeof *cnt), *skin = malloc(w * sizeof *skin);
    uint8_t *in_head = malloc(w);
    uint32_t *bx = malloc(((size_t)vw->w + 1) * sizeof *bx);
    float *tmp = malloc((size_t)w * h * sizeof *tmp);
    smp_status st = SMP_OK;
    if (!sum || !cnt || !skin || !in_head || !bx || !tmp) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* mean luma of the skin-coloured pixels in each cell */
    for (uint32_t j = bj0; j < bj1; j++) {
        for (uint32_t i = bi0; i < bi1; i++) {
            sum[i] = 0;
            cnt[i] = 0;
        }
        for (uint32_t y = vw->ys[j]; y < vw->ys[j + 1]; y++)
            for (uint32_t i = bi0; i < bi1; i++) {
                double s = sum[i];
                int m = cnt[i];
                for (uint32_t x = vw->xs[i]; x < vw->xs[i + 1]; x++) {
                    const uint8_t *p = view_px(vw, x, y);
                    if (backdrop_t(t, p))
                        continue;
                    double l = luma_t(t, p);
                    if (!off_chroma_t(t, p, l)) {
                        s += l;
                        m++;
                    }
                }
                sum[i] = s;
                cnt[i] = m;
            }
        for (uint32_t i = bi0; i < bi1; i++)
            sc->bright[(size_t)j * w + i] = cnt[i] ? (float)(sum[i] / cnt[i])
                                                   : 0;
    }
    /* then the brightest within about 24 px */
    if (dilate_box(sc->bright, tmp, w, h, r, lit[0], lit[1], lit[2],
                   lit[3]) != SMP_OK) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* per cell: share of bare skin; over the head frame: hair cover */
    double head = 0, hair = 0, hsum[3] = {0, 0, 0};
    const double k = vw->k;
    for (uint32_t x = vw->xs[want[0]]; x < vw->xs[want[2]]; x++) {
        uint32_t i = (uint32_t)(x / sc->cell);
        bx[x] = i >= w ? w - 1 : i;
    }
    for (uint32_t j = want[1]; j < want[3]; j++) {
        for (uint32_t i = want[0]; i < want[2]; i++) {
            double a, b;
            smp_frame_to_head(frame, (i + 0.5) * sc->cell * k,
                              (j + 0.5) * sc->cell * k, &a, &b);
            in_head[i] = a * a + b * b < 1;
            skin[i] = 0;
        }
        for (uint32_t y = vw->ys[j]; y < vw->ys[j + 1]; y++) {
            uint32_t by = (uint32_t)(y / sc->cell);
            const float *bright = sc->bright +
                                  (size_t)(by >= h ? h - 1 : by) * w;
            for (uint32_t i = want[0]; i < want[2]; i++) {
                int sk = 0;
                for (uint32_t x = vw->xs[i]; x < vw->xs[i + 1]; x++) {
                    const uint8_t *p = view_px(vw, x, y);
                    int c = class_t(t, p, bright[bx[x]]);
                    sk += c == SMP_PX_SKIN;
                    if (in_head[i] && c != SMP_PX_OTHER) {
                        head++;
                        if (c == SMP_PX_HAIR) {
                            hair++;
                            hsum[0] += p[0];
                            hsum[1] += p[1];
                            hsum[2] += p[2];
                        }
                    }
                }
                skin[i] += sk;
            }
        }
        uint32_t ch = vw->ys[j + 1] - vw->ys[j];
        for (uint32_t i = want[0]; i < want[2]; i++) {
            int all = (int)(ch * (vw->xs[i + 1] - vw->xs[i]));
            sc->skin[(size_t)j * w + i] = all ? (float)skin[i] / all : 0;
        }
    }
    sc->hair_cover = head > 0 ? hair / head : 0;
    for (int c = 0; c < 3; c++)
        sc->hair_rgb[c] = (uint8_t)(hair > 0 ? hsum[c] / hair + 0.5 : 0);
done:
    free(sum);
    free(cnt);
    free(skin);
    free(in_head);
    free(bx);
    free(tmp);
    return st;
}

/* Backdrop, typical skin, then the passes over `want` (NULL: the head
 * frame's cells) on every k-th pixel. */
static smp_status analyse(smp_scalp *sc, const smp_image *img,
                          const smp_frame *frame, float cell, uint32_t k,
                          const uint32_t *want, smp_error *err)
{
    memset(sc, 0, sizeof *sc);
    view vw = {img, k, (img->width + k - 1) / k, (img->height + k - 1) / k,
               NULL, NULL};
    if (k > 1)      /* a lattice cell of a few pixels, as at full size */
        cell = cell / (float)k < 2.0f ? 2.0f : cell / (float)k;
    sc->cell = cell;
    sc->w = (uint32_t)ceilf((float)vw.w / cell);
    sc->h = (uint32_t)ceilf((float)vw.h / cell);
    size_t n = (size_t)sc->w * sc->h;
    px_tables *t = malloc(sizeof *t);
    sc->skin = calloc(n, sizeof *sc->skin);
    sc->bright = calloc(n, sizeof *sc->bright);
    vw.xs = malloc(((size_t)sc->w + 1) * sizeof *vw.xs);
    vw.ys = malloc(((size_t)sc->h + 1) * sizeof *vw.ys);
    smp_status st = SMP_OK;
    if (!t || !sc->skin || !sc->bright || !vw.xs || !vw.ys) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* the cells' pixel ranges, as (i * cell) truncated gives them */
    for (uint32_t i = 0; i <= sc->w; i++) {
        uint32_t x = (uint32_t)(i * cell);
        vw.xs[i] = x > vw.w ? vw.w : x;
    }
    for (uint32_t j = 0; j <= sc->h; j++) {
        uint32_t y = (uint32_t)(j * cell);
        vw.ys[j] = y > vw.h ? vw.h : y;
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
    tables_init(t, sc);
    uint32_t box[4];
    head_cells(sc, frame, k, box);
    if (want) {
        for (int c = 0; c < 2; c++) {
            box[c] = want[c] < box[c] ? want[c] : box[c];
            box[c + 2] = want[c + 2] > box[c + 2] ? want[c + 2] : box[c + 2];
        }
        box[2] = box[2] > sc->w ? sc->w : box[2];
        box[3] = box[3] > sc->h ? sc->h : box[3];
    }
    st = passes(sc, &vw, t, frame, box, err);
done:
    free(t);
    free(vw.xs);
    free(vw.ys);
    if (st != SMP_OK)
        smp_scalp_release(sc);
    return st;
}

smp_status smp_scalp_analyse(smp_scalp *sc, const smp_image *img,
                             const smp_frame *frame, float cell,
                             const uint32_t want[4], smp_error *err)
{
    uint32_t all[4] = {0, 0, UINT32_MAX, UINT32_MAX};
    return analyse(sc, img, frame, cell, 1, want ? want : all, err);
}

smp_status smp_scalp_survey(smp_scalp *sc, const smp_image *img,
                            const smp_frame *frame, float cell,
                            smp_error *err)
{
    double px = (double)img->width * img->height;
    uint32_t k = px > SURVEY_PIXELS ? (uint32_t)ceil(sqrt(px / SURVEY_PIXELS))
                                    : 1;
    smp_status st = analyse(sc, img, frame, cell, k, NULL, err);
    if (st == SMP_OK) {
        /* its grids describe the lattice, not the photo's cells */
        smp_scalp_release(sc);
        sc->w = sc->h = 0;
    }
    return st;
}

void smp_scalp_release(smp_scalp *sc)
{
    free(sc->skin);
    free(sc->bright);
    sc->skin = sc->bright = NULL;
}
