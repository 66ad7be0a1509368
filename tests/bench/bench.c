/*
 * bench.c - `make bench`: each figure measured in one run on the same
 * inputs and printed as a ratio next to its target, never as a bare time
 * (times only in parentheses).
 *
 *   (a) a full 3-session render of a 12 MP JPEG (~100 000 dots), as
 *       `smpr render` does it (smp_job_run), against libjpeg-turbo doing
 *       only the decode and the encodes the render has to do (the floor);
 *   (b) our dot stamping against Cairo arc + fill of the same dots into
 *       the same buffer, per dot, and how well each anti-aliases: how far
 *       a dot's total coverage strays from the exact area of the shape it
 *       draws (a dot's darkness must not depend on where it sits), and
 *       each pixel's from the exact share of it the shape covers;
 *   (c) dot placement throughput and the spread of each session prefix;
 *   (d) `smpr batch` of samples/manifest.csv with -j1 against -j2;
 *   (e) peak memory of `smpr render` on a 24 MP photo.
 *
 * Usage: bench TMPDIR SMPR MANIFEST.  The machine may be busy with other
 * work: every time is the best of several runs, and each ratio sets two
 * things measured side by side.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE     /* wait4 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "stamp.h"

#define PW 4000
#define PH 3000
#define REPEAT 5

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

/* A photo-like w x h image: textured skin on a backdrop. */
static smp_image *make_photo(uint32_t w, uint32_t h)
{
    smp_image *img;
    smp_error e;
    if (smp_image_new(w, h, &img, &e))
        die(&e);
    uint32_t s = 1;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img->pixels + y * img->stride + x * 4;
            double a = (x - 0.5 * w) / (0.45 * w);
            double b = (y - 0.5 * h) / (0.4667 * h);
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

static void save_photo(uint32_t w, uint32_t h, const char *path)
{
    smp_error e;
    smp_image *photo = make_photo(w, h);
    smp_save_options so = {SMP_FORMAT_JPEG, 90, NULL};
    if (smp_image_save(photo, path, &so, &e))
        die(&e);
    smp_image_free(photo);
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

/* What `smpr render photo.jpg -o dir --head ... --scale 12 --density 250`
 * does: load, render 3 sessions, write them and the before/after. */
static double run_render(const char *in, const char *dir, size_t *dots,
                         int *ba_w, int *ba_h)
{
    double t0 = now();
    smp_error e;
    smp_job job;
    smp_job_result res;
    smp_job_default(&job);
    job.photo = in;
    job.outdir = dir;
    job.stem = "render";
    job.params.has_head = 1;
    job.params.has_front = 1;
    job.params.head = (smp_head){2000, 1500, 1800, 1400, SMP_FRONT_TOP};
    job.params.scale = 12;
    job.params.density = 250;
    if (smp_job_run(&job, &res, &e))
        die(&e);
    double t = now() - t0;
    *dots = res.info.dots[2];
    char path[512];
    smp_job_output_path(&job, &res, 0, path, sizeof path);
    smp_image *ba;
    if (smp_image_load(path, NULL, &ba, &e))
        die(&e);
    *ba_w = (int)ba->width;
    *ba_h = (int)ba->height;
    smp_image_free(ba);
    return t;
}

static void bench_render(const char *dir)
{
    char in[512];
    snprintf(in, sizeof in, "%s/photo.jpg", dir);
    save_photo(PW, PH, in);
    size_t dots = 0;
    int bw = 0, bh = 0;
    double tr = 1e9, tf = 1e9;
    for (int i = 0; i < REPEAT; i++) {
        tr = fmin(tr, run_render(in, dir, &dots, &bw, &bh));
        tf = fmin(tf, run_floor(in, dir, bw, bh));
    }
    printf("(a) full render, 12 MP JPEG, 3 sessions, %zu dots: %.2fx the "
           "decode+encode floor (%.0f ms against %.0f ms)   "
           "target <= 1.25x\n", dots, tr / tf, tr * 1e3, tf * 1e3);
}

/* ---- (b) ---------------------------------------------------------------- */

static void make_dots(smp_dot *dots, int n, int w, int h, uint32_t seed,
                      float wobble)
{
    uint32_t s = seed;
    for (int i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        float fx = (s >> 8) / 16777216.0f;
        s = s * 1664525u + 1013904223u;
        float fy = (s >> 8) / 16777216.0f;
        s = s * 1664525u + 1013904223u;
        float fd = (s >> 8) / 16777216.0f;
        dots[i] = (smp_dot){fx * w, fy * h, 2.0f + 3.0f * fd, 0.85f,
                            6.28f * fy, 0.8f, {wobble, -wobble}, 1};
    }
}

static void cairo_dot(cairo_t *cr, const smp_dot *d)
{
    cairo_save(cr);
    cairo_translate(cr, d->x, d->y);
    cairo_rotate(cr, d->angle);
    cairo_scale(cr, 1.0, d->aspect);
    cairo_arc(cr, 0, 0, d->diameter / 2, 0, 6.283185307);
    cairo_restore(cr);
}

/* Speed: the same list of 20 000 dots, 2-5 px wide, into the same
 * 2000 x 1500 buffer; ours as smp_stamp_dots runs them (the rows of the
 * dot a few ahead asked for from memory). */
static double stamp_speed(double *ours_ns, double *cairo_ns)
{
    const int n = 20000, w = 2000, h = 1500;
    smp_dot *dots = malloc(n * sizeof *dots);
    make_dots(dots, n, w, h, 7, 0.05f);
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
    /* one stamper, as a render keeps one for all its sessions: its
     * tables are made as the first dots need them (in the first run) */
    smp_stamper *st = smp_stamper_new(0.35, 0.10);
    for (int rep = 0; rep < REPEAT; rep++) {
        double t0 = now();
        for (int i = 0; i < n; i++) {
            if (i + 6 < n)
                smp_stamper_prefetch(img, &dots[i + 6]);
            smp_stamper_dot(st, img, &dots[i], &ink, lut);
        }
        ours = fmin(ours, now() - t0);
        cairo_surface_t *cs = cairo_image_surface_create_for_data(
            img->pixels, CAIRO_FORMAT_RGB24, w, h, (int)img->stride);
        cairo_t *cr = cairo_create(cs);
        t0 = now();
        for (int i = 0; i < n; i++) {
            cairo_dot(cr, &dots[i]);
            cairo_set_source_rgba(cr, 0.18, 0.16, 0.16, dots[i].opacity);
            cairo_fill(cr);
        }
        cairo_surface_flush(cs);
        theirs = fmin(theirs, now() - t0);
        cairo_destroy(cr);
        cairo_surface_destroy(cs);
    }
    smp_stamper_free(st);
    free(lut);
    free(dots);
    smp_image_free(img);
    *ours_ns = ours / n * 1e9;
    *cairo_ns = theirs / n * 1e9;
    return theirs / ours;
}

/* The exact shapes, sampled 32 x 32 times a pixel: our dot's profile
 * (the old per-pixel formula, square root and smoothstep) and Cairo's
 * hard ellipse. */
#define SS 32

static double our_profile(double d, double r, double e, double skirt,
                          double spread)
{
    double o = r + 0.5 * e, t = (o - d) / e;
    double cov = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
    if (skirt > 0 && d < skirt) {
        double k = 1 - d / skirt;
        cov += spread * k * k * (1 - cov);
    }
    return cov;
}

/* Share of pixel (px, py) the dot covers: hard (Cairo's ellipse) or as
 * our profile, area-averaged or (point) at the pixel's centre alone. */
static double exact_cover(const smp_dot *d, int hard, double softness,
                          double spread, int px, int py, int point)
{
    double r = 0.5 * d->diameter, e = fmax(softness * d->diameter, 1.0);
    double skirt = spread > 0 ? 1.8 * r : 0, c = cos(d->angle);
    double s = sin(d->angle), sum = 0;
    int n = point ? 1 : SS;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double x = px + (point ? 0.5 : (i + 0.5) / SS) - d->x;
            double y = py + (point ? 0.5 : (j + 0.5) / SS) - d->y;
            double u = x * c + y * s, v = (y * c - x * s) / d->aspect;
            double dist = sqrt(u * u + v * v);
            sum += hard ? dist < r : our_profile(dist, r, e, skirt, spread);
        }
    return sum / ((double)n * n);
}

/*
 * Anti-aliasing: dots 2-5 px wide at random sub-pixel places, each drawn
 * on white by both and read back as coverage (ours through an ink that
 * makes the byte 255 - load exactly; Cairo's as black on white).  Each is
 * set against the shape it draws: its total against the shape's exact
 * area (Cairo: pi a b; ours: the profile's), and each pixel against the
 * exact share of it the shape covers.
 */
static void stamp_quality(double sum_err[2], double px_err[2])
{
    const int n = 200, w = 16;
    smp_dot *dots = malloc(n * sizeof *dots);
    make_dots(dots, n, 1, 1, 11, 0);
    smp_lut *lut = malloc(sizeof *lut);
    smp_ink ink;
    /* identity-like tables: byte v is 257 v in "linear light", and the
     * ink takes 257 q off per load q */
    for (int v = 0; v < 256; v++)
        lut->s2l[v] = (uint16_t)(257 * v);
    for (int i = 0; i < 65536; i++)
        lut->l2s[i] = (uint8_t)((i + 128) / 257);
    for (int c = 0; c < 3; c++)
        for (int q = 0; q < 256; q++)
            ink.mul[c][q] = (uint32_t)(65536 - 257 * q);
    smp_stamper *st = smp_stamper_new(0.35, 0.10);
    double se[2] = {0, 0}, pe[2] = {0, 0};
    size_t npx[2] = {0, 0};
    smp_image *img;
    smp_error e;
    if (smp_image_new(w, w, &img, &e))
        die(&e);
    cairo_surface_t *cs = cairo_image_surface_create_for_data(
        img->pixels, CAIRO_FORMAT_RGB24, w, w, (int)img->stride);
    cairo_t *cr = cairo_create(cs);
    for (int k = 0; k < n; k++) {
        smp_dot d = dots[k];
        d.x = w / 2 + d.x;
        d.y = w / 2 + d.y;
        d.opacity = 1;
        for (int who = 0; who < 2; who++) {
            memset(img->pixels, 255, img->stride * w);
            if (who == 0) {
                smp_stamper_dot(st, img, &d, &ink, lut);
            } else {
                cairo_surface_mark_dirty(cs);
                cairo_dot(cr, &d);
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_fill(cr);
                cairo_surface_flush(cs);
            }
            double got = 0, want = 0;
            for (int y = 0; y < w; y++)
                for (int x = 0; x < w; x++) {
                    /* Cairo's RGB24 is native-endian BGRX; ours RGBA:
                     * byte 1 is green for both */
                    double c = (255 - img->pixels[y * img->stride + x * 4 +
                                                  1]) / 255.0;
                    double ex = exact_cover(&d, who, 0.35, 0.10, x, y, 0);
                    got += c;
                    want += ex;
                    pe[who] += fabs(c - ex);
                    npx[who] += c > 0 || ex > 0;
                }
            if (who == 1)   /* the ellipse's own area, not the sampling */
                want = 3.14159265358979 * d.diameter * d.diameter / 4 *
                       d.aspect;
            se[who] += fabs(got - want) / want;
        }
    }
    for (int who = 0; who < 2; who++) {
        sum_err[who] = se[who] / n;
        px_err[who] = pe[who] / (double)npx[who];
    }
    cairo_destroy(cr);
    cairo_surface_destroy(cs);
    smp_image_free(img);
    smp_stamper_free(st);
    free(lut);
    free(dots);
}

static void bench_stamp(void)
{
    double ours, theirs, se[2], pe[2];
    double ratio = stamp_speed(&ours, &theirs);
    stamp_quality(se, pe);
    printf("(b) stamping: %.1fx faster than Cairo arc+fill per dot "
           "(%.0f ns against %.0f ns)   target >= 30x\n"
           "    anti-aliasing, dots 2-5 px at random sub-pixel places: "
           "coverage sum off the exact area by %.2f%% (Cairo %.2f%%); "
           "per pixel off the exact share by %.4f (Cairo %.4f)\n",
           ratio, ours, theirs, 100 * se[0], 100 * se[1], pe[0], pe[1]);
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

/* ---- (d) and (e): smpr as a child --------------------------------------- */

/* Runs argv, stdout and stderr to /dev/null; its wall time, and its peak
 * resident memory in KiB; -1 if it failed. */
static double run_child(char *const argv[], long *maxrss_kib)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        null = freopen("/dev/null", "w", stderr);
        (void)null;
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    if (maxrss_kib)
        *maxrss_kib = ru.ru_maxrss;
    return now() - t0;
}

static void bench_batch(const char *dir, const char *smpr,
                        const char *manifest)
{
    char out[512];
    double t[2] = {1e9, 1e9};
    const char *jobs[2] = {"-j1", "-j2"};
    snprintf(out, sizeof out, "%s/batch", dir);
    for (int rep = 0; rep < 2; rep++)
        for (int k = 0; k < 2; k++) {
            char *argv[] = {(char *)smpr, "batch", (char *)manifest, "-o",
                            out, "--force", (char *)jobs[k], NULL};
            double s = run_child(argv, NULL);
            if (s < 0) {
                printf("(d) batch: not measured: smpr batch failed\n");
                return;
            }
            t[k] = fmin(t[k], s);
        }
    printf("(d) batch of %s: -j2 %.2fx faster than -j1 (%.1f s against "
           "%.1f s)   target >= 1.8x on 2 cores (%ld online)\n", manifest,
           t[0] / t[1], t[1], t[0], sysconf(_SC_NPROCESSORS_ONLN));
}

static void bench_memory(const char *dir, const char *smpr)
{
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/photo24.jpg", dir);
    snprintf(out, sizeof out, "%s/mem", dir);
    save_photo(6000, 4000, in);
    char *argv[] = {(char *)smpr, "render", in, "-o", out, "-q", NULL};
    long kib = 0;
    if (run_child(argv, &kib) < 0) {
        printf("(e) memory: not measured: smpr render failed\n");
        return;
    }
    printf("(e) peak memory, smpr render of a 24 MP JPEG (defaults): "
           "%.0f MB   target <= 400 MB\n", kib / 1024.0);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    const char *smpr = argc > 2 ? argv[2] : NULL;
    const char *manifest = argc > 3 ? argv[3] : "samples/manifest.csv";
    setvbuf(stdout, NULL, _IOLBF, 0);
    bench_render(dir);
    bench_stamp();
    bench_place();
    if (smpr && access(smpr, X_OK) == 0) {
        bench_batch(dir, smpr, manifest);
        bench_memory(dir, smpr);
    } else {
        printf("(d) batch: not measured: no smpr given\n"
               "(e) memory: not measured: no smpr given\n");
    }
    return 0;
}
