/*
 * mkcorpus.c - writes the fuzzers' seed corpora, so that none has to be
 * committed: mkcorpus DIR makes DIR/png, DIR/jpeg, DIR/options and
 * DIR/manifest.  Seeds are tiny and cover the branches a mutator would
 * take long to find: each PNG colour type and bit depth, interlacing,
 * tRNS, gAMA, sRGB, iCCP and pHYs; baseline, progressive, arithmetic,
 * restart-marked, greyscale and CMYK/YCCK JPEGs, every EXIF orientation in
 * both byte orders, an ICC profile and JFIF densities; lines of render
 * options; and batch manifests as spreadsheets write them.  Images are
 * written with libpng and libjpeg directly (JPEGs through
 * tests/util/imgmake.c), not through libsmp.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <png.h>
#include "imgmake.h"

static const char *outdir;

static void die(const char *what)
{
    fprintf(stderr, "mkcorpus: %s: %s\n", what, strerror(errno));
    exit(1);
}

static FILE *create(const char *sub, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", outdir, sub, name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        die(path);
    return fp;
}

static void write_file(const char *sub, const char *name, const void *data,
                       size_t size)
{
    FILE *fp = create(sub, name);
    if (fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        die(name);
}

/* A header-only RGB ICC profile libpng and our reader accept. */
static const uint8_t *rgb_icc(unsigned *len)
{
    static uint8_t b[160];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 13 + 7);
    tu_put32(b, sizeof b);
    memset(b + 4, 0, 4);
    b[8] = 4;
    memset(b + 9, 0, 3);
    memcpy(b + 12, "mntr", 4);
    memcpy(b + 16, "RGB ", 4);
    memcpy(b + 20, "XYZ ", 4);
    memcpy(b + 36, "acsp", 4);
    memset(b + 64, 0, 4);
    tu_put32(b + 68, 0x0000F6D6);
    tu_put32(b + 72, 0x00010000);
    tu_put32(b + 76, 0x0000D32D);
    tu_put32(b + 128, 1);
    memcpy(b + 132, "desc", 4);
    tu_put32(b + 136, 144);
    tu_put32(b + 140, 16);
    *len = sizeof b;
    return b;
}

/* ---- PNG ----------------------------------------------------------------- */

enum { WITH_TRNS = 1, WITH_GAMMA = 2, WITH_SRGB = 4, WITH_ICC = 8,
       WITH_PHYS = 16, WITH_TEXT = 32 };

static void png(const char *name, uint32_t w, uint32_t h, int type,
                int depth, int interlace, int extras)
{
    FILE *fp = create("png", name);
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                            NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (!p || !info || setjmp(png_jmpbuf(p))) {
        fprintf(stderr, "mkcorpus: libpng failed on %s\n", name);
        exit(1);
    }
    png_init_io(p, fp);
    png_set_IHDR(p, info, w, h, depth, type, interlace,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    png_color pal[256];
    png_byte alpha[256];
    int colours = 1 << (depth < 8 ? depth : 8);
    for (int i = 0; i < 256; i++) {
        pal[i] = (png_color){(png_byte)i, (png_byte)(255 - i),
                             (png_byte)(i * 7)};
        alpha[i] = (png_byte)(i * 37);
    }
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_PLTE(p, info, pal, colours);
    if (extras & WITH_TRNS) {
        png_color_16 key = {0, 1, 2, 3, 1};
        if (type == PNG_COLOR_TYPE_PALETTE)
            png_set_tRNS(p, info, alpha, colours, NULL);
        else
            png_set_tRNS(p, info, NULL, 0, &key);
    }
    if (extras & WITH_GAMMA)
        png_set_gAMA(p, info, 1.0);
    if (extras & WITH_SRGB)
        png_set_sRGB(p, info, PNG_sRGB_INTENT_PERCEPTUAL);
    if (extras & WITH_ICC) {
        unsigned n;
        const uint8_t *icc = rgb_icc(&n);
        png_set_iCCP(p, info, "seed", 0, icc, n);
    }
    if (extras & WITH_PHYS)
        png_set_pHYs(p, info, 11811, 11811, PNG_RESOLUTION_METER);
    if (extras & WITH_TEXT) {
        png_text t = {PNG_TEXT_COMPRESSION_zTXt, "Comment", "seed text", 0,
                      0, NULL, NULL};
        png_set_text(p, info, &t, 1);
    }
    png_write_info(p, info);

    int ch = type == PNG_COLOR_TYPE_RGB ? 3 : type == PNG_COLOR_TYPE_RGBA ? 4
           : type == PNG_COLOR_TYPE_GA ? 2 : 1;
    size_t rowbytes = ((size_t)w * ch * depth + 7) / 8;
    png_bytep row = calloc(rowbytes, 1);
    if (!row)
        die("calloc");
    int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++)
        for (uint32_t y = 0; y < h; y++) {
            for (size_t i = 0; i < rowbytes; i++)
                row[i] = (png_byte)((i * 29 + y * 53) ^ (i >> 2));
            png_write_row(p, row);
        }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    if (fclose(fp) != 0)
        die(name);
}

