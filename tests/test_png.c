/*
 * test_png.c - the PNG back-end against libpng itself.  Every input is
 * written here with plain libpng (or by hand, chunk by chunk, for damaged
 * and hostile files), and every expected pixel is computed independently
 * from the samples written, never from our decoder's earlier output.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <png.h>
#include <zlib.h>
#include "imgmake.h"
#include "internal.h"

static char tmpdir[64];

/* ---- building PNGs in memory ------------------------------------------ */

static void mem_write(png_structp png, png_bytep d, size_t n)
{
    tu_buf_add(png_get_io_ptr(png), d, n);
}

static void mem_flush(png_structp png)
{
    (void)png;
}

/* Offset of the first chunk of `type`, or 0. */
static size_t find_chunk(const uint8_t *d, size_t n, const char *type)
{
    for (size_t pos = 8; pos + 12 <= n; pos += 12 + tu_get32(d + pos))
        if (memcmp(d + pos + 4, type, 4) == 0)
            return pos;
    return 0;
}

/* Recomputes a chunk's CRC after its data was changed on purpose. */
static void fix_crc(uint8_t *d, size_t pos)
{
    uint32_t len = tu_get32(d + pos);
    tu_put32(d + pos + 8 + len, (uint32_t)crc32(0, d + pos + 4, len + 4));
}

typedef struct spec {
    const char *name;
    uint32_t w, h;
    int type, depth, interlace;
    const uint16_t *samples;        /* w * h * channels; palette indices */
    const png_color *palette;
    int npalette;
    const uint8_t *trans;           /* palette alpha */
    int ntrans;
    int has_trans_color;            /* grey / RGB tRNS */
    png_color_16 trans_color;
    double gamma;                   /* 0: no gAMA */
    int srgb;                       /* -1: no sRGB */
    const uint8_t *icc;
    uint32_t icc_len;
    int phys_unit;
    uint32_t phys_x, phys_y;        /* 0: no pHYs */
} spec;

