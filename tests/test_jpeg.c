/*
 * test_jpeg.c - the JPEG back-end (jpeg_io.c, exif.c).  Every input is made
 * with libjpeg directly into memory (tests/util/imgmake.c), so the
 * expectations come from what we asked libjpeg to write (and from
 * libjpeg's own decode), not from smpr's output of yesterday.  EXIF
 * orientations are checked against the EXIF 2.3 definition of the tag
 * (which visual side the stored 0th row and 0th column are), not against
 * smp_image_orient.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "imgmake.h"
#include "internal.h"

/* ---- making JPEGs -------------------------------------------------------- */

typedef tu_jpeg spec;

/* The JPEG a spec gives, at quality 90 unless it says otherwise. */
static uint8_t *make_jpeg(const spec *s, size_t *len)
{
    spec q = *s;
    if (!q.quality)
        q.quality = 90;
    return tu_make_jpeg(&q, len);
}

/* Fills px with comps bytes (the spec's: 3 for the colour fills). */
static void fill_gradient(int x, int y, int w, int h, int comps,
                          uint8_t *px)
{
    px[0] = (uint8_t)(x * 255 / (w > 1 ? w - 1 : 1));
    px[1] = (uint8_t)(y * 255 / (h > 1 ? h - 1 : 1));
    px[2] = (uint8_t)((x * 3 + y * 5) & 255);
}

static void fill_grey(int x, int y, int w, int h, int comps,
                      uint8_t *px)
{
    (void)h;
    px[0] = (uint8_t)((x * 255 / (w - 1) + y * 7) & 255);
}

static void fill_cmyk(int x, int y, int w, int h, int comps,
                      uint8_t *px)
{
    (void)w;
    (void)h;
    px[0] = (uint8_t)x;
    px[1] = (uint8_t)y;
    px[2] = 40;
    px[3] = 10;
}

/* Sensor-like noise: lots of entropy-coded data to cut into. */
static void fill_noise(int x, int y, int w, int h, int comps,
                       uint8_t *px)
{
    (void)h;
    uint32_t v = (uint32_t)(y * w + x) * 2654435761u;
    v ^= v >> 15;
    px[0] = (uint8_t)v;
    px[1] = (uint8_t)(v >> 8);
    px[2] = (uint8_t)(v >> 16);
}

/* Four solid quadrants, each a whole number of 8x8 blocks. */
static const uint8_t QUAD[2][2][3] = {
    {{255, 0, 0}, {0, 255, 0}},         /* top: left red, right green */
    {{0, 0, 255}, {255, 255, 0}},       /* bottom: left blue, right yellow */
};

static void fill_quadrants(int x, int y, int w, int h, int comps,
                           uint8_t *px)
{
    memcpy(px, QUAD[y >= h / 2][x >= w / 2], 3);
}

/* libjpeg's own decode to RGB: the reference for our pixels. */
static uint8_t *ref_decode(const uint8_t *buf, size_t len, int *w, int *h)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr jerr;
    d.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, buf, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    *w = (int)d.output_width;
    *h = (int)d.output_height;
    uint8_t *px = malloc((size_t)*w * (size_t)*h * 3);
    assert_non_null(px);
    while (d.output_scanline < d.output_height) {
        JSAMPROW r = px + (size_t)d.output_scanline * (size_t)*w * 3;
        jpeg_read_scanlines(&d, &r, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return px;
}

static void assert_same_as_libjpeg(const uint8_t *buf, size_t len,
                                   const smp_image *img)
{
    int w, h;
    uint8_t *ref = ref_decode(buf, len, &w, &h);
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    assert_int_equal(img->stride, (size_t)w * 4);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = img->pixels + (size_t)y * img->stride + 4 * x;
            const uint8_t *q = ref + ((size_t)y * w + x) * 3;
            if (p[0] != q[0] || p[1] != q[1] || p[2] != q[2] || p[3] != 255)
                fail_msg("pixel (%d,%d) is %d,%d,%d,%d, libjpeg says "
                         "%d,%d,%d", x, y, p[0], p[1], p[2], p[3], q[0],
                         q[1], q[2]);
        }
    free(ref);
}

/* Offset of the first marker `m` (0xFFm), or 0. */
static size_t find_marker(const uint8_t *buf, size_t len, uint8_t m)
{
    for (size_t i = 2; i + 1 < len; i++)
        if (buf[i] == 0xff && buf[i + 1] == m)
            return i;
    return 0;
}

