/*
 * compose.c - layouts drawn with Cairo: the before/after comparison.
 * Panels are shrunk by resample.c (in linear light); Cairo composes and
 * letters them.  Pixels come in and go out in the library's RGBA8.  The
 * two steps are apart (smp_compose_panel, smp_compose_panels) so that a
 * job can shrink the photo while the render runs.  Opaque panels are
 * copied side by side as they are, and only the boxes of the labels go
 * through Cairo.
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
            if (a == 255) {
                p[0] = (uint8_t)(v >> 16);
                p[1] = (uint8_t)(v >> 8);
                p[2] = (uint8_t)v;
                p[3] = 255;
                continue;
            }
            for (int c = 0; c < 3; c++) {
                uint32_t ch = (v >> (16 - 8 * c)) & 0xff;
                p[c] = (uint8_t)(a ? (ch * 255 + a / 2) / a : 0);
            }
            p[3] = (uint8_t)a;
        }
    }
}

/* A label's letters are a 22nd of the panel's height (12 px at least),
 * its box padded by LABEL_PAD of that, its corner LABEL_IN of it in from
 * the panel's. */
#define LABEL_PAD 0.45
#define LABEL_IN 0.6

static double label_size(int ph)
{
    return fmax(12.0, ph / 22.0);
}

/* The row below a label's box at y, with a pixel's margin for Cairo's
 * anti-aliasing. */
static int label_bottom(double y, double size)
{
    return (int)ceil(y + size + 2 * (size * LABEL_PAD)) + 2;
}

static void draw_label(cairo_t *cr, const char *text, double x, double y,
                       double size)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, text, &te);
    double pad = size * LABEL_PAD;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_rectangle(cr, x, y, te.x_advance + 2 * pad, size + 2 * pad);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_move_to(cr, x + pad, y + pad + size * 0.82);
    cairo_show_text(cr, text);
}

static void panel_size(uint32_t w, uint32_t h, int *pw, int *ph)
{
    double k = fmin(1.0, (double)PANEL_MAX / (w > h ? w : h));
    *pw = (int)lround(w * k);
    *ph = (int)lround(h * k);
    if (*pw < 1) *pw = 1;
    if (*ph < 1) *ph = 1;
}

smp_status smp_compose_panel(const smp_image *img, smp_image **out,
                             smp_error *err)
{
    return smp_compose_panel_fed(img, NULL, out, err);
}

smp_status smp_compose_panel_fed(const smp_image *img, const smp_feed *feed,
                                 smp_image **out, smp_error *err)
{
    int pw, ph;
    *out = NULL;
    panel_size(img->width, img->height, &pw, &ph);
    if ((uint32_t)pw == img->width && (uint32_t)ph == img->height)
        return SMP_OK;
    return smp_image_shrink_fed(img, (uint32_t)pw, (uint32_t)ph, feed, out,
                                err);
}

/*
 * A label on an opaque image: Cairo letters a copy of the box round it
 * (the box and the text stay inside the one draw_label fills), which
 * then goes back; the rest of the image never passes through Cairo.
 * Aligned to whole pixels, it comes out as drawing on the whole would.
 */
static smp_status label_on(smp_image *img, const char *text, double x,
                           double y, double size)
{
    cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                        1, 1);
    cairo_t *cr = cairo_create(probe);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, text, &te);
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    cairo_surface_destroy(probe);
    if (!ok)
        return SMP_ERR_NOMEM;
    double pad = size * LABEL_PAD;
    int x0 = (int)floor(x) - 2, y0 = (int)floor(y) - 2;
    int x1 = (int)ceil(x + te.x_advance + 2 * pad) + 2;
    int y1 = label_bottom(y, size);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > (int)img->width ? (int)img->width : x1;
    y1 = y1 > (int)img->height ? (int)img->height : y1;
    if (x0 >= x1 || y0 >= y1)
        return SMP_OK;
    smp_image part = *img;
    part.width = (uint32_t)(x1 - x0);
    part.height = (uint32_t)(y1 - y0);
    part.pixels = img->pixels + (size_t)y0 * img->stride + (size_t)x0 * 4;
    cairo_surface_t *s = to_cairo(&part);
    cr = cairo_create(s);
    ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    if (ok) {
        cairo_translate(cr, -x0, -y0);
        draw_label(cr, text, x, y, size);
        from_cairo(s, &part);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return ok ? SMP_OK : SMP_ERR_NOMEM;
}

/* The rows the labels of panels ph rows high reach down to. */
static uint32_t label_rows(int ph)
{
    double size = label_size(ph);
    int bottom = label_bottom(size * LABEL_IN, size);
    return bottom < ph ? (uint32_t)bottom : (uint32_t)ph;
}

