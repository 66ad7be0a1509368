/*
 * jpeg_io.c - the JPEG back-end, on libjpeg-turbo.  Decoding turns a whole
 * file held in memory into the internal RGBA8 image, upright (EXIF
 * orientation applied), with its JFIF density and RGB ICC profile;
 * encoding writes an image to an open file, row by row.
 *
 * libjpeg reports a fatal error by calling error_exit, which must not
 * return: ours records the status and message and longjmps back.  Each
 * entry point therefore keeps everything the cleanup needs in a struct
 * owned by its caller (decoder / encoder below), and only a small inner
 * function calls setjmp, so no local of that function is read after the
 * jump (C11 7.13.2.1 leaves such locals indeterminate).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include <jpeglib.h>    /* after stdio.h, which internal.h includes */
#include <jerror.h>

/*
 * A progressive file may have any number of scans, and each one walks the
 * whole coefficient buffer: a small file declaring a large image and
 * thousands of tiny scans can take minutes to decode.  Real encoders use
 * about 10; TurboJPEG's TJFLAG_LIMITSCANS draws the line at 500 too.
 */
#define MAX_SCANS 500

/*
 * Within that, each scan still costs a pass over its blocks: 442 scans of
 * an 8000 x 8000 grey image, 177 KB of file, took 8 s to decode.  Scans
 * times blocks is refused over this (about 5 s), which lets a 100 MP
 * photo have 50 scans and more; counted before any decoding.
 */
#define MAX_SCAN_BLOCKS 250000000.0

/* libjpeg's fixed-size memory beyond the coefficient buffers: tables,
 * a few rows of samples, saved APP1/APP2 markers (each under 64 KiB). */
#define JPEG_MEM_SLACK ((uint64_t)64 << 20)

/* An ICC profile is split into at most 255 APP2 chunks of this much. */
#define ICC_CHUNK 65519u

/* ---- errors ------------------------------------------------------------ */

typedef struct jpeg_fail {
    struct jpeg_error_mgr pub;  /* first, so cinfo->err points at us */
    jmp_buf jmp;
    const char *name;
    smp_error *err;
    smp_status status;          /* what the longjmp reports */
} jpeg_fail;

static jpeg_fail *fail_of(j_common_ptr cinfo)
{
    return (jpeg_fail *)(void *)cinfo->err;
}

static smp_status status_of(int code, int decompressing)
{
    switch (code) {
    case JERR_OUT_OF_MEMORY:
        return SMP_ERR_NOMEM;
    case JERR_NO_BACKING_STORE:     /* over max_memory_to_use */
    case JERR_EMPTY_IMAGE:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
        return SMP_ERR_LIMIT;
    case JERR_FILE_WRITE:
        return SMP_ERR_IO;
    case JERR_NO_SOI:
    case JERR_SOF_UNSUPPORTED:      /* lossless, hierarchical */
    case JERR_BAD_PRECISION:        /* 12-bit */
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_ARITH_NOTIMPL:
        return SMP_ERR_FORMAT;
    default:
        return decompressing ? SMP_ERR_CORRUPT : SMP_ERR_ARG;
    }
}

/* libjpeg's error_exit: records its message as our error and jumps back
 * to the entry point; warnings that mean damage come here too. */