static smp_status decode(const uint8_t *buf, size_t len, smp_image **img,
                         smp_error *err)
{
    return smp_jpeg_decode(buf, len, "test.jpg", SMP_DEFAULT_MAX_PIXELS,
                           img, err);
}

/* ---- decoding ------------------------------------------------------------ */

static void test_baseline_rgb(void **state)
{
    (void)state;
    spec s = {.w = 67, .h = 45, .comps = 3, .fill = fill_gradient};
    size_t len;
    uint8_t *buf = make_jpeg(&s, &len);
    smp_image *img;
    smp_error err;
    /* through the public entry, which must recognise the bytes as JPEG */
    assert_int_equal(smp_image_load_mem(buf, len, "a.jpg", NULL, &img, &err),
                     SMP_OK);
    assert_int_equal(img->format, SMP_FORMAT_JPEG);
    assert_int_equal(img->has_alpha, 0);
    assert_int_equal(img->srgb_intent, -1);
    assert_null(img->icc);
    assert_int_equal(img->res.unit, SMP_RES_NONE);  /* JFIF 1:1 */
    assert_same_as_libjpeg(buf, len, img);
    smp_image_free(img);
    free(buf);
}

static void test_progressive(void **state)
{
    (void)state;
    spec s = {.w = 70, .h = 33, .comps = 3, .progressive = 1,
              .fill = fill_gradient};
    size_t len;
    uint8_t *buf = make_jpeg(&s, &len);
    smp_image *img;
    smp_error err;
    assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
    assert_same_as_libjpeg(buf, len, img);
    smp_image_free(img);
    free(buf);
}

static void test_greyscale(void **state)
{
    (void)state;
    for (int prog = 0; prog <= 1; prog++) {
        spec s = {.w = 40, .h = 24, .comps = 1, .progressive = prog,
                  .fill = fill_grey};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        smp_image *img;
        smp_error err;
        assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
        assert_same_as_libjpeg(buf, len, img);   /* R = G = B = grey */
        smp_image_free(img);
        free(buf);
    }
}

static void test_cmyk_refused(void **state)
{
    (void)state;
    for (int ycck = 0; ycck <= 1; ycck++) {
        spec s = {.w = 16, .h = 16, .comps = 4, .ycck = ycck,
                  .fill = fill_cmyk};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        smp_image *img = (smp_image *)1;
        smp_error err;
        assert_int_equal(decode(buf, len, &img, &err), SMP_ERR_FORMAT);
        assert_null(img);
        assert_string_equal(err.msg, "test.jpg: CMYK JPEG is not supported; "
                            "convert it to RGB first");
        free(buf);
    }
}

static void test_density(void **state)
{
    (void)state;
    static const struct {
        int unit, xd, yd;
        smp_res_unit want;
        uint32_t x, y;
    } cases[] = {
        {1, 300, 300, SMP_RES_PER_METRE, 11811, 11811},   /* 300 dpi */
        {1, 72, 96, SMP_RES_PER_METRE, 2835, 3780},
        {2, 40, 40, SMP_RES_PER_METRE, 4000, 4000},       /* 40 dots/cm */
        {0, 2, 1, SMP_RES_ASPECT, 2, 1},
        {0, 1, 1, SMP_RES_NONE, 0, 0},                    /* no info */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        spec s = {.w = 8, .h = 8, .comps = 3, .fill = fill_gradient,
                  .density_unit = cases[i].unit, .xd = cases[i].xd,
                  .yd = cases[i].yd};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        smp_image *img;
        smp_error err;
        assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
        assert_int_equal(img->res.unit, cases[i].want);
        if (cases[i].want != SMP_RES_NONE) {
            assert_int_equal(img->res.x, cases[i].x);
            assert_int_equal(img->res.y, cases[i].y);
        }
        smp_image_free(img);
        free(buf);
    }
}

/* A stand-in ICC profile: only the header fields we look at are real. */
static uint8_t *fake_icc(size_t n, const char *space)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + 7);
    p[0] = (uint8_t)(n >> 24);
    p[1] = (uint8_t)(n >> 16);
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    memcpy(p + 12, "mntr", 4);
    memcpy(p + 16, space, 4);
    memcpy(p + 36, "acsp", 4);
    return p;
}

