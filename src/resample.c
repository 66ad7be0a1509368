/*
 * resample.c - shrinking images for layouts and thumbnails.  Each output
 * pixel is the exact area average of the source pixels under it, taken in
 * linear light with premultiplied alpha, so fine dark dots keep their
 * share of darkness instead of vanishing or turning to grey mush.  Rows
 * stream through: a source row touches at most two output rows.
 *
 * Speed: a pixel is four floats in one vector (GCC vector extensions:
 * SSE2 on x86-64, the same operations lane by lane elsewhere).  A source
 * row goes to linear light through a table a stretch at a time, so that
 * the stretch stays in the L1 cache while the outputs over it gather
 * their few source pixels with their weights (taps, worked out once) and
 * add the result straight into the output rows it falls in.  Back to
 * bytes, an output pixel is one vector multiply, one conversion and three
 * table reads.  Nothing is called per pixel.
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

/* The source pixels under each output pixel, in source order: output o
 * takes tap[first[o] .. first[o + 1]). */
typedef struct tap {
    uint32_t src;
    float w;
} tap;

static tap *make_taps(const span *s, uint32_t in, uint32_t out,
                      uint32_t *first)
{
    memset(first, 0, ((size_t)out + 1) * sizeof *first);
    for (uint32_t i = 0; i < in; i++) {
        first[s[i].to + 1]++;
        if (s[i].w1 > 0)
            first[s[i].to + 2]++;
    }
    for (uint32_t o = 0; o < out; o++)
        first[o + 1] += first[o];
    tap *t = malloc(((size_t)first[out] + 1) * sizeof *t);
    if (!t)
        return NULL;
    uint32_t *fill = malloc(((size_t)out + 1) * sizeof *fill);
    if (!fill) {
        free(t);
        return NULL;
    }
    memcpy(fill, first, ((size_t)out + 1) * sizeof *fill);
    for (uint32_t i = 0; i < in; i++) {
        t[fill[s[i].to]++] = (tap){i, s[i].w0};
        if (s[i].w1 > 0)
            t[fill[s[i].to + 1]++] = (tap){i, s[i].w1};
    }
    free(fill);
    return t;
}

/* Four floats that the compiler keeps in one SSE register (or, without
 * SIMD, works lane by lane: the same operations, the same numbers). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

/* The taps of an output of a shrink to half or more: source pixels
 * src, src + 1 and src + 2 (a missing one weighs 0). */
typedef struct trio {
    uint32_t src;
    float w[3];
} trio;

/* Outputs are shrunk across in runs of this many, each from a stretch of
 * source pixels linearised into a buffer that stays in the L1 cache. */
#define RUN 128

/*
 * Every pixel is carried as four floats, linear light premultiplied by
 * alpha and alpha (an opaque image's alpha is left at 0 and worked out
 * from the weights), so that a tap is one vector multiply-add.
 */
typedef struct shrinker {
    const smp_image *src;
    smp_image *dst;
    int alpha;                  /* some pixel is not opaque */
    uint32_t *first;
    tap *taps;
    float lin[256];             /* linear value of each byte, 0..65535 */
    v4f *px;                    /* a stretch of a source row, linear */
    float *hsum, *inv_hsum;     /* the taps' weights, per column */
    float hsum_min;             /* the least of hsum */
    trio *three;                /* each output's taps, padded to three
                                   (NULL: some output has more) */
    const smp_lut *lut;
    uint8_t l2s[65536 + 16];    /* lut->l2s, and 255 past its end */
} shrinker;

/* Source pixels [x0, x1) of row y in linear light, premultiplied, into
 * sh->px[0 ..). */
static void to_linear(shrinker *sh, uint32_t y, uint32_t x0, uint32_t x1)
{
    const uint8_t *p = sh->src->pixels + (size_t)y * sh->src->stride +
                       (size_t)x0 * 4;
    const float *lin = sh->lin;
    v4f *px = sh->px;
    uint32_t n = x1 - x0;
    if (!sh->alpha) {
        uint32_t x = 0;
        for (; x + 2 <= n; x += 2, p += 8) {
            px[x] = (v4f){lin[p[0]], lin[p[1]], lin[p[2]], 0};
            px[x + 1] = (v4f){lin[p[4]], lin[p[5]], lin[p[6]], 0};
        }
        if (x < n)
            px[x] = (v4f){lin[p[0]], lin[p[1]], lin[p[2]], 0};
    } else {
        for (uint32_t x = 0; x < n; x++, p += 4) {
            float a = p[3] * (1.0f / 255.0f);
            px[x] = (v4f){lin[p[0]] * a, lin[p[1]] * a, lin[p[2]] * a, a};
        }
    }
}

/*
 * Source row y shrunk across and added down: each output pixel of it,
 * times wy0, into cur and, times wy1 (if not 0), into next.  Runs of RUN
 * outputs take their source pixels from sh->px, linearised just before.
 */