static _Noreturn void fail_exit(j_common_ptr cinfo)
{
    jpeg_fail *f = fail_of(cinfo);
    int e = errno;
    char msg[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, msg);
    smp_status st = status_of(cinfo->err->msg_code, cinfo->is_decompressor);
    switch (st) {
    case SMP_ERR_NOMEM:
        smp_fail(f->err, st, "%s: out of memory in libjpeg", f->name);
        break;
    case SMP_ERR_LIMIT:
        if (cinfo->err->msg_code == JERR_EMPTY_IMAGE)
            smp_fail(f->err, st, "%s: JPEG has zero width or height",
                     f->name);
        else if (cinfo->err->msg_code == JERR_NO_BACKING_STORE)
            smp_fail(f->err, st, "%s: JPEG needs more memory than its size "
                     "allows (decompression bomb?)", f->name);
        else
            smp_fail(f->err, st, "%s: %s", f->name, msg);
        break;
    case SMP_ERR_IO:
        smp_fail(f->err, st, "%s: cannot write: %s", f->name,
                 e ? strerror(e) : msg);
        break;
    case SMP_ERR_FORMAT:
        smp_fail(f->err, st, "%s: unsupported JPEG: %s", f->name, msg);
        break;
    case SMP_ERR_CORRUPT: {
        /* "corrupt JPEG data: bad Huffman code", not "... data: Corrupt
         * JPEG data: bad ..." */
        static const char pre[] = "Corrupt JPEG data: ";
        const char *m = strncmp(msg, pre, sizeof pre - 1) == 0
                        ? msg + sizeof pre - 1 : msg;
        smp_fail(f->err, st, "%s: corrupt JPEG data: %s", f->name, m);
        break;
    }
    default:
        smp_fail(f->err, st, "%s: cannot encode JPEG: %s", f->name, msg);
        break;
    }
    f->status = st;
    longjmp(f->jmp, 1);
}

/*
 * libjpeg "warns" and carries on when the data is damaged: a truncated
 * file is padded with a fake end marker and decodes to a half-grey image.
 * We refuse such images instead; only warnings that leave the pixels
 * intact are let through.
 */
static void fail_emit(j_common_ptr cinfo, int level)
{
    if (level >= 0 || !cinfo->is_decompressor)
        return;     /* traces; the encoder only warns about our misuse */
    switch (cinfo->err->msg_code) {
    case JWRN_ADOBE_XFORM:      /* unknown transform code: colours guessed */
    case JWRN_JFIF_MAJOR:       /* a future JFIF version */
    case JWRN_BOGUS_ICC:        /* the profile is dropped, pixels are fine */
        return;
    default:
        fail_exit(cinfo);
    }
}

/* Never print: the library has no terminal. */
static void fail_output(j_common_ptr cinfo)
{
    (void)cinfo;
}

static void fail_init(jpeg_fail *f, const char *name, smp_error *err)
{
    jpeg_std_error(&f->pub);
    f->pub.error_exit = fail_exit;
    f->pub.emit_message = fail_emit;
    f->pub.output_message = fail_output;
    f->name = name;
    f->err = err;
    f->status = SMP_OK;
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct decoder {
    struct jpeg_decompress_struct cinfo;
    jpeg_fail fail;
    struct jpeg_progress_mgr progress;
    const uint8_t *data;
    size_t size;
    uint64_t max_pixels;
    int created;                /* cinfo needs jpeg_destroy_decompress */
    smp_image *img;
    JOCTET *icc;                /* malloc()ed by jpeg_read_icc_profile */
    unsigned int icc_len;
    int orientation;
} decoder;

static void count_scans(j_common_ptr cinfo)
{
    if (!cinfo->is_decompressor)
        return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > MAX_SCANS) {
        jpeg_fail *f = fail_of(cinfo);
        f->status = smp_fail(f->err, SMP_ERR_LIMIT, "%s: JPEG has more than "
                             "%d scans (decompression bomb?)", f->name,
                             MAX_SCANS);
        longjmp(f->jmp, 1);
    }
}

/* The scans in a JPEG: its SOS markers.  Entropy-coded data cannot hold
 * FF DA (an FF there is followed by 00), so only a JPEG embedded in a
 * marker segment (an EXIF thumbnail) can add a few. */
static unsigned long sos_count(const uint8_t *d, size_t n)
{
    unsigned long count = 0;
    for (const uint8_t *p = d; n >= 2;) {
        const uint8_t *ff = memchr(p, 0xff, n - 1);
        if (!ff)
            break;
        count += ff[1] == 0xda;
        n -= (size_t)(ff - p) + 1;
        p = ff + 1;
    }
    return count;
}

/* round(dpi / 0.0254) */
static uint32_t dpi_to_ppm(uint32_t dpi)
{
    return (uint32_t)(((uint64_t)dpi * 10000 + 127) / 254);
}

