/*
 * image_io.c - reading and writing photos: a file is read whole, its
 * format told from its first bytes (never from its name), and handed to
 * the PNG or JPEG back-end; outputs go through atomic.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"

/* Larger files cannot be a photo within any sane pixel limit. */
#define MAX_FILE_BYTES ((size_t)1 << 30)

static int is_png(const uint8_t *d, size_t n)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    return n >= 8 && memcmp(d, sig, 8) == 0;
}

static int is_jpeg(const uint8_t *d, size_t n)
{
    return n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
}

smp_status smp_image_load_mem(const void *data, size_t size, const char *name,
                              const smp_load_options *opt, smp_image **out,
                              smp_error *err)
{
    uint64_t max = opt && opt->max_pixels ? opt->max_pixels
                                          : SMP_DEFAULT_MAX_PIXELS;
    *out = NULL;
    if (size == 0)
        return smp_fail(err, SMP_ERR_FORMAT, "%s: empty file", name);
    if (is_png(data, size))
        return smp_png_decode(data, size, name, max, out, err);
    if (is_jpeg(data, size))
        return smp_jpeg_decode(data, size, name, max, out, err);
    return smp_fail(err, SMP_ERR_FORMAT, "%s: not a PNG or JPEG image", name);
}

int smp_feed_band(const smp_feed *feed, uint32_t y, uint32_t height)
{
    if (!feed || y % SMP_FEED_ROWS != 0)
        return 0;
    if (y && feed->read)
        feed->read(feed->ctx, y);
    return feed->ready(feed->ctx, height - y > SMP_FEED_ROWS
                                  ? y + SMP_FEED_ROWS : height);
}

int smp_image_is_jpeg(const uint8_t *data, size_t size)
{
    return is_jpeg(data, size);
}

smp_status smp_image_read(const char *path, uint8_t **data, size_t *size,
                          smp_error *err)
{
    *data = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return smp_fail(err, SMP_ERR_IO, "%s: cannot open: %s", path,
                        strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        int e = errno;
        fclose(fp);
        return smp_fail(err, SMP_ERR_IO, "%s: cannot read: %s", path,
                        strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(fp);
        return smp_fail(err, SMP_ERR_IO, "%s: is a directory", path);
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(fp);
        return smp_fail(err, SMP_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > MAX_FILE_BYTES) {
        fclose(fp);
        return smp_fail(err, SMP_ERR_LIMIT, "%s: file too large (%lld bytes)",
                        path, (long long)st.st_size);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(fp);
        return smp_fail(err, SMP_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, n, fp);
    int rerr = ferror(fp);
    fclose(fp);
    if (rerr) {
        free(buf);
        return smp_fail(err, SMP_ERR_IO, "%s: read error", path);
    }
    *data = buf;
    *size = got;
    return SMP_OK;
}

smp_status smp_image_load(const char *path, const smp_load_options *opt,
                          smp_image **out, smp_error *err)
{
    uint8_t *buf;
    size_t n;
    *out = NULL;
    smp_status s = smp_image_read(path, &buf, &n, err);
    if (s == SMP_OK)
        s = smp_image_load_mem(buf, n, path, opt, out, err);
    free(buf);
    return s;
}

smp_status smp_image_write(const smp_image *img, FILE *fp, const char *name,
                           const smp_save_options *opt, const smp_feed *feed,
                           smp_error *err)
{
    smp_format f = opt ? opt->format : SMP_FORMAT_AUTO;
    int q = opt && opt->quality ? opt->quality : 90;
    atomic_int *cancel = opt ? opt->cancel : NULL;
    if (f == SMP_FORMAT_AUTO)
        f = img->format == SMP_FORMAT_JPEG ? SMP_FORMAT_JPEG : SMP_FORMAT_PNG;
    if (f == SMP_FORMAT_JPEG)
        return smp_jpeg_encode(img, fp, q, name, cancel, feed, err);
    return smp_png_encode(img, fp, name, cancel, feed, err);
}

smp_status smp_image_save(const smp_image *img, const char *path,
                          const smp_save_options *opt, smp_error *err)
{
    int q = opt && opt->quality ? opt->quality : 90;
    if (q < 1 || q > 100)
        return smp_fail(err, SMP_ERR_ARG, "JPEG quality %d not in 1-100", q);
    smp_atomic a;
    smp_status s = smp_atomic_open(&a, path, err);
    if (s != SMP_OK)
        return s;
    s = smp_image_write(img, a.fp, path, opt, NULL, err);
    if (s == SMP_OK)
        return smp_atomic_commit(&a, err);
    smp_atomic_abort(&a);
    return s;
}