static void across(shrinker *sh, uint32_t y, v4f *restrict cur,
                   v4f *restrict next, float wy0, float wy1)
{
    const uint32_t w = sh->dst->width;
    for (uint32_t o0 = 0; o0 < w; o0 += RUN) {
        uint32_t o1 = o0 + RUN < w ? o0 + RUN : w;
        /* taps are in source order: the run's first and last */
        uint32_t s0 = sh->taps[sh->first[o0]].src;
        uint32_t s1 = sh->taps[sh->first[o1] - 1].src + 1;
        to_linear(sh, y, s0, s1);
        const v4f *in = sh->px;         /* source column s0 on */
        if (sh->three) {
            /* a shrink to half or more: three taps, no loop to end */
            const trio *t = sh->three;
            if (wy1 > 0) {
                for (uint32_t o = o0; o < o1; o++) {
                    const v4f *q = in + (t[o].src - s0);
                    v4f h = q[0] * t[o].w[0] + q[1] * t[o].w[1] +
                            q[2] * t[o].w[2];
                    cur[o] += h * wy0;
                    next[o] += h * wy1;
                }
            } else {
                for (uint32_t o = o0; o < o1; o++) {
                    const v4f *q = in + (t[o].src - s0);
                    cur[o] += (q[0] * t[o].w[0] + q[1] * t[o].w[1] +
                               q[2] * t[o].w[2]) * wy0;
                }
            }
            continue;
        }
        for (uint32_t o = o0; o < o1; o++) {
            v4f h = {0, 0, 0, 0};
            for (uint32_t t = sh->first[o]; t < sh->first[o + 1]; t++)
                h += in[sh->taps[t].src - s0] * sh->taps[t].w;
            cur[o] += h * wy0;
            if (wy1 > 0)
                next[o] += h * wy1;
        }
    }
}

/* Output row oy from its accumulated premultiplied linear sums; vsum:
 * the rows' weights added up (for an opaque image, whose alpha is
 * then the product of the two sums). */
static void emit_row(const shrinker *sh, uint32_t oy, const v4f *acc,
                     float vsum)
{
    smp_image *dst = sh->dst;
    const uint8_t *l2s = sh->l2s;
    uint8_t *q = dst->pixels + (size_t)oy * dst->stride;
    const float inv_v = vsum > 0 ? 1.0f / vsum : 0.0f;
    /* four lanes at once; the sums are never negative (truncation is
     * rounding down) and the averages at most 65535 and a rounding,
     * which the table's padding takes */
    if (!sh->alpha) {
        /* alpha is the product of the weight sums, rounded; it rises
         * with the column's sum, so if the least gives 255 all do */
        int opaque = (int)(sh->hsum_min * vsum * 255.0f + 0.5f) >= 255;
        for (uint32_t x = 0; x < dst->width; x++, q += 4) {
            v4i i = __builtin_convertvector(acc[x] * (sh->inv_hsum[x] *
                                                      inv_v) + 0.5f, v4i);
            int ai = opaque ? 255
                            : (int)(sh->hsum[x] * vsum * 255.0f + 0.5f);
            q[0] = l2s[i[0]];
            q[1] = l2s[i[1]];
            q[2] = l2s[i[2]];
            q[3] = (uint8_t)(ai > 255 ? 255 : ai);
        }
        return;
    }
    for (uint32_t x = 0; x < dst->width; x++, q += 4) {
        float a = acc[x][3], inv = a > 0 ? 1.0f / a : 0.0f;
        v4i i = __builtin_convertvector(acc[x] * inv + 0.5f, v4i);
        int ai = (int)(a * 255.0f + 0.5f);
        q[0] = l2s[i[0]];
        q[1] = l2s[i[1]];
        q[2] = l2s[i[2]];
        q[3] = (uint8_t)(ai > 255 ? 255 : ai);
    }
}

smp_status smp_image_shrink(const smp_image *src, uint32_t w, uint32_t h,
                            smp_image **out, smp_error *err)
{
    return smp_image_shrink_fed(src, w, h, NULL, out, err);
}

smp_status smp_image_shrink_fed(const smp_image *src, uint32_t w, uint32_t h,
                                const smp_feed *feed, smp_image **out,
                                smp_error *err)
{
    *out = NULL;
    if (w == 0 || h == 0 || w > src->width || h > src->height)
        return smp_fail(err, SMP_ERR_ARG, "cannot shrink %ux%u to %ux%u",
                        (unsigned)src->width, (unsigned)src->height,
                        (unsigned)w, (unsigned)h);
    smp_image *dst;
    smp_status st = smp_image_alloc(w, h, &dst, err);
    if (st == SMP_OK)
        st = smp_image_shrink_into(src, dst, feed, NULL, NULL, err);
    if (st == SMP_OK) {
        dst->has_alpha = src->has_alpha;
        st = smp_image_copy_meta(dst, src, err);
    }
    if (st != SMP_OK) {
        smp_image_free(dst);
        return st;
    }
    if (dst->res.unit == SMP_RES_PER_METRE) {
        /* the same physical size in fewer pixels */
        dst->res.x = (uint32_t)((double)src->res.x * w / src->width + 0.5);
        dst->res.y = (uint32_t)((double)src->res.y * h / src->height + 0.5);
    }
    *out = dst;
    return SMP_OK;
}

