/*
 * test_placement.c - smp_place and smp_relative_radius on density fields
 * built by hand: counts per session, spread of every session prefix, local
 * density (uniform core, feather ramp, sharp edge), holes, the photo's
 * bounds, determinism, argument checks and cancelling.  The relative
 * radius itself is checked on a hexagonal lattice and a known close pair.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "internal.h"

#define W 1200
#define H 900
#define CELL 4.0f
#define LAM (1.0f / 144.0f)     /* 1 dot/mm^2 at 12 px/mm: ~13 px apart */

static const double split3[3] = {0.4, 0.75, 1.0};

/* lambda(x, y) at a field cell's centre */
typedef float (*shape_fn)(float x, float y);

static float uniform(float x, float y)
{
    (void)x;
    (void)y;
    return LAM;
}

/* lambda = 0 in a rectangle and in a disc */
#define RX0 150.0f
#define RX1 400.0f
#define RY0 200.0f
#define RY1 600.0f
#define DCX 800.0f
#define DCY 450.0f
#define DR 160.0f
static float holes(float x, float y)
{
    if (x >= RX0 && x < RX1 && y >= RY0 && y < RY1)
        return 0;
    if ((x - DCX) * (x - DCX) + (y - DCY) * (y - DCY) < DR * DR)
        return 0;
    return LAM;
}

/* a feathered hairline: nothing left of 400, full from 550 */
#define R0 400.0f
#define RW 150.0f
static float ramp(float x, float y)
{
    (void)y;
    return x < R0 ? 0 : x < R0 + RW ? LAM * (x - R0) / RW : LAM;
}

/* a sharp hairline at x = 600 */
#define EDGE 600.0f
static float step(float x, float y)
{
    (void)y;
    return x < EDGE ? 0 : LAM;
}

static void make_field(smp_field *f, uint32_t w, uint32_t h, shape_fn fn)
{
    assert_int_equal(smp_field_init(f, w, h, CELL, NULL), SMP_OK);
    for (uint32_t j = 0; j < f->h; j++)
        for (uint32_t i = 0; i < f->w; i++)
            f->lambda[(size_t)j * f->w + i] =
                fn(((float)i + 0.5f) * CELL, ((float)j + 0.5f) * CELL);
}

static smp_point *place(const smp_field *f, int sessions, const double *cum,
                        uint64_t seed, size_t *counts)
{
    smp_point *pts = NULL;
    smp_error err;
    smp_status st = smp_place(f, sessions, cum, seed, NULL, &pts, counts,
                              &err);
    if (st != SMP_OK)
        fail_msg("smp_place: %s", err.msg);
    assert_non_null(pts);
    return pts;
}

/* Sessions come out in order, each prefix as counted, and each prefix is
 * spread: relative radius in [0.65, 0.9). */
static void check_prefixes(const smp_field *f, const smp_point *pts,
                           const size_t *counts, int sessions,
                           const double *cum)
{
    size_t i = 0;
    for (int k = 0; k < sessions; k++) {
        if (k > 0)
            assert_true(counts[k] > counts[k - 1]);
        for (; i < counts[k]; i++)
            assert_int_equal(pts[i].session, k + 1);
        double rho = smp_relative_radius(pts, counts[k], f, cum[k]);
        if (!(rho >= 0.65 && rho < 0.9))
            fail_msg("session %d: relative radius %.4f", k + 1, rho);
    }
}

static size_t count_in(const smp_point *pts, size_t n, float x0, float y0,
                       float x1, float y1)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += pts[i].x >= x0 && pts[i].x < x1 && pts[i].y >= y0 &&
             pts[i].y < y1;
    return c;
}

/* Expected dots in [x0, x1) x [y0, y1) at share `cum`, integrating the
 * field as smp_field_at reads it (midpoint rule, 1 px steps). */
