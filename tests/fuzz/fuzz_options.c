/*
 * fuzz_options.c - libFuzzer harness for the render options parser
 * (cli_options.c), which reads command-line values and, later, manifest
 * columns.  The input is lines of "name=value", fed in order to
 * cli_render_set and then cli_render_finish.  Whatever the parser accepts
 * must be accepted or refused cleanly by smp_render_new on a small photo,
 * and a plan it makes must render: options are outside data too.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32
/* The dots in a plan grow with the photo's area in cm2, not its pixels;
 * plans of more than this many would make the fuzzer crawl without
 * reaching new code, so their density is lowered (or they are skipped). */
#define MAX_DOTS 20000.0

/* A 32x24 photo of a head on a backdrop, made once: small, so that even
 * the densest plan renders in a fraction of a second. */
static const smp_image *photo(void)
{
    static smp_image *img;
    if (img)
        return img;
    FUZZ_CHECK(smp_image_new(32, 24, &img, NULL) == SMP_OK);
    for (uint32_t y = 0; y < img->height; y++)
        for (uint32_t x = 0; x < img->width; x++) {
            uint8_t *p = img->pixels + y * img->stride + x * 4;
            double a = (x - 16.0) / 13, b = (y - 12.0) / 10;
            int in = a * a + b * b <= 1;
            p[0] = in ? 205 : 120;
            p[1] = in ? 160 : 130;
            p[2] = in ? (uint8_t)(135 + (x * 7 + y * 3) % 5) : 142;
        }
    return img;
}

static void check_message(const char *msg, size_t size)
{
    FUZZ_CHECK(memchr(msg, '\0', size) != NULL);
    FUZZ_CHECK(msg[0] != '\0');
}

/* Caps p's density so that the plan has at most about MAX_DOTS dots;
 * returns 0 if even the lowest density would have more.  The scale is
 * the one render.c uses, from a 150 mm head width when not given, taking
 * the smaller radius to be safe; the photo's head has radii 13 and 10. */
static int cap_dots(smp_params *p)
{
    double lat = p->has_head ? fmin(p->head.rx, p->head.ry) : 10;
    double scale = p->scale > 0 ? p->scale : 2 * lat / 150;
    double area_cm2 = 32.0 * 24.0 / (scale * scale) / 100;
    if (area_cm2 * p->density > MAX_DOTS)
        p->density = MAX_DOTS / area_cm2;
    return p->density >= 1;
}

/* A plan made from accepted options: well-formed dots, and sessions that
 * render. */
static void render(smp_params *p)
{
    if (!cap_dots(p))
        return;
    smp_render *r;
    smp_error err;
    smp_status st = smp_render_new(photo(), p, &r, &err);
    if (st != SMP_OK) {
        FUZZ_CHECK(st == SMP_ERR_ARG || st == SMP_ERR_REGION);
        FUZZ_CHECK(err.status == st && err.msg[0]);
        FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
        return;
    }
    smp_render_info in;
    smp_render_get_info(r, &in);
    FUZZ_CHECK(in.sessions == p->sessions);
    FUZZ_CHECK(isfinite(in.scale) && in.scale > 0);
    for (int k = 1; k < in.sessions; k++)
        FUZZ_CHECK(in.dots[k] >= in.dots[k - 1]);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    FUZZ_CHECK(n == in.dots[in.sessions - 1]);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(d[i].x >= 0 && d[i].x < 32 && d[i].y >= 0 && d[i].y < 24);
        FUZZ_CHECK(d[i].session >= 1 && d[i].session <= in.sessions);
        FUZZ_CHECK(isfinite(d[i].diameter) && d[i].diameter > 0);
        FUZZ_CHECK(d[i].opacity > 0 && d[i].opacity <= 1);
    }
    for (int k = 1; k <= in.sessions; k++) {
        const smp_image *out;
        FUZZ_CHECK(smp_render_session(r, k, &out, &err) == SMP_OK);
    }
    smp_render_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* names and values point into this copy, which outlives c */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';

    cli_render c;
    cli_render_init(&c);
    char msg[256];
    int ok = 1, pairs = 0;
    for (char *line = text; line && ok && pairs < MAX_PAIRS; pairs++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        const char *value = "";
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        msg[0] = '\0';
        int rc = cli_render_set(&c, line, value, msg, sizeof msg);
        FUZZ_CHECK(rc == 0 || rc == 1 || rc == -1);
        if (rc == -1)
            check_message(msg, sizeof msg);
        ok = rc == 0;
        line = next;
    }
    if (ok) {
        msg[0] = '\0';
        int rc = cli_render_finish(&c, msg, sizeof msg);
        FUZZ_CHECK(rc == 0 || rc == -1);
        if (rc == -1) {
            check_message(msg, sizeof msg);
        } else {
            smp_params *p = &c.job.params;
            FUZZ_CHECK(p->sessions >= 1 && p->sessions <= SMP_MAX_SESSIONS);
            FUZZ_CHECK(c.nsplit == 0 || c.nsplit == p->sessions);
            render(p);
        }
    }
    free(text);
    return 0;
}