static int channels_of(int type)
{
    switch (type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

/* Writes s with plain libpng; samples below 8 bits are packed by libpng. */
static void make_png(const spec *s, tu_buf *m)
{
    int ch = channels_of(s->type);
    size_t rowbytes = (size_t)s->w * ch * (s->depth == 16 ? 2 : 1);
    uint8_t *buf = malloc(rowbytes * s->h);
    png_bytep *rows = malloc(s->h * sizeof *rows);
    assert_non_null(buf);
    assert_non_null(rows);
    for (uint32_t y = 0; y < s->h; y++) {
        rows[y] = buf + y * rowbytes;
        for (size_t i = 0; i < (size_t)s->w * ch; i++) {
            uint16_t v = s->samples[(size_t)y * s->w * ch + i];
            if (s->depth == 16) {
                rows[y][2 * i] = (uint8_t)(v >> 8);
                rows[y][2 * i + 1] = (uint8_t)v;
            } else {
                rows[y][i] = (uint8_t)v;
            }
        }
    }
    memset(m, 0, sizeof *m);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write test case %s", s->name);
    png_set_write_fn(png, m, mem_write, mem_flush);
    png_set_IHDR(png, info, s->w, s->h, s->depth, s->type, s->interlace,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    if (s->palette)
        png_set_PLTE(png, info, s->palette, s->npalette);
    if (s->trans || s->has_trans_color)
        png_set_tRNS(png, info, s->trans, s->ntrans,
                     s->has_trans_color ? &s->trans_color : NULL);
    if (s->gamma > 0)
        png_set_gAMA(png, info, s->gamma);
    if (s->srgb >= 0)
        png_set_sRGB(png, info, s->srgb);
    if (s->icc)
        png_set_iCCP(png, info, "test", 0, s->icc, s->icc_len);
    if (s->phys_x)
        png_set_pHYs(png, info, s->phys_x, s->phys_y, s->phys_unit);
    png_write_info(png, info);
    if (s->depth < 8)
        png_set_packing(png);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(buf);
}

/* ---- expected values, from the PNG specification ----------------------- */

static uint8_t to8(unsigned v, int depth)
{
    if (depth == 16)
        return (uint8_t)((v * 255u + 32767u) / 65535u);
    return (uint8_t)(v * 255u / ((1u << depth) - 1));
}

static void expect(const spec *s, uint8_t *px, int *has_alpha)
{
    int ch = channels_of(s->type);
    *has_alpha = 0;
    for (size_t i = 0; i < (size_t)s->w * s->h; i++) {
        const uint16_t *v = s->samples + i * ch;
        uint8_t *o = px + i * 4;
        if (s->type == PNG_COLOR_TYPE_PALETTE) {
            o[0] = s->palette[v[0]].red;
            o[1] = s->palette[v[0]].green;
            o[2] = s->palette[v[0]].blue;
            o[3] = v[0] < s->ntrans ? s->trans[v[0]] : 255;
        } else if (ch <= 2) {
            o[0] = o[1] = o[2] = to8(v[0], s->depth);
            o[3] = ch == 2 ? to8(v[1], s->depth) : 255;
            if (s->has_trans_color && v[0] == s->trans_color.gray)
                o[3] = 0;
        } else {
            for (int c = 0; c < 3; c++)
                o[c] = to8(v[c], s->depth);
            o[3] = ch == 4 ? to8(v[3], s->depth) : 255;
            if (s->has_trans_color && v[0] == s->trans_color.red &&
                v[1] == s->trans_color.green && v[2] == s->trans_color.blue)
                o[3] = 0;
        }
        if (o[3] != 255)
            *has_alpha = 1;
    }
}

/* Decodes s and compares every byte with the expected pixels. */
static void check_decode(const spec *s)
{
    tu_buf m;
    make_png(s, &m);
    smp_image *img = NULL;
    smp_error err;
    smp_status st = smp_png_decode(m.data, m.size, s->name,
                                   SMP_DEFAULT_MAX_PIXELS, &img, &err);
    if (st != SMP_OK)
        fail_msg("%s: %s", s->name, err.msg);
    assert_int_equal(img->width, s->w);
    assert_int_equal(img->height, s->h);
    assert_int_equal(img->stride, (size_t)s->w * 4);
    assert_int_equal(img->format, SMP_FORMAT_PNG);
    uint8_t *want = malloc((size_t)s->w * s->h * 4);
    assert_non_null(want);
    int want_alpha;
    expect(s, want, &want_alpha);
    for (size_t i = 0; i < (size_t)s->w * s->h * 4; i++)
        if (img->pixels[i] != want[i])
            fail_msg("%s: pixel %zu channel %zu is %u, expected %u", s->name,
                     i / 4, i % 4, img->pixels[i], want[i]);
    if (img->has_alpha != want_alpha)
        fail_msg("%s: has_alpha %d, expected %d", s->name, img->has_alpha,
                 want_alpha);
    free(want);
    smp_image_free(img);
    free(m.data);
}

/* Deterministic samples covering the whole range of each depth. */
static uint16_t *make_samples(uint32_t w, uint32_t h, int ch, int depth,
                              int npalette)
{
    size_t n = (size_t)w * h * ch;
    uint16_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 8;
        if (npalette)
            v[i] = (uint16_t)(i % 3 == 0 ? i % npalette : r % npalette);
        else if (depth == 16)
            v[i] = (uint16_t)r;
        else
            v[i] = (uint16_t)(r & ((1u << depth) - 1));
    }
    /* both extremes always occur */
    if (!npalette && n >= 2) {
        v[0] = 0;
        v[1] = (uint16_t)((1u << depth) - 1);
    }
    return v;
}

static png_color palette[256];
static uint8_t palette_alpha[256];

static void init_palette(void)
{
    for (int i = 0; i < 256; i++) {
        palette[i].red = (png_byte)(i * 7 + 3);
        palette[i].green = (png_byte)(255 - i);
        palette[i].blue = (png_byte)(i * 29 + 100);
        palette_alpha[i] = (uint8_t)(i * 37);
    }
}

static spec basic(const char *name, int type, int depth, uint32_t w,
                  uint32_t h, int interlace)
{
    spec s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.type = type;
    s.depth = depth;
    s.w = w;
    s.h = h;
    s.interlace = interlace;
    s.srgb = -1;
    return s;
}

/* ---- decoding every colour type and depth ------------------------------ */

static void test_all_types(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int type, depth, interlace;
        uint32_t w, h;
        int npalette, ntrans, trans_color;
    } cases[] = {
        {"grey1", PNG_COLOR_TYPE_GRAY, 1, 0, 13, 7, 0, 0, 0},
        {"grey2", PNG_COLOR_TYPE_GRAY, 2, 0, 13, 7, 0, 0, 0},
        {"grey4", PNG_COLOR_TYPE_GRAY, 4, 0, 13, 7, 0, 0, 0},
        {"grey8", PNG_COLOR_TYPE_GRAY, 8, 0, 13, 7, 0, 0, 0},
        {"grey16", PNG_COLOR_TYPE_GRAY, 16, 0, 13, 7, 0, 0, 0},
        {"grey1-adam7", PNG_COLOR_TYPE_GRAY, 1, 1, 13, 11, 0, 0, 0},
        {"grey2-trns", PNG_COLOR_TYPE_GRAY, 2, 0, 13, 7, 0, 0, 1},
        {"grey8-trns", PNG_COLOR_TYPE_GRAY, 8, 0, 13, 7, 0, 0, 1},
        {"grey16-trns", PNG_COLOR_TYPE_GRAY, 16, 0, 13, 7, 0, 0, 1},
        {"grey16-adam7", PNG_COLOR_TYPE_GRAY, 16, 1, 17, 9, 0, 0, 0},
        {"pal1", PNG_COLOR_TYPE_PALETTE, 1, 0, 13, 7, 2, 0, 0},
        {"pal2", PNG_COLOR_TYPE_PALETTE, 2, 0, 13, 7, 4, 0, 0},
        {"pal4", PNG_COLOR_TYPE_PALETTE, 4, 0, 13, 7, 16, 0, 0},
        {"pal8", PNG_COLOR_TYPE_PALETTE, 8, 0, 29, 11, 200, 0, 0},
        {"pal8-trns", PNG_COLOR_TYPE_PALETTE, 8, 0, 29, 11, 200, 50, 0},
        {"pal4-trns-adam7", PNG_COLOR_TYPE_PALETTE, 4, 1, 13, 11, 16, 5, 0},
        {"pal2-trns", PNG_COLOR_TYPE_PALETTE, 2, 0, 13, 7, 4, 4, 0},
        {"ga8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 13, 7, 0, 0, 0},
        {"ga16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, 13, 7, 0, 0, 0},
        {"ga8-adam7", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 1, 13, 11, 0, 0, 0},
        {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 13, 7, 0, 0, 0},
        {"rgb16", PNG_COLOR_TYPE_RGB, 16, 0, 13, 7, 0, 0, 0},
        {"rgb8-trns", PNG_COLOR_TYPE_RGB, 8, 0, 13, 7, 0, 0, 1},
        {"rgb16-trns", PNG_COLOR_TYPE_RGB, 16, 0, 13, 7, 0, 0, 1},
        {"rgb8-adam7", PNG_COLOR_TYPE_RGB, 8, 1, 13, 11, 0, 0, 0},
        {"rgb16-adam7", PNG_COLOR_TYPE_RGB, 16, 1, 33, 17, 0, 0, 0},
        {"rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 13, 7, 0, 0, 0},
        {"rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, 13, 7, 0, 0, 0},
        {"rgba8-adam7", PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 13, 11, 0, 0, 0},
        {"rgba16-adam7", PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, 13, 11, 0, 0, 0},
        {"rgb8-adam7-1x1", PNG_COLOR_TYPE_RGB, 8, 1, 1, 1, 0, 0, 0},
        {"grey1-1x1", PNG_COLOR_TYPE_GRAY, 1, 0, 1, 1, 0, 0, 0},
    };
    init_palette();
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        spec s = basic(cases[k].name, cases[k].type, cases[k].depth,
                       cases[k].w, cases[k].h, cases[k].interlace);
        int ch = channels_of(s.type);
        uint16_t *v = make_samples(s.w, s.h, ch, s.depth, cases[k].npalette);
        s.samples = v;
        if (cases[k].npalette) {
            s.palette = palette;
            s.npalette = cases[k].npalette;
        }
        if (cases[k].ntrans) {
            s.trans = palette_alpha;
            s.ntrans = cases[k].ntrans;
        }
        if (cases[k].trans_color) {
            /* the colour of pixel 5, so it and its twins turn clear */
            const uint16_t *p = v + 5 * ch;
            s.has_trans_color = 1;
            s.trans_color.gray = p[0];
            if (ch >= 3) {
                s.trans_color.red = p[0];
                s.trans_color.green = p[1];
                s.trans_color.blue = p[2];
            }
        }
        check_decode(&s);
        free(v);
    }
}

/* Every 16-bit value, in colour and in alpha, against the exact rounding. */
static void test_16bit_rounding_exhaustive(void **state)
{
    (void)state;
    uint16_t *v = malloc(65536 * 2 * sizeof *v);
    assert_non_null(v);
    for (uint32_t i = 0; i < 65536; i++) {
        v[2 * i] = (uint16_t)i;
        v[2 * i + 1] = (uint16_t)(65535 - i);
    }
    spec s = basic("ga16-all", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 256, 256, 0);
    s.samples = v;
    check_decode(&s);
    /* and spot values worked out by hand */
    assert_int_equal(to8(128, 16), 0);
    assert_int_equal(to8(129, 16), 1);
    assert_int_equal(to8(32896, 16), 128);
    assert_int_equal(to8(65535, 16), 255);
    free(v);
}

static void test_opaque_alpha_is_not_alpha(void **state)
{
    (void)state;
    uint16_t v[4 * 4 * 4];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = i % 4 == 3 ? 255 : (uint16_t)(i * 3);
    spec s = basic("rgba-opaque", PNG_COLOR_TYPE_RGB_ALPHA, 8, 4, 4, 0);
    s.samples = v;
    check_decode(&s);       /* expect() wants has_alpha 0 */
}

/* ---- gamma policy ------------------------------------------------------ */

static uint8_t decode_grey_pixel(const tu_buf *m, int *icc_kept)
{
    smp_image *img;
    smp_error err;
    smp_status st = smp_png_decode(m->data, m->size, "gamma.png",
                                   SMP_DEFAULT_MAX_PIXELS, &img, &err);
    if (st != SMP_OK)
        fail_msg("%s", err.msg);
    uint8_t v = img->pixels[0];
    assert_int_equal(img->pixels[1], v);
    assert_int_equal(img->pixels[2], v);
    assert_int_equal(img->pixels[3], 255);
    assert_int_equal(img->pixels[4], 0);        /* black stays black */
    assert_int_equal(img->pixels[8], 255);      /* white stays white */
    if (icc_kept)
        *icc_kept = img->icc != NULL;
    smp_image_free(img);
    return v;
}

static const uint8_t *fake_icc(const char *space, uint32_t *len);

/* Grey and RGB PNGs (for the profile) with the values 64, 0, 255. */
static void make_gamma_png(tu_buf *m, double gamma, int rgb_icc)
{
    static const uint16_t grey[3] = {64, 0, 255};
    static const uint16_t rgb[9] = {64, 64, 64, 0, 0, 0, 255, 255, 255};
    spec s = basic("gamma", rgb_icc ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                   8, 3, 1, 0);
    s.samples = rgb_icc ? rgb : grey;
    s.gamma = gamma;
    if (rgb_icc)
        s.icc = fake_icc("RGB ", &s.icc_len);
    make_png(&s, m);
}

static void test_gamma_policy(void **state)
{
    (void)state;
    tu_buf m;
    int icc;

    /* linear light: 64/255 linear is about 137 sRGB-encoded */
    make_gamma_png(&m, 1.0, 0);
    uint8_t v = decode_grey_pixel(&m, NULL);
    assert_in_range(v, 135, 139);
    free(m.data);

    /* already sRGB's exponent: untouched */
    make_gamma_png(&m, 0.45455, 0);
    assert_int_equal(decode_grey_pixel(&m, NULL), 64);
    free(m.data);

    /* gAMA 1.0 beside an RGB profile: the profile wins, pixels untouched */
    make_gamma_png(&m, 1.0, 1);
    assert_int_equal(decode_grey_pixel(&m, &icc), 64);
    assert_true(icc);
    free(m.data);

    /* gAMA 1.0 with an sRGB chunk put in by hand, before it (just after
     * IHDR) and after it (just before IDAT): the sRGB chunk wins */
    make_gamma_png(&m, 1.0, 0);
    size_t at[2] = {33, find_chunk(m.data, m.size, "IDAT")};
    assert_true(at[1] > find_chunk(m.data, m.size, "gAMA"));
    for (int i = 0; i < 2; i++) {
        tu_buf n = {0};
        tu_buf_add(&n, m.data, at[i]);
        const uint8_t intent = 0;
        tu_png_chunk(&n, "sRGB", &intent, 1);
        tu_buf_add(&n, m.data + at[i], m.size - at[i]);
        assert_int_equal(decode_grey_pixel(&n, NULL), 64);
        free(n.data);
    }
    free(m.data);
}

/* ---- metadata ---------------------------------------------------------- */

/*
 * A profile that is well formed enough for libpng's checks: length field,
 * 'acsp', a device class, a colour space, the D50 illuminant and a tag
 * table whose one tag lies inside the profile.  The bytes in between are a
 * pattern, so a copy that drops or reorders bytes shows.
 */
static const uint8_t *fake_icc(const char *space, uint32_t *len)
{
    static uint8_t p[2][160];
    uint8_t *b = p[memcmp(space, "GRAY", 4) == 0];
    for (size_t i = 0; i < sizeof p[0]; i++)
        b[i] = (uint8_t)(i * 13 + 7);
    tu_put32(b, sizeof p[0]);
    memset(b + 4, 0, 4);
    b[8] = 4;                           /* version 4.0 */
    memset(b + 9, 0, 3);
    memcpy(b + 12, "mntr", 4);
    memcpy(b + 16, space, 4);
    memcpy(b + 20, "XYZ ", 4);
    memcpy(b + 36, "acsp", 4);
    memset(b + 64, 0, 4);               /* perceptual intent */
    tu_put32(b + 68, 0x0000F6D6);          /* D50 */
    tu_put32(b + 72, 0x00010000);
    tu_put32(b + 76, 0x0000D32D);
    tu_put32(b + 128, 1);                  /* one tag */
    memcpy(b + 132, "desc", 4);
    tu_put32(b + 136, 144);
    tu_put32(b + 140, 16);
    *len = sizeof p[0];
    return b;
}

static void save_membuf(const tu_buf *m, const char *path)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(m->data, 1, m->size, fp), m->size);
    assert_int_equal(fclose(fp), 0);
}

static void path_in_tmp(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

/* What plain libpng finds in a file we wrote. */
typedef struct plain_png {
    png_uint_32 w, h;
    int depth, type, interlace;
    uint8_t *pixels;            /* as stored: RGB or RGBA rows */
    int has_phys, phys_unit;
    png_uint_32 phys_x, phys_y;
    uint8_t *icc;
    uint32_t icc_len;
    int srgb;
} plain_png;

static void read_plain(const char *path, plain_png *r)
{
    memset(r, 0, sizeof *r);
    r->srgb = -1;
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL,
                                             NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not read back %s", path);
    png_init_io(png, fp);
    png_read_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_get_IHDR(png, info, &r->w, &r->h, &r->depth, &r->type, &r->interlace,
                 NULL, NULL);
    size_t rb = png_get_rowbytes(png, info);
    png_bytepp rows = png_get_rows(png, info);
    r->pixels = malloc(rb * r->h);
    assert_non_null(r->pixels);
    for (png_uint_32 y = 0; y < r->h; y++)
        memcpy(r->pixels + y * rb, rows[y], rb);
    r->has_phys = png_get_pHYs(png, info, &r->phys_x, &r->phys_y,
                               &r->phys_unit) != 0;
    png_charp name;
    int comp;
    png_bytep prof;
    png_uint_32 plen;
    if (png_get_iCCP(png, info, &name, &comp, &prof, &plen)) {
        assert_string_equal(name, "ICC profile");
        r->icc = malloc(plen);
        assert_non_null(r->icc);
        memcpy(r->icc, prof, plen);
        r->icc_len = plen;
    }
    int intent;
    if (png_get_valid(png, info, PNG_INFO_sRGB) &&
        png_get_sRGB(png, info, &intent))
        r->srgb = intent;
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
}

static void free_plain(plain_png *r)
{
    free(r->pixels);
    free(r->icc);
}

static smp_image *load_ok(const char *path)
{
    smp_image *img;
    smp_error err;
    if (smp_image_load(path, NULL, &img, &err) != SMP_OK)
        fail_msg("%s", err.msg);
    return img;
}

static void save_ok(const smp_image *img, const char *path)
{
    smp_error err;
    if (smp_image_save(img, path, NULL, &err) != SMP_OK)
        fail_msg("%s", err.msg);
}

static void test_meta_roundtrip(void **state)
{
    (void)state;
    uint16_t v[5 * 3 * 3];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = (uint16_t)(i * 5);
    spec s = basic("meta", PNG_COLOR_TYPE_RGB, 8, 5, 3, 0);
    s.samples = v;
    s.icc = fake_icc("RGB ", &s.icc_len);
    s.phys_unit = PNG_RESOLUTION_METER;
    s.phys_x = 11811;               /* 300 dpi */
    s.phys_y = 5906;
    tu_buf m;
    make_png(&s, &m);
    char in[128], out[128];
    path_in_tmp(in, sizeof in, "meta-in.png");
    path_in_tmp(out, sizeof out, "meta-out.png");
    save_membuf(&m, in);
    free(m.data);

    smp_image *a = load_ok(in);
    assert_int_equal(a->res.unit, SMP_RES_PER_METRE);
    assert_int_equal(a->res.x, 11811);
    assert_int_equal(a->res.y, 5906);
    assert_int_equal(a->icc_size, s.icc_len);
    assert_memory_equal(a->icc, s.icc, s.icc_len);
    assert_int_equal(a->srgb_intent, -1);
    save_ok(a, out);

    plain_png r;
    read_plain(out, &r);
    assert_true(r.has_phys);
    assert_int_equal(r.phys_unit, PNG_RESOLUTION_METER);
    assert_int_equal(r.phys_x, 11811);
    assert_int_equal(r.phys_y, 5906);
    assert_int_equal(r.icc_len, s.icc_len);
    assert_memory_equal(r.icc, s.icc, s.icc_len);
    assert_int_equal(r.srgb, -1);       /* never both iCCP and sRGB */
    free_plain(&r);

    smp_image *b = load_ok(out);
    assert_int_equal(b->res.unit, SMP_RES_PER_METRE);
    assert_int_equal(b->res.x, 11811);
    assert_int_equal(b->res.y, 5906);
    assert_int_equal(b->icc_size, s.icc_len);
    assert_memory_equal(b->icc, s.icc, s.icc_len);
    assert_memory_equal(b->pixels, a->pixels, a->stride * a->height);
    smp_image_free(a);
    smp_image_free(b);
}

static void test_meta_srgb_aspect(void **state)
{
    (void)state;
    uint16_t v[2 * 2 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    spec s = basic("srgb", PNG_COLOR_TYPE_RGB, 8, 2, 2, 0);
    s.samples = v;
    s.srgb = PNG_sRGB_INTENT_SATURATION;
    s.phys_unit = PNG_RESOLUTION_UNKNOWN;
    s.phys_x = 1;
    s.phys_y = 2;
    tu_buf m;
    make_png(&s, &m);
    char in[128], out[128];
    path_in_tmp(in, sizeof in, "srgb-in.png");
    path_in_tmp(out, sizeof out, "srgb-out.png");
    save_membuf(&m, in);
    free(m.data);

    smp_image *a = load_ok(in);
    assert_int_equal(a->srgb_intent, PNG_sRGB_INTENT_SATURATION);
    assert_int_equal(a->res.unit, SMP_RES_ASPECT);
    assert_int_equal(a->res.x, 1);
    assert_int_equal(a->res.y, 2);
    assert_null(a->icc);
    save_ok(a, out);
    smp_image_free(a);

    plain_png r;
    read_plain(out, &r);
    assert_int_equal(r.srgb, PNG_sRGB_INTENT_SATURATION);
    assert_true(r.has_phys);
    assert_int_equal(r.phys_unit, PNG_RESOLUTION_UNKNOWN);
    assert_int_equal(r.phys_x, 1);
    assert_int_equal(r.phys_y, 2);
    assert_null(r.icc);
    free_plain(&r);
}

/* Above libpng's default 8 MB chunk cap, as some print profiles are. */
static void test_big_profile(void **state)
{
    (void)state;
    uint32_t small;
    const uint8_t *head = fake_icc("RGB ", &small);
    uint32_t len = 9u << 20;
    uint8_t *icc = calloc(1, len);
    assert_non_null(icc);
    memcpy(icc, head, small);
    tu_put32(icc, len);
    tu_put32(icc + 140, len - 144);        /* the one tag fills the rest */
    icc[len - 1] = 0x5a;
    uint16_t v[3] = {10, 20, 30};
    spec s = basic("big-icc", PNG_COLOR_TYPE_RGB, 8, 1, 1, 0);
    s.samples = v;
    s.icc = icc;
    s.icc_len = len;
    tu_buf m;
    make_png(&s, &m);
    smp_image *img;
    smp_error err;
    if (smp_png_decode(m.data, m.size, "big.png", SMP_DEFAULT_MAX_PIXELS,
                       &img, &err) != SMP_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(img->icc_size, len);
    assert_memory_equal(img->icc, icc, len);
    smp_image_free(img);
    free(m.data);
    free(icc);
}

static void test_gray_profile_dropped(void **state)
{
    (void)state;
    uint16_t v[3 * 2] = {0, 50, 100, 150, 200, 250};
    spec s = basic("grey-icc", PNG_COLOR_TYPE_GRAY, 8, 3, 2, 0);
    s.samples = v;
    s.icc = fake_icc("GRAY", &s.icc_len);
    tu_buf m;
    make_png(&s, &m);
    assert_true(find_chunk(m.data, m.size, "iCCP") != 0);   /* it is there */
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_png_decode(m.data, m.size, "g.png",
                                    SMP_DEFAULT_MAX_PIXELS, &img, &err),
                     SMP_OK);
    assert_null(img->icc);
    assert_int_equal(img->icc_size, 0);
    assert_int_equal(img->pixels[4 * 5], 250);
    smp_image_free(img);
    free(m.data);
}

/* ---- writing ----------------------------------------------------------- */

static smp_image *pattern_image(uint32_t w, uint32_t h, int alpha)
{
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_image_new(w, h, &img, &err), SMP_OK);
    for (size_t i = 0; i < (size_t)w * h * 4; i++)
        img->pixels[i] = (uint8_t)(i * 31 + i / 7);
    for (size_t i = 3; i < (size_t)w * h * 4; i += 4)
        img->pixels[i] = alpha ? (uint8_t)(i * 5) : 255;
    img->has_alpha = alpha;
    return img;
}

static void check_written(int alpha)
{
    smp_image *img = pattern_image(37, 23, alpha);
    char out[128];
    path_in_tmp(out, sizeof out, alpha ? "rgba.png" : "rgb.png");
    save_ok(img, out);
    plain_png r;
    read_plain(out, &r);
    assert_int_equal(r.w, 37);
    assert_int_equal(r.h, 23);
    assert_int_equal(r.depth, 8);
    assert_int_equal(r.interlace, PNG_INTERLACE_NONE);
    assert_int_equal(r.type, alpha ? PNG_COLOR_TYPE_RGB_ALPHA
                                   : PNG_COLOR_TYPE_RGB);
    assert_false(r.has_phys);
    assert_null(r.icc);
    int ch = alpha ? 4 : 3;
    for (size_t i = 0; i < (size_t)37 * 23; i++)
        for (int c = 0; c < ch; c++)
            assert_int_equal(r.pixels[i * ch + c], img->pixels[i * 4 + c]);
    free_plain(&r);
    smp_image_free(img);
}

static void test_write_rgb(void **state)
{
    (void)state;
    check_written(0);
}

static void test_write_rgba(void **state)
{
    (void)state;
    check_written(1);
}

static void test_write_dev_full(void **state)
{
    (void)state;
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp)
        skip();
    smp_image *img = pattern_image(64, 64, 0);
    smp_error err;
    assert_int_equal(smp_png_encode(img, fp, "/dev/full", NULL, NULL, &err),
                     SMP_ERR_IO);
    assert_int_equal(err.status, SMP_ERR_IO);
    assert_true(strncmp(err.msg, "/dev/full: ", 11) == 0);
    assert_null(strchr(err.msg, '\n'));
    fclose(fp);
    smp_image_free(img);
}

/* How many entries `dir` holds besides . and ..; their names in `names`. */
static int count_entries(const char *dir, char *names, size_t n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0;
    names[0] = '\0';
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        count++;
        size_t l = strlen(names);
        snprintf(names + l, n - l, "%s ", e->d_name);
    }
    closedir(d);
    return count;
}

static void test_write_cancel_keeps_old(void **state)
{
    (void)state;
    char dir[128], dest[160], names[512];
    path_in_tmp(dir, sizeof dir, "cancel");
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(dest, sizeof dest, "%s/out.png", dir);
    FILE *fp = fopen(dest, "wb");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);

    smp_image *img = pattern_image(16, 16, 0);
    atomic_int cancel = 1;
    smp_save_options opt = {SMP_FORMAT_PNG, 0, &cancel};
    smp_error err;
    assert_int_equal(smp_image_save(img, dest, &opt, &err),
                     SMP_ERR_CANCELLED);
    if (count_entries(dir, names, sizeof names) != 1)
        fail_msg("left behind in %s: %s", dir, names);
    char buf[16] = {0};
    fp = fopen(dest, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, sizeof buf - 1, fp), 3);
    fclose(fp);
    assert_string_equal(buf, "old");

    /* not cancelled: the new image replaces the old file, nothing else */
    cancel = 0;
    assert_int_equal(smp_image_save(img, dest, &opt, &err), SMP_OK);
    if (count_entries(dir, names, sizeof names) != 1)
        fail_msg("left behind in %s: %s", dir, names);
    smp_image *back = load_ok(dest);
    assert_memory_equal(back->pixels, img->pixels, 16 * 16 * 4);
    smp_image_free(back);
    smp_image_free(img);
    unlink(dest);
    rmdir(dir);
}