static void test_icc_kept_only_if_rgb(void **state)
{
    (void)state;
    static const char *spaces[] = {"RGB ", "GRAY", "CMYK"};
    for (int i = 0; i < 3; i++) {
        uint8_t *icc = fake_icc(560, spaces[i]);
        spec s = {.w = 8, .h = 8, .comps = 3, .fill = fill_gradient,
                  .icc = icc, .icc_len = 560};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        smp_image *img;
        smp_error err;
        assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
        if (i == 0) {
            assert_non_null(img->icc);
            assert_int_equal(img->icc_size, 560);
            assert_memory_equal(img->icc, icc, 560);
        } else {
            assert_null(img->icc);
            assert_int_equal(img->icc_size, 0);
        }
        smp_image_free(img);
        free(buf);
        free(icc);
    }
}

/* ---- EXIF orientation ---------------------------------------------------- */

static void put16(uint8_t *p, unsigned v, int big)
{
    p[big ? 0 : 1] = (uint8_t)(v >> 8);
    p[big ? 1 : 0] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/*
 * "Exif\0\0", a TIFF header ("II" little- or "MM" big-endian, 42, IFD0 at
 * 8) and IFD0 holding one entry: Orientation (0x0112), `type`, count 1,
 * the value left-justified in the 4-byte field as TIFF requires.
 */
static size_t make_exif(uint8_t *b, int big, unsigned type, unsigned value)
{
    memcpy(b, "Exif\0\0", 6);
    uint8_t *t = b + 6;
    t[0] = t[1] = big ? 'M' : 'I';
    put16(t + 2, 42, big);
    put32(t + 4, 8, big);
    put16(t + 8, 1, big);               /* one entry */
    put16(t + 10, 0x0112, big);
    put16(t + 12, type, big);
    put32(t + 14, 1, big);
    if (type == 4)                      /* LONG */
        put32(t + 18, value, big);
    else {
        put16(t + 18, value, big);
        put16(t + 20, 0, big);
    }
    put32(t + 22, 0, big);              /* no IFD1 */
    return 6 + 26;
}

static void test_exif_parse(void **state)
{
    (void)state;
    uint8_t b[64];
    for (int big = 0; big <= 1; big++) {
        for (unsigned o = 1; o <= 8; o++) {
            size_t n = make_exif(b, big, 3, o);
            assert_int_equal(smp_exif_orientation(b, n), (int)o);
        }
        size_t n = make_exif(b, big, 3, 0);
        assert_int_equal(smp_exif_orientation(b, n), 1);
        n = make_exif(b, big, 3, 9);
        assert_int_equal(smp_exif_orientation(b, n), 1);
        n = make_exif(b, big, 4, 6);    /* wrong type: not trusted */
        assert_int_equal(smp_exif_orientation(b, n), 1);
        n = make_exif(b, big, 3, 6);
        assert_int_equal(smp_exif_orientation(b, 10), 1);   /* cut */
        b[7] = 'X';                     /* broken byte order mark */
        assert_int_equal(smp_exif_orientation(b, n), 1);
    }
    assert_int_equal(smp_exif_orientation(NULL, 0), 1);

    /* IFD0 (main image) has only ImageWidth; IFD1 (thumbnail) says 3,
     * which must not turn the main image. */
    static const uint8_t thumb[] = "Exif\0\0MM\0\x2a\0\0\0\x08"
        "\0\x01" "\x01\x00\0\x03\0\0\0\x01\0\x20\0\0" "\0\0\0\x1a"
        "\0\x01" "\x01\x12\0\x03\0\0\0\x01\0\x03\0\0" "\0\0\0\0";
    assert_int_equal(smp_exif_orientation(thumb, sizeof thumb - 1), 1);

    static const char junk[] = "Exif\0\0garbagegarbagegarbagegarbage";
    assert_int_equal(smp_exif_orientation((const uint8_t *)junk,
                                          sizeof junk), 1);
}

enum side { TOP, BOTTOM, LEFT, RIGHT };

static enum side opposite(enum side s)
{
    return s == TOP ? BOTTOM : s == BOTTOM ? TOP : s == LEFT ? RIGHT : LEFT;
}

/*
 * EXIF 2.3, tag 0x0112: for each value, the visual side of the image that
 * the stored 0th row, and the stored 0th column, belong to.
 */
static const enum side ROW0[9] = {TOP, TOP, TOP, BOTTOM, BOTTOM,
                                  LEFT, RIGHT, RIGHT, LEFT};
static const enum side COL0[9] = {LEFT, LEFT, RIGHT, RIGHT, LEFT,
                                  TOP, TOP, BOTTOM, BOTTOM};

static void test_exif_orientations(void **state)
{
    (void)state;
    const int W = 32, H = 16;
    for (int big = 0; big <= 1; big++)
        for (int o = 1; o <= 8; o++) {
            uint8_t app1[64];
            size_t n = make_exif(app1, big, 3, (unsigned)o);
            spec s = {.w = W, .h = H, .comps = 3, .quality = 100,
                      .full_chroma = 1, .fill = fill_quadrants,
                      .app1 = app1, .app1_len = n};
            size_t len;
            uint8_t *buf = make_jpeg(&s, &len);
            smp_image *img;
            smp_error err;
            assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
            int sideways = ROW0[o] == LEFT || ROW0[o] == RIGHT;
            uint32_t vw = sideways ? H : W, vh = sideways ? W : H;
            assert_int_equal(img->width, vw);
            assert_int_equal(img->height, vh);
            /* each stored corner must appear at its visual corner */
            for (int r = 0; r <= 1; r++)
                for (int c = 0; c <= 1; c++) {
                    enum side sr = r ? opposite(ROW0[o]) : ROW0[o];
                    enum side sc = c ? opposite(COL0[o]) : COL0[o];
                    enum side v = sideways ? sc : sr;    /* top or bottom */
                    enum side hz = sideways ? sr : sc;   /* left or right */
                    uint32_t x = hz == LEFT ? 0 : vw - 1;
                    uint32_t y = v == TOP ? 0 : vh - 1;
                    const uint8_t *p = img->pixels + y * img->stride + 4 * x;
                    for (int k = 0; k < 3; k++)
                        if (abs(p[k] - QUAD[r][c][k]) > 6)
                            fail_msg("orientation %d (%s): stored corner "
                                     "r%d c%d expected at (%u,%u), found "
                                     "%d,%d,%d", o, big ? "MM" : "II", r, c,
                                     x, y, p[0], p[1], p[2]);
                }
            smp_image_free(img);
            free(buf);
        }
}

/* ---- encoding and round trips ------------------------------------------- */

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/test_jpeg-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

static smp_image *gradient_image(uint32_t w, uint32_t h)
{
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_image_new(w, h, &img, &err), SMP_OK);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            fill_gradient((int)x, (int)y, (int)w, (int)h, 4,
                          img->pixels + y * img->stride + 4 * x);
    return img;
}

