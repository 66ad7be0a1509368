/*
 * print.c - the PDF back-end: a print-ready mock-up of one case, drawn on
 * Cairo's PDF surface.  Page 1 shows the photo before and the final result
 * side by side, then every session, each labelled and with a scale bar;
 * page 2 (optional) places the final result, or a detail of it, at true
 * physical size, so that 1 mm on the paper is 1 mm on the scalp.
 * Page 1's images are shrunk (resample.c) to about 300 dpi at their
 * printed size; the true-size one keeps its own pixels.  Images go in as
 * JPEG bytes that Cairo copies into the file unchanged.  The PDF is
 * written atomically and carries the case's date as its creation date, so
 * the same case and date give the same bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <cairo.h>
#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define MM (72.0 / 25.4)            /* points per millimetre */
#define MARGIN (12 * MM)
#define GAP (5 * MM)
#define CAPTION 24.0                /* label and note under an image */
#define FOOTER 16.0
#define GRID_DPI 300.0
#define TRUE_SIZE_MAX_DPI 1200.0    /* beyond any printer */
#define MAX_TEXT 400                /* bytes of an id or caption */
#define FONT "DejaVu Sans"
#define DISCLAIMER "A simulation for discussion: healed results vary with " \
                   "skin, pigment and aftercare."

typedef struct doc {
    cairo_t *cr;
    double pw, ph;                  /* paper, points */
    int pages;
    const smp_print_options *o;
    smp_render_info info;
    uint32_t w, h;                  /* the photo */
    const char *path;
    smp_error *err;
} doc;

/* ---- options ---------------------------------------------------------- */

void smp_print_options_default(smp_print_options *o)
{
    memset(o, 0, sizeof *o);
    o->paper = SMP_PAPER_A4;
    o->images = SMP_FORMAT_JPEG;
}

/* Valid UTF-8 without control characters: Cairo refuses anything else. */
static int plain_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1
                           : c >= 0xe0 && c <= 0xef ? 2
                           : c >= 0xf0 && c <= 0xf4 ? 3 : 9;
        if (n == 9 || c < 0x20 || c == 0x7f)
            return 0;
        uint32_t cp = n ? c & (0x3f >> n) : c;
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0x80 && cp < 0xa0))
            return 0;
        p += n + 1;
    }
    return 1;
}

static int valid_date(const char *s)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31};
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
            return 0;
    if (s[10])
        return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] &&
           (m != 2 || d <= 28 + leap);
}

smp_status smp_print_check(const smp_print_options *o, smp_error *err)
{
    if (o->paper != SMP_PAPER_A4 && o->paper != SMP_PAPER_LETTER)
        return smp_fail(err, SMP_ERR_ARG, "unknown paper size");
    if (o->date && !valid_date(o->date))
        return smp_fail(err, SMP_ERR_ARG, "bad date '%.40s' (YYYY-MM-DD)",
                        o->date);
    const char *text[2] = {o->id, o->caption}, *what[2] = {"id", "caption"};
    for (int i = 0; i < 2; i++)
        if (text[i] && (strlen(text[i]) > MAX_TEXT || !plain_text(text[i])))
            return smp_fail(err, SMP_ERR_ARG, "the %s must be one line of "
                            "UTF-8 text of at most %d bytes", what[i],
                            MAX_TEXT);
    if (o->quality < 0 || o->quality > 100)
        return smp_fail(err, SMP_ERR_ARG, "JPEG quality %d not in 1-100",
                        o->quality);
    return SMP_OK;
}

/* ---- images ----------------------------------------------------------- */