static void test_write_missing_dir(void **state)
{
    (void)state;
    char dest[160];
    path_in_tmp(dest, sizeof dest, "no/such/dir/out.png");
    smp_image *img = pattern_image(4, 4, 0);
    smp_error err;
    assert_int_equal(smp_image_save(img, dest, NULL, &err), SMP_ERR_IO);
    assert_non_null(strstr(err.msg, dest));
    smp_image_free(img);
}

/* A profile libpng cannot accept is left out instead of failing the save. */
static void test_write_bad_profile(void **state)
{
    (void)state;
    smp_image *img = pattern_image(3, 3, 0);
    static const uint8_t junk[10] = "not a icc";
    img->icc = malloc(sizeof junk);
    assert_non_null(img->icc);
    memcpy(img->icc, junk, sizeof junk);
    img->icc_size = sizeof junk;
    char out[128];
    path_in_tmp(out, sizeof out, "badicc.png");
    save_ok(img, out);
    plain_png r;
    read_plain(out, &r);
    assert_null(r.icc);
    assert_memory_equal(r.pixels, img->pixels, 3);     /* the pixels are */
    free_plain(&r);
    smp_image_free(img);
}

/* ---- damaged and hostile files ----------------------------------------- */

/* A 64x64 RGB image of noise, so IDAT is long enough to cut anywhere. */
static void make_noise_png(tu_buf *m)
{
    uint16_t *v = make_samples(64, 64, 3, 8, 0);
    spec s = basic("noise", PNG_COLOR_TYPE_RGB, 8, 64, 64, 0);
    s.samples = v;
    make_png(&s, m);
    free(v);
}