static void save_load(const smp_image *img, int quality, smp_image **back)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.jpg", tmpdir);
    smp_save_options so = {.format = SMP_FORMAT_JPEG, .quality = quality};
    smp_error err;
    if (smp_image_save(img, path, &so, &err) != SMP_OK)
        fail_msg("save: %s", err.msg);
    if (smp_image_load(path, NULL, back, &err) != SMP_OK)
        fail_msg("load: %s", err.msg);
    unlink(path);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const struct {
        smp_res_unit unit;
        uint32_t x, y;
    } res[] = {
        {SMP_RES_PER_METRE, 11811, 11811},  /* 300 dpi: stored as dpi */
        {SMP_RES_PER_METRE, 4000, 4000},    /* 101.6 dpi: stored per cm */
        {SMP_RES_ASPECT, 3, 2},
        {SMP_RES_NONE, 0, 0},
    };
    uint8_t *icc = fake_icc(70000, "RGB ");  /* two APP2 chunks */
    for (size_t i = 0; i < sizeof res / sizeof res[0]; i++) {
        smp_image *img = gradient_image(50, 30), *back;
        img->res.unit = res[i].unit;
        img->res.x = res[i].x;
        img->res.y = res[i].y;
        img->icc = malloc(70000);
        assert_non_null(img->icc);
        memcpy(img->icc, icc, 70000);
        img->icc_size = 70000;
        save_load(img, 95, &back);
        assert_int_equal(back->width, 50);
        assert_int_equal(back->height, 30);
        assert_int_equal(back->format, SMP_FORMAT_JPEG);
        assert_int_equal(back->res.unit, res[i].unit);
        assert_int_equal(back->res.x, res[i].x);
        assert_int_equal(back->res.y, res[i].y);
        assert_int_equal(back->icc_size, 70000);
        assert_memory_equal(back->icc, icc, 70000);
        for (size_t k = 0; k < (size_t)50 * 30 * 4; k++)
            if (abs(back->pixels[k] - img->pixels[k]) > 12)
                fail_msg("byte %zu: %d became %d", k, img->pixels[k],
                         back->pixels[k]);
        smp_image_free(img);
        smp_image_free(back);
    }
    free(icc);
}

