/*
 * mksamples.c - draws the bundled sample "client photos" procedurally.
 *
 *     mksamples OUTDIR     writes OUTDIR/crown.jpg, front.jpg, thinning.png,
 *                          dark.jpg, grey.jpg, alopecia.jpg (+ -mask.png),
 *                          scar.jpg (+ -mask.png) and infill.jpg
 *
 * Nothing comes from real photos or texture files: skin, stubble, hair and
 * backdrop are all drawn from gradient noise and many small stamps, with
 * fixed seeds and a private PRNG, so every run writes the same pixels.
 * Shading is done in linear light and encoded to sRGB at the end with a
 * little sensor grain (which also hides any banding).  Masks are written
 * as they are drawn, grey levels without grain.
 *
 * The drawing lives in gen/: core.c (noise, canvas, stamps), skin.c
 * (lighting, skin, stubble) and one file per kind of view: crown.c (top
 * down), front.c (face-on), back.c (back of the head), closeup.c.
 *
 * Only libc, libm and libsmp's public smp_image_new / smp_image_save.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gen/gen.h"

typedef struct sample {
    const char *name;
    int w, h;
    smp_format format;
    float grain;
    draw_fn draw;
    const char *mask;       /* its mask's file name, or NULL */
    uint32_t salt;          /* varies the grain between same-sized photos */
} sample;

static int save(smp_image *img, const char *dir, const char *name,
                smp_format format)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "mksamples: output path too long\n");
        return 1;
    }
    smp_error err;
    img->res.unit = SMP_RES_NONE;
    img->res.x = img->res.y = 0;
    img->format = format;
    smp_save_options opt = {format, 90, NULL};
    if (smp_image_save(img, path, &opt, &err) != SMP_OK) {
        fprintf(stderr, "mksamples: %s\n", err.msg);
        return 1;
    }
    printf("%s\n", path);
    return 0;
}

static smp_image *new_image(int w, int h)
{
    smp_image *img;
    smp_error err;
    if (smp_image_new((uint32_t)w, (uint32_t)h, &img, &err) != SMP_OK) {
        fprintf(stderr, "mksamples: %s\n", err.msg);
        return NULL;
    }
    return img;
}

static int make(const char *dir, const sample *s)
{
    size_t npx = (size_t)s->w * (size_t)s->h;
    canvas c;
    float *mask = s->mask ? calloc(npx, sizeof *mask) : NULL;
    if (!canvas_init(&c, s->w, s->h) || (s->mask && !mask) ||
        !s->draw(&c, mask)) {
        canvas_free(&c);
        free(mask);
        fprintf(stderr, "mksamples: out of memory\n");
        return 1;
    }
    smp_image *img = new_image(s->w, s->h);
    if (!img) {
        canvas_free(&c);
        free(mask);
        return 1;
    }
    canvas_to_image(&c, img, s->grain,
                    (uint32_t)s->w * 7u + (uint32_t)s->h + s->salt);
    canvas_free(&c);
    int rc = save(img, dir, s->name, s->format);
    smp_image_free(img);
    if (rc || !mask)
        return rc;

    if (!(img = new_image(s->w, s->h))) {
        free(mask);
        return 1;
    }
    for (int y = 0; y < s->h; y++) {
        uint8_t *row = img->pixels + (size_t)y * img->stride;
        for (int x = 0; x < s->w; x++) {
            float m = mask[(size_t)y * (size_t)s->w + (size_t)x];
            uint8_t g = (uint8_t)floorf(255.0f * clampf(m, 0.0f, 1.0f) + 0.5f);
            row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = g;
            row[4 * x + 3] = 255;
        }
    }
    free(mask);
    rc = save(img, dir, s->mask, SMP_FORMAT_PNG);
    smp_image_free(img);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mksamples OUTDIR\n");
        return 2;
    }
    static const sample samples[] = {
        {"crown.jpg", 1600, 1200, SMP_FORMAT_JPEG, 1.4f, draw_crown, NULL, 0},
        {"front.jpg", 1200, 1600, SMP_FORMAT_JPEG, 1.4f, draw_front, NULL, 0},
        {"thinning.png", 1200, 900, SMP_FORMAT_PNG, 0.7f, draw_thinning, NULL, 0},
        {"dark.jpg", 1600, 1200, SMP_FORMAT_JPEG, 1.4f, draw_dark, NULL, 1},
        {"grey.jpg", 1600, 1200, SMP_FORMAT_JPEG, 1.4f, draw_grey, NULL, 2},
        {"alopecia.jpg", 1600, 1200, SMP_FORMAT_JPEG, 1.4f, draw_alopecia,
         "alopecia-mask.png", 3},
        {"scar.jpg", 1600, 1200, SMP_FORMAT_JPEG, 1.4f, draw_scar,
         "scar-mask.png", 4},
        {"infill.jpg", 1200, 900, SMP_FORMAT_JPEG, 1.0f, draw_infill, NULL, 5},
    };
    noise_init();
    srgb_init();
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (make(argv[1], &samples[i]) != 0)
            return 1;
    return 0;
}