static double expected_in(const smp_field *f, float x0, float y0, float x1,
                          float y1, double cum)
{
    double e = 0;
    for (float y = y0 + 0.5f; y < y1; y += 1.0f)
        for (float x = x0 + 0.5f; x < x1; x += 1.0f)
            e += smp_field_at(f, x, y);
    return e * cum;
}

static void check_counts(const smp_field *f, const size_t *counts,
                         int sessions, const double *cum)
{
    double total = smp_field_total(f);
    for (int k = 0; k < sessions; k++) {
        double want = cum[k] * total;
        if (fabs((double)counts[k] - want) > 0.01 * want)
            fail_msg("session %d: %zu dots, expected %.1f", k + 1, counts[k],
                     want);
    }
}

/* Full density in [x0, x1) x [y0, y1), within tol. */
static void check_core(const smp_point *pts, const size_t *counts,
                       float x0, float y0, float x1, float y1, double tol)
{
    for (int k = 0; k < 3; k++) {
        double want = (double)(x1 - x0) * (y1 - y0) * LAM * split3[k];
        double got = (double)count_in(pts, counts[k], x0, y0, x1, y1);
        if (fabs(got / want - 1) > tol)
            fail_msg("session %d: %.0f dots in the core, expected %.1f",
                     k + 1, got, want);
    }
}

/* Three sessions' dots on a W x H field of `fn`, their counts and the
 * spread of every prefix checked. */
static smp_point *place_checked(smp_field *f, shape_fn fn, uint64_t seed,
                                size_t *counts)
{
    make_field(f, W, H, fn);
    smp_point *pts = place(f, 3, split3, seed, counts);
    check_counts(f, counts, 3, split3);
    check_prefixes(f, pts, counts, 3, split3);
    return pts;
}

static void test_uniform(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3];
    smp_point *pts = place_checked(&f, uniform, 1, counts);
    check_core(pts, counts, 300, 225, 900, 675, 0.03);
    free(pts);
    smp_field_release(&f);
}

static void test_holes(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3];
    smp_point *pts = place_checked(&f, holes, 2, counts);
    /* none where lambda is 0, none well inside a hole (the bilinear
     * lookup blurs each hole's rim by a field cell) */
    const float m = 2 * CELL;
    for (size_t i = 0; i < counts[2]; i++) {
        float x = pts[i].x, y = pts[i].y;
        assert_true(smp_field_at(&f, x, y) > 0);
        assert_false(x >= RX0 + m && x < RX1 - m && y >= RY0 + m &&
                     y < RY1 - m);
        assert_false(hypotf(x - DCX, y - DCY) < DR - m);
    }
    /* full density away from the holes and the photo's edges */
    check_core(pts, counts, 40, 640, 1160, 860, 0.05);
    free(pts);
    smp_field_release(&f);
}

/* Strips [x, x + width) of the whole height from x0 to x1: dots against
 * the field's own integral, within `tol` where 40 or more are expected. */
static void check_strips(const smp_field *f, const smp_point *pts,
                         const size_t *counts, float x0, float x1,
                         float width, double tol)
{
    for (int k = 0; k < 3; k++) {
        for (float x = x0; x + width <= x1; x += width) {
            double want = expected_in(f, x, 0, x + width, H, split3[k]);
            double got = (double)count_in(pts, counts[k], x, 0, x + width, H);
            if (want >= 40 && fabs(got / want - 1) > tol)
                fail_msg("session %d, strip %.0f..%.0f: %.0f dots, expected "
                         "%.1f", k + 1, x, x + width, got, want);
        }
    }
}

static void test_ramp(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3];
    smp_point *pts = place_checked(&f, ramp, 3, counts);
    for (size_t i = 0; i < counts[2]; i++)
        assert_true(pts[i].x >= R0 - CELL);
    /* The ramp as a whole, then in strips: its thin end gets ~13% fewer
     * dots than lambda asks, as it must (a dot where lambda is low keeps
     * its wide spacing clear, also towards the denser side). */
    check_strips(&f, pts, counts, R0, R0 + RW, RW, 0.10);
    check_strips(&f, pts, counts, R0, R0 + RW, 50, 0.35);
    check_strips(&f, pts, counts, R0 + RW, R0 + RW + 600, 100, 0.08);
    check_core(pts, counts, 700, 150, 1100, 750, 0.05);
    free(pts);
    smp_field_release(&f);
}

