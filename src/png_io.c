/*
 * png_io.c - the PNG back-end: decodes a whole PNG held in memory into the
 * internal RGBA8 format and encodes an image to an open file, both through
 * libpng 1.6.  libpng reports failures by calling our error function, which
 * records its message and longjmps back; it never prints, because both
 * error and warning functions are ours.
 *
 * Colour policy on reading.  Pixels are taken to be sRGB-encoded:
 *   - with an sRGB or iCCP chunk the pixels are left as they are and any
 *     gAMA is ignored (the profile or sRGB chunk is the better statement,
 *     and the profile is carried over to outputs);
 *   - with only gAMA, and a gamma more than 0.01 away from sRGB's 0.45455,
 *     libpng re-encodes the pixels for an sRGB (2.2) display, so that for
 *     example a linear-light file (gAMA 1.0) does not come out dark.
 *     libpng itself skips corrections it deems insignificant (within
 *     about 5% of the overall exponent);
 *   - cHRM is not used: we do no gamut conversion.
 * An iCCP profile is kept only if its colour space is RGB, since a grey
 * profile cannot describe the RGB pixels we hand on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "internal.h"

/*
 * libpng's default cap on a chunk's memory (8 MB) refuses the largest
 * LUT-based print profiles; 32 MiB leaves room for them and still stops a
 * compressed chunk from inflating without bound.
 */
#define CHUNK_MALLOC_MAX ((png_alloc_size_t)32 << 20)

/* The longest side we read: JPEG's limit (libjpeg refuses longer sides
 * itself), so that every photo can be written in either format; a
 * 1 x 100,000,000 strip within the pixel limit is no photo either. */
#define MAX_SIDE 65500u

/* Deflate cannot expand data more than ~1032 times (a 258-byte match in
 * two bits), so a short IDAT cannot hold a huge image. */
#define DEFLATE_MAX_RATIO 1032.0

/*
 * Chosen by measurement on a 2000x1500 photo-like RGB image (smooth skin
 * tones, mottling, sensor noise of sigma 1 or 2.5 grey levels).  Level 4
 * wrote files no larger than levels 6 and 9 (3.32 MB against 3.40 and
 * 3.37; 4.44 against 4.46 and 4.46) in a quarter to a half of level 6's
 * time (0.38 s against 1.48; 0.52 against 1.08); levels 1-3 were 11-17%
 * larger.  Letting libpng choose the filter per row was within 1% of the
 * best single filter on noisy photos (average) and 5% smaller than that
 * filter on noise-free content, where no single filter is best everywhere.
 */
#define PNG_ZLIB_LEVEL 4
#define PNG_FILTERS PNG_ALL_FILTERS

/* State shared with libpng's callbacks; it lives in the caller of the
 * function that calls setjmp, so nothing in it is clobbered by longjmp. */
typedef struct png_state {
    png_structp png;
    png_infop info;
    const uint8_t *data;        /* reading: the whole file */
    size_t size, pos;
    FILE *fp;                   /* writing */
    int write_errno;            /* a failed fwrite's errno */
    int oom;                    /* a libpng allocation failed */
    char msg[200];              /* libpng's last error message */
    smp_image *img;             /* reading: the image being filled */
} png_state;

static void on_error(png_structp png, png_const_charp msg)
{
    png_state *s = png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;      /* the library never prints; warnings are not errors */
    (void)msg;
}

/* Our own allocator, only to tell running out of memory from bad data. */
static png_voidp on_malloc(png_structp png, png_alloc_size_t n)
{
    void *p = malloc(n);
    if (!p) {
        png_state *s = png_get_mem_ptr(png);
        s->oom = 1;
    }
    return p;
}

static void on_free(png_structp png, png_voidp p)
{
    (void)png;
    free(p);
}

static void on_read(png_structp png, png_bytep out, size_t n)
{
    png_state *s = png_get_io_ptr(png);
    if (n > s->size - s->pos)
        png_error(png, "unexpected end of file");
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
}

