/*
 * resample.c - shrinking images for layouts and thumbnails.  Each output
 * pixel is the exact area average of the source pixels under it, taken in
 * linear light with premultiplied alpha, so fine dark dots keep their
 * share of darkness instead of vanishing or turning to grey mush.  Rows
 * stream through: a source row touches at most two output rows.
 *
 * Speed: a source row goes to linear light through a table of floats, a
 * pixel as four of them, and is shrunk across by gathering for every
 * output pixel the few source pixels under it with their weights (taps,
 * worked out once); rows are added down in blocks of eight floats.  The
 * compiler turns both into vector code.
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

/* acc[i] += row[i] * w over n floats, in blocks the compiler vectorises. */
static void add_scaled(float *restrict acc, const float *restrict row,
                       float w, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            acc[i + k] += row[i + k] * w;
    for (; i < n; i++)
        acc[i] += row[i] * w;
}

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
    float *px;                  /* one source row as 4 floats a pixel */
    float *row;                 /* that row shrunk across, likewise */
    float *hsum, *inv_hsum;     /* the taps' weights, per column */
    tap (*three)[3];            /* each output's taps, padded to three
                                   (NULL: some output has more) */
    const smp_lut *lut;
} shrinker;

/* Source row y in linear light, premultiplied, into sh->px. */
static void to_linear(shrinker *sh, uint32_t y)
{
    const uint8_t *p = sh->src->pixels + (size_t)y * sh->src->stride;
    const float *lin = sh->lin;
    float *px = sh->px;
    if (!sh->alpha) {
        for (uint32_t x = 0; x < sh->src->width; x++, p += 4, px += 4) {
            px[0] = lin[p[0]];
            px[1] = lin[p[1]];
            px[2] = lin[p[2]];
            px[3] = 0;
        }
    } else {
        for (uint32_t x = 0; x < sh->src->width; x++, p += 4, px += 4) {
            float a = p[3] * (1.0f / 255.0f);
            px[0] = lin[p[0]] * a;
            px[1] = lin[p[1]] * a;
            px[2] = lin[p[2]] * a;
            px[3] = a;
        }
    }
}

/* A source row (4 floats a pixel) shrunk across into sh->row. */
static void across(shrinker *sh, const float *in)
{
    float *out = sh->row;
    if (sh->three) {
        /* a shrink to half or more: three taps, no loop to end */
        for (uint32_t o = 0; o < sh->dst->width; o++, out += 4) {
            const tap *t = sh->three[o];
            const float *q0 = in + (size_t)t[0].src * 4;
            const float *q1 = in + (size_t)t[1].src * 4;
            const float *q2 = in + (size_t)t[2].src * 4;
            for (int ch = 0; ch < 4; ch++)
                out[ch] = q0[ch] * t[0].w + q1[ch] * t[1].w +
                          q2[ch] * t[2].w;
        }
        return;
    }
    for (uint32_t o = 0; o < sh->dst->width; o++, out += 4) {
        float c[4] = {0, 0, 0, 0};
        for (uint32_t t = sh->first[o]; t < sh->first[o + 1]; t++) {
            const float *q = in + (size_t)sh->taps[t].src * 4;
            float k = sh->taps[t].w;
            for (int ch = 0; ch < 4; ch++)
                c[ch] += q[ch] * k;
        }
        memcpy(out, c, sizeof c);
    }
}

/* Output row oy from its accumulated premultiplied linear sums; vsum:
 * the rows' weights added up (for an opaque image, whose alpha is
 * then the product of the two sums). */
static void emit_row(const shrinker *sh, uint32_t oy, const float *acc,
                     float vsum)
{
    smp_image *dst = sh->dst;
    const uint8_t *l2s = sh->lut->l2s;
    uint8_t *q = dst->pixels + (size_t)oy * dst->stride;
    const float inv_v = vsum > 0 ? 1.0f / vsum : 0.0f;
    for (uint32_t x = 0; x < dst->width; x++, q += 4, acc += 4) {
        float a = sh->alpha ? acc[3] : sh->hsum[x] * vsum;
        float inv = sh->alpha ? (a > 0 ? 1.0f / a : 0.0f)
                              : sh->inv_hsum[x] * inv_v;
        /* four lanes at once; the sums are never negative */
        float v[4];
        int i[4];
        for (int ch = 0; ch < 4; ch++)
            v[ch] = acc[ch] * inv + 0.5f;
        for (int ch = 0; ch < 4; ch++)
            i[ch] = (int)v[ch];
        for (int ch = 0; ch < 3; ch++)
            q[ch] = l2s[i[ch] > 65535 ? 65535 : i[ch]];
        int ai = (int)(a * 255.0f + 0.5f);
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
    const size_t n = (size_t)w * 4;
    span *sx = malloc(src->width * sizeof *sx);
    span *sy = malloc(src->height * sizeof *sy);
    float *acc = calloc(2 * n, sizeof *acc);    /* two output rows */
    smp_lut *lut = malloc(sizeof *lut);
    sh.first = malloc(((size_t)w + 1) * sizeof *sh.first);
    sh.row = malloc(n * sizeof *sh.row);
    sh.px = malloc((size_t)src->width * 4 * sizeof *sh.px);
    sh.hsum = calloc(w, sizeof *sh.hsum);
    sh.inv_hsum = calloc(w, sizeof *sh.inv_hsum);
    if (!sx || !sy || !acc || !lut || !sh.first || !sh.row || !sh.px ||
        !sh.hsum || !sh.inv_hsum) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    smp_lut_init(lut);
    sh.lut = lut;
    for (int v = 0; v < 256; v++)
        sh.lin[v] = lut->s2l[v];
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
    uint32_t most = 0;
    for (uint32_t o = 0; o < w; o++)
        if (sh.first[o + 1] - sh.first[o] > most)
            most = sh.first[o + 1] - sh.first[o];
    if (most <= 3 && (sh.three = malloc(w * sizeof *sh.three)))
        for (uint32_t o = 0; o < w; o++)
            for (uint32_t k = 0; k < 3; k++) {
                uint32_t t = sh.first[o] + k;
                sh.three[o][k] = t < sh.first[o + 1] ? sh.taps[t]
                               : (tap){sh.taps[sh.first[o]].src, 0.0f};
            }
    float *cur = acc, *next = acc + n;
    float vcur = 0, vnext = 0;
    uint32_t oy = 0;
    for (uint32_t y = 0; y < src->height; y++) {
        if (feed && y % SMP_FEED_ROWS == 0 &&
            feed->ready(feed->ctx, src->height - y > SMP_FEED_ROWS
                                   ? y + SMP_FEED_ROWS : src->height)) {
            st = smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
            goto done;
        }
        to_linear(&sh, y);
        across(&sh, sh.px);
        while (sy[y].to > oy) {
            emit_row(&sh, oy, cur, vcur);   /* row oy is complete */
            if (made)
                made(ctx, oy + 1);
            float *t = cur;
            cur = next;
            next = t;
            memset(next, 0, n * sizeof *next);
            vcur = vnext;
            vnext = 0;
            oy++;
        }
        add_scaled(cur, sh.row, sy[y].w0, n);
        vcur += sy[y].w0;
        if (sy[y].w1 > 0) {
            add_scaled(next, sh.row, sy[y].w1, n);
            vnext += sy[y].w1;
        }
    }
    for (; oy < h; oy++) {      /* the last row */
        emit_row(&sh, oy, cur, vcur);
        memset(cur, 0, n * sizeof *cur);
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
    free(sh.row);
    free(sh.px);
    free(sh.hsum);
    free(sh.inv_hsum);
    return st;
}