smp_status smp_image_shrink_into(const smp_image *src, smp_image *dst,
                                 const smp_feed *feed,
                                 void (*made)(void *ctx, uint32_t rows),
                                 void *ctx, smp_error *err)
{
    const uint32_t w = dst->width, h = dst->height;
    if (w == 0 || h == 0 || w > src->width || h > src->height)
        return smp_fail(err, SMP_ERR_ARG, "cannot shrink %ux%u to %ux%u",
                        (unsigned)src->width, (unsigned)src->height,
                        (unsigned)w, (unsigned)h);
    smp_status st = SMP_OK;
    shrinker sh = {.src = src, .dst = dst, .alpha = src->has_alpha};
    span *sx = malloc(src->width * sizeof *sx);
    span *sy = malloc(src->height * sizeof *sy);
    v4f *acc = calloc(2 * (size_t)w, sizeof *acc);    /* two output rows */
    smp_lut *lut = malloc(sizeof *lut);
    sh.first = malloc(((size_t)w + 1) * sizeof *sh.first);
    /* two more: the padding of the last trio, read at weight 0 */
    sh.px = calloc((size_t)src->width + 2, sizeof *sh.px);
    sh.hsum = calloc(w, sizeof *sh.hsum);
    sh.inv_hsum = calloc(w, sizeof *sh.inv_hsum);
    if (!sx || !sy || !acc || !lut || !sh.first || !sh.px ||
        !sh.hsum || !sh.inv_hsum) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    smp_lut_init(lut);
    sh.lut = lut;
    for (int v = 0; v < 256; v++)
        sh.lin[v] = lut->s2l[v];
    memcpy(sh.l2s, lut->l2s, sizeof lut->l2s);
    memset(sh.l2s + 65536, 255, sizeof sh.l2s - 65536);
    spans(sx, src->width, w);
    spans(sy, src->height, h);
    if (!(sh.taps = make_taps(sx, src->width, w, sh.first))) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t o = 0; o < w; o++) {
        for (uint32_t t = sh.first[o]; t < sh.first[o + 1]; t++)
            sh.hsum[o] += sh.taps[t].w;
        sh.inv_hsum[o] = sh.hsum[o] > 0 ? 1.0f / sh.hsum[o] : 0.0f;
    }
    sh.hsum_min = sh.hsum[0];
    for (uint32_t o = 1; o < w; o++)
        sh.hsum_min = sh.hsum[o] < sh.hsum_min ? sh.hsum[o] : sh.hsum_min;
    uint32_t most = 0;
    for (uint32_t o = 0; o < w; o++)
        if (sh.first[o + 1] - sh.first[o] > most)
            most = sh.first[o + 1] - sh.first[o];
    if (most <= 3 && (sh.three = malloc(w * sizeof *sh.three)))
        for (uint32_t o = 0; o < w; o++) {
            /* an output's source pixels are next to each other */
            sh.three[o].src = sh.taps[sh.first[o]].src;
            for (uint32_t k = 0; k < 3; k++) {
                uint32_t t = sh.first[o] + k;
                sh.three[o].w[k] = t < sh.first[o + 1] ? sh.taps[t].w : 0.0f;
            }
        }
    v4f *cur = acc, *next = acc + w;
    float vcur = 0, vnext = 0;
    uint32_t oy = 0;
    for (uint32_t y = 0; y < src->height; y++) {
        if (smp_feed_band(feed, y, src->height)) {
            st = smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
            goto done;
        }
        while (sy[y].to > oy) {
            emit_row(&sh, oy, cur, vcur);   /* row oy is complete */
            if (made)
                made(ctx, oy + 1);
            v4f *t = cur;
            cur = next;
            next = t;
            memset(next, 0, w * sizeof *next);
            vcur = vnext;
            vnext = 0;
            oy++;
        }
        across(&sh, y, cur, next, sy[y].w0, sy[y].w1);
        vcur += sy[y].w0;
        vnext += sy[y].w1;
    }
    for (; oy < h; oy++) {      /* the last row */
        emit_row(&sh, oy, cur, vcur);
        memset(cur, 0, w * sizeof *cur);
        vcur = 0;
        if (made)
            made(ctx, oy + 1);
    }
done:
    free(sx);
    free(sy);
    free(acc);
    free(lut);
    free(sh.first);
    free(sh.taps);
    free(sh.three);
    free(sh.px);
    free(sh.hsum);
    free(sh.inv_hsum);
    return st;
}