/* The image as a Cairo surface, over white (paper has no alpha). */
static cairo_surface_t *to_surface(const smp_image *img)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                                    (int)img->width,
                                                    (int)img->height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    uint8_t *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (uint32_t y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + (size_t)y * img->stride;
        uint32_t *q = (uint32_t *)(void *)(data + (size_t)y * stride);
        for (uint32_t x = 0; x < img->width; x++, p += 4) {
            uint32_t a = p[3], bg = 255 * (255 - a), v = 0xffu << 24;
            for (int c = 0; c < 3; c++)
                v |= (p[c] * a + bg + 127) / 255 << (16 - 8 * c);
            q[x] = v;
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

/* Attaches the image's JPEG encoding, which Cairo embeds as it is. */
static smp_status attach_jpeg(const doc *d, cairo_surface_t *s,
                              const smp_image *img)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp)
        return smp_fail(d->err, SMP_ERR_NOMEM, "out of memory");
    smp_image plain = *img;         /* no profile or density inside a PDF */
    plain.icc = NULL;
    plain.icc_size = 0;
    plain.res.unit = SMP_RES_NONE;
    smp_status st = smp_jpeg_encode(&plain, fp, d->o->quality ?
                                    d->o->quality : 90, d->path,
                                    d->o->cancel, NULL, d->err);
    if (fclose(fp) != 0 && st == SMP_OK)
        st = smp_fail(d->err, SMP_ERR_NOMEM, "out of memory");
    if (st == SMP_OK &&
        cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG,
                                    (unsigned char *)buf, size, free,
                                    buf) == CAIRO_STATUS_SUCCESS)
        return SMP_OK;
    free(buf);
    return st != SMP_OK ? st : smp_fail(d->err, SMP_ERR_NOMEM,
                                        "out of memory");
}

/*
 * The surface to place `img` at width `pt` points: shrunk to `dpi` there
 * unless it has fewer pixels already.
 */
static smp_status embed(const doc *d, const smp_image *img, double pt,
                        double dpi, cairo_surface_t **out)
{
    smp_image *small = NULL;
    smp_status st = SMP_OK;
    *out = NULL;
    double px = ceil(pt / 72.0 * dpi);
    if (px < img->width) {
        uint32_t w = px < 1 ? 1 : (uint32_t)px;
        long h = lround((double)img->height * w / img->width);
        h = h < 1 ? 1 : h > (long)img->height ? (long)img->height : h;
        if ((st = smp_image_shrink(img, w, (uint32_t)h, &small, d->err)))
            return st;
        img = small;
    }
    cairo_surface_t *s = to_surface(img);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        st = smp_fail(d->err, SMP_ERR_NOMEM, "%s: out of memory for a "
                      "%ux%u image", d->path, (unsigned)img->width,
                      (unsigned)img->height);
    else if (d->o->images != SMP_FORMAT_PNG)
        st = attach_jpeg(d, s, img);
    smp_image_free(small);
    if (st != SMP_OK) {
        cairo_surface_destroy(s);
        return st;
    }
    *out = s;
    return SMP_OK;
}

/* Draws s filling the rectangle, framed by a hairline. */
static void place(cairo_t *cr, cairo_surface_t *s, double x, double y,
                  double w, double h)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / cairo_image_surface_get_width(s),
                h / cairo_image_surface_get_height(s));
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.72, 0.72, 0.72);
    cairo_set_line_width(cr, 0.4);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

/* ---- lettering -------------------------------------------------------- */

enum { LEFT, RIGHT, CENTRE };

static void font(cairo_t *cr, double size, int bold, double grey)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD
                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_set_source_rgb(cr, grey, grey, grey);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

/* Shows s at baseline y, cut short with an ellipsis to fit `max` points;
 * returns the width shown. */
static double show(cairo_t *cr, const char *s, double x, double y,
                   int align, double max)
{
    char buf[MAX_TEXT + 8];
    double w = text_width(cr, s);
    if (w > max) {
        size_t n = strlen(s);
        if (n > MAX_TEXT)
            n = MAX_TEXT;
        do {
            while (n > 0 && ((unsigned char)s[--n] & 0xc0) == 0x80)
                ;               /* back to the start of a character */
            while (n > 0 && s[n - 1] == ' ')
                n--;
            memcpy(buf, s, n);
            memcpy(buf + n, "\xe2\x80\xa6", 4);     /* ellipsis */
            w = text_width(cr, buf);
        } while (n > 0 && w > max);
        s = buf;
    }
    cairo_move_to(cr, align == LEFT ? x : align == RIGHT ? x - w : x - w / 2,
                  y);
    cairo_show_text(cr, s);
    return w;
}