/* An EXIF-rotated photo is saved upright and without EXIF, so it is not
 * turned a second time when read back. */
static void test_saved_upright(void **state)
{
    (void)state;
    uint8_t app1[64];
    size_t n = make_exif(app1, 1, 3, 6);
    spec s = {.w = 32, .h = 16, .comps = 3, .quality = 100,
              .full_chroma = 1, .fill = fill_quadrants, .app1 = app1,
              .app1_len = n};
    size_t len;
    uint8_t *buf = make_jpeg(&s, &len);
    smp_image *img, *back;
    smp_error err;
    assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
    save_load(img, 100, &back);
    assert_int_equal(back->width, 16);
    assert_int_equal(back->height, 32);
    for (size_t k = 0; k < (size_t)16 * 32 * 4; k++)
        assert_true(abs(back->pixels[k] - img->pixels[k]) <= 6);
    smp_image_free(img);
    smp_image_free(back);
    free(buf);
}

/* Encodes into a temporary file and returns its bytes. */
static uint8_t *encode_mem(const smp_image *img, int quality, size_t *len)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    smp_error err;
    if (smp_jpeg_encode(img, fp, quality, "mem.jpg", NULL, NULL, &err) != SMP_OK)
        fail_msg("%s", err.msg);
    long n = ftell(fp);
    assert_true(n > 0);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    rewind(fp);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void test_subsampling_and_markers(void **state)
{
    (void)state;
    smp_image *img = gradient_image(32, 32);
    for (int q = 85; q <= 95; q += 5) {
        size_t len;
        uint8_t *buf = encode_mem(img, q, &len);
        struct jpeg_decompress_struct d;
        struct jpeg_error_mgr jerr;
        d.err = jpeg_std_error(&jerr);
        jpeg_create_decompress(&d);
        jpeg_mem_src(&d, buf, (unsigned long)len);
        jpeg_save_markers(&d, JPEG_APP0 + 1, 0xffff);
        jpeg_read_header(&d, TRUE);
        int want = q < 90 ? 2 : 1;
        assert_int_equal(d.comp_info[0].h_samp_factor, want);
        assert_int_equal(d.comp_info[0].v_samp_factor, want);
        assert_int_equal(d.comp_info[1].h_samp_factor, 1);
        assert_int_equal(d.jpeg_color_space, JCS_YCbCr);
        assert_null(d.marker_list);     /* no APP1: no orientation tag */
        jpeg_destroy_decompress(&d);
        free(buf);
    }
    smp_image_free(img);
}

static void test_alpha_over_white(void **state)
{
    (void)state;
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_image_new(24, 8, &img, &err), SMP_OK);
    static const uint8_t alpha[3] = {0, 128, 255};
    for (uint32_t y = 0; y < 8; y++)
        for (uint32_t x = 0; x < 24; x++) {
            uint8_t *p = img->pixels + y * img->stride + 4 * x;
            p[0] = 200;
            p[1] = 0;
            p[2] = 0;
            p[3] = alpha[x / 8];
        }
    img->has_alpha = 1;
    size_t len;
    uint8_t *buf = encode_mem(img, 100, &len);
    smp_image *back;
    assert_int_equal(decode(buf, len, &back, &err), SMP_OK);
    assert_int_equal(back->has_alpha, 0);
    /* c * a + 255 * (1 - a), in 8-bit sRGB values */
    static const uint8_t want[3][3] = {
        {255, 255, 255}, {228, 127, 127}, {200, 0, 0}};
    for (int b = 0; b < 3; b++) {
        const uint8_t *p = back->pixels + 4 * back->stride + 4 * (8 * b + 4);
        for (int k = 0; k < 3; k++)
            if (abs(p[k] - want[b][k]) > 4)
                fail_msg("alpha %d: channel %d is %d, want %d", alpha[b], k,
                         p[k], want[b][k]);
        assert_int_equal(p[3], 255);
    }
    /* the caller's pixels are not touched */
    assert_int_equal(img->pixels[3], 0);
    assert_int_equal(img->pixels[0], 200);
    free(buf);
    smp_image_free(back);
    smp_image_free(img);
}