static void expect_corrupt(const uint8_t *d, size_t n, const char *what)
{
    static smp_image sentinel;
    smp_image *img = &sentinel;             /* must be reset to NULL */
    smp_error err;
    smp_status st = smp_png_decode(d, n, "bad.png", SMP_DEFAULT_MAX_PIXELS,
                                   &img, &err);
    if (st != SMP_ERR_CORRUPT)
        fail_msg("%s: status %d (%s)", what, st,
                 st == SMP_OK ? "decoded" : err.msg);
    assert_null(img);
    assert_int_equal(err.status, SMP_ERR_CORRUPT);
    const char *prefix = "bad.png: truncated or corrupt PNG data (";
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("%s: message \"%s\"", what, err.msg);
    assert_null(strchr(err.msg, '\n'));
}

static void test_truncated(void **state)
{
    (void)state;
    tu_buf m;
    make_noise_png(&m);
    size_t idat = find_chunk(m.data, m.size, "IDAT");
    assert_true(idat > 0);
    size_t cuts[] = {8, 12, 20, 32, 33, 41, idat, idat + 6, idat + 20,
                     idat + 300, m.size / 2, m.size - 40, m.size - 16,
                     m.size - 12 /* no IEND */, m.size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut at %zu of %zu", cuts[i], m.size);
        expect_corrupt(m.data, cuts[i], what);
    }
    /* shorter than the signature is not a PNG at all */
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_png_decode(m.data, 5, "bad.png", 1000, &img, &err),
                     SMP_ERR_FORMAT);
    free(m.data);
}