static void png_seeds(void)
{
    static const int grey[] = {1, 2, 4, 8, 16};
    char name[64];
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "grey%d.png", grey[i]);
        png(name, 7, 5, PNG_COLOR_TYPE_GRAY, grey[i], 0,
            grey[i] == 8 ? WITH_TRNS : 0);
        snprintf(name, sizeof name, "palette%d.png", grey[i]);
        if (grey[i] < 16)
            png(name, 7, 5, PNG_COLOR_TYPE_PALETTE, grey[i], 0,
                grey[i] >= 4 ? WITH_TRNS : 0);
    }
    png("rgb8.png", 7, 5, PNG_COLOR_TYPE_RGB, 8, 0, WITH_PHYS);
    png("rgb16.png", 7, 5, PNG_COLOR_TYPE_RGB, 16, 0, WITH_TRNS);
    png("ga8.png", 7, 5, PNG_COLOR_TYPE_GA, 8, 0, 0);
    png("ga16.png", 7, 5, PNG_COLOR_TYPE_GA, 16, 0, 0);
    png("rgba8.png", 7, 5, PNG_COLOR_TYPE_RGBA, 8, 0, WITH_TEXT);
    png("rgba16.png", 7, 5, PNG_COLOR_TYPE_RGBA, 16, 0, 0);
    png("adam7-rgba.png", 9, 9, PNG_COLOR_TYPE_RGBA, 8, 1, 0);
    png("adam7-pal2.png", 9, 9, PNG_COLOR_TYPE_PALETTE, 2, 1, 0);
    png("linear.png", 7, 5, PNG_COLOR_TYPE_RGB, 8, 0, WITH_GAMMA);
    png("srgb.png", 7, 5, PNG_COLOR_TYPE_RGB, 8, 0, WITH_SRGB);
    png("icc.png", 7, 5, PNG_COLOR_TYPE_RGB, 8, 0, WITH_ICC);
    png("wide.png", 64, 1, PNG_COLOR_TYPE_GRAY, 8, 0, 0);
    png("tall.png", 1, 64, PNG_COLOR_TYPE_RGB, 8, 0, 0);
}

/* ---- JPEG ---------------------------------------------------------------- */

static void jpeg(const char *name, const tu_jpeg *s)
{
    size_t n;
    uint8_t *d = tu_make_jpeg(s, &n);
    write_file("jpeg", name, d, n);
    free(d);
}

static void put16e(uint8_t *p, unsigned v, int big)
{
    p[big ? 0 : 1] = (uint8_t)(v >> 8);
    p[big ? 1 : 0] = (uint8_t)v;
}