/* 12345 -> "12,345" */
static const char *grouped(size_t n, char *buf, size_t size)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static void rule(cairo_t *cr, double x0, double x1, double y)
{
    cairo_set_source_rgb(cr, 0.78, 0.78, 0.78);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

/* Title and date, id and caption, a rule; returns the y below it. */
static double header(const doc *d, const char *title)
{
    cairo_t *cr = d->cr;
    double x0 = MARGIN, x1 = d->pw - MARGIN, y = MARGIN + 15, dw = 0;
    if (d->o->date) {
        font(cr, 10, 0, 0.35);
        dw = show(cr, d->o->date, x1, y, RIGHT, x1 - x0) + 12;
    }
    font(cr, 17, 1, 0.1);
    show(cr, title, x0, y, LEFT, x1 - x0 - dw);
    const char *id = d->o->id && *d->o->id ? d->o->id : NULL;
    const char *cap = d->o->caption && *d->o->caption ? d->o->caption : NULL;
    if (id || cap) {
        y += 18;
        double w = 0;
        if (id) {
            font(cr, 11, 1, 0.1);
            w = show(cr, id, x0, y, LEFT, (x1 - x0) * (cap ? 0.5 : 1)) + 10;
        }
        if (cap) {
            font(cr, 11, 0, 0.25);
            show(cr, cap, x0 + w, y, LEFT, x1 - x0 - w);
        }
    }
    rule(cr, x0, x1, y + 9);
    return y + 9;
}

static void footer(const doc *d, int page, const char *note)
{
    cairo_t *cr = d->cr;
    char s[64];
    double y = d->ph - MARGIN;
    font(cr, 7.5, 0, 0.45);
    snprintf(s, sizeof s, "Page %d of %d", page, d->pages);
    double w = show(cr, s, d->pw - MARGIN, y, RIGHT, d->pw);
    show(cr, note, MARGIN, y, LEFT, d->pw - 2 * MARGIN - w - 12);
}

/* ---- scale bars ------------------------------------------------------- */

/* The longest round length whose bar is at most 30 % of `width` when a
 * millimetre is `mm_pt` points long (or the shortest of them). */
static double bar_length(double mm_pt, double width)
{
    static const double nice[] = {0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500,
                                  1000};
    double best = nice[0];
    for (size_t i = 0; i < sizeof nice / sizeof *nice; i++)
        if (nice[i] * mm_pt <= 0.3 * width)
            best = nice[i];
    return best;
}

/* A bar `len` points long ending at x1 on line y, ticked at both ends. */
static void bar(cairo_t *cr, double x1, double y, double len)
{
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, x1 - len, y - 3);
    cairo_line_to(cr, x1 - len, y);
    cairo_line_to(cr, x1, y);
    cairo_line_to(cr, x1, y - 3);
    cairo_stroke(cr);
}

/* A 10 mm ruler from (x, y): a solid bar exactly 10 mm long, 1 mm ticks
 * below it, numbered at 0, 5 and 10. */
static void ruler(cairo_t *cr, double x, double y)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, x, y, 10 * MM, 1.2 * MM);
    cairo_fill(cr);
    cairo_set_line_width(cr, 0.3);
    for (int i = 0; i <= 10; i++) {
        double tx = x + i * MM;
        cairo_move_to(cr, tx, y + 1.2 * MM);
        cairo_line_to(cr, tx, y + (i % 5 ? 2.2 : 3.0) * MM);
    }
    cairo_stroke(cr);
    font(cr, 7, 0, 0);
    show(cr, "0", x, y + 6 * MM, CENTRE, 50);
    show(cr, "5", x + 5 * MM, y + 6 * MM, CENTRE, 50);
    double w = show(cr, "10", x + 10 * MM, y + 6 * MM, CENTRE, 50);
    show(cr, " mm", x + 10 * MM + w / 2, y + 6 * MM, LEFT, 50);
}