static void test_bad_crc(void **state)
{
    (void)state;
    tu_buf m;
    make_noise_png(&m);
    size_t idat = find_chunk(m.data, m.size, "IDAT");
    size_t crc = idat + 8 + tu_get32(m.data + idat);
    m.data[crc] ^= 0x55;
    expect_corrupt(m.data, m.size, "IDAT CRC");
    m.data[crc] ^= 0x55;
    m.data[29] ^= 0x01;                 /* IHDR's CRC */
    expect_corrupt(m.data, m.size, "IHDR CRC");
    free(m.data);
}

static void test_bad_zlib(void **state)
{
    (void)state;
    tu_buf m;
    make_noise_png(&m);
    size_t idat = find_chunk(m.data, m.size, "IDAT");
    uint32_t len = tu_get32(m.data + idat);
    uint8_t *d = m.data + idat + 8;

    uint8_t save[32];
    memcpy(save, d, 2);
    d[0] = d[1] = 0xff;                 /* zlib header */
    fix_crc(m.data, idat);
    expect_corrupt(m.data, m.size, "zlib header");
    memcpy(d, save, 2);

    memcpy(save, d + len / 2, sizeof save);
    memset(d + len / 2, 0xff, sizeof save);  /* the middle of the stream */
    fix_crc(m.data, idat);
    expect_corrupt(m.data, m.size, "deflate data");
    memcpy(d + len / 2, save, sizeof save);

    d[len - 1] ^= 0xff;                 /* the Adler-32 of the rows */
    fix_crc(m.data, idat);
    smp_image *img;
    smp_error err;
    smp_status st = smp_png_decode(m.data, m.size, "bad.png",
                                   SMP_DEFAULT_MAX_PIXELS, &img, &err);
    /* libpng may or may not check it; either way, no crash or leak */
    assert_true(st == SMP_OK || st == SMP_ERR_CORRUPT);
    smp_image_free(img);
    free(m.data);
}

