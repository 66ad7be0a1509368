/* test_stamp.c - colour tables, inks and the dot stamp. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "stamp.h"

static void test_lut_round_trip(void **state)
{
    (void)state;
    smp_lut *t = malloc(sizeof *t);
    smp_lut_init(t);
    for (int v = 0; v < 256; v++)
        assert_int_equal(t->l2s[t->s2l[v]], v);
    /* known points of the sRGB curve */
    assert_int_equal(t->s2l[0], 0);
    assert_int_equal(t->s2l[255], 65535);
    assert_true(abs((int)t->s2l[128] - 14146) <= 2);   /* 0.2158 */
    free(t);
}

static void test_ink_tables(void **state)
{
    (void)state;
    smp_lut *t = malloc(sizeof *t);
    smp_lut_init(t);
    smp_ink ink;
    smp_ink_init(&ink, smp_default_shade, t);
    for (int c = 0; c < 3; c++) {
        assert_int_equal(ink.mul[c][0], 65536);      /* no pigment */
        for (int q = 1; q < 256; q++)
            assert_true(ink.mul[c][q] < ink.mul[c][q - 1]);
        /* full load: the shade's own transmittance */
        double want = t->s2l[smp_default_shade[c]] / 65535.0 * 65536.0;
        assert_true(fabs(ink.mul[c][255] - want) <= 2.0);
    }
    free(t);
}

typedef struct fixture {
    smp_lut lut;
    smp_ink ink;
} fixture;

