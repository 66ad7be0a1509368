/* test_hairline.c - the head frame, its estimate, hairline presets and
 * their edge profiles. */
#include <math.h>
#include <string.h>
#include "testutil.h"
#include "hairline.h"

static void test_frame_each_front(void **state)
{
    (void)state;
    const smp_front fronts[4] = {SMP_FRONT_TOP, SMP_FRONT_BOTTOM,
                                 SMP_FRONT_LEFT, SMP_FRONT_RIGHT};
    /* the front-most point of the head in photo pixels, for each front */
    const double fx[4] = {100, 100, 60, 140}, fy[4] = {50, 150, 100, 100};
    for (int i = 0; i < 4; i++) {
        smp_head h = {100, 100, 40, 50, fronts[i]};
        smp_frame fr;
        smp_frame_init(&fr, &h);
        double a, b, x, y;
        smp_frame_to_head(&fr, fx[i], fy[i], &a, &b);
        assert_true(fabs(a) < 1e-9 && fabs(b - 1) < 1e-9);
        smp_frame_to_photo(&fr, 0.3, -0.6, &x, &y);
        smp_frame_to_head(&fr, x, y, &a, &b);
        assert_true(fabs(a - 0.3) < 1e-9 && fabs(b + 0.6) < 1e-9);
        assert_true(smp_frame_coverage(&fr, 100, 100, 2) == 1.0);
        assert_true(smp_frame_coverage(&fr, 100 + 45, 100 + 55, 2) == 0.0);
    }
}

static void test_head_estimate(void **state)
{
    (void)state;
    smp_image *img = tu_skin_photo(900, 700, 430, 370, 300, 260);
    smp_head h;
    int closeup;
    assert_int_equal(smp_head_estimate(img, SMP_VIEW_TOP, &h, &closeup, NULL),
                     SMP_OK);
    assert_true(fabs(h.cx - 430) < 8 && fabs(h.cy - 370) < 8);
    assert_true(fabs(h.rx - 300) < 0.04 * 300);
    assert_true(fabs(h.ry - 260) < 0.04 * 260);
    assert_false(closeup);
    smp_image_free(img);
    /* a close-up: skin to the edges, a few hairs; no backdrop at all */
    img = tu_solid(400, 300, 0);
    for (uint32_t y = 0; y < 300; y++)
        for (uint32_t x = 0; x < 400; x++) {
            uint8_t *q = img->pixels + y * img->stride + x * 4;
            int hair = (x + 2 * y) % 37 < 2;
            q[0] = hair ? 50 : 200;
            q[1] = hair ? 40 : 150;
            q[2] = hair ? 35 : 125;
        }
    assert_int_equal(smp_head_estimate(img, SMP_VIEW_TOP, &h, &closeup, NULL),
                     SMP_OK);
    assert_true(closeup);
    assert_true(h.rx > 200 && h.ry > 150);
    smp_image_free(img);
}

/* Face-on: a dome on top of a face that runs off the bottom of the photo;
 * only the dome sets the head frame. */
static void test_head_estimate_front(void **state)
{
    (void)state;
    smp_image *img = tu_skin_photo(800, 1000, 400, 520, 260, 354);
    /* the neck and shoulders below the head, also not backdrop */
    for (uint32_t y = 800; y < 1000; y++)
        for (uint32_t x = 100; x < 700; x++)
            memset(img->pixels + y * img->stride + x * 4, 60, 3);
    smp_head h;
    int closeup;
    assert_int_equal(smp_head_estimate(img, SMP_VIEW_FRONT, &h, &closeup, NULL),
                     SMP_OK);
    assert_false(closeup);
    assert_int_equal(h.front, SMP_FRONT_BOTTOM);
    assert_true(fabs(h.cx - 400) < 8);
    assert_true(fabs(h.rx - 260) < 0.04 * 260);
    assert_true(fabs(h.cy - h.ry - (520 - 354)) < 10);   /* the crown */
    smp_image_free(img);
}

static smp_hairline *make(const char *name, smp_edge edge, double shift)
{
    static smp_hairline hl;
    smp_head h = {500, 500, 400, 400, SMP_FRONT_TOP};
    smp_frame fr;
    smp_frame_init(&fr, &h);
    smp_error e;
    if (smp_hairline_init(&hl, name, &fr, SMP_VIEW_TOP, 5.0, edge, shift, 0,
                          3, &e))
        fail_msg("%s", e.msg);
    return &hl;
}