/* A hand-made PNG: IHDR with any size, a little IDAT, IEND. */
static void make_crafted(tu_buf *m, uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                   '\n'};
    memset(m, 0, sizeof *m);
    tu_buf_add(m, sig, 8);
    uint8_t ihdr[13] = {0};
    tu_put32(ihdr, w);
    tu_put32(ihdr + 4, h);
    ihdr[8] = 8;
    ihdr[9] = PNG_COLOR_TYPE_RGB;
    tu_png_chunk(m, "IHDR", ihdr, 13);
    uint8_t raw[1 + 3 * 4] = {0};
    uint8_t z[64];
    uLongf zn = sizeof z;
    assert_int_equal(compress(z, &zn, raw, sizeof raw), Z_OK);
    tu_png_chunk(m, "IDAT", z, (uint32_t)zn);
    tu_png_chunk(m, "IEND", NULL, 0);
}

static void test_zero_size(void **state)
{
    (void)state;
    uint32_t dims[][2] = {{0, 1}, {1, 0}, {0, 0}};
    for (size_t i = 0; i < 3; i++) {
        tu_buf m;
        make_crafted(&m, dims[i][0], dims[i][1]);
        smp_image *img;
        smp_error err;
        assert_int_equal(smp_image_load_mem(m.data, m.size, "zero.png", NULL,
                                            &img, &err), SMP_ERR_LIMIT);
        assert_null(img);
        assert_true(strncmp(err.msg, "zero.png: ", 10) == 0);
        free(m.data);
    }
    /* the crafting itself is sound: 4x1 decodes */
    tu_buf m;
    make_crafted(&m, 4, 1);
    smp_image *img;
    smp_error err;
    if (smp_image_load_mem(m.data, m.size, "ok.png", NULL, &img, &err))
        fail_msg("%s", err.msg);
    smp_image_free(img);
    free(m.data);
}