static void test_step(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3];
    smp_point *pts = place_checked(&f, step, 4, counts);
    /* lambda rises from 0 at x = 598 (a cell centre) to full at 602 */
    for (size_t i = 0; i < counts[2]; i++)
        assert_true(pts[i].x > EDGE - CELL / 2);
    check_strips(&f, pts, counts, EDGE, W, 100, 0.08);
    check_core(pts, counts, 700, 150, 1100, 750, 0.05);
    free(pts);
    smp_field_release(&f);
}

static void test_deterministic(void **state)
{
    (void)state;
    smp_field f;
    size_t c1[3], c2[3], c3[3];
    make_field(&f, W, H, ramp);
    smp_point *a = place(&f, 3, split3, 42, c1);
    smp_point *b = place(&f, 3, split3, 42, c2);
    smp_point *c = place(&f, 3, split3, 43, c3);
    assert_memory_equal(c1, c2, sizeof c1);
    assert_memory_equal(a, b, c1[2] * sizeof *a);
    size_t n = c1[2] < c3[2] ? c1[2] : c3[2];
    assert_true(memcmp(a, c, n * sizeof *a) != 0);
    free(a);
    free(b);
    free(c);
    smp_field_release(&f);
}

/* FNV-1a over the dots' coordinates (their bits) and sessions. */
static uint64_t dots_hash(const smp_point *pts, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        uint32_t v[3];
        memcpy(&v[0], &pts[i].x, sizeof v[0]);
        memcpy(&v[1], &pts[i].y, sizeof v[1]);
        v[2] = pts[i].session;
        for (int k = 0; k < 3; k++)
            for (int b = 0; b < 32; b += 8) {
                h ^= (v[k] >> b) & 0xff;
                h *= 1099511628211ull;
            }
    }
    return h;
}

/*
 * A field and a seed give the same dots in every build: these sums were
 * taken from the plain C placement, before the SSE2 paths (stamping,
 * neighbour search, listing live cells) came in, which must not change a
 * single dot; nor may a compiler, a platform or a later speed-up.  Sizes
 * that are no multiple of 4 or 16 cells put the padded ends of grid rows to
 * use; the ramp and holes put lambda lookups, steep edges and far-reaching
 * dots to use.
 */