static void on_write(png_structp png, png_bytep data, size_t n)
{
    png_state *s = png_get_io_ptr(png);
    errno = 0;
    if (fwrite(data, 1, n, s->fp) != n) {
        s->write_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void on_flush(png_structp png)
{
    (void)png;      /* stdio buffers; smp_png_encode flushes at the end */
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/*
 * Looks at IHDR ourselves before libpng allocates anything for the image:
 * libpng would report a zero size as corrupt data rather than a limit, and
 * the pixel limit is ours.  Also refuses a file whose IDAT data is too
 * short to inflate to the declared size, so a tiny damaged file cannot make
 * us allocate a huge image.  What we cannot parse is left to libpng.
 */
static smp_status check_header(const uint8_t *d, size_t size,
                               const char *name, uint64_t max_pixels,
                               smp_error *err)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                   '\n'};
    if (size < 8 || memcmp(d, sig, 8) != 0)
        return smp_fail(err, SMP_ERR_FORMAT, "%s: not a PNG file", name);
    if (size < 8 + 8 + 13 || be32(d + 8) != 13 ||
        memcmp(d + 12, "IHDR", 4) != 0)
        return SMP_OK;
    uint32_t w = be32(d + 16), h = be32(d + 20);
    if (w == 0 || h == 0)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: PNG declares a %ux%u image",
                        name, (unsigned)w, (unsigned)h);
    if (w > PNG_UINT_31_MAX || h > PNG_UINT_31_MAX ||
        (uint64_t)w * h > max_pixels)
        return smp_fail(err, SMP_ERR_LIMIT,
                        "%s: %ux%u pixels is over the limit of %llu "
                        "(use --max-pixels)", name, (unsigned)w,
                        (unsigned)h, (unsigned long long)max_pixels);
    if (w > MAX_SIDE || h > MAX_SIDE)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: %ux%u pixels has a side "
                        "over %u pixels", name, (unsigned)w, (unsigned)h,
                        MAX_SIDE);

    static const int channels[7] = {1, 0, 3, 1, 2, 0, 4};
    int depth = d[24], type = d[25];
    if (type > 6 || channels[type] == 0)
        return SMP_OK;
    double idat = 0;
    for (size_t pos = 8; size - pos >= 12;) {
        uint32_t len = be32(d + pos);
        if (memcmp(d + pos + 4, "IDAT", 4) == 0)
            idat += len < size - pos - 8 ? len : size - pos - 8;
        if (memcmp(d + pos + 4, "IEND", 4) == 0 || len > size - pos - 12)
            break;
        pos += 12 + (size_t)len;
    }
    /* unfiltered pixel bytes are a lower bound, interlaced or not */
    double need = (double)w * h * channels[type] * depth / 8;
    if (idat * DEFLATE_MAX_RATIO + 1024 < need)
        return smp_fail(err, SMP_ERR_CORRUPT,
                        "%s: truncated or corrupt PNG data (too little image "
                        "data for %ux%u pixels)", name, (unsigned)w,
                        (unsigned)h);
    return SMP_OK;
}

static smp_status reader_fail(png_state *s, const char *name,
                              smp_error *err)
{
    if (s->oom)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory decoding PNG",
                        name);
    return smp_fail(err, SMP_ERR_CORRUPT,
                    "%s: truncated or corrupt PNG data (%s)", name, s->msg);
}

/* Chunks a preview has no use for; skipping them avoids inflating text. */
static const png_byte skipped_chunks[] =
    "tEXt\0zTXt\0iTXt\0eXIf\0tIME\0sPLT\0hIST\0bKGD\0sBIT\0oFFs\0pCAL\0sCAL";

/* Metadata the image carries to outputs: see the colour policy above. */
static smp_status read_meta(png_state *s, const char *name, smp_error *err)
{
    smp_image *img = s->img;
    png_uint_32 rx, ry;
    int unit, intent;
    if (png_get_pHYs(s->png, s->info, &rx, &ry, &unit) && rx && ry) {
        img->res.unit = unit == PNG_RESOLUTION_METER ? SMP_RES_PER_METRE
                                                     : SMP_RES_ASPECT;
        img->res.x = rx;
        img->res.y = ry;
    }
    if (png_get_sRGB(s->png, s->info, &intent))
        img->srgb_intent = intent;
    png_charp pname;
    int compression;
    png_bytep profile;
    png_uint_32 len;
    if (png_get_iCCP(s->png, s->info, &pname, &compression, &profile, &len)
        && len >= 20 && memcmp(profile + 16, "RGB ", 4) == 0) {
        img->icc = malloc(len);
        if (!img->icc)
            return smp_fail(err, SMP_ERR_NOMEM,
                            "%s: out of memory for the ICC profile", name);
        memcpy(img->icc, profile, len);
        img->icc_size = len;
    }
    return SMP_OK;
}