static int setup(void **state)
{
    fixture *f = malloc(sizeof *f);
    smp_lut_init(&f->lut);
    smp_ink_init(&f->ink, smp_default_shade, &f->lut);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Darkness taken out of the canvas, in linear light, and its centroid. */
static double darkness(const smp_image *img, const smp_lut *t, uint8_t bg,
                       double *cx, double *cy)
{
    double sum = 0, sx = 0, sy = 0;
    for (uint32_t y = 0; y < img->height; y++)
        for (uint32_t x = 0; x < img->width; x++) {
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            double d = (t->s2l[bg] - t->s2l[p[1]]) / 65535.0;
            sum += d;
            sx += d * (x + 0.5);
            sy += d * (y + 0.5);
        }
    if (cx) *cx = sx / sum;
    if (cy) *cy = sy / sum;
    return sum;
}

static void test_dot_darkens_only_its_footprint(void **state)
{
    fixture *f = *state;
    smp_image *img = tu_solid(40, 40, 200);
    smp_dot d = {20.3f, 19.6f, 5.0f, 1.0f, 0.0f, 1.0f, {0, 0}, 1};
    smp_stamp_dot(img, &d, 0.35, 0, &f->ink, &f->lut);
    double reach = 2.5 + 0.5 * 0.35 * 5.0 + 1.0;
    for (uint32_t y = 0; y < 40; y++)
        for (uint32_t x = 0; x < 40; x++) {
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            double dx = x + 0.5 - d.x, dy = y + 0.5 - d.y;
            if (sqrt(dx * dx + dy * dy) > reach)
                assert_int_equal(p[0] | p[1] << 8 | p[2] << 16,
                                 200 | 200 << 8 | 200 << 16);
            assert_int_equal(p[3], 255);
        }
    /* the centre carries the full load: the shade filters the skin */
    const uint8_t *c = img->pixels + 19 * img->stride + 20 * 4;
    for (int ch = 0; ch < 3; ch++) {
        double want = f->lut.s2l[200] / 65535.0 *
                      f->lut.s2l[smp_default_shade[ch]] / 65535.0;
        assert_true(abs(f->lut.l2s[(int)(want * 65535 + 0.5)] - c[ch]) <= 1);
    }
    smp_image_free(img);
}

/* With a light ink, darkness is nearly linear in the pigment laid down,
 * so it measures the stamp's coverage. */
static void test_subpixel_position_and_area(void **state)
{
    fixture *f = *state;
    smp_ink light;
    const uint8_t grey[3] = {160, 160, 160};
    smp_ink_init(&light, grey, &f->lut);
    double prev_x = 0, base = 0;
    for (int i = 0; i < 5; i++) {
        smp_image *img = tu_solid(32, 32, 255);
        float x = 15.0f + 0.25f * (float)i;
        smp_dot d = {x, 16.1f, 3.0f, 1.0f, 0.0f, 0.3f, {0, 0}, 1};
        smp_stamp_dot(img, &d, 0.35, 0, &light, &f->lut);
        double cx, cy;
        double dark = darkness(img, &f->lut, 255, &cx, &cy);
        /* the dot's weight follows its centre to a small fraction of a
         * pixel, and its total does not depend on where it sits */
        assert_true(fabs(cx - x) < 0.06);
        assert_true(fabs(cy - 16.1) < 0.06);
        if (i == 0)
            base = dark;
        else
            assert_true(fabs(dark - base) < 0.03 * base);
        assert_true(cx > prev_x);
        prev_x = cx;
        smp_image_free(img);
    }
}

static void test_size_opacity_and_shape(void **state)
{
    fixture *f = *state;
    double dk[3];
    const float diam[3] = {2.0f, 4.0f, 8.0f};
    for (int i = 0; i < 3; i++) {
        smp_image *img = tu_solid(40, 40, 210);
        smp_dot d = {20.0f, 20.0f, diam[i], 1.0f, 0.0f, 0.6f, {0, 0}, 1};
        smp_stamp_dot(img, &d, 0.2, 0, &f->ink, &f->lut);
        dk[i] = darkness(img, &f->lut, 210, NULL, NULL);
        smp_image_free(img);
    }
    /* darkness grows with area, roughly 4x per doubling once the dot is
     * larger than its soft edge */
    assert_true(dk[1] > 2.5 * dk[0]);
    assert_true(dk[2] > 3.2 * dk[1] && dk[2] < 4.8 * dk[1]);
    /* a lighter load filters less: skin * T^load at the centre */
    for (int i = 1; i <= 4; i++) {
        smp_image *a = tu_solid(20, 20, 210);
        smp_dot da = {10, 10, 6, 1, 0, 0.25f * (float)i, {0, 0}, 1};
        smp_stamp_dot(a, &da, 0.2, 0, &f->ink, &f->lut);
        double t = f->lut.s2l[smp_default_shade[1]] / 65535.0;
        double want = f->lut.s2l[210] / 65535.0 * pow(t, da.opacity);
        int got = a->pixels[9 * a->stride + 9 * 4 + 1];
        assert_true(abs(got - f->lut.l2s[(int)(want * 65535 + 0.5)]) <= 1);
        smp_image_free(a);
    }
    /* an elongated dot at 90 degrees is taller than wide */
    smp_image *e = tu_solid(30, 30, 210);
    smp_dot de = {15, 15, 10, 0.4f, 1.5707963f, 1.0f, {0, 0}, 1};
    smp_stamp_dot(e, &de, 0.1, 0, &f->ink, &f->lut);
    int wide = 0, tall = 0;
    for (int i = 0; i < 30; i++) {
        wide += e->pixels[15 * e->stride + i * 4 + 1] < 200;
        tall += e->pixels[i * e->stride + 15 * 4 + 1] < 200;
    }
    assert_true(tall > 2 * wide);
    smp_image_free(e);
}

static void test_clipped_at_the_border(void **state)
{
    fixture *f = *state;
    smp_image *img = tu_solid(8, 8, 200);
    const smp_dot dots[] = {
        {0.2f, 0.3f, 4, 1, 0, 1, {0, 0}, 1},
        {7.9f, 7.8f, 4, 1, 0, 1, {0, 0}, 1},
        {-30, 4, 4, 1, 0, 1, {0, 0}, 1},
        {4, 1e6f, 4, 1, 0, 1, {0, 0}, 1},
    };
    for (int i = 0; i < 4; i++)
        smp_stamp_dot(img, &dots[i], 0.35, 0, &f->ink, &f->lut);
    assert_true(img->pixels[1] < 200);
    assert_true(img->pixels[7 * img->stride + 7 * 4 + 1] < 200);
    smp_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lut_round_trip),
        cmocka_unit_test(test_ink_tables),
        cmocka_unit_test_setup_teardown(test_dot_darkens_only_its_footprint,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_subpixel_position_and_area,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_opacity_and_shape, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clipped_at_the_border, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