/* ---- page 1: before, final result, each session ----------------------- */

/*
 * An image with its label and note below and a scale bar on the right:
 * its length beside it when there is room, else on the line below.
 */
static void cell(const doc *d, cairo_surface_t *s, double x, double y,
                 double w, double h, const char *label, const char *note)
{
    cairo_t *cr = d->cr;
    place(cr, s, x, y, w, h);
    double mm_pt = w * d->info.scale / d->w;    /* paper points per mm */
    double mm = bar_length(mm_pt, w), len = mm * mm_pt;
    double y1 = y + h + 11, y2 = y + h + 22;
    const char *est = d->info.scale_estimated ? "(scale estimated)" : "";
    char length[32], below[64];
    snprintf(length, sizeof length, "%g mm", mm);
    bar(cr, x + w, y1, len);
    font(cr, 9.5, 1, 0.1);
    double lw = text_width(cr, label);
    font(cr, 7.5, 0, 0.25);
    double room = w - len - 8, tw = text_width(cr, length) + 5;
    if (lw + tw <= room) {
        show(cr, length, x + w - len - 5, y1, RIGHT, w);
        room -= tw;
        snprintf(below, sizeof below, "%s", est);
    } else {
        snprintf(below, sizeof below, "%s%s%s", length, *est ? " " : "",
                 est);
    }
    font(cr, 6.5, 0, 0.4);
    double bw = *below ? show(cr, below, x + w, y2, RIGHT, w) + 6 : 0;
    font(cr, lw > room ? fmax(7.0, 9.5 * room / lw) : 9.5, 1, 0.1);
    show(cr, label, x, y1, LEFT, room);
    if (w - bw > 24) {
        font(cr, 7.5, 0, 0.4);
        show(cr, note, x, y2, LEFT, w - bw);
    }
}

typedef struct grid {
    double hw, hh, sw, sh;          /* hero and session cell sizes */
    int cols, rows;                 /* session cells */
    double y0;
} grid;

/* Before and final side by side and the sessions below, all shrunk
 * together until they fit between top and bottom. */
static grid fit(const doc *d, int cols, double top, double bottom)
{
    grid g = {0};
    int n = d->info.sessions;
    double W = d->pw - 2 * MARGIN, a = (double)d->w / d->h;
    g.hw = (W - GAP) / 2;
    g.hh = g.hw / a;
    double fixed = CAPTION, img = g.hh;
    if (n > 1) {
        g.cols = cols;
        g.rows = (n + cols - 1) / cols;
        g.sw = (W - (cols - 1) * GAP) / cols;
        g.sh = g.sw / a;
        fixed += GAP + 14 + g.rows * CAPTION + (g.rows - 1) * GAP * 0.6;
        img += g.rows * g.sh;
    }
    double k = fmin(1.0, (bottom - top - fixed) / img);
    g.hw *= k;
    g.hh *= k;
    g.sw *= k;
    g.sh *= k;
    g.y0 = top;
    return g;
}

/* The number of session columns (2 to 4) that prints the most image. */
static grid layout(const doc *d, double top, double bottom)
{
    int n = d->info.sessions;
    grid best = fit(d, n < 4 ? n : 4, top, bottom);
    for (int cols = 2; cols < 4 && cols < n; cols++) {
        grid g = fit(d, cols, top, bottom);
        if (2 * g.hw * g.hh + n * g.sw * g.sh >
            2 * best.hw * best.hh + n * best.sw * best.sh)
            best = g;
    }
    return best;
}