static smp_resolution jfif_resolution(const struct jpeg_decompress_struct *ci)
{
    smp_resolution r = {SMP_RES_NONE, 0, 0};
    if (!ci->saw_JFIF_marker || ci->X_density == 0 || ci->Y_density == 0)
        return r;
    switch (ci->density_unit) {
    case 0:
        /* 1:1 is what every JFIF writer puts when it knows nothing */
        if (ci->X_density != ci->Y_density) {
            r.unit = SMP_RES_ASPECT;
            r.x = ci->X_density;
            r.y = ci->Y_density;
        }
        break;
    case 1:
        r.unit = SMP_RES_PER_METRE;
        r.x = dpi_to_ppm(ci->X_density);
        r.y = dpi_to_ppm(ci->Y_density);
        break;
    case 2:
        r.unit = SMP_RES_PER_METRE;
        r.x = (uint32_t)ci->X_density * 100;
        r.y = (uint32_t)ci->Y_density * 100;
        break;
    default:
        break;
    }
    return r;
}

/* Keeps the ICC profile only if it describes RGB data, as our output is. */
static void keep_rgb_icc(decoder *d)
{
    if (!jpeg_read_icc_profile(&d->cinfo, &d->icc, &d->icc_len))
        return;
    /* bytes 16..19 of the header: the profile's data colour space */
    if (d->icc_len < 128 || memcmp(d->icc + 16, "RGB ", 4) != 0) {
        free(d->icc);
        d->icc = NULL;
        d->icc_len = 0;
    }
}

static int exif_orientation(const struct jpeg_decompress_struct *ci)
{
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0)
            return smp_exif_orientation(m->data, m->data_length);
    return 1;
}

/* Calls setjmp; see the top of the file.  Leaves d->img for the caller. */
static smp_status decode(decoder *d)
{
    struct jpeg_decompress_struct *ci = &d->cinfo;
    ci->err = &d->fail.pub;
    if (setjmp(d->fail.jmp))
        return d->fail.status;

    const char *name = d->fail.name;
    smp_error *err = d->fail.err;
    d->created = 1;     /* safe to destroy even half made: d was zeroed */
    jpeg_create_decompress(ci);
    if (d->size > ULONG_MAX)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: file too large", name);
    jpeg_mem_src(ci, d->data, (unsigned long)d->size);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);   /* EXIF */
    jpeg_save_markers(ci, JPEG_APP0 + 2, 0xffff);   /* ICC */
    jpeg_read_header(ci, TRUE);

    uint32_t w = ci->image_width, h = ci->image_height;
    if (w == 0 || h == 0)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: JPEG has zero width or "
                        "height", name);
    if ((uint64_t)w * h > d->max_pixels)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: %ux%u pixels is over the "
                        "limit of %llu (use --max-pixels)", name,
                        (unsigned)w, (unsigned)h,
                        (unsigned long long)d->max_pixels);
    switch (ci->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        return smp_fail(err, SMP_ERR_FORMAT, "%s: CMYK JPEG is not "
                        "supported; convert it to RGB first", name);
    default:
        return smp_fail(err, SMP_ERR_FORMAT, "%s: JPEG with %d colour "
                        "components is not supported", name,
                        ci->num_components);
    }
    double blocks = 0;
    for (int i = 0; i < ci->num_components; i++)
        blocks += (double)ci->comp_info[i].width_in_blocks *
                  ci->comp_info[i].height_in_blocks;
    unsigned long scans = sos_count(d->data, d->size);
    if (scans > 1 && scans * blocks > MAX_SCAN_BLOCKS)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: JPEG has %lu scans of %ux%u "
                        "pixels, too many to decode (decompression bomb?)",
                        name, scans, (unsigned)w, (unsigned)h);

    /*
     * Progressive and multi-scan files keep every DCT coefficient until
     * the end: 2 bytes a sample, at most 3 full-resolution components,
     * padded to whole MCUs (32 pixels at most).  That buffer is the only
     * libjpeg allocation that grows with the image and the one libjpeg
     * 2.1 checks against max_memory_to_use; the cap is a backstop tied to
     * the pixel count we have just accepted.
     */
    uint64_t mem = ((uint64_t)w + 64) * ((uint64_t)h + 64) * 2 *
                   (uint64_t)ci->num_components + JPEG_MEM_SLACK;
    ci->mem->max_memory_to_use = mem > LONG_MAX ? LONG_MAX : (long)mem;
    d->progress.progress_monitor = count_scans;
    ci->progress = &d->progress;

    keep_rgb_icc(d);
    d->orientation = exif_orientation(ci);

    /* libjpeg-turbo expands grey and fills the 4th byte with 255 */
    ci->out_color_space = JCS_EXT_RGBA;
    jpeg_start_decompress(ci);
    if (ci->output_width != w || ci->output_height != h ||
        ci->output_components != 4)
        return smp_fail(err, SMP_ERR_FORMAT, "%s: unexpected JPEG output "
                        "layout", name);
    smp_status st = smp_image_alloc(w, h, &d->img, err);
    if (st != SMP_OK)
        return smp_fail(err, st, "%s: cannot allocate a %ux%u image", name,
                        (unsigned)w, (unsigned)h);

    while (ci->output_scanline < h) {
        JSAMPROW rows[16];
        JDIMENSION n = 0;
        for (; n < 16 && ci->output_scanline + n < h; n++)
            rows[n] = d->img->pixels +
                      (size_t)(ci->output_scanline + n) * d->img->stride;
        if (jpeg_read_scanlines(ci, rows, n) == 0)  /* cannot suspend */
            return smp_fail(err, SMP_ERR_CORRUPT, "%s: JPEG decoder "
                            "stalled", name);
    }
    /* reads up to the end marker: damage after the last row counts too */
    jpeg_finish_decompress(ci);

    d->img->format = SMP_FORMAT_JPEG;
    d->img->has_alpha = 0;
    d->img->srgb_intent = -1;
    d->img->res = jfif_resolution(ci);
    d->img->icc = d->icc;
    d->img->icc_size = d->icc ? d->icc_len : 0;
    d->icc = NULL;
    return SMP_OK;
}