static void put32e(uint8_t *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* An APP1 payload: "Exif\0\0", a TIFF header and IFD0 with Orientation
 * (SHORT) and XResolution (RATIONAL, stored after the IFD), then an IFD1
 * with an Orientation of its own for the thumbnail. */
static size_t exif(uint8_t *b, int big, unsigned orientation)
{
    memcpy(b, "Exif\0\0", 6);
    uint8_t *t = b + 6;
    t[0] = t[1] = big ? 'M' : 'I';
    put16e(t + 2, 42, big);
    put32e(t + 4, 8, big);
    put16e(t + 8, 2, big);                      /* IFD0: two entries */
    put16e(t + 10, 0x0112, big);
    put16e(t + 12, 3, big);
    put32e(t + 14, 1, big);
    put16e(t + 18, orientation, big);
    put16e(t + 20, 0, big);
    put16e(t + 22, 0x011a, big);
    put16e(t + 24, 5, big);
    put32e(t + 26, 1, big);
    put32e(t + 30, 56, big);                    /* the rational's offset */
    put32e(t + 34, 38, big);                    /* IFD1 */
    put16e(t + 38, 1, big);
    put16e(t + 40, 0x0112, big);
    put16e(t + 42, 3, big);
    put32e(t + 44, 1, big);
    put16e(t + 48, 3, big);
    put16e(t + 50, 0, big);
    put32e(t + 52, 0, big);                     /* no further IFD */
    put32e(t + 56, 72, big);                    /* 72/1 */
    put32e(t + 60, 1, big);
    return 6 + 64;
}

static void jpeg_seeds(void)
{
    jpeg("baseline.jpg", &(tu_jpeg){.w = 16, .h = 16, .comps = 3});
    jpeg("odd-size.jpg", &(tu_jpeg){.w = 13, .h = 7, .comps = 3,
                                  .quality = 40});
    jpeg("444.jpg", &(tu_jpeg){.w = 16, .h = 8, .comps = 3, .full_chroma = 1,
                             .quality = 95});
    jpeg("grey.jpg", &(tu_jpeg){.w = 16, .h = 16, .comps = 1});
    jpeg("progressive.jpg", &(tu_jpeg){.w = 16, .h = 16, .comps = 3,
                                     .progressive = 1});
    jpeg("progressive-grey.jpg", &(tu_jpeg){.w = 9, .h = 9, .comps = 1,
                                          .progressive = 1});
    jpeg("arith.jpg", &(tu_jpeg){.w = 16, .h = 16, .comps = 3, .arith = 1});
    jpeg("restart.jpg", &(tu_jpeg){.w = 16, .h = 32, .comps = 3,
                                 .restart = 1});
    jpeg("cmyk.jpg", &(tu_jpeg){.w = 8, .h = 8, .comps = 4});
    jpeg("ycck.jpg", &(tu_jpeg){.w = 8, .h = 8, .comps = 4, .ycck = 1});
    unsigned icc_len;
    const uint8_t *icc = rgb_icc(&icc_len);
    jpeg("icc.jpg", &(tu_jpeg){.w = 8, .h = 8, .comps = 3, .icc = icc,
                               .icc_len = icc_len});
    jpeg("dpi.jpg", &(tu_jpeg){.w = 8, .h = 8, .comps = 3, .density_unit = 1,
                             .xd = 300, .yd = 300});
    jpeg("aspect.jpg", &(tu_jpeg){.w = 8, .h = 8, .comps = 3,
                                .density_unit = 0, .xd = 2, .yd = 1});
    uint8_t b[128];
    char name[64];
    for (unsigned o = 1; o <= 8; o++) {
        int big = o & 1;
        size_t n = exif(b, big, o);
        snprintf(name, sizeof name, "exif-%u-%s.jpg", o, big ? "mm" : "ii");
        jpeg(name, &(tu_jpeg){.w = 12, .h = 8, .comps = 3, .app1 = b,
                            .app1_len = n});
    }
    /* bare APP1 payloads, for smp_exif_orientation alone */
    write_file("jpeg", "exif-6-ii.bin", b, exif(b, 0, 6));
    write_file("jpeg", "exif-8-mm.bin", b, exif(b, 1, 8));
}

/* ---- render options ------------------------------------------------------ */

static void option_seeds(void)
{
    static const char *const seeds[] = {
        "hairline=receding\nedge=soft\ndensity=80\nsessions=2\n",
        "split=40,75,100\nseed=7\n",
        "head=16,12,13,10\nfront=left\nscale=2\ndot-size=0.5\n",
        "view=front\nhairline-shift=-5\nfeather=3\nhairline=widows-peak\n",
        "format=jpeg\nquality=80\nmax-pixels=1000\nmask=m.png\ndots=d.csv\n",
        "sessions=4\nsplit=10,20,30,100\nhairline=none\n",
        "hairline=sharp\nhead=10,10,5,5\nfront=right\nedge=feathered\n",
        "hairline=straight\nfront=bottom\ndensity=2000\nscale=0.5\n",
        "hairline=rounded\nsessions=8\ndot-size=3\nfeather=100\n",
        "density=1e3\nscale=1000\nhead=0,0,1,1\n",
    };
    char name[32];
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        snprintf(name, sizeof name, "options-%zu.txt", i);
        write_file("options", name, seeds[i], strlen(seeds[i]));
    }
}

/* ---- batch manifests ----------------------------------------------------- */

static void manifest_seeds(void)
{
    static const char *const seeds[] = {
        "id,photo,caption,hairline,density,sessions,split\n"
        "a,a.jpg,plain,feathered,100,3,\n"
        "b,b.png,\"quoted, with comma\",sharp,80,2,\"40,100\"\n",
        /* a spreadsheet's "CSV UTF-8": byte order mark, CRLF, blank rows */
        "\xef\xbb\xbfid,photo,caption\r\n,,\r\nc,c.jpg,\"two\r\nlines\"\r\n"
        ",,\r\nd,d.jpg,\"say \"\"hi\"\"\"\r\n",
        "  id , photo ,view\n\n\ne,e.jpg,front\nf,f.jpg\ng,g.jpg,top,extra\n",
        "id,photo,caption\nh,h.jpg,\"Norwood II\xe2\x80\x93III, 100 dots/cm\xc2\xb2\"\n"
        "i,\"\xc3\xa9t\xc3\xa9.jpg\",\"\"\n",
        "id,photo\rj,j.jpg\rk,k.jpg",
        "id,photo,seed,scale,dot-size,edge,front,head\n"
        "l,l.jpg,7,18,0.3,soft,left,\"10,10,5,5\"\n",
    };
    char name[32];
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        snprintf(name, sizeof name, "manifest-%zu.csv", i);
        write_file("manifest", name, seeds[i], strlen(seeds[i]));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkcorpus DIR\n");
        return 2;
    }
    outdir = argv[1];
    static const char *const subs[] = {"", "/png", "/jpeg", "/options",
                                       "/manifest"};
    for (int i = 0; i < 5; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s%s", outdir, subs[i]);
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            die(path);
    }
    png_seeds();
    jpeg_seeds();
    option_seeds();
    manifest_seeds();
    return 0;
}