/* One line of figures for the technician, under the header. */
static double summary(const doc *d, double top)
{
    const smp_render_info *in = &d->info;
    int n = in->sessions;
    size_t total = in->dots[n - 1];
    char s[200], a[32];
    font(d->cr, 8.5, 0, 0.35);
    snprintf(s, sizeof s, "%d session%s \xc2\xb7 %s dots over %.0f "
             "cm\xc2\xb2 (about %.0f per cm\xc2\xb2) \xc2\xb7 scale %.2f "
             "px/mm%s%s%s", n, n > 1 ? "s" : "", grouped(total, a, sizeof a),
             in->area_cm2, in->area_cm2 > 0 ? total / in->area_cm2 : 0.0,
             in->scale, in->scale_estimated ? ", estimated" : "",
             in->shade_name ? " \xc2\xb7 pigment " : "",
             in->shade_name ? in->shade_name : "");
    show(d->cr, s, MARGIN, top + 15, LEFT, d->pw - 2 * MARGIN);
    return top + 15 + 12;
}

/* Left edge of a centred row of `count` cells `w` wide. */
static double row_x(const doc *d, int count, double w)
{
    return (d->pw - count * w - (count - 1) * GAP) / 2;
}

static smp_status page_grid(doc *d, smp_render *r, const smp_image *photo,
                            const smp_image **final)
{
    cairo_t *cr = d->cr;
    const smp_render_info *in = &d->info;
    int n = in->sessions;
    size_t total = in->dots[n - 1];
    char label[32], note[96], a[32];
    double top = summary(d, header(d, "Scalp micropigmentation preview"));
    grid g = layout(d, top, d->ph - MARGIN - FOOTER);
    double hx = row_x(d, 2, g.hw);
    cairo_surface_t *s = NULL, *hero = NULL;
    smp_status st = embed(d, photo, g.hw, GRID_DPI, &s);
    if (st != SMP_OK)
        return st;
    cell(d, s, hx, g.y0, g.hw, g.hh, "Before", "as photographed");
    cairo_surface_destroy(s);

    double sy = g.y0 + g.hh + CAPTION + GAP + 14;
    if (n > 1) {
        font(cr, 8, 1, 0.45);
        show(cr, "SESSION BY SESSION", row_x(d, n < g.cols ? n : g.cols,
             g.sw), sy - 7, LEFT, d->pw);
    }
    const smp_image *img = NULL;
    for (int k = 1; k <= n && st == SMP_OK; k++) {
        if ((st = smp_render_session(r, k, &img, d->err)) != SMP_OK)
            break;
        if (img->width != d->w || img->height != d->h)
            return smp_fail(d->err, SMP_ERR_ARG, "the render is not of this "
                            "photo (%ux%u)", (unsigned)d->w, (unsigned)d->h);
        if (k == n) {               /* shown big, and in the row below */
            if ((st = embed(d, img, g.hw, GRID_DPI, &hero)) != SMP_OK)
                break;
            snprintf(note, sizeof note, "after session %d \xc2\xb7 %s dots",
                     n, grouped(total, a, sizeof a));
            cell(d, hero, hx + g.hw + GAP, g.y0, g.hw, g.hh, "Final result",
                 note);
            s = cairo_surface_reference(hero);
        } else if ((st = embed(d, img, g.sw, GRID_DPI, &s)) != SMP_OK) {
            break;
        }
        if (n > 1) {
            int i = k - 1, row = i / g.cols, col = i % g.cols;
            int in_row = row == g.rows - 1 ? n - row * g.cols : g.cols;
            snprintf(label, sizeof label, "Session %d", k);
            snprintf(note, sizeof note, "%s dots (%.0f %%)",
                     grouped(in->dots[i], a, sizeof a),
                     total ? 100.0 * in->dots[i] / total : 0.0);
            cell(d, s, row_x(d, in_row, g.sw) + col * (g.sw + GAP),
                 sy + row * (g.sh + CAPTION + GAP * 0.6), g.sw, g.sh, label,
                 note);
        }
        cairo_surface_destroy(s);
    }
    cairo_surface_destroy(hero);
    if (st != SMP_OK)
        return st;
    footer(d, 1, DISCLAIMER);
    cairo_show_page(cr);
    *final = img;
    return SMP_OK;
}

/* ---- page 2: true size ------------------------------------------------ */