static void test_over_limit(void **state)
{
    (void)state;
    tu_buf m;
    make_crafted(&m, 20000, 20000);
    smp_image *img;
    smp_error err;
    assert_int_equal(smp_image_load_mem(m.data, m.size, "x.png", NULL, &img,
                                        &err), SMP_ERR_LIMIT);
    assert_null(img);
    assert_string_equal(err.msg, "x.png: 20000x20000 pixels is over the "
                        "limit of 100000000 (use --max-pixels)");
    /* a caller's lower limit is the one that counts */
    free(m.data);
    make_crafted(&m, 100, 100);
    smp_load_options opt = {9999};
    assert_int_equal(smp_image_load_mem(m.data, m.size, "y.png", &opt, &img,
                                        &err), SMP_ERR_LIMIT);
    /* at the limit it gets further: to its too short image data */
    opt.max_pixels = 10000;
    assert_int_equal(smp_image_load_mem(m.data, m.size, "y.png", &opt, &img,
                                        &err), SMP_ERR_CORRUPT);
    free(m.data);

    /* within the pixel limit, but a side longer than JPEG's 65500 (found
     * rendering a 1 x 100,000,000 strip, which took over 20 GB) */
    make_crafted(&m, 1, 100000000);
    assert_int_equal(smp_image_load_mem(m.data, m.size, "z.png", NULL, &img,
                                        &err), SMP_ERR_LIMIT);
    assert_null(img);
    assert_string_equal(err.msg, "z.png: 1x100000000 pixels has a side over "
                        "65500 pixels");
    free(m.data);
    make_crafted(&m, 65501, 1);
    assert_int_equal(smp_image_load_mem(m.data, m.size, "z.png", NULL, &img,
                                        &err), SMP_ERR_LIMIT);
    free(m.data);
    make_crafted(&m, 65500, 1);         /* passes, to its short data */
    assert_int_equal(smp_image_load_mem(m.data, m.size, "z.png", NULL, &img,
                                        &err), SMP_ERR_CORRUPT);
    free(m.data);
}