smp_status smp_jpeg_decode(const uint8_t *data, size_t size,
                           const char *name, uint64_t max_pixels,
                           smp_image **out, smp_error *err)
{
    *out = NULL;
    decoder d;
    memset(&d, 0, sizeof d);
    fail_init(&d.fail, name, err);
    d.data = data;
    d.size = size;
    d.max_pixels = max_pixels;

    smp_status st = decode(&d);
    if (d.created)
        jpeg_destroy_decompress(&d.cinfo);
    free(d.icc);
    smp_image *img = d.img;
    if (st == SMP_OK && d.orientation > 1) {
        st = smp_image_orient(&img, d.orientation, err);
        if (st != SMP_OK)
            smp_fail(err, st, "%s: out of memory turning the image upright",
                     name);
    }
    if (st != SMP_OK) {
        smp_image_free(img);
        return st;
    }
    *out = img;
    return SMP_OK;
}

/* The header alone, for its size; calls setjmp. */
typedef struct prober {
    struct jpeg_decompress_struct cinfo;
    jpeg_fail fail;
    int created;
} prober;

static int probe(prober *p, const uint8_t *data, size_t size, uint32_t *w,
                 uint32_t *h)
{
    struct jpeg_decompress_struct *ci = &p->cinfo;
    ci->err = &p->fail.pub;
    if (setjmp(p->fail.jmp))
        return -1;
    p->created = 1;
    jpeg_create_decompress(ci);
    if (size > ULONG_MAX)
        return -1;
    jpeg_mem_src(ci, data, (unsigned long)size);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(ci, TRUE);
    int turned = exif_orientation(ci) >= 5;     /* a quarter turn */
    *w = turned ? ci->image_height : ci->image_width;
    *h = turned ? ci->image_width : ci->image_height;
    return *w && *h ? 0 : -1;
}

int smp_jpeg_probe(const uint8_t *data, size_t size, uint32_t *w,
                   uint32_t *h)
{
    prober p;
    smp_error ignored;
    memset(&p, 0, sizeof p);
    fail_init(&p.fail, "", &ignored);
    int r = probe(&p, data, size, w, h);
    if (p.created)
        jpeg_destroy_decompress(&p.cinfo);
    return r;
}