/* Where the dots are: their centroid, or the head's centre. */
static void treated_centre(const smp_render *r, const smp_render_info *in,
                           double *cx, double *cy)
{
    size_t n;
    const smp_dot *dots = smp_render_dots(r, &n);
    double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += dots[i].x;
        sy += dots[i].y;
    }
    *cx = n ? sx / n : in->head.cx;
    *cy = n ? sy / n : in->head.cy;
}

/* The w x h window of img from (x, y). */
static smp_status crop(const smp_image *img, uint32_t x, uint32_t y,
                       uint32_t w, uint32_t h, smp_image **out,
                       smp_error *err)
{
    smp_status st = smp_image_alloc(w, h, out, err);
    if (st != SMP_OK)
        return st;
    for (uint32_t r = 0; r < h; r++)
        memcpy((*out)->pixels + (size_t)r * (*out)->stride,
               img->pixels + (size_t)(y + r) * img->stride + (size_t)x * 4,
               (size_t)w * 4);
    (*out)->has_alpha = img->has_alpha;
    return SMP_OK;
}

/* Start of a window of `win` pixels centred near c within [0, size). */
static uint32_t window(double c, uint32_t win, uint32_t size)
{
    double x = floor(c - win / 2.0 + 0.5);
    return x < 0 ? 0 : x > (double)(size - win) ? size - win : (uint32_t)x;
}

static smp_status page_true_size(doc *d, const smp_render *r,
                                 const smp_image *final)
{
    cairo_t *cr = d->cr;
    double scale = d->info.scale;   /* px per mm */
    double top = header(d, "True size");
    font(cr, 9.5, 1, 0.1);
    show(cr, "Printed at true size: 1 mm on this page is 1 mm on the "
         "scalp. Check the bar with a ruler.", MARGIN, top + 16, LEFT,
         d->pw - 2 * MARGIN);
    font(cr, 8.5, 0, 0.35);
    show(cr, "Print at 100 % (\xe2\x80\x9c" "actual size\xe2\x80\x9d), not "
         "\xe2\x80\x9c" "fit to page\xe2\x80\x9d, or the sizes will be wrong.",
         MARGIN, top + 29, LEFT, d->pw - 2 * MARGIN);
    top += 29 + 14;

    /* the largest window of the photo that fits, around the dots */
    double aw = (d->pw - 2 * MARGIN) / MM * scale;
    double ah = (d->ph - MARGIN - FOOTER - 12 * MM - top) / MM * scale;
    uint32_t cw = aw < d->w ? (uint32_t)fmax(1, floor(aw)) : d->w;
    uint32_t ch = ah < d->h ? (uint32_t)fmax(1, floor(ah)) : d->h;
    double cx, cy;
    treated_centre(r, &d->info, &cx, &cy);
    uint32_t x0 = window(cx, cw, d->w), y0 = window(cy, ch, d->h);
    smp_image *part = NULL;
    smp_status st;
    if ((cw < d->w || ch < d->h) &&
        (st = crop(final, x0, y0, cw, ch, &part, d->err)) != SMP_OK)
        return st;
    double w = cw / scale * MM, h = ch / scale * MM;
    cairo_surface_t *s = NULL;
    st = embed(d, part ? part : final, w, TRUE_SIZE_MAX_DPI, &s);
    smp_image_free(part);
    if (st != SMP_OK)
        return st;
    double x = (d->pw - w) / 2;
    place(cr, s, x, top, w, h);
    cairo_surface_destroy(s);

    double by = top + h + 4 * MM;
    ruler(cr, x, by);
    char note[160];
    if (part)
        snprintf(note, sizeof note, "Final result, detail: %.0f \xc3\x97 "
                 "%.0f mm of the %.0f \xc3\x97 %.0f mm photo", cw / scale,
                 ch / scale, d->w / scale, d->h / scale);
    else
        snprintf(note, sizeof note, "Final result, whole photo: %.0f "
                 "\xc3\x97 %.0f mm", cw / scale, ch / scale);
    font(cr, 8.5, 1, 0.1);
    show(cr, note, x + w, by + 1.2 * MM + 3, RIGHT, w - 20 * MM);
    snprintf(note, sizeof note, "after session %d \xc2\xb7 scale %.2f px/mm",
             d->info.sessions, scale);
    font(cr, 7.5, 0, 0.4);
    show(cr, note, x + w, by + 1.2 * MM + 14, RIGHT, w - 20 * MM);
    footer(d, 2, DISCLAIMER);
    cairo_show_page(cr);
    return SMP_OK;
}