smp_status smp_compose_open(const smp_image *before, int session,
                            const smp_image *meta, smp_layout *lay,
                            smp_error *err)
{
    memset(lay, 0, sizeof *lay);
    if (before->has_alpha)
        return smp_fail(err, SMP_ERR_ARG, "a panel with alpha goes through "
                        "Cairo whole");
    int pw = (int)before->width, ph = (int)before->height;
    int gap = pw / 100 + 4;
    smp_status st = smp_image_alloc((uint32_t)(2 * pw + gap), (uint32_t)ph,
                                    &lay->img, err);
    if (st == SMP_OK)
        st = smp_image_copy_meta(lay->img, meta, err);
    if (st != SMP_OK) {
        smp_image_free(lay->img);
        lay->img = NULL;
        return st;
    }
    smp_image *img = lay->img;
    img->res.unit = SMP_RES_NONE;
    img->has_alpha = 0;
    for (uint32_t y = 0; y < (uint32_t)ph; y++) {
        uint8_t *q = img->pixels + y * img->stride;
        memcpy(q, before->pixels + y * before->stride, (size_t)pw * 4);
        memset(q + (size_t)pw * 4, 255, (size_t)gap * 4);
    }
    lay->right = *img;
    lay->right.icc = NULL;
    lay->right.icc_size = 0;
    lay->right.width = (uint32_t)pw;
    lay->right.pixels = img->pixels + (size_t)(pw + gap) * 4;
    lay->pw = pw;
    lay->gap = gap;
    lay->session = session;
    return SMP_OK;
}

smp_status smp_compose_rows(smp_layout *lay, uint32_t rows, uint32_t *done,
                            smp_error *err)
{
    *done = 0;
    if (!lay->lettered && rows >= label_rows((int)lay->img->height)) {
        char label[64];
        double size = label_size((int)lay->img->height);
        double in = size * LABEL_IN;
        snprintf(label, sizeof label, "After session %d", lay->session);
        if (label_on(lay->img, "Before", in, in, size) != SMP_OK ||
            label_on(lay->img, label, lay->pw + lay->gap + in, in, size) !=
                SMP_OK)
            return smp_fail(err, SMP_ERR_NOMEM, "out of memory lettering "
                            "the before/after image");
        lay->lettered = 1;
    }
    *done = lay->lettered ? rows : 0;
    return SMP_OK;
}

smp_status smp_compose_panels(const smp_image *before,
                              const smp_image *after, int session,
                              const smp_image *meta, smp_image **out,
                              smp_error *err)
{
    *out = NULL;
    if (before->width != after->width || before->height != after->height)
        return smp_fail(err, SMP_ERR_ARG, "before and after differ in size");
    int pw = (int)before->width, ph = (int)before->height;
    int gap = pw / 100 + 4;
    smp_image *img = NULL;
    cairo_surface_t *canvas = NULL, *panel[2] = {NULL, NULL};
    cairo_t *cr = NULL;
    const smp_image *src[2] = {before, after};
    smp_status st;
    if (!before->has_alpha && !after->has_alpha) {
        /* as a job makes it, row by row */
        smp_layout lay;
        uint32_t done;
        if ((st = smp_compose_open(before, session, meta, &lay, err)) !=
            SMP_OK)
            return st;
        for (uint32_t y = 0; y < (uint32_t)ph; y++)
            memcpy(lay.right.pixels + y * lay.right.stride,
                   after->pixels + y * after->stride, (size_t)pw * 4);
        if ((st = smp_compose_rows(&lay, (uint32_t)ph, &done, err)) !=
            SMP_OK) {
            smp_image_free(lay.img);
            return st;
        }
        *out = lay.img;
        return SMP_OK;
    }
    if ((st = smp_image_alloc((uint32_t)(2 * pw + gap), (uint32_t)ph, &img,
                            err)) != SMP_OK)
        goto done;
    canvas = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)img->width,
                                        (int)img->height);
    cr = cairo_create(canvas);
    for (int i = 0; i < 2; i++)
        panel[i] = to_cairo(src[i]);
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
    double size = label_size(ph), in = size * LABEL_IN;
    draw_label(cr, "Before", in, in, size);
    snprintf(label, sizeof label, "After session %d", session);
    draw_label(cr, label, pw + gap + in, in, size);
    from_cairo(canvas, img);
    st = smp_image_copy_meta(img, meta, err);
    img->res.unit = SMP_RES_NONE;
    img->has_alpha = 0;
done:
    if (cr)
        cairo_destroy(cr);
    if (canvas)
        cairo_surface_destroy(canvas);
    for (int i = 0; i < 2; i++)
        if (panel[i])
            cairo_surface_destroy(panel[i]);
    if (st != SMP_OK) {
        smp_image_free(img);
        return st;
    }
    *out = img;
    return SMP_OK;
}

smp_status smp_compose_before_after(const smp_image *before,
                                    const smp_image *after, int session,
                                    smp_image **out, smp_error *err)
{
    *out = NULL;
    if (before->width != after->width || before->height != after->height)
        return smp_fail(err, SMP_ERR_ARG, "before and after differ in size");
    smp_image *small[2] = {NULL, NULL};
    smp_status st = smp_compose_panel(before, &small[0], err);
    if (st == SMP_OK)
        st = smp_compose_panel(after, &small[1], err);
    if (st == SMP_OK)
        st = smp_compose_panels(small[0] ? small[0] : before,
                                small[1] ? small[1] : after, session, before,
                                out, err);
    smp_image_free(small[0]);
    smp_image_free(small[1]);
    return st;
}
