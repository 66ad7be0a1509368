/*
 * bench.c - `make bench`: each figure measured in one run on the same
 * inputs and printed as a ratio next to its target, never as a bare time.
 *
 *   (a) a full 3-session render of a 12 MP JPEG (~100 000 dots) against
 *       libjpeg-turbo doing only the decode and the encodes the render
 *       has to do (the floor);
 *   (b) our dot stamping against Cairo arc + fill of the same dots into
 *       the same buffer, per dot;
 *   (c) dot placement throughput and the spread of each session prefix.
 */
#define _POSIX_C_SOURCE 200809L
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "stamp.h"

#define PW 4000
#define PH 3000
#define REPEAT 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const smp_error *e)
{
    fprintf(stderr, "bench: %s\n", e->msg);
    exit(1);
}

/* A photo-like 12 MP image: textured skin on a backdrop. */
static smp_image *make_photo(void)
{
    smp_image *img;
    smp_error e;
    if (smp_image_new(PW, PH, &img, &e))
        die(&e);
    uint32_t s = 1;
    for (uint32_t y = 0; y < PH; y++)
        for (uint32_t x = 0; x < PW; x++) {
            uint8_t *p = img->pixels + y * img->stride + x * 4;
            double a = (x - 2000.0) / 1800, b = (y - 1500.0) / 1400;
            double r2 = a * a + b * b;
            s = s * 1664525u + 1013904223u;
            int n = (int)(s >> 28) - 8;
            if (r2 < 1) {
                double shade = 1.0 - 0.25 * r2;
                p[0] = (uint8_t)(205 * shade + n);
                p[1] = (uint8_t)(160 * shade + n);
                p[2] = (uint8_t)(135 * shade + n);
            } else {
                p[0] = (uint8_t)(120 + n / 2);
                p[1] = (uint8_t)(130 + n / 2);
                p[2] = (uint8_t)(142 + n / 2);
            }
        }
    img->format = SMP_FORMAT_JPEG;
    return img;
}

/* ---- (a) ---------------------------------------------------------------- */

static uint8_t *file_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n);
    if (fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

/* The floor: plain libjpeg-turbo decode and encodes with the same
 * settings smpr uses (quality 90, 4:4:4, no optimised tables). */
static void floor_encode(const uint8_t *rgb, int w, int h, const char *path)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 4;
    c.in_color_space = JCS_EXT_RGBX;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(uintptr_t)(rgb + (size_t)c.next_scanline * w * 4);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static double run_floor(const char *in, const char *dir, int ba_w, int ba_h)
{
    double t0 = now();
    size_t n = 0;
    uint8_t *data = file_bytes(in, &n);
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr jerr;
    d.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long)n);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_EXT_RGBX;
    jpeg_start_decompress(&d);
    int w = (int)d.output_width, h = (int)d.output_height;
    uint8_t *rgb = malloc((size_t)w * h * 4);
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = rgb + (size_t)d.output_scanline * w * 4;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    free(data);
    char path[512];
    for (int k = 1; k <= 3; k++) {
        snprintf(path, sizeof path, "%s/floor-%d.jpg", dir, k);
        floor_encode(rgb, w, h, path);
    }
    snprintf(path, sizeof path, "%s/floor-ba.jpg", dir);
    floor_encode(rgb, ba_w, ba_h, path);    /* same byte count, smaller */
    free(rgb);
    return now() - t0;
}

static double run_render(const char *in, const char *dir, size_t *dots,
                         int *ba_w, int *ba_h)
{
    double t0 = now();
    smp_error e;
    smp_image *photo, *ba;
    if (smp_image_load(in, NULL, &photo, &e))
        die(&e);
    smp_params p;
    smp_params_default(&p);
    p.has_head = 1;
    p.head = (smp_head){2000, 1500, 1800, 1400, SMP_FRONT_TOP};
    p.scale = 12;
    p.density = 250;
    smp_render *r;
    if (smp_render_new(photo, &p, &r, &e))
        die(&e);
    smp_render_dots(r, dots);
    char path[512];
    const smp_image *s = NULL;
    for (int k = 1; k <= 3; k++) {
        if (smp_render_session(r, k, &s, &e))
            die(&e);
        snprintf(path, sizeof path, "%s/render-%d.jpg", dir, k);
        if (smp_image_save(s, path, NULL, &e))
            die(&e);
    }
    if (smp_compose_before_after(photo, s, 3, &ba, &e))
        die(&e);
    snprintf(path, sizeof path, "%s/render-ba.jpg", dir);
    if (smp_image_save(ba, path, NULL, &e))
        die(&e);
    *ba_w = (int)ba->width;
    *ba_h = (int)ba->height;
    smp_image_free(ba);
    smp_render_free(r);
    smp_image_free(photo);
    return now() - t0;
}