static void test_write_errors(void **state)
{
    (void)state;
    smp_image *img = gradient_image(256, 256);
    smp_error err;
    FILE *fp = fopen("/dev/full", "wb");
    if (fp) {
        assert_int_equal(smp_jpeg_encode(img, fp, 90, "/dev/full", NULL, NULL,
                                         &err), SMP_ERR_IO);
        assert_non_null(strstr(err.msg, "/dev/full"));
        assert_null(strchr(err.msg, '\n'));
        fclose(fp);
    }
    fp = tmpfile();
    assert_non_null(fp);
    atomic_int stop = 1;
    assert_int_equal(smp_jpeg_encode(img, fp, 90, "c.jpg", &stop, NULL, &err),
                     SMP_ERR_CANCELLED);
    assert_int_equal(smp_jpeg_encode(img, fp, 0, "c.jpg", NULL, NULL, &err),
                     SMP_ERR_ARG);
    assert_int_equal(smp_jpeg_encode(img, fp, 101, "c.jpg", NULL, NULL, &err),
                     SMP_ERR_ARG);
    fclose(fp);
    smp_image_free(img);
}

/* ---- damaged and hostile input ------------------------------------------ */

static void expect_fail(const uint8_t *buf, size_t len, smp_status want,
                        const char *what)
{
    smp_image *img = (smp_image *)1;
    smp_error err;
    smp_status st = decode(buf, len, &img, &err);
    if (st != want)
        fail_msg("%s: status %d (%s), want %d", what, st,
                 st == SMP_OK ? "decoded" : err.msg, want);
    assert_null(img);
    assert_int_equal(err.status, want);
    assert_true(strncmp(err.msg, "test.jpg: ", 10) == 0);
    assert_null(strchr(err.msg, '\n'));
}

static void test_truncated(void **state)
{
    (void)state;
    for (int prog = 0; prog <= 1; prog++) {
        spec s = {.w = 64, .h = 48, .comps = 3, .progressive = prog,
                  .fill = fill_noise};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        size_t sos = find_marker(buf, len, 0xda);
        assert_true(sos > 0);
        const size_t cuts[] = {2, 3, 20, sos, sos + 20, len / 2,
                               len * 3 / 4, len - 40, len - 2, len - 1};
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            char what[64];
            snprintf(what, sizeof what, "%s cut at %zu of %zu",
                     prog ? "progressive" : "baseline", cuts[i], len);
            expect_fail(buf, cuts[i], SMP_ERR_CORRUPT, what);
        }
        smp_image *img;
        smp_error err;
        decode(buf, len / 2, &img, &err);
        assert_non_null(strstr(err.msg, "Premature end of JPEG file"));
        free(buf);
    }
}

static void test_garbage(void **state)
{
    (void)state;
    spec s = {.w = 64, .h = 48, .comps = 3, .fill = fill_noise};
    size_t len;
    uint8_t *buf = make_jpeg(&s, &len);
    size_t sos = find_marker(buf, len, 0xda);
    size_t start = sos + 2 + ((size_t)buf[sos + 2] << 8 | buf[sos + 3]);
    uint32_t v = 12345;
    for (size_t i = start + 10; i < len - 2; i++) {
        v = v * 1103515245u + 12345u;
        buf[i] = (uint8_t)(v >> 16);
    }
    expect_fail(buf, len, SMP_ERR_CORRUPT, "garbage scan data");
    free(buf);

    /* A Huffman table whose code counts add up to more than 256 codes. */
    buf = make_jpeg(&s, &len);
    size_t dht = find_marker(buf, len, 0xc4);
    assert_true(dht > 0);
    memset(buf + dht + 5, 0xff, 16);
    expect_fail(buf, len, SMP_ERR_CORRUPT, "bad Huffman table");
    free(buf);

    /* trailing junk between the last scan and the end marker */
    buf = make_jpeg(&s, &len);
    uint8_t *big = malloc(len + 5);
    assert_non_null(big);
    memcpy(big, buf, len - 2);
    memcpy(big + len - 2, "\x12\x34\x56\x78\x9a\xff\xd9", 7);
    expect_fail(big, len + 5, SMP_ERR_CORRUPT, "extraneous bytes");
    free(big);
    free(buf);
}