/* The setjmp frame for reading; everything it changes is in *s. */
static smp_status read_png(png_state *s, const char *name,
                           uint64_t max_pixels, smp_error *err)
{
    s->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, s, on_error,
                                      on_warning, s, on_malloc, on_free);
    if (!s->png)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", name);
    s->info = png_create_info_struct(s->png);
    if (!s->info)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", name);
    if (setjmp(png_jmpbuf(s->png)))
        return reader_fail(s, name, err);

    png_uint_32 lim = max_pixels < MAX_SIDE ? (png_uint_32)max_pixels
                                            : MAX_SIDE;
    png_set_user_limits(s->png, lim, lim);
    png_set_chunk_malloc_max(s->png, CHUNK_MALLOC_MAX);
    png_set_keep_unknown_chunks(s->png, PNG_HANDLE_CHUNK_NEVER,
                                skipped_chunks, sizeof skipped_chunks / 5);
    png_set_read_fn(s->png, s, on_read);
    png_read_info(s->png, s->info);

    png_uint_32 w = png_get_image_width(s->png, s->info);
    png_uint_32 h = png_get_image_height(s->png, s->info);
    int type = png_get_color_type(s->png, s->info);
    int maybe_alpha = (type & PNG_COLOR_MASK_ALPHA) ||
                      png_get_valid(s->png, s->info, PNG_INFO_tRNS);

    /* everything to RGBA8: expand palette, low depths and tRNS, scale
     * 16 bits with rounding, grey to RGB, then an opaque alpha if none */
    png_set_expand(s->png);
    png_set_scale_16(s->png);
    png_set_gray_to_rgb(s->png);
    png_set_add_alpha(s->png, 0xff, PNG_FILLER_AFTER);
    png_fixed_point gamma;
    if (!png_get_valid(s->png, s->info, PNG_INFO_sRGB) &&
        !png_get_valid(s->png, s->info, PNG_INFO_iCCP) &&
        png_get_gAMA_fixed(s->png, s->info, &gamma) &&
        abs(gamma - 45455) > 1000)
        png_set_gamma_fixed(s->png, PNG_DEFAULT_sRGB, gamma);
    int passes = png_set_interlace_handling(s->png);
    png_read_update_info(s->png, s->info);
    if (png_get_channels(s->png, s->info) != 4 ||
        png_get_bit_depth(s->png, s->info) != 8 ||
        png_get_rowbytes(s->png, s->info) != (size_t)w * 4)
        return smp_fail(err, SMP_ERR_FORMAT,
                        "%s: PNG layout libpng could not convert to RGBA",
                        name);

    smp_status st = smp_image_alloc(w, h, &s->img, NULL);
    if (st == SMP_ERR_NOMEM)
        return smp_fail(err, st, "%s: out of memory for a %ux%u image", name,
                        (unsigned)w, (unsigned)h);
    if (st != SMP_OK)
        return smp_fail(err, st, "%s: %ux%u pixels do not fit in memory",
                        name, (unsigned)w, (unsigned)h);
    /* interlaced passes each fill in their pixels of the same rows */
    for (int p = 0; p < passes; p++)
        for (png_uint_32 y = 0; y < h; y++)
            png_read_row(s->png, s->img->pixels + (size_t)y * s->img->stride,
                         NULL);
    png_read_end(s->png, NULL);     /* checks the rest, up to IEND */

    if (maybe_alpha) {
        const uint8_t *px = s->img->pixels;
        size_t n = (size_t)w * h * 4;
        for (size_t i = 3; i < n && !s->img->has_alpha; i += 4)
            s->img->has_alpha = px[i] != 255;
    }
    s->img->format = SMP_FORMAT_PNG;
    return read_meta(s, name, err);
}