/* ---- encoding ---------------------------------------------------------- */

typedef struct encoder {
    struct jpeg_compress_struct cinfo;
    jpeg_fail fail;
    const smp_image *img;
    FILE *fp;
    int quality;
    atomic_int *cancel;
    const smp_feed *feed;       /* rows still being made, or NULL */
    int created;                /* cinfo needs jpeg_destroy_compress */
    uint8_t *row;               /* one row composited over white */
} encoder;

/* round(ppm * 0.0254) */
static uint32_t ppm_to_dpi(uint32_t ppm)
{
    return (uint32_t)(((uint64_t)ppm * 254 + 5000) / 10000);
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/*
 * JFIF stores 16-bit densities per inch or per cm.  Inches when the value
 * came from a whole dpi (almost every photo: 72, 300 ...) so that it reads
 * back unchanged; centimetres otherwise.
 */
static void set_density(struct jpeg_compress_struct *ci,
                        const smp_resolution *r)
{
    ci->density_unit = 0;
    ci->X_density = ci->Y_density = 1;
    uint32_t x = r->x, y = r->y;
    if (x == 0 || y == 0)
        return;
    if (r->unit == SMP_RES_PER_METRE) {
        uint32_t dx = ppm_to_dpi(x), dy = ppm_to_dpi(y);
        if (dx && dy && dx <= 65535 && dy <= 65535 &&
            dpi_to_ppm(dx) == x && dpi_to_ppm(dy) == y) {
            ci->density_unit = 1;
            ci->X_density = (UINT16)dx;
            ci->Y_density = (UINT16)dy;
            return;
        }
        uint32_t cx = (x + 50) / 100, cy = (y + 50) / 100;
        if (cx && cy && cx <= 65535 && cy <= 65535) {
            ci->density_unit = 2;
            ci->X_density = (UINT16)cx;
            ci->Y_density = (UINT16)cy;
        }
    } else if (r->unit == SMP_RES_ASPECT) {
        uint32_t g = gcd32(x, y);
        x /= g;
        y /= g;
        while (x > 65535 || y > 65535) {    /* keep the ratio roughly */
            x = (x + 1) / 2;
            y = (y + 1) / 2;
        }
        ci->X_density = (UINT16)x;
        ci->Y_density = (UINT16)y;
    }
}

/*
 * JPEG has no alpha, so a transparent pixel is shown as it would be on a
 * white page (in sRGB-encoded values, as browsers composite).  Returns
 * src itself when the row is opaque, else the composited copy in `buf`.
 */
static const uint8_t *over_white(const uint8_t *src, uint8_t *buf,
                                 uint32_t w)
{
    /* alpha bytes two pixels at a time: most photos are opaque */
    static const uint8_t opaque[8] = {0, 0, 0, 255, 0, 0, 0, 255};
    uint64_t mask, v;
    memcpy(&mask, opaque, 8);
    uint32_t x = 0;
    for (; x + 2 <= w; x += 2) {
        memcpy(&v, src + 4 * (size_t)x, 8);
        if ((v & mask) != mask)
            break;
    }
    while (x < w && src[4 * (size_t)x + 3] == 255)
        x++;
    if (x == w)
        return src;
    for (size_t i = 0; i < 4 * (size_t)w; i += 4) {
        unsigned a = src[i + 3], bg = 255 * (255 - a);
        buf[i] = (uint8_t)((src[i] * a + bg + 127) / 255);
        buf[i + 1] = (uint8_t)((src[i + 1] * a + bg + 127) / 255);
        buf[i + 2] = (uint8_t)((src[i + 2] * a + bg + 127) / 255);
        buf[i + 3] = 255;
    }
    return buf;
}

/* Calls setjmp; see the top of the file. */
static smp_status encode(encoder *e)
{
    struct jpeg_compress_struct *ci = &e->cinfo;
    ci->err = &e->fail.pub;
    if (setjmp(e->fail.jmp))
        return e->fail.status;

    const smp_image *img = e->img;
    const char *name = e->fail.name;
    smp_error *err = e->fail.err;
    e->created = 1;
    jpeg_create_compress(ci);
    jpeg_stdio_dest(ci, e->fp);
    ci->image_width = img->width;
    ci->image_height = img->height;
    ci->input_components = 4;
    ci->in_color_space = JCS_EXT_RGBX;  /* reads our RGBA rows in place */
    jpeg_set_defaults(ci);
    jpeg_set_quality(ci, e->quality, TRUE);
    /*
     * 4:2:0 halves colour resolution both ways.  Below 90 that is the
     * usual trade, but previews are made of sub-millimetre pigment dots a
     * pixel or two wide, whose colour then bleeds into the skin around
     * them; at 90 and above keep full-resolution colour (4:4:4).
     */
    int s = e->quality < 90 ? 2 : 1;
    ci->comp_info[0].h_samp_factor = s;
    ci->comp_info[0].v_samp_factor = s;
    ci->comp_info[1].h_samp_factor = ci->comp_info[1].v_samp_factor = 1;
    ci->comp_info[2].h_samp_factor = ci->comp_info[2].v_samp_factor = 1;
    /* Optimised Huffman tables save ~9 % of the bytes but triple the
     * encode time of a 12 MP preview; a consultation is waiting on it. */
    ci->optimize_coding = FALSE;
    set_density(ci, &img->res);
    /* no EXIF is written: pixels are upright, so there is no orientation */
    jpeg_start_compress(ci, TRUE);
    if (img->icc && img->icc_size)
        jpeg_write_icc_profile(ci, img->icc, (unsigned int)img->icc_size);

    const smp_feed *feed = e->feed;
    for (uint32_t y = 0; y < img->height; y++) {
        if (e->cancel && *e->cancel)
            return smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", name);
        /* (the rows before are in libjpeg's buffers by now) */
        if (smp_feed_band(feed, y, img->height))
            return smp_fail(err, SMP_ERR_CANCELLED, "%s: cancelled", name);
        const uint8_t *src = img->pixels + (size_t)y * img->stride;
        const uint8_t *row = over_white(src, e->row, img->width);
        /* libjpeg's row type is not const, but it only reads input rows */
        JSAMPROW jrow = (JSAMPROW)(uintptr_t)row;
        jpeg_write_scanlines(ci, &jrow, 1);
    }
    if (feed && feed->read)
        feed->read(feed->ctx, img->height);
    jpeg_finish_compress(ci);   /* flushes; stdio errors end in fail_exit */
    if (ferror(e->fp))
        return smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", name,
                        strerror(errno ? errno : EIO));
    return SMP_OK;
}

