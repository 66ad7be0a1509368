/*
 * resample.c - shrinking images for layouts and thumbnails.  Each output
 * pixel is the exact area average of the source pixels under it, taken in
 * linear light with premultiplied alpha, so fine dark dots keep their
 * share of darkness instead of vanishing or turning to grey mush.  Rows
 * stream through: a source row touches at most two output rows.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "pigment.h"

typedef struct span {
    uint32_t to;        /* first output index this source index touches */
    float w0, w1;       /* its share in `to` and in `to + 1` */
} span;

/* Source index i covers [i, i+1) * out/in of the output axis. */
static void spans(span *s, uint32_t in, uint32_t out)
{
    double k = (double)out / in;
    for (uint32_t i = 0; i < in; i++) {
        double a = i * k, b = (i + 1) * k;
        uint32_t o = (uint32_t)a;
        if (o >= out)
            o = out - 1;
        double edge = o + 1.0;
        s[i].to = o;
        if (b <= edge || o + 1 >= out) {
            s[i].w0 = (float)(b - a);
            s[i].w1 = 0;
        } else {
            s[i].w0 = (float)(edge - a);
            s[i].w1 = (float)(b - edge);
        }
    }
}

/* Output row `oy` from its accumulated premultiplied linear sums. */
static void emit_row(smp_image *dst, uint32_t oy, const float *acc,
                     const smp_lut *lut)
{
    uint8_t *q = dst->pixels + (size_t)oy * dst->stride;
    for (uint32_t x = 0; x < dst->width; x++, q += 4) {
        const float *c = acc + (size_t)x * 4;
        float a = c[3];
        for (int ch = 0; ch < 3; ch++) {
            long i = a > 0 ? (long)(c[ch] / a + 0.5f) : 0;
            q[ch] = lut->l2s[i < 0 ? 0 : i > 65535 ? 65535 : i];
        }
        long ai = (long)(a * 255.0f + 0.5f);
        q[3] = (uint8_t)(ai > 255 ? 255 : ai);
    }
}

smp_status smp_image_shrink(const smp_image *src, uint32_t w, uint32_t h,
                            smp_image **out, smp_error *err)
{
    *out = NULL;
    if (w == 0 || h == 0 || w > src->width || h > src->height)
        return smp_fail(err, SMP_ERR_ARG, "cannot shrink %ux%u to %ux%u",
                        (unsigned)src->width, (unsigned)src->height,
                        (unsigned)w, (unsigned)h);
    smp_image *dst;
    smp_status st = smp_image_alloc(w, h, &dst, err);
    if (st != SMP_OK)
        return st;
    span *sx = malloc(src->width * sizeof *sx);
    span *sy = malloc(src->height * sizeof *sy);
    float *acc = calloc((size_t)w * 8, sizeof *acc);  /* two output rows */
    float *row = malloc((size_t)w * 4 * sizeof *row);
    smp_lut *lut = malloc(sizeof *lut);
    if (!sx || !sy || !acc || !row || !lut) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    smp_lut_init(lut);
    spans(sx, src->width, w);
    spans(sy, src->height, h);
    float *cur = acc, *next = acc + (size_t)w * 4;
    uint32_t oy = 0;
    for (uint32_t y = 0; y < src->height; y++) {
        /* this source row, shrunk horizontally, premultiplied linear */
        memset(row, 0, (size_t)w * 4 * sizeof *row);
        const uint8_t *p = src->pixels + y * src->stride;
        for (uint32_t x = 0; x < src->width; x++, p += 4) {
            float a = p[3] * (1.0f / 255.0f);
            float v[4] = {lut->s2l[p[0]] * a, lut->s2l[p[1]] * a,
                          lut->s2l[p[2]] * a, a};
            float *o = row + (size_t)sx[x].to * 4;
            for (int c = 0; c < 4; c++) {
                o[c] += v[c] * sx[x].w0;
                if (sx[x].w1 > 0)
                    o[c + 4] += v[c] * sx[x].w1;
            }
        }
        while (sy[y].to > oy) {
            emit_row(dst, oy, cur, lut);   /* row oy is complete */
            float *t = cur;
            cur = next;
            next = t;
            memset(next, 0, (size_t)w * 4 * sizeof *next);
            oy++;
        }
        for (size_t i = 0; i < (size_t)w * 4; i++) {
            cur[i] += row[i] * sy[y].w0;
            next[i] += row[i] * sy[y].w1;
        }
    }
    for (; oy < h; oy++) {      /* the last row */
        emit_row(dst, oy, cur, lut);
        memset(cur, 0, (size_t)w * 4 * sizeof *cur);
    }
    dst->has_alpha = src->has_alpha;
    st = smp_image_copy_meta(dst, src, err);
    if (dst->res.unit == SMP_RES_PER_METRE) {
        /* the same physical size in fewer pixels */
        dst->res.x = (uint32_t)((double)src->res.x * w / src->width + 0.5);
        dst->res.y = (uint32_t)((double)src->res.y * h / src->height + 0.5);
    }
done:
    free(sx);
    free(sy);
    free(acc);
    free(row);
    free(lut);
    if (st != SMP_OK) {
        smp_image_free(dst);
        return st;
    }
    *out = dst;
    return SMP_OK;
}