smp_status smp_png_decode(const uint8_t *data, size_t size, const char *name,
                          uint64_t max_pixels, smp_image **out,
                          smp_error *err)
{
    *out = NULL;
    smp_status st = check_header(data, size, name, max_pixels, err);
    if (st != SMP_OK)
        return st;
    png_state s;
    memset(&s, 0, sizeof s);
    s.data = data;
    s.size = size;
    st = read_png(&s, name, max_pixels, err);
    if (s.png)
        png_destroy_read_struct(&s.png, s.info ? &s.info : NULL, NULL);
    if (st != SMP_OK) {
        smp_image_free(s.img);
        return st;
    }
    *out = s.img;
    return SMP_OK;
}

/* The setjmp frame for writing; everything it changes is in *s. */
static smp_status write_png(png_state *s, const smp_image *img,
                            const char *name, atomic_int *cancel,
                            const smp_feed *feed, smp_error *err)
{
    s->png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, s, on_error,
                                       on_warning, s, on_malloc, on_free);
    if (!s->png)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", name);
    s->info = png_create_info_struct(s->png);
    if (!s->info)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", name);
    if (setjmp(png_jmpbuf(s->png))) {
        if (s->write_errno)
            return smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", name,
                            strerror(s->write_errno));
        if (s->oom)
            return smp_fail(err, SMP_ERR_NOMEM,
                            "%s: out of memory encoding PNG", name);
        return smp_fail(err, SMP_ERR_IO, "%s: cannot write PNG (%s)", name,
                        s->msg);
    }

    png_set_write_fn(s->png, s, on_write, on_flush);
    /* a profile libpng finds malformed is left out rather than failing
     * the whole output */
    png_set_benign_errors(s->png, 1);
    png_set_compression_level(s->png, PNG_ZLIB_LEVEL);
    png_set_filter(s->png, PNG_FILTER_TYPE_BASE, PNG_FILTERS);
    png_set_IHDR(s->png, s->info, img->width, img->height, 8,
                 img->has_alpha ? PNG_COLOR_TYPE_RGB_ALPHA
                                : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
                 PNG_FILTER_TYPE_BASE);
    if (img->res.unit != SMP_RES_NONE && img->res.x && img->res.y)
        png_set_pHYs(s->png, s->info, img->res.x, img->res.y,
                     img->res.unit == SMP_RES_PER_METRE
                         ? PNG_RESOLUTION_METER : PNG_RESOLUTION_UNKNOWN);
    if (img->icc && img->icc_size && img->icc_size <= PNG_UINT_31_MAX)
        png_set_iCCP(s->png, s->info, "ICC profile",
                     PNG_COMPRESSION_TYPE_BASE, img->icc,
                     (png_uint_32)img->icc_size);
    else if (img->srgb_intent >= 0 && img->srgb_intent < PNG_sRGB_INTENT_LAST)
        png_set_sRGB(s->png, s->info, img->srgb_intent);
    png_write_info(s->png, s->info);
    if (!img->has_alpha)    /* drop the fourth byte of each RGBA pixel */
        png_set_filler(s->png, 0, PNG_FILLER_AFTER);

    for (uint32_t y = 0; y < img->height; y++) {
        if (cancel && *cancel)
            return smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", name);
        /* (libpng has filtered and deflated the rows before) */
        if (smp_feed_band(feed, y, img->height))
            return smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", name);
        png_write_row(s->png, img->pixels + (size_t)y * img->stride);
    }
    if (feed && feed->read)
        feed->read(feed->ctx, img->height);
    png_write_end(s->png, NULL);
    /* stdio may have held back the error until now (e.g. a full disk) */
    errno = 0;
    if (fflush(s->fp) != 0 || ferror(s->fp))
        return smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", name,
                        strerror(errno ? errno : EIO));
    return SMP_OK;
}

smp_status smp_png_encode(const smp_image *img, FILE *fp, const char *name,
                          atomic_int *cancel, const smp_feed *feed,
                          smp_error *err)
{
    if (img->width == 0 || img->height == 0 ||
        img->width > PNG_UINT_31_MAX || img->height > PNG_UINT_31_MAX)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: cannot write a %ux%u PNG",
                        name, (unsigned)img->width, (unsigned)img->height);
    png_state s;
    memset(&s, 0, sizeof s);
    s.fp = fp;
    smp_status st = write_png(&s, img, name, cancel, feed, err);
    if (s.png)
        png_destroy_write_struct(&s.png, s.info ? &s.info : NULL);
    return st;
}