static unsigned long vm_bytes(void)
{
    unsigned long pages = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp) {
        if (fscanf(fp, "%lu", &pages) != 1)
            pages = 0;
        fclose(fp);
    }
    return pages * (unsigned long)sysconf(_SC_PAGESIZE);
}

/*
 * Hostile sizes must be refused before the image is allocated: in a child
 * whose address space can grow by only 64 MB, a 20000x20000 file (over the
 * limit) and a 10000x10000 one (within it, but with a few bytes of image
 * data) must give their errors, not an allocation failure.
 */
static void test_no_big_allocation(void **state)
{
    (void)state;
    tu_buf over, tiny;
    make_crafted(&over, 20000, 20000);
    make_crafted(&tiny, 10000, 10000);
    unsigned long vm = vm_bytes();
    if (vm == 0)
        skip();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {vm + (64ul << 20), vm + (64ul << 20)};
        smp_image *img;
        smp_error err;
        int ok = setrlimit(RLIMIT_AS, &rl) == 0 &&
                 smp_png_decode(over.data, over.size, "over.png",
                                SMP_DEFAULT_MAX_PIXELS, &img, &err)
                     == SMP_ERR_LIMIT &&
                 smp_png_decode(tiny.data, tiny.size, "tiny.png",
                                SMP_DEFAULT_MAX_PIXELS, &img, &err)
                     == SMP_ERR_CORRUPT;
        free(over.data);
        free(tiny.data);
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(over.data);
    free(tiny.data);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_not_png_files(void **state)
{
    (void)state;
    char path[128];
    smp_image *img;
    smp_error err;

    path_in_tmp(path, sizeof path, "x.png");
    write_file(path, "this is only text\n");
    assert_int_equal(smp_image_load(path, NULL, &img, &err), SMP_ERR_FORMAT);
    assert_null(img);
    assert_non_null(strstr(err.msg, "x.png"));
    unlink(path);

    path_in_tmp(path, sizeof path, "empty.png");
    write_file(path, "");
    assert_int_equal(smp_image_load(path, NULL, &img, &err), SMP_ERR_FORMAT);
    assert_null(img);
    unlink(path);

    path_in_tmp(path, sizeof path, "dir.png");
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(smp_image_load(path, NULL, &img, &err), SMP_ERR_IO);
    assert_null(img);
    assert_non_null(strstr(err.msg, "dir.png"));
    rmdir(path);
}

/* ---- fixtures ---------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_png.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    static const char *files[] = {"meta-in.png", "meta-out.png",
                                  "srgb-in.png", "srgb-out.png", "rgb.png",
                                  "rgba.png", "badicc.png"};
    char path[128];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_in_tmp(path, sizeof path, files[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_16bit_rounding_exhaustive),
        cmocka_unit_test(test_opaque_alpha_is_not_alpha),
        cmocka_unit_test(test_gamma_policy),
        cmocka_unit_test(test_meta_roundtrip),
        cmocka_unit_test(test_meta_srgb_aspect),
        cmocka_unit_test(test_big_profile),
        cmocka_unit_test(test_gray_profile_dropped),
        cmocka_unit_test(test_write_rgb),
        cmocka_unit_test(test_write_rgba),
        cmocka_unit_test(test_write_bad_profile),
        cmocka_unit_test(test_write_dev_full),
        cmocka_unit_test(test_write_cancel_keeps_old),
        cmocka_unit_test(test_write_missing_dir),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_bad_zlib),
        cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_over_limit),
        cmocka_unit_test(test_no_big_allocation),
        cmocka_unit_test(test_not_png_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
