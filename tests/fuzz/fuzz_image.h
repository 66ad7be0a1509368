/*
 * fuzz_image.h - what fuzz_png and fuzz_jpeg check about every input:
 * smp_image_load_mem either refuses it with one line naming the file and
 * no image, or returns a well-formed image, which must then survive being
 * written as PNG (read back pixel for pixel) and as JPEG (read back at the
 * same size).  A broken promise aborts, which libFuzzer reports as a crash.
 */
#ifndef SMP_FUZZ_IMAGE_H
#define SMP_FUZZ_IMAGE_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* open_memstream */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "fuzz.h"

/* Small enough that no input can make the fuzzer run out of memory; the
 * limit code is the same at any size. */
#define FUZZ_MAX_PIXELS (4u << 20)
/* Images above this are decoded but not written back: encoding is slow
 * and its code paths do not depend on the size. */
#define FUZZ_ROUNDTRIP_PIXELS (1u << 16)

/* A refusal: the status is recorded, the message is one line that starts
 * with the file's name, and nothing is returned. */
static void fuzz_check_refusal(smp_status st, const smp_error *err,
                               const smp_image *img, const char *name)
{
    size_t n = strlen(name);
    FUZZ_CHECK(st != SMP_OK && img == NULL && err->status == st);
    FUZZ_CHECK(strncmp(err->msg, name, n) == 0 && err->msg[n] == ':');
    FUZZ_CHECK(strchr(err->msg, '\n') == NULL);
}

static void fuzz_check_image(const smp_image *img, smp_format format)
{
    FUZZ_CHECK(img->width > 0 && img->height > 0 && img->pixels);
    FUZZ_CHECK((uint64_t)img->width * img->height <= FUZZ_MAX_PIXELS);
    FUZZ_CHECK(img->stride == (size_t)img->width * 4);
    FUZZ_CHECK(img->format == format);
    FUZZ_CHECK((img->icc == NULL) == (img->icc_size == 0));
    if (!img->has_alpha)
        for (size_t i = 3; i < img->stride * img->height; i += 4)
            FUZZ_CHECK(img->pixels[i] == 255);
}

/* Encodes img into memory; NULL when the encoder refuses it. */
static uint8_t *fuzz_encode(const smp_image *img, smp_format f,
                            size_t *size, smp_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    FUZZ_CHECK(fp != NULL);
    smp_status st = f == SMP_FORMAT_PNG
        ? smp_png_encode(img, fp, "out", NULL, NULL, err)
        : smp_jpeg_encode(img, fp, 75, "out", NULL, NULL, err);
    FUZZ_CHECK(fclose(fp) == 0);
    if (st != SMP_OK) {
        free(buf);
        return NULL;
    }
    *size = len;
    return (uint8_t *)buf;
}

static void fuzz_round_trip(const smp_image *img)
{
    if ((uint64_t)img->width * img->height > FUZZ_ROUNDTRIP_PIXELS)
        return;
    smp_load_options lo = {FUZZ_MAX_PIXELS};
    smp_error err;
    smp_image *back;
    size_t n;

    /* PNG is lossless: the same pixels and the same alpha flag */
    uint8_t *png = fuzz_encode(img, SMP_FORMAT_PNG, &n, &err);
    FUZZ_CHECK(png != NULL);
    FUZZ_CHECK(smp_image_load_mem(png, n, "out.png", &lo, &back, &err)
               == SMP_OK);
    FUZZ_CHECK(back->width == img->width && back->height == img->height);
    FUZZ_CHECK(back->has_alpha == img->has_alpha);
    FUZZ_CHECK(memcmp(back->pixels, img->pixels,
                      img->stride * img->height) == 0);
    smp_image_free(back);
    free(png);

    /* JPEG is lossy, and refuses sides over 65500 pixels */
    uint8_t *jpg = fuzz_encode(img, SMP_FORMAT_JPEG, &n, &err);
    if (!jpg) {
        FUZZ_CHECK(err.status == SMP_ERR_LIMIT &&
                   (img->width > 65500 || img->height > 65500));
        return;
    }
    FUZZ_CHECK(smp_image_load_mem(jpg, n, "out.jpg", &lo, &back, &err)
               == SMP_OK);
    FUZZ_CHECK(back->width == img->width && back->height == img->height);
    FUZZ_CHECK(!back->has_alpha);
    smp_image_free(back);
    free(jpg);
}

/* The whole check for one input given as a file called `name`. */
/* Loads, checks and round-trips; the image, or NULL if refused. */
static smp_image *fuzz_load(const uint8_t *data, size_t size,
                            const char *name)
{
    smp_load_options lo = {FUZZ_MAX_PIXELS};
    smp_error err;
    smp_image *img = (smp_image *)1;
    smp_status st = smp_image_load_mem(data, size, name, &lo, &img, &err);
    if (st != SMP_OK) {
        fuzz_check_refusal(st, &err, img, name);
        return NULL;
    }
    /* told from the bytes, whatever the name says */
    fuzz_check_image(img, data[0] == 0x89 ? SMP_FORMAT_PNG : SMP_FORMAT_JPEG);
    fuzz_round_trip(img);
    return img;
}

#endif