static void set_sof_size(uint8_t *buf, size_t len, unsigned w, unsigned h)
{
    size_t sof = find_marker(buf, len, 0xc0);
    if (!sof)
        sof = find_marker(buf, len, 0xc2);
    assert_true(sof > 0);
    /* FF C0, length(2), precision(1), height(2), width(2) */
    buf[sof + 5] = (uint8_t)(h >> 8);
    buf[sof + 6] = (uint8_t)h;
    buf[sof + 7] = (uint8_t)(w >> 8);
    buf[sof + 8] = (uint8_t)w;
}

static void test_limits(void **state)
{
    (void)state;
    spec s = {.w = 32, .h = 16, .comps = 3, .fill = fill_gradient};
    size_t len;
    uint8_t *buf = make_jpeg(&s, &len);
    smp_image *img;
    smp_error err;

    set_sof_size(buf, len, 20000, 20000);
    expect_fail(buf, len, SMP_ERR_LIMIT, "20000x20000");
    decode(buf, len, &img, &err);
    assert_string_equal(err.msg, "test.jpg: 20000x20000 pixels is over the "
                        "limit of 100000000 (use --max-pixels)");

    set_sof_size(buf, len, 32, 0);
    expect_fail(buf, len, SMP_ERR_LIMIT, "zero height");
    set_sof_size(buf, len, 0, 16);
    expect_fail(buf, len, SMP_ERR_LIMIT, "zero width");

    /* the caller's limit is honoured, exactly */
    set_sof_size(buf, len, 32, 16);
    smp_load_options lo = {.max_pixels = 511};
    assert_int_equal(smp_image_load_mem(buf, len, "x.jpg", &lo, &img, &err),
                     SMP_ERR_LIMIT);
    assert_null(img);
    lo.max_pixels = 512;
    assert_int_equal(smp_image_load_mem(buf, len, "x.jpg", &lo, &img, &err),
                     SMP_OK);
    smp_image_free(img);
    free(buf);
}

/*
 * A legal progressive script with one DC scan and, for each of the 63 AC
 * coefficients of a grey image, a first scan at bit `al` and a refinement
 * for each lower bit: 1 + 63 * (al + 1) scans.
 */
static int many_scans(jpeg_scan_info *sc, int al)
{
    int n = 0;
    sc[n++] = (jpeg_scan_info){1, {0}, 0, 0, 0, 0};
    for (int k = 1; k < 64; k++)
        for (int b = al; b >= 0; b--)
            sc[n++] = (jpeg_scan_info){1, {0}, k, k, b == al ? 0 : b + 1, b};
    return n;
}

static void test_scan_bomb(void **state)
{
    (void)state;
    static jpeg_scan_info sc[1 + 63 * 11];
    for (int al = 5; al <= 8; al += 3) {
        int n = many_scans(sc, al);     /* 379 and 568 scans */
        spec s = {.w = 16, .h = 16, .comps = 1, .fill = fill_grey,
                  .progressive = 1, .scans = sc, .nscans = n};
        size_t len;
        uint8_t *buf = make_jpeg(&s, &len);
        if (n <= 500) {
            smp_image *img;
            smp_error err;
            assert_int_equal(decode(buf, len, &img, &err), SMP_OK);
            assert_same_as_libjpeg(buf, len, img);
            smp_image_free(img);
        } else {
            expect_fail(buf, len, SMP_ERR_LIMIT, "too many scans");
        }
        free(buf);
    }
}

/*
 * A progressive grey JPEG written by hand, w x h of mid-grey: a DC scan of
 * zero differences (one bit a block) and, for each AC coefficient, a
 * first scan at bit `al` and a refinement for each lower bit, all of them
 * end-of-band runs over every block.  Writing it takes no time, whatever
 * its size; libjpeg would spend as long on it as a decoder does.
 */
typedef struct jbits {
    uint8_t *d;
    size_t n, cap;
    uint32_t acc;
    int nacc;
} jbits;

static void jbyte(jbits *b, uint8_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4096;
        b->d = realloc(b->d, b->cap);
        assert_non_null(b->d);
    }
    b->d[b->n++] = v;
}

static void jbytes(jbits *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        jbyte(b, p[i]);
}

