/*
 * compose.c - layouts drawn with Cairo: the before/after comparison.
 * Panels are shrunk by resample.c (in linear light); Cairo composes and
 * letters them.  Pixels come in and go out in the library's RGBA8.
 */
#include <cairo.h>
#include <math.h>
#include <string.h>
#include "internal.h"

/* Each panel is shrunk to fit this, enough for a screen or a page. */
#define PANEL_MAX 2048

/* RGBA8 straight alpha -> Cairo ARGB32 premultiplied, native endian. */
static cairo_surface_t *to_cairo(const smp_image *img)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                    (int)img->width,
                                                    (int)img->height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    uint8_t *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (uint32_t y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + y * img->stride;
        uint32_t *q = (uint32_t *)(void *)(data + (size_t)y * stride);
        for (uint32_t x = 0; x < img->width; x++, p += 4) {
            uint32_t a = p[3];
            uint32_t r = (p[0] * a + 127) / 255, g = (p[1] * a + 127) / 255,
                     b = (p[2] * a + 127) / 255;
            q[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

static void from_cairo(cairo_surface_t *s, smp_image *img)
{
    cairo_surface_flush(s);
    const uint8_t *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (uint32_t y = 0; y < img->height; y++) {
        const uint32_t *q = (const uint32_t *)(const void *)
                            (data + (size_t)y * stride);
        uint8_t *p = img->pixels + y * img->stride;
        for (uint32_t x = 0; x < img->width; x++, p += 4) {
            uint32_t v = q[x], a = v >> 24;
            for (int c = 0; c < 3; c++) {
                uint32_t ch = (v >> (16 - 8 * c)) & 0xff;
                p[c] = (uint8_t)(a ? (ch * 255 + a / 2) / a : 0);
            }
            p[3] = (uint8_t)a;
        }
    }
}

static void draw_label(cairo_t *cr, const char *text, double x, double y,
                       double size)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, text, &te);
    double pad = size * 0.45;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_rectangle(cr, x, y, te.x_advance + 2 * pad, size + 2 * pad);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_move_to(cr, x + pad, y + pad + size * 0.82);
    cairo_show_text(cr, text);
}

smp_status smp_compose_before_after(const smp_image *before,
                                    const smp_image *after, int session,
                                    smp_image **out, smp_error *err)
{
    *out = NULL;
    if (before->width != after->width || before->height != after->height)
        return smp_fail(err, SMP_ERR_ARG, "before and after differ in size");
    uint32_t w = before->width, h = before->height;
    double k = fmin(1.0, (double)PANEL_MAX / (w > h ? w : h));
    int pw = (int)lround(w * k), ph = (int)lround(h * k);
    if (pw < 1) pw = 1;
    if (ph < 1) ph = 1;
    int gap = pw / 100 + 4;
    smp_image *img = NULL, *small[2] = {NULL, NULL};
    cairo_surface_t *canvas = NULL, *panel[2] = {NULL, NULL};
    cairo_t *cr = NULL;
    const smp_image *src[2] = {before, after};
    smp_status st;
    for (int i = 0; i < 2; i++) {
        if (k < 1.0 && (st = smp_image_shrink(src[i], (uint32_t)pw,
                                              (uint32_t)ph, &small[i], err)))
            goto done;
        panel[i] = to_cairo(small[i] ? small[i] : src[i]);
    }
    if ((st = smp_image_alloc((uint32_t)(2 * pw + gap), (uint32_t)ph, &img,
                            err)) != SMP_OK)
        goto done;
    canvas = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)img->width,
                                        (int)img->height);
    cr = cairo_create(canvas);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(panel[0]) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(panel[1]) != CAIRO_STATUS_SUCCESS) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory composing the "
                      "before/after image");
        goto done;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (int i = 0; i < 2; i++) {
        cairo_set_source_surface(cr, panel[i], i * (pw + gap), 0);
        cairo_paint(cr);
    }
    char label[64];
    double size = fmax(12.0, ph / 22.0);
    draw_label(cr, "Before", size * 0.6, size * 0.6, size);
    snprintf(label, sizeof label, "After session %d", session);
    draw_label(cr, label, pw + gap + size * 0.6, size * 0.6, size);
    from_cairo(canvas, img);
    st = smp_image_copy_meta(img, before, err);
    img->res.unit = SMP_RES_NONE;
    img->has_alpha = 0;
done:
    if (cr)
        cairo_destroy(cr);
    if (canvas)
        cairo_surface_destroy(canvas);
    for (int i = 0; i < 2; i++) {
        if (panel[i])
            cairo_surface_destroy(panel[i]);
        smp_image_free(small[i]);
    }
    if (st != SMP_OK) {
        smp_image_free(img);
        return st;
    }
    *out = img;
    return SMP_OK;
}
