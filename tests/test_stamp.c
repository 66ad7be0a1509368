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

/* A canvas of varied skin-like bytes, the same for the same seed. */
static smp_image *textured(uint32_t w, uint32_t h, uint32_t seed)
{
    smp_image *img = tu_solid(w, h, 0);
    uint32_t s = seed;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img->pixels + y * img->stride + x * 4;
            tu_next(&s);
            p[0] = (uint8_t)(150 + (s >> 26));
            p[1] = (uint8_t)(110 + (s >> 27));
            p[2] = (uint8_t)(90 + ((s >> 20) & 31));
        }
    return img;
}

/* Dots of every kind the stamp has a path for: under a pixel to wider
 * than its flat path (spans over 64 px, rows in several pieces), round
 * and wobbly, small and large tables, at and past the canvas's edges. */
static smp_dot some_dot(uint32_t *s, float w, float h)
{
    static const float sizes[] = {0.6f, 2.0f, 2.7f, 3.3f, 4.2f, 5.0f,
                                  7.5f, 12.0f, 30.0f, 90.0f};
    float f[6];
    for (int k = 0; k < 6; k++)
        f[k] = tu_unit(s);
    smp_dot d = {f[0] * (w + 20) - 10, f[1] * (h + 20) - 10,
                 sizes[(int)(f[2] * 10)] * (0.9f + 0.2f * f[3]),
                 0.7f + 0.3f * f[4], 7.0f * f[5] - 0.5f,
                 0.2f + f[3], {0.1f * f[4] - 0.05f, 0.05f - 0.1f * f[5]},
                 1};
    if (f[4] < 0.2f)
        d.shape[0] = d.shape[1] = 0;
    return d;
}

/* The SIMD path gives the very bytes of the plain C one. */
static void test_simd_matches_plain(void **state)
{
    fixture *f = *state;
    const double soft[2] = {0.35, 0.6}, spread[2] = {0.10, 0};
    for (int k = 0; k < 2; k++) {
        smp_image *a = textured(160, 120, 5), *b = textured(160, 120, 5);
        smp_stamper *sa = smp_stamper_new(soft[k], spread[k]);
        smp_stamper *sb = smp_stamper_new(soft[k], spread[k]);
        assert_non_null(sa);
        assert_non_null(sb);
        smp_stamper_scalar(sb, 1);
        uint32_t s = 17 + (uint32_t)k;
        for (int i = 0; i < 600; i++) {
            smp_dot d = some_dot(&s, 160, 120);
            smp_stamper_dot(sa, a, &d, &f->ink, &f->lut);
            smp_stamper_dot(sb, b, &d, &f->ink, &f->lut);
        }
        assert_memory_equal(a->pixels, b->pixels, a->stride * a->height);
        smp_stamper_free(sa);
        smp_stamper_free(sb);
        smp_image_free(a);
        smp_image_free(b);
    }
}

/* The same for a few thousand small dots (the path nearly every dot of a
 * render takes: rows a few groups of four, spans of a few pixels), of
 * every load, piled up on a small canvas and across its edges. */
static void test_small_dots_simd_match_plain(void **state)
{
    fixture *f = *state;
    smp_image *a = textured(48, 40, 9), *b = textured(48, 40, 9);
    smp_stamper *sa = smp_stamper_new(0.35, 0.10);
    smp_stamper *sb = smp_stamper_new(0.35, 0.10);
    assert_non_null(sa);
    assert_non_null(sb);
    smp_stamper_scalar(sb, 1);
    uint32_t s = 5;
    for (int i = 0; i < 4000; i++) {
        float u[7];
        for (int k = 0; k < 7; k++)
            u[k] = tu_unit(&s);
        smp_dot d = {u[0] * 56 - 4, u[1] * 48 - 4, 0.6f + 5.6f * u[2],
                     0.7f + 0.3f * u[3], 6.28f * u[4], 0.05f + 1.1f * u[5],
                     {0.12f * u[6] - 0.06f, 0.06f - 0.12f * u[3]}, 1};
        smp_stamper_dot(sa, a, &d, &f->ink, &f->lut);
        smp_stamper_dot(sb, b, &d, &f->ink, &f->lut);
        if (i % 500 == 499)
            assert_memory_equal(a->pixels, b->pixels,
                                a->stride * a->height);
    }
    smp_stamper_free(sa);
    smp_stamper_free(sb);
    smp_image_free(a);
    smp_image_free(b);
}

/* A wobbly dot with a skirt, as a render stamps them, has the same
 * darkness wherever it sits on the pixel grid, and at every angle. */
