/*
 * imgmake.h - test images made byte by byte: a growing buffer, big-endian
 * words and PNG chunks for hand-built (and hand-damaged) PNGs, and JPEGs
 * of every kind libjpeg writes.  No cmocka here: the fuzzers' seed
 * generator (tests/fuzz/mkcorpus.c) uses it too.  Out of memory or a
 * libjpeg error ends the program.
 */
#ifndef TU_IMGMAKE_H
#define TU_IMGMAKE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jpeglib.h>    /* after stdio.h */

typedef struct tu_buf {
    uint8_t *data;
    size_t size, cap;
} tu_buf;

void tu_buf_add(tu_buf *b, const void *p, size_t n);
void tu_put32(uint8_t *p, uint32_t v);
uint32_t tu_get32(const uint8_t *p);
/* A PNG chunk: length, type, data and its CRC as the PNG spec defines it. */
void tu_png_chunk(tu_buf *b, const char *type, const uint8_t *data,
                  size_t len);

/* Fills pixel (x, y) of a w x h image: `comps` bytes at px. */
typedef void (*tu_fill_fn)(int x, int y, int w, int h, int comps,
                           uint8_t *px);

typedef struct tu_jpeg {
    int w, h;
    int comps;                  /* 1 grey, 3 RGB, 4 CMYK */
    int ycck;                   /* with comps 4: store as YCCK */
    int quality;                /* 0: libjpeg's default, 75 */
    int progressive;
    int full_chroma;            /* 4:4:4 instead of libjpeg's 4:2:0 */
    int arith;                  /* arithmetic coding */
    int restart;                /* restart interval in MCU rows, 0: none */
    tu_fill_fn fill;            /* NULL: tu_fill_stripes */
    const uint8_t *app1;
    size_t app1_len;
    const uint8_t *icc;
    unsigned icc_len;
    int density_unit, xd, yd;   /* xd == 0: libjpeg's default 1:1 */
    const jpeg_scan_info *scans;
    int nscans;
} tu_jpeg;

/* Diagonal stripes: byte i of row y is (11 i + 17 y) mod 256. */
void tu_fill_stripes(int x, int y, int w, int h, int comps, uint8_t *px);
/* The JPEG in memory (malloc'd), its size in *len. */
uint8_t *tu_make_jpeg(const tu_jpeg *s, size_t *len);

#endif