static void bench_render(const char *dir)
{
    char in[512];
    smp_error e;
    snprintf(in, sizeof in, "%s/photo.jpg", dir);
    smp_image *photo = make_photo();
    smp_save_options so = {SMP_FORMAT_JPEG, 90, NULL};
    if (smp_image_save(photo, in, &so, &e))
        die(&e);
    smp_image_free(photo);
    size_t dots = 0;
    int bw = 0, bh = 0;
    double tr = 1e9, tf = 1e9;
    for (int i = 0; i < REPEAT; i++) {
        tr = fmin(tr, run_render(in, dir, &dots, &bw, &bh));
        tf = fmin(tf, run_floor(in, dir, bw, bh));
    }
    printf("(a) full render, 12 MP JPEG, 3 sessions, %zu dots: %.2fx the "
           "decode+encode floor   (target <= 1.25x)\n", dots, tr / tf);
}

/* ---- (b) ---------------------------------------------------------------- */

static void bench_stamp(void)
{
    const int n = 20000, w = 2000, h = 1500;
    smp_dot *dots = malloc(n * sizeof *dots);
    uint32_t s = 7;
    for (int i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        float fx = (s >> 8) / 16777216.0f;
        s = s * 1664525u + 1013904223u;
        float fy = (s >> 8) / 16777216.0f;
        s = s * 1664525u + 1013904223u;
        float fd = (s >> 8) / 16777216.0f;
        dots[i] = (smp_dot){fx * w, fy * h, 2.0f + 3.0f * fd, 0.85f,
                            6.28f * fy, 0.8f, {0.05f, -0.05f}, 1};
    }
    smp_image *img = NULL;
    smp_error e;
    if (smp_image_new(w, h, &img, &e))
        die(&e);
    memset(img->pixels, 200, img->stride * h);
    smp_lut *lut = malloc(sizeof *lut);
    smp_ink ink;
    smp_lut_init(lut);
    smp_ink_init(&ink, smp_default_shade, lut);
    double ours = 1e9, theirs = 1e9;
    for (int rep = 0; rep < REPEAT; rep++) {
        double t0 = now();
        for (int i = 0; i < n; i++)
            smp_stamp_dot(img, &dots[i], 0.35, 0.10, &ink, lut);
        ours = fmin(ours, now() - t0);
        cairo_surface_t *cs = cairo_image_surface_create_for_data(
            img->pixels, CAIRO_FORMAT_RGB24, w, h, (int)img->stride);
        cairo_t *cr = cairo_create(cs);
        t0 = now();
        for (int i = 0; i < n; i++) {
            const smp_dot *d = &dots[i];
            cairo_save(cr);
            cairo_translate(cr, d->x, d->y);
            cairo_rotate(cr, d->angle);
            cairo_scale(cr, 1.0, d->aspect);
            cairo_arc(cr, 0, 0, d->diameter / 2, 0, 6.283185307);
            cairo_restore(cr);
            cairo_set_source_rgba(cr, 0.18, 0.16, 0.16, d->opacity);
            cairo_fill(cr);
        }
        cairo_surface_flush(cs);
        theirs = fmin(theirs, now() - t0);
        cairo_destroy(cr);
        cairo_surface_destroy(cs);
    }
    printf("(b) stamping: %.0f ns/dot, Cairo arc+fill %.0f ns/dot: %.1fx "
           "faster   (target >= 30x)\n", ours / n * 1e9, theirs / n * 1e9,
           theirs / ours);
    free(lut);
    free(dots);
    smp_image_free(img);
}

/* ---- (c) ---------------------------------------------------------------- */

static void bench_place(void)
{
    smp_field f;
    smp_error e;
    if (smp_field_init(&f, PW, PH, 4, &e))
        die(&e);
    /* ~100 000 dots over the head ellipse, full density behind a ramp */
    double lambda = 0.0105;
    for (uint32_t j = 0; j < f.h; j++)
        for (uint32_t i = 0; i < f.w; i++) {
            double x = (i + 0.5) * 4, y = (j + 0.5) * 4;
            double a = (x - 2000) / 1800, b = (y - 1500) / 1400;
            double v = a * a + b * b < 1 ? lambda : 0;
            double ramp = (y - 500) / 300;
            v *= ramp < 0 ? 0 : ramp > 1 ? 1 : ramp;
            f.lambda[(size_t)j * f.w + i] = (float)v;
        }
    f.max = (float)lambda;
    const double cum[3] = {0.4, 0.75, 1.0};
    size_t counts[3];
    smp_point *pts = NULL;
    double best = 1e9;
    for (int rep = 0; rep < REPEAT; rep++) {
        free(pts);
        double t0 = now();
        if (smp_place(&f, 3, cum, 42, NULL, &pts, counts, &e))
            die(&e);
        best = fmin(best, now() - t0);
    }
    printf("(c) placement: %zu dots at %.2f million dots/s (target >= 1); "
           "relative radius", counts[2], counts[2] / best / 1e6);
    for (int k = 0; k < 3; k++)
        printf(" %.3f", smp_relative_radius(pts, counts[k], &f, cum[k]));
    printf(" for the 40/75/100 %% prefixes (target >= 0.65)\n");
    free(pts);
    smp_field_release(&f);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    bench_place();
    bench_stamp();
    bench_render(dir);
    return 0;
}