static void test_darkness_on_the_grid(void **state)
{
    fixture *f = *state;
    smp_ink light;
    const uint8_t grey[3] = {170, 170, 170};
    smp_ink_init(&light, grey, &f->lut);
    smp_stamper *st = smp_stamper_new(0.35, 0.10);
    assert_non_null(st);
    const float diam[3] = {2.2f, 3.4f, 4.8f};
    for (int k = 0; k < 3; k++) {
        double lo = 1e9, hi = 0;
        for (int i = 0; i < 16; i++) {
            smp_image *img = tu_solid(24, 24, 240);
            smp_dot d = {12.0f + 0.0625f * (float)i, 11.5f + 0.05f * (float)i,
                         diam[k], 0.85f, 0.4f * (float)i, 0.8f,
                         {0.05f, -0.05f}, 1};
            smp_stamper_dot(st, img, &d, &light, &f->lut);
            double dk = darkness(img, &f->lut, 240, NULL, NULL);
            lo = fmin(lo, dk);
            hi = fmax(hi, dk);
            smp_image_free(img);
        }
        assert_true(lo > 0);
        assert_true(hi < 1.03 * lo);
    }
    smp_stamper_free(st);
}

/* A dot cut by the canvas's edge is the part of the whole dot that falls
 * on it (to a step of a byte), and nothing beyond is touched. */
static void test_edge_is_a_cut(void **state)
{
    fixture *f = *state;
    smp_stamper *st = smp_stamper_new(0.35, 0.10);
    assert_non_null(st);
    const float at[4][2] = {{1.25f, 2.5f}, {9.75f, 8.5f}, {-0.5f, 5.25f},
                            {5.5f, 10.75f}};
    for (int k = 0; k < 4; k++) {
        smp_image *small = textured(10, 10, 9), *big = textured(42, 42, 3);
        for (uint32_t y = 0; y < 10; y++)   /* the same bytes beneath */
            memcpy(big->pixels + (y + 16) * big->stride + 16 * 4,
                   small->pixels + y * small->stride, 10 * 4);
        smp_image *ref = textured(42, 42, 3);
        memcpy(ref->pixels, big->pixels, big->stride * big->height);
        smp_dot d = {at[k][0], at[k][1], 4.5f, 0.85f, 0.7f, 0.9f,
                     {0.05f, -0.05f}, 1};
        smp_stamper_dot(st, small, &d, &f->ink, &f->lut);
        d.x += 16;
        d.y += 16;
        smp_stamper_dot(st, big, &d, &f->ink, &f->lut);
        for (uint32_t y = 0; y < 10; y++)
            for (uint32_t x = 0; x < 40; x++) {
                const uint8_t *p = small->pixels + y * small->stride + x;
                const uint8_t *q = big->pixels + (y + 16) * big->stride +
                                   16 * 4 + x;
                assert_true(abs(*p - *q) <= 1);
            }
        /* the rest of the small canvas's row padding and alpha: as were */
        for (uint32_t y = 0; y < 10; y++)
            for (uint32_t x = 0; x < 10; x++)
                assert_int_equal(small->pixels[y * small->stride + x * 4 + 3],
                                 255);
        smp_image_free(small);
        smp_image_free(big);
        smp_image_free(ref);
    }
    smp_stamper_free(st);
}

/* Dots with a field out of range leave the canvas as it was. */
static void test_hostile_dots(void **state)
{
    fixture *f = *state;
    const float inf = INFINITY, nan = NAN;
    const smp_dot bad[] = {
        {nan, 5, 4, 1, 0, 1, {0, 0}, 1},
        {5, nan, 4, 1, 0, 1, {0, 0}, 1},
        {inf, 5, 4, 1, 0, 1, {0, 0}, 1},
        {-inf, 5, 4, 1, 0, 1, {0, 0}, 1},
        {5, inf, 4, 1, 0, 1, {0, 0}, 1},
        {1e30f, -1e30f, 4, 1, 0, 1, {0, 0}, 1},
        {5, 5, nan, 1, 0, 1, {0, 0}, 1},
        {5, 5, 4, nan, 0, 1, {0, 0}, 1},
        {5, 5, 4, 1, 0, nan, {0, 0}, 1},
        {5, 5, -4, 1, 0, 1, {0, 0}, 1},
        {5, 5, 4, 1, 0, 0, {0, 0}, 1},
    };
    for (int scalar = 0; scalar < 2; scalar++) {
        smp_stamper *st = smp_stamper_new(0.35, 0.10);
        assert_non_null(st);
        smp_stamper_scalar(st, scalar);
        smp_image *img = textured(12, 12, 1), *was = textured(12, 12, 1);
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
            smp_stamper_dot(st, img, &bad[i], &f->ink, &f->lut);
        assert_memory_equal(img->pixels, was->pixels,
                            img->stride * img->height);
        /* a dot turned by a NaN or a huge angle is still a dot */
        smp_dot odd = {6, 6, 4, 0.8f, nan, 1, {0, 0}, 1};
        smp_stamper_dot(st, img, &odd, &f->ink, &f->lut);
        odd.angle = 1e20f;
        smp_stamper_dot(st, img, &odd, &f->ink, &f->lut);
        assert_true(img->pixels[6 * img->stride + 6 * 4 + 1] <
                    was->pixels[6 * was->stride + 6 * 4 + 1]);
        smp_image_free(img);
        smp_image_free(was);
        smp_stamper_free(st);
    }
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
        cmocka_unit_test_setup_teardown(test_simd_matches_plain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_small_dots_simd_match_plain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_darkness_on_the_grid, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_edge_is_a_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_dots, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