static void test_presets(void **state)
{
    (void)state;
    const char *const *n = smp_hairline_names();
    int count = 0;
    for (; *n; n++, count++) {
        smp_hairline *hl = make(*n, SMP_EDGE_PRESET, 0);
        /* far behind the line: full density; far ahead: none */
        assert_true(fabs(smp_hairline_profile(hl, 500, 850) - 1.0) < 1e-9);
        if (!hl->none)
            assert_true(smp_hairline_profile(hl, 500, 110) == 0.0);
    }
    assert_true(count >= 7);
    smp_hairline hl;
    smp_head h = {500, 500, 400, 400, SMP_FRONT_TOP};
    smp_frame fr;
    smp_frame_init(&fr, &h);
    smp_error e;
    assert_int_equal(smp_hairline_init(&hl, "mullet", &fr, SMP_VIEW_TOP, 5, 0, 0,
                                       0, 1, &e),
                     SMP_ERR_ARG);
    assert_non_null(strstr(e.msg, "mullet"));
}

/* The line's y at the centre of a straight hairline, photo pixels. */
#define LINE_Y (500 - 0.55 * 400)

static void test_distance_and_shift(void **state)
{
    (void)state;
    smp_hairline *hl = make("straight", SMP_EDGE_SHARP, 0);
    assert_true(fabs(smp_hairline_distance_mm(hl, 500, LINE_Y + 10) - 2.0)
                < 0.01);
    assert_true(fabs(smp_hairline_distance_mm(hl, 500, LINE_Y - 10) + 2.0)
                < 0.01);
    /* beyond its reach the distance is clamped */
    assert_true(smp_hairline_distance_mm(hl, 500, LINE_Y + 200) * 5.0
                <= hl->reach_px + 1e-9);
    hl = make("straight", SMP_EDGE_SOFT, 4.0);   /* 4 mm forward */
    assert_true(fabs(smp_hairline_distance_mm(hl, 500, LINE_Y) - 4.0) < 0.01);
}

static void test_receding_temples(void **state)
{
    (void)state;
    smp_hairline *hl = make("receding", SMP_EDGE_SOFT, 0);
    /* the middle reaches further forward than the temples */
    double mid = smp_hairline_distance_mm(hl, 500, 400);
    double temple = smp_hairline_distance_mm(hl, 500 + 0.52 * 400, 400);
    assert_true(mid > 5 && temple < -5);
    int m = SMP_HAIRLINE_SAMPLES / 2, t = (int)(0.76 * SMP_HAIRLINE_SAMPLES);
    assert_true(hl->bh[m] > hl->bh[t] + 0.2);
    assert_true(hl->bh[SMP_HAIRLINE_SAMPLES - 1 - t] < hl->bh[m] - 0.2);
}

static void test_edge_profiles(void **state)
{
    (void)state;
    /* sharp: a step within half a millimetre */
    smp_hairline *hl = make("straight", SMP_EDGE_SHARP, 0);
    assert_true(smp_hairline_profile(hl, 500, LINE_Y - 2.5) < 0.01);
    assert_true(smp_hairline_profile(hl, 500, LINE_Y + 2.5) > 0.99);
    /* soft: a smooth, monotonic ramp, the same all along the line */
    hl = make("straight", SMP_EDGE_SOFT, 0);
    double prev = -1;
    for (double s = -12; s <= 12; s += 0.5) {
        double v = smp_hairline_profile(hl, 500, LINE_Y + s);
        assert_true(v >= prev);
        assert_true(fabs(v - smp_hairline_profile(hl, 400, LINE_Y + s)) < 1e-6);
        prev = v;
    }
    /* feathered: wanders along the line, a tail of lone dots ahead */
    hl = make("straight", SMP_EDGE_FEATHERED, 0);
    double sum = 0, sum2 = 0;
    int n = 0, tail = 0;
    for (double x = 250; x <= 750; x += 5) {
        double v = smp_hairline_profile(hl, x, LINE_Y);
        sum += v;
        sum2 += v * v;
        n++;
        tail += smp_hairline_profile(hl, x, LINE_Y - 8 * 5.0) > 0;
    }
    double sd = sqrt(sum2 / n - (sum / n) * (sum / n));
    assert_true(sd > 0.08);
    assert_true(tail > n / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_each_front),
        cmocka_unit_test(test_head_estimate),
        cmocka_unit_test(test_head_estimate_front),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_distance_and_shift),
        cmocka_unit_test(test_receding_temples),
        cmocka_unit_test(test_edge_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