/* Entropy-coded bits, most significant first, FF stuffed with 00. */
static void jput(jbits *b, uint32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        b->acc = b->acc << 1 | ((v >> i) & 1);
        if (++b->nacc == 8) {
            jbyte(b, (uint8_t)b->acc);
            if ((uint8_t)b->acc == 0xff)
                jbyte(b, 0);
            b->acc = 0;
            b->nacc = 0;
        }
    }
}

static void jflush(jbits *b)
{
    while (b->nacc)
        jput(b, 1, 1);
}

static void jsos(jbits *b, int ss, int se, int ah, int al)
{
    const uint8_t sos[] = {0xff, 0xda, 0, 8, 1, 1, 0x00, (uint8_t)ss,
                           (uint8_t)se, (uint8_t)(ah << 4 | al)};
    jbytes(b, sos, sizeof sos);
}

static uint8_t *craft_progressive(unsigned w, unsigned h, int al,
                                  size_t *len, int *nscans)
{
    jbits b = {0};
    const uint8_t head[] = {0xff, 0xd8,
        0xff, 0xc2, 0, 11, 8, (uint8_t)(h >> 8), (uint8_t)h,
        (uint8_t)(w >> 8), (uint8_t)w, 1, 1, 0x11, 0,
        /* DC table 0: one code, "0", for a zero difference */
        0xff, 0xc4, 0, 20, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x00,
        /* AC table 0: EOB runs 0x00 .. 0xE0 as the 4-bit codes 0 .. 14 */
        0xff, 0xc4, 0, 34, 0x10, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90,
        0xa0, 0xb0, 0xc0, 0xd0, 0xe0};
    jbytes(&b, head, sizeof head);
    uint8_t dqt[69] = {0xff, 0xdb, 0, 67, 0};
    memset(dqt + 5, 1, 64);
    jbytes(&b, dqt, sizeof dqt);
    size_t blocks = (size_t)((w + 7) / 8) * ((h + 7) / 8);
    jsos(&b, 0, 0, 0, 0);
    for (size_t i = 0; i < blocks; i++)
        jput(&b, 0, 1);
    jflush(&b);
    int n = 1;
    for (int k = 1; k < 64; k++)
        for (int bit = al; bit >= 0; bit--, n++) {
            jsos(&b, k, k, bit == al ? 0 : bit + 1, bit);
            for (size_t left = blocks; left > 0;) {
                size_t run = left < 32767 ? left : 32767;
                int r = 0;
                while ((size_t)2 << r <= run)
                    r++;
                jput(&b, (uint32_t)r, 4);
                jput(&b, (uint32_t)(run - ((size_t)1 << r)), r);
                left -= run;
            }
            jflush(&b);
        }
    jbyte(&b, 0xff);
    jbyte(&b, 0xd9);
    *len = b.n;
    *nscans = n;
    return b.d;
}

/*
 * Under 500 scans but over a large image: 442 scans of 8000 x 8000 in
 * 160 KB took 8 s and 378 MB to decode.  Refused from the header and the
 * count of scans, before anything is decoded.
 */
static void test_scan_work_bomb(void **state)
{
    (void)state;
    size_t len;
    int n;
    uint8_t *buf = craft_progressive(64, 48, 6, &len, &n);
    assert_int_equal(n, 442);
    smp_image *img;
    smp_error err;
    assert_int_equal(decode(buf, len, &img, &err), SMP_OK);  /* it is sound */
    assert_same_as_libjpeg(buf, len, img);
    assert_int_equal(img->pixels[0], 128);
    smp_image_free(img);
    free(buf);

    buf = craft_progressive(8000, 8000, 6, &len, &n);
    assert_true(len < 200000);
    expect_fail(buf, len, SMP_ERR_LIMIT, "442 scans of 8000x8000");
    decode(buf, len, &img, &err);
    assert_string_equal(err.msg, "test.jpg: JPEG has 442 scans of 8000x8000 "
                        "pixels, too many to decode (decompression bomb?)");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_rgb),
        cmocka_unit_test(test_progressive),
        cmocka_unit_test(test_greyscale),
        cmocka_unit_test(test_cmyk_refused),
        cmocka_unit_test(test_density),
        cmocka_unit_test(test_icc_kept_only_if_rgb),
        cmocka_unit_test(test_exif_parse),
        cmocka_unit_test(test_exif_orientations),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_saved_upright),
        cmocka_unit_test(test_subsampling_and_markers),
        cmocka_unit_test(test_alpha_over_white),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_scan_bomb),
        cmocka_unit_test(test_scan_work_bomb),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