static void test_same_dots(void **state)
{
    (void)state;
    static const struct {
        uint32_t w, h;
        shape_fn fn;
        uint64_t seed, hash;
    } cases[] = {
        {1001, 777, ramp, 7, 0x311e0ea21aa0981cull},
        {998, 701, holes, 11, 0x4bea0ba3b728133eull},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        smp_field f;
        size_t counts[3];
        make_field(&f, cases[c].w, cases[c].h, cases[c].fn);
        smp_point *pts = place(&f, 3, split3, cases[c].seed, counts);
        uint64_t h = dots_hash(pts, counts[2]);
        if (h != cases[c].hash)
            fail_msg("case %zu: %zu dots, hash %016llx, expected %016llx", c,
                     counts[2], (unsigned long long)h,
                     (unsigned long long)cases[c].hash);
        free(pts);
        smp_field_release(&f);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[SMP_MAX_SESSIONS];
    smp_point *pts = (smp_point *)&f;   /* must come back NULL */
    smp_error err;
    make_field(&f, 200, 200, uniform);
    static const struct { int n; double cum[4]; } bad[] = {
        {3, {0.5, 0.4, 1.0}},           /* decreasing */
        {3, {0.4, 0.4, 1.0}},           /* not increasing */
        {3, {0.4, 0.75, 0.9}},          /* does not end at 1 */
        {2, {0.0, 1.0}},                /* a session with no share */
        {2, {-0.2, 1.0}},
        {2, {0.5, 1.5}},
        {2, {NAN, 1.0}},
        {1, {0.99}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(smp_place(&f, bad[i].n, bad[i].cum, 1, NULL, &pts,
                                   counts, &err), SMP_ERR_ARG);
        assert_null(pts);
        assert_int_equal(err.status, SMP_ERR_ARG);
        assert_true(err.msg[0] != 0);
    }
    const double one[1] = {1.0};
    double many[SMP_MAX_SESSIONS + 1];
    for (int k = 0; k <= SMP_MAX_SESSIONS; k++)
        many[k] = (k + 1.0) / (SMP_MAX_SESSIONS + 1);
    assert_int_equal(smp_place(&f, 0, one, 1, NULL, &pts, counts, NULL),
                     SMP_ERR_ARG);
    assert_int_equal(smp_place(&f, SMP_MAX_SESSIONS + 1, many, 1, NULL,
                               &pts, counts, NULL), SMP_ERR_ARG);
    assert_int_equal(smp_place(&f, 1, NULL, 1, NULL, &pts, counts, NULL),
                     SMP_ERR_ARG);
    /* a bad density value */
    f.lambda[7] = -1;
    assert_int_equal(smp_place(&f, 1, one, 1, NULL, &pts, counts, NULL),
                     SMP_ERR_ARG);
    f.lambda[7] = NAN;
    assert_int_equal(smp_place(&f, 1, one, 1, NULL, &pts, counts, NULL),
                     SMP_ERR_ARG);
    smp_field_release(&f);
}

static void test_sessions_one_and_many(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[SMP_MAX_SESSIONS];
    double cum[SMP_MAX_SESSIONS];
    make_field(&f, 600, 600, uniform);
    const double one[1] = {1.0};
    smp_point *pts = place(&f, 1, one, 5, counts);
    check_counts(&f, counts, 1, one);
    check_prefixes(&f, pts, counts, 1, one);
    free(pts);
    for (int k = 0; k < SMP_MAX_SESSIONS; k++)
        cum[k] = (k + 1.0) / SMP_MAX_SESSIONS;
    pts = place(&f, SMP_MAX_SESSIONS, cum, 6, counts);
    check_counts(&f, counts, SMP_MAX_SESSIONS, cum);
    check_prefixes(&f, pts, counts, SMP_MAX_SESSIONS, cum);
    free(pts);
    smp_field_release(&f);
}

static void test_empty_field(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3] = {9, 9, 9};
    smp_point *pts = (smp_point *)&f;
    assert_int_equal(smp_field_init(&f, 300, 200, CELL, NULL), SMP_OK);
    assert_int_equal(smp_place(&f, 3, split3, 1, NULL, &pts, counts, NULL),
                     SMP_OK);
    assert_null(pts);
    for (int k = 0; k < 3; k++)
        assert_int_equal(counts[k], 0);
    smp_field_release(&f);
}

static void test_cancel(void **state)
{
    (void)state;
    smp_field f;
    size_t counts[3];
    smp_point *pts = (smp_point *)&f;
    smp_error err;
    atomic_int cancel = 1;
    make_field(&f, W, H, uniform);
    assert_int_equal(smp_place(&f, 3, split3, 1, &cancel, &pts, counts,
                               &err), SMP_ERR_CANCELLED);
    assert_null(pts);
    assert_int_equal(err.status, SMP_ERR_CANCELLED);
    for (int k = 0; k < 3; k++)
        assert_int_equal(counts[k], 0);
    cancel = 0;
    pts = place(&f, 3, split3, 1, counts);
    free(pts);
    smp_field_release(&f);
}

/* A photo whose size is no multiple of the field cell, full to its edges:
 * every dot inside it, and the edges get their share. */
static void test_inside_photo(void **state)
{
    (void)state;
    const uint32_t w = 1001, h = 777;
    smp_field f;
    size_t counts[3];
    make_field(&f, w, h, uniform);
    smp_point *pts = place(&f, 3, split3, 7, counts);
    check_counts(&f, counts, 3, split3);
    for (size_t i = 0; i < counts[2]; i++) {
        assert_true(pts[i].x >= 0 && pts[i].x < (float)w);
        assert_true(pts[i].y >= 0 && pts[i].y < (float)h);
    }
    /* The outer 40 px band holds its share.  A little more, on average
     * 3%: as along any edge, the outermost dots have no neighbours
     * beyond and pack a little closer to it. */
    size_t inner = count_in(pts, counts[2], 40, 40, w - 40, h - 40);
    double band = (double)w * h - (w - 80.0) * (h - 80.0);
    double got = (double)(counts[2] - inner), want = band * LAM;
    if (got < 0.97 * want || got > 1.12 * want)
        fail_msg("%.0f dots in the border band, expected %.1f", got, want);
    free(pts);
    smp_field_release(&f);
}

/* ---- the relative radius ------------------------------------------------ */

static void test_rr_hex_lattice(void **state)
{
    (void)state;
    const float d = 10.0f;
    smp_field f;
    assert_int_equal(smp_field_init(&f, 400, 400, CELL, NULL), SMP_OK);
    /* the density at which a hexagonal lattice of spacing d is densest */
    float lam = (float)(2.0 / (sqrt(3.0) * d * d));
    for (size_t i = 0; i < (size_t)f.w * f.h; i++)
        f.lambda[i] = lam;
    smp_point *pts = malloc(64 * 64 * sizeof *pts);
    assert_non_null(pts);
    size_t n = 0;
    for (int j = 0; j < 40; j++)
        for (int i = 0; i < 36; i++) {
            pts[n].x = 10 + d * (float)i + (j & 1 ? d / 2 : 0);
            pts[n].y = 10 + d * 0.8660254f * (float)j;
            pts[n++].session = 1;
        }
    assert_float_equal(smp_relative_radius(pts, n, &f, 1.0), 1.0, 1e-3);
    /* at half the density the spacing to expect grows by sqrt 2 */
    assert_float_equal(smp_relative_radius(pts, n, &f, 0.5), sqrt(0.5),
                       1e-3);
    free(pts);
    smp_field_release(&f);
}

static void test_rr_close_pair(void **state)
{
    (void)state;
    smp_field f;
    make_field(&f, 1000, 1000, uniform);
    const double dmax = sqrt(2.0 / (sqrt(3.0) * LAM));
    smp_point pts[4] = {
        {100, 100, 1}, {100 + (float)(0.3 * dmax), 100, 1},
        {700, 300, 1}, {400, 900, 1},
    };
    assert_float_equal(smp_relative_radius(pts, 4, &f, 1.0), 0.3, 1e-4);
    assert_float_equal(smp_relative_radius(pts, 4, &f, 0.25), 0.15, 1e-4);
    /* the far pair alone */
    assert_float_equal(smp_relative_radius(pts + 2, 2, &f, 1.0),
                       hypot(300, 600) / dmax, 1e-4);
    /* a coincident pair, and a dot where lambda is 0 */
    pts[1] = pts[0];
    assert_float_equal(smp_relative_radius(pts, 4, &f, 1.0), 0, 0);
    f.lambda[0] = 0;
    smp_point corner[2] = {{0.5f, 0.5f, 1}, {900, 900, 1}};
    assert_float_equal(smp_relative_radius(corner, 2, &f, 1.0), 0, 0);
    assert_true(isinf(smp_relative_radius(corner, 1, &f, 1.0)));
    smp_field_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_same_dots),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_sessions_one_and_many),
        cmocka_unit_test(test_empty_field),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_inside_photo),
        cmocka_unit_test(test_rr_hex_lattice),
        cmocka_unit_test(test_rr_close_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