smp_status smp_jpeg_encode(const smp_image *img, FILE *fp, int quality,
                           const char *name, atomic_int *cancel,
                           const smp_feed *feed, smp_error *err)
{
    if (quality < 1 || quality > 100)
        return smp_fail(err, SMP_ERR_ARG, "%s: JPEG quality %d not in 1-100",
                        name, quality);
    if (img->width == 0 || img->height == 0 ||
        img->width > JPEG_MAX_DIMENSION || img->height > JPEG_MAX_DIMENSION)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: %ux%u cannot be stored as "
                        "JPEG (at most %u pixels a side)", name,
                        (unsigned)img->width, (unsigned)img->height,
                        (unsigned)JPEG_MAX_DIMENSION);
    if (img->icc && img->icc_size > (size_t)255 * ICC_CHUNK)
        return smp_fail(err, SMP_ERR_LIMIT, "%s: ICC profile of %zu bytes "
                        "is too large for JPEG", name, img->icc_size);
    encoder e;
    memset(&e, 0, sizeof e);
    e.row = malloc((size_t)img->width * 4);
    if (!e.row)
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", name);
    fail_init(&e.fail, name, err);
    e.img = img;
    e.fp = fp;
    e.quality = quality;
    e.cancel = cancel;
    e.feed = feed;

    errno = 0;  /* so a write error reports its own cause */
    smp_status st = encode(&e);
    if (e.created)
        jpeg_destroy_compress(&e.cinfo);
    free(e.row);
    return st;
}