/* ---- the document ----------------------------------------------------- */

static cairo_status_t write_file(void *fp, const unsigned char *data,
                                 unsigned int size)
{
    return fwrite(data, 1, size, fp) == size ? CAIRO_STATUS_SUCCESS
                                             : CAIRO_STATUS_WRITE_ERROR;
}

static void metadata(cairo_surface_t *pdf, const smp_print_options *o)
{
    char title[MAX_TEXT + 64], date[32];
    snprintf(title, sizeof title, "Scalp micropigmentation preview%s%s",
             o->id && *o->id ? " \xe2\x80\x94 " : "", o->id ? o->id : "");
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, title);
    if (o->caption && *o->caption)
        cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_SUBJECT,
                                       o->caption);
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR,
                                   "smpr " SMP_VERSION);
    if (o->date) {
        /* instead of the clock, so that output can be reproduced */
        snprintf(date, sizeof date, "%sT00:00:00Z", o->date);
        cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE,
                                       date);
        cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_MOD_DATE,
                                       date);
    }
}

smp_status smp_print_pdf(smp_render *r, const smp_image *photo,
                         const smp_print_options *o, const char *path,
                         smp_error *err)
{
    doc d = {0};
    smp_status st = smp_print_check(o, err);
    if (st != SMP_OK)
        return st;
    smp_render_get_info(r, &d.info);
    if (o->true_size && d.info.scale_estimated)
        return smp_fail(err, SMP_ERR_ARG, "a true-size page needs a measured "
                        "scale, not an estimated one");
    d.o = o;
    d.err = err;
    d.path = path;
    d.w = photo->width;
    d.h = photo->height;
    d.pages = o->true_size ? 2 : 1;
    d.pw = o->paper == SMP_PAPER_LETTER ? 8.5 * 72 : 210 * MM;
    d.ph = o->paper == SMP_PAPER_LETTER ? 11 * 72 : 297 * MM;

    smp_atomic a;
    if ((st = smp_atomic_open(&a, path, err)) != SMP_OK)
        return st;
    cairo_surface_t *pdf = cairo_pdf_surface_create_for_stream(
        write_file, a.fp, d.pw, d.ph);
    metadata(pdf, o);
    d.cr = cairo_create(pdf);
    const smp_image *final = NULL;
    if (cairo_status(d.cr) != CAIRO_STATUS_SUCCESS)
        st = smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", path);
    else if ((st = page_grid(&d, r, photo, &final)) == SMP_OK &&
             o->true_size)
        st = page_true_size(&d, r, final);
    cairo_status_t cs = cairo_status(d.cr);
    cairo_destroy(d.cr);
    cairo_surface_finish(pdf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(pdf);
    cairo_surface_destroy(pdf);
    if (st == SMP_OK && cs != CAIRO_STATUS_SUCCESS)
        st = smp_fail(err, cs == CAIRO_STATUS_WRITE_ERROR ? SMP_ERR_IO
                      : cs == CAIRO_STATUS_NO_MEMORY ? SMP_ERR_NOMEM
                      : SMP_ERR_ARG, "%s: cannot write the PDF: %s", path,
                      cairo_status_to_string(cs));
    if (st == SMP_OK && o->cancel && *o->cancel)
        st = smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", path);
    if (st != SMP_OK) {
        smp_atomic_abort(&a);
        return st;
    }
    return smp_atomic_commit(&a, err);
}
