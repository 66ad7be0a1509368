/* imgmake.c - test images made byte by byte (see imgmake.h). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "imgmake.h"

static void *grow(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("imgmake: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void tu_buf_add(tu_buf *b, const void *p, size_t n)
{
    if (b->size + n > b->cap) {
        b->cap = (b->size + n) * 2;
        b->data = grow(b->data, b->cap);
    }
    memcpy(b->data + b->size, p, n);
    b->size += n;
}

void tu_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t tu_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

void tu_png_chunk(tu_buf *b, const char *type, const uint8_t *data,
                  size_t len)
{
    uint8_t v[4];
    tu_put32(v, (uint32_t)len);
    tu_buf_add(b, v, 4);
    tu_buf_add(b, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (len) {          /* crc32() with a NULL buffer restarts the CRC */
        tu_buf_add(b, data, len);
        crc = crc32(crc, data, (uInt)len);
    }
    tu_put32(v, (uint32_t)crc);
    tu_buf_add(b, v, 4);
}

void tu_fill_stripes(int x, int y, int w, int h, int comps, uint8_t *px)
{
    (void)w;
    (void)h;
    for (int c = 0; c < comps; c++)
        px[c] = (uint8_t)(((x * comps + c) * 11 + y * 17) & 255);
}

uint8_t *tu_make_jpeg(const tu_jpeg *s, size_t *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    unsigned long n = 0;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &buf, &n);
    c.image_width = (JDIMENSION)s->w;
    c.image_height = (JDIMENSION)s->h;
    c.input_components = s->comps;
    c.in_color_space = s->comps == 1 ? JCS_GRAYSCALE
                       : s->comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    if (s->ycck)
        jpeg_set_colorspace(&c, JCS_YCCK);
    if (s->quality)
        jpeg_set_quality(&c, s->quality, TRUE);
    if (s->full_chroma)
        c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1;
    if (s->progressive)
        jpeg_simple_progression(&c);
    if (s->scans) {
        c.scan_info = s->scans;
        c.num_scans = s->nscans;
    }
    c.arith_code = s->arith ? TRUE : FALSE;
    c.restart_in_rows = s->restart;
    if (s->xd) {
        c.density_unit = (UINT8)s->density_unit;
        c.X_density = (UINT16)s->xd;
        c.Y_density = (UINT16)s->yd;
    }
    jpeg_start_compress(&c, TRUE);
    if (s->app1)
        jpeg_write_marker(&c, JPEG_APP0 + 1, s->app1, (unsigned)s->app1_len);
    if (s->icc)
        jpeg_write_icc_profile(&c, s->icc, s->icc_len);
    tu_fill_fn fill = s->fill ? s->fill : tu_fill_stripes;
    JSAMPLE *row = grow(NULL, (size_t)s->w * (size_t)s->comps);
    for (int y = 0; y < s->h; y++) {
        for (int x = 0; x < s->w; x++)
            fill(x, y, s->w, s->h, s->comps, row + (size_t)x * s->comps);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    *len = n;
    return buf;
}
