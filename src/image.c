/*
 * image.c - the one internal pixel format (RGBA8, sRGB, straight alpha):
 * allocation with overflow checks, copies, metadata, and the eight EXIF
 * orientations.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

size_t smp_mul3(size_t a, size_t b, size_t c)
{
    if (a == 0 || b == 0 || c == 0)
        return 0;
    if (a > SIZE_MAX / b || a * b > SIZE_MAX / c)
        return 0;
    return a * b * c;
}

smp_status smp_image_alloc(uint32_t width, uint32_t height, smp_image **out,
                           smp_error *err)
{
    *out = NULL;
    size_t bytes = smp_mul3(width, height, 4);
    if (bytes == 0)
        return smp_fail(err, SMP_ERR_LIMIT, "invalid image size %ux%u",
                        (unsigned)width, (unsigned)height);
    smp_image *img = calloc(1, sizeof *img);
    if (!img)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    img->pixels = malloc(bytes);
    if (!img->pixels) {
        free(img);
        return smp_fail(err, SMP_ERR_NOMEM,
                        "out of memory for a %ux%u image",
                        (unsigned)width, (unsigned)height);
    }
    img->width = width;
    img->height = height;
    img->stride = (size_t)width * 4;
    img->format = SMP_FORMAT_PNG;
    img->srgb_intent = -1;
    *out = img;
    return SMP_OK;
}

smp_status smp_image_new(uint32_t width, uint32_t height, smp_image **out,
                         smp_error *err)
{
    smp_status st = smp_image_alloc(width, height, out, err);
    if (st != SMP_OK)
        return st;
    uint32_t *p = (uint32_t *)(void *)(*out)->pixels;
    const uint8_t black[4] = {0, 0, 0, 255};
    uint32_t v;
    memcpy(&v, black, 4);
    for (size_t i = 0, n = (size_t)width * height; i < n; i++)
        p[i] = v;
    return SMP_OK;
}

void smp_image_free(smp_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    free(img->icc);
    free(img);
}

smp_status smp_image_copy_meta(smp_image *dst, const smp_image *src,
                               smp_error *err)
{
    uint8_t *icc = NULL;
    if (src->icc && src->icc_size) {
        icc = malloc(src->icc_size);
        if (!icc)
            return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        memcpy(icc, src->icc, src->icc_size);
    }
    free(dst->icc);
    dst->icc = icc;
    dst->icc_size = icc ? src->icc_size : 0;
    dst->res = src->res;
    dst->srgb_intent = src->srgb_intent;
    dst->format = src->format;
    return SMP_OK;
}

smp_status smp_image_clone(const smp_image *img, smp_image **out,
                           smp_error *err)
{
    smp_image *c;
    smp_status st = smp_image_alloc(img->width, img->height, &c, err);
    if (st != SMP_OK)
        return st;
    for (uint32_t y = 0; y < img->height; y++)
        memcpy(c->pixels + y * c->stride, img->pixels + y * img->stride,
               c->stride);
    c->has_alpha = img->has_alpha;
    st = smp_image_copy_meta(c, img, err);
    if (st != SMP_OK) {
        smp_image_free(c);
        return st;
    }
    *out = c;
    return SMP_OK;
}

/*
 * EXIF orientation o says how the stored rows must be transformed to be
 * shown upright: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90
 * clockwise, 7 transverse, 8 rotate 90 counter-clockwise.  For each
 * destination pixel (dx, dy) we compute its source pixel.
 */
smp_status smp_image_orient(smp_image **img, int o, smp_error *err)
{
    smp_image *src = *img;
    if (o <= 1 || o > 8)
        return SMP_OK;
    uint32_t sw = src->width, sh = src->height;
    if (o == 3 || o == 2 || o == 4) {
        /* same dimensions: do it in place */
        uint32_t *p = (uint32_t *)(void *)src->pixels;
        if (o != 4)   /* mirror each row */
            for (uint32_t y = 0; y < sh; y++)
                for (uint32_t a = 0, b = sw - 1; a < b; a++, b--) {
                    uint32_t t = p[(size_t)y * sw + a];
                    p[(size_t)y * sw + a] = p[(size_t)y * sw + b];
                    p[(size_t)y * sw + b] = t;
                }
        if (o != 2)   /* swap rows top to bottom */
            for (uint32_t a = 0, b = sh - 1; a < b; a++, b--)
                for (uint32_t x = 0; x < sw; x++) {
                    uint32_t t = p[(size_t)a * sw + x];
                    p[(size_t)a * sw + x] = p[(size_t)b * sw + x];
                    p[(size_t)b * sw + x] = t;
                }
        return SMP_OK;
    }
    smp_image *dst;
    smp_status st = smp_image_alloc(sh, sw, &dst, err);
    if (st != SMP_OK)
        return st;
    st = smp_image_copy_meta(dst, src, err);
    if (st != SMP_OK) {
        smp_image_free(dst);
        return st;
    }
    dst->has_alpha = src->has_alpha;
    if (dst->res.unit != SMP_RES_NONE) {
        uint32_t t = dst->res.x;
        dst->res.x = dst->res.y;
        dst->res.y = t;
    }
    const uint32_t *s = (const uint32_t *)(const void *)src->pixels;
    uint32_t *d = (uint32_t *)(void *)dst->pixels;
    uint32_t dw = sh, dh = sw;
    for (uint32_t dy = 0; dy < dh; dy++) {
        for (uint32_t dx = 0; dx < dw; dx++) {
            uint32_t sx, sy;
            switch (o) {
            case 5: sx = dy; sy = dx; break;                   /* transpose */
            case 6: sx = dy; sy = sh - 1 - dx; break;          /* 90 cw */
            case 7: sx = sw - 1 - dy; sy = sh - 1 - dx; break; /* transverse */
            default: sx = sw - 1 - dy; sy = dx; break;         /* 8: 90 ccw */
            }
            d[(size_t)dy * dw + dx] = s[(size_t)sy * sw + sx];
        }
    }
    smp_image_free(src);
    *img = dst;
    return SMP_OK;
}
