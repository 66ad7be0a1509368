/* test_realism.c - the looks and the conditions: fresh against healed,
 * ageing, pigment matched to skin and hair, infill between hairs, scar
 * camouflage, and the automatic scalp region. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "internal.h"

#define W 600
#define H 450

static smp_render *render(const smp_image *photo, const smp_params *p)
{
    smp_render *r = NULL;
    smp_error e;
    if (smp_render_new(photo, p, &r, &e) != SMP_OK)
        fail_msg("render: %s", e.msg);
    return r;
}

static double mean_luma(const smp_image *img, uint32_t x0, uint32_t y0,
                        uint32_t x1, uint32_t y1)
{
    double s = 0;
    for (uint32_t y = y0; y < y1; y++)
        for (uint32_t x = x0; x < x1; x++) {
            const uint8_t *p = img->pixels + y * img->stride + x * 4;
            s += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        }
    return s / ((double)(x1 - x0) * (y1 - y0));
}

static void head_params(smp_params *p)
{
    smp_params_default(p);
    p->hairline = "none";
    p->has_head = 1;
    p->head = (smp_head){W / 2.0, H / 2.0, 280, 210, SMP_FRONT_TOP};
    p->scale = 5;
}

static void test_fresh_darker_than_healed(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 300, 225, 280, 210);
    smp_params p;
    head_params(&p);
    smp_render *healed = render(photo, &p);
    p.look = SMP_LOOK_FRESH;
    smp_render *fresh = render(photo, &p);
    const smp_image *a, *b;
    assert_int_equal(smp_render_session(healed, 3, &a, NULL), SMP_OK);
    assert_int_equal(smp_render_session(fresh, 3, &b, NULL), SMP_OK);
    /* contrast in the red channel, which the redness leaves alone */
    double ca = 0, cb = 0;
    for (uint32_t y = 150; y < 300; y++)
        for (uint32_t x = 200; x < 400; x++) {
            size_t o = y * a->stride + x * 4;
            ca += photo->pixels[o] - a->pixels[o];
            cb += photo->pixels[o] - b->pixels[o];
        }
    /* healed takes 15-25 % less out of the skin than fresh */
    double ratio = ca / cb;
    if (!(ratio > 0.70 && ratio < 0.88))
        fail_msg("healed/fresh contrast %.2f", ratio);
    /* fresh skin is slightly red: green drops more than red */
    double dr = 0, dg = 0;
    for (uint32_t y = 150; y < 300; y++)
        for (uint32_t x = 200; x < 400; x++) {
            size_t o = y * b->stride + x * 4;
            dr += photo->pixels[o] - b->pixels[o];
            dg += photo->pixels[o + 1] - b->pixels[o + 1];
        }
    assert_true(dg > dr * 1.3);
    smp_render_free(healed);
    smp_render_free(fresh);
    smp_image_free(photo);
}

static void test_ageing(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 200);
    smp_params p;
    head_params(&p);
    p.density = 40;             /* dots far apart: measure each alone */
    smp_render *r = render(photo, &p);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    const smp_image *img;
    double dark[2] = {0, 0}, peak[2] = {0, 0}, spread[2] = {0, 0};
    const double years[2] = {0, 5};
    for (int t = 0; t < 2; t++) {
        assert_int_equal(smp_render_aged(r, years[t], 0, 0, &img, NULL),
                         SMP_OK);
        for (size_t i = 0; i < n; i += 7) {
            int cx = (int)d[i].x, cy = (int)d[i].y;
            if (cx < 8 || cy < 8 || cx >= W - 8 || cy >= H - 8)
                continue;
            for (int y = cy - 5; y <= cy + 5; y++)
                for (int x = cx - 5; x <= cx + 5; x++) {
                    int v = 200 - img->pixels[y * img->stride + x * 4 + 1];
                    dark[t] += v;
                    if (v > peak[t])
                        peak[t] = v;
                    spread[t] += v > 4;
                }
        }
    }
    /* year 5: lighter overall, a softer (lower) peak, wider footprint */
    assert_true(dark[1] < 0.85 * dark[0]);
    assert_true(peak[1] < peak[0]);
    assert_true(spread[1] > spread[0]);
    /* the ink shift turns dots blue-green: red darkens more than blue */
    assert_int_equal(smp_render_aged(r, 5, 1, 0, &img, NULL), SMP_OK);
    double dr = 0, db = 0;
    for (size_t i = 0; i < n; i++) {
        size_t o = (uint32_t)d[i].y * img->stride + (uint32_t)d[i].x * 4;
        dr += 200 - img->pixels[o];
        db += 200 - img->pixels[o + 2];
    }
    assert_true(dr > 1.2 * db);
    /* a touch-up at year 5 brings the dots back near the original */
    const smp_image *s3;
    assert_int_equal(smp_render_aged(r, 5, 0, 1, &img, NULL), SMP_OK);
    double touched = 200 - mean_luma(img, 100, 100, 500, 350);
    assert_int_equal(smp_render_session(r, 3, &s3, NULL), SMP_OK);
    double orig = 200 - mean_luma(s3, 100, 100, 500, 350);
    assert_true(touched > 0.85 * orig);
    smp_render_free(r);
    smp_image_free(photo);
}

/* A photo of one skin tone, optionally with short dark or grey hairs on
 * the left half, the backdrop round an ellipse. */
static smp_image *client(const uint8_t skin[3], const uint8_t *hair)
{
    smp_image *img = tu_skin_photo(W, H, 300, 225, 280, 210);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = img->pixels + y * img->stride + x * 4;
            double a = (x - 300.0) / 280, b = (y - 225.0) / 210;
            if (a * a + b * b > 1)
                continue;
            memcpy(q, skin, 3);
            if (hair && x < 300 && (x / 3) % 3 == 0 && (y / 9) % 2 == 0)
                memcpy(q, hair, 3);
        }
    return img;
}

static int luma3(const uint8_t *c) { return (299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000; }

static void test_shade_follows_skin_and_hair(void **state)
{
    (void)state;
    const uint8_t light[3] = {225, 190, 170}, mid[3] = {180, 130, 100},
                  dark[3] = {95, 64, 50};
    const uint8_t black_hair[3] = {35, 30, 28}, grey_hair[3] = {170, 170, 172};
    const uint8_t *skins[3] = {light, mid, dark};
    int prev = 256;
    smp_params p;
    smp_params_default(&p);
    p.hairline = "none";
    for (int i = 0; i < 3; i++) {
        smp_image *photo = client(skins[i], NULL);
        smp_render *r = render(photo, &p);
        smp_render_info info;
        smp_render_get_info(r, &info);
        assert_true(info.shade_chosen);
        assert_non_null(info.shade_name);
        assert_true(abs(info.skin[0] - skins[i][0]) <= 6);
        int l = luma3(info.shade);
        assert_true(l < prev);          /* darker skin, darker shade */
        prev = l;
        if (i == 0)
            assert_true(l > 45);        /* never ink-black on light skin */
        smp_render_free(r);
        smp_image_free(photo);
    }
    /* grey hair: a lighter, cooler grey than with dark hair */
    smp_image *g = client(mid, grey_hair), *k = client(mid, black_hair);
    smp_render *rg = render(g, &p), *rk = render(k, &p);
    smp_render_info ig, ik;
    smp_render_get_info(rg, &ig);
    smp_render_get_info(rk, &ik);
    assert_true(ig.hair_cover > 0.05 && ik.hair_cover > 0.05);
    assert_true(luma3(ig.shade) > luma3(ik.shade));
    assert_true(ig.shade[2] >= ig.shade[0]);        /* cool */
    /* a given shade is kept, per session if asked */
    p.shades = 1;
    smp_shade_lookup("dark-grey", p.shade[0]);
    smp_render *rs = render(k, &p);
    smp_render_info is;
    smp_render_get_info(rs, &is);
    assert_false(is.shade_chosen);
    assert_string_equal(is.shade_name, "dark-grey");
    smp_render_free(rs);
    smp_render_free(rg);
    smp_render_free(rk);
    smp_image_free(g);
    smp_image_free(k);
}

/* Thinning hair drawn as known dark strands: infill never puts a dot on
 * one, and is denser where more scalp shows. */
static void test_infill_between_hairs(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 0);
    uint8_t *hair = calloc((size_t)W * H, 1);
    uint32_t s = 99;
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = photo->pixels + y * photo->stride + x * 4;
            q[0] = 200; q[1] = 155; q[2] = 130;
        }
    /* strands: dense on the left, sparse on the right */
    for (int i = 0; i < 900; i++) {
        tu_next(&s);
        double x0 = (s >> 8) % W;
        if (x0 > W / 2 && (i % 4))
            continue;
        tu_next(&s);
        double y0 = (s >> 8) % H, ang = (s & 255) / 40.0;
        for (int t = 0; t < 40; t++) {
            int x = (int)(x0 + t * cos(ang)), y = (int)(y0 + t * sin(ang));
            for (int w = 0; w < 2; w++)
                if (x + w >= 0 && x + w < W && y >= 0 && y < H) {
                    uint8_t *q = photo->pixels + y * photo->stride +
                                 (x + w) * 4;
                    q[0] = 45; q[1] = 35; q[2] = 30;
                    hair[(size_t)y * W + x + w] = 1;
                }
        }
    }
    smp_params p;
    head_params(&p);
    p.head = (smp_head){300, 225, 600, 600, SMP_FRONT_TOP};
    p.infill = 1;
    smp_render *r = render(photo, &p);
    size_t n, left = 0, right = 0;
    const smp_dot *d = smp_render_dots(r, &n);
    assert_true(n > 200);
    for (size_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)d[i].x, y = (uint32_t)d[i].y;
        if (hair[(size_t)y * W + x])
            fail_msg("infill dot on a hair at %u,%u", x, y);
        left += x < W / 2;
        right += x >= W / 2;
    }
    assert_true(right > left);
    free(hair);
    smp_render_free(r);
    smp_image_free(photo);
}

/* A lighter band of scar tissue gets dots, more than the skin round it,
 * and stops standing out as much. */
static void test_scar_camouflage(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 0), *scar = tu_solid(W, H, 0);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = photo->pixels + y * photo->stride + x * 4;
            int in = y >= 200 && y < 240;
            q[0] = in ? 228 : 190;
            q[1] = in ? 196 : 140;
            q[2] = in ? 184 : 115;
            if (in)
                memset(scar->pixels + y * scar->stride + x * 4, 255, 3);
        }
    smp_params p;
    head_params(&p);
    p.head = (smp_head){300, 225, 600, 600, SMP_FRONT_TOP};
    p.scar = scar;
    smp_render *r = render(photo, &p);
    size_t n, in = 0, near = 0;
    const smp_dot *d = smp_render_dots(r, &n);
    for (size_t i = 0; i < n; i++) {
        in += d[i].y >= 204 && d[i].y < 236 && d[i].x > 50 && d[i].x < 550;
        near += d[i].y >= 150 && d[i].y < 182 && d[i].x > 50 && d[i].x < 550;
    }
    assert_true(in > 1.2 * near);
    const smp_image *out;
    assert_int_equal(smp_render_session(r, 3, &out, NULL), SMP_OK);
    double gap0 = mean_luma(photo, 50, 204, 550, 236) -
                  mean_luma(photo, 50, 150, 550, 182);
    double gap1 = mean_luma(out, 50, 204, 550, 236) -
                  mean_luma(out, 50, 150, 550, 182);
    assert_true(gap1 < gap0);
    smp_render_free(r);
    smp_image_free(scar);
    smp_image_free(photo);
}

/* --density auto: a bare patch in short hair gets as many dots as make
 * it as dark as the hair round it. */
static void test_density_matches_hair(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 0), *mask = tu_solid(W, H, 0);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = photo->pixels + y * photo->stride + x * 4;
            double dx = x - 300.0, dy = y - 225.0;
            int patch = dx * dx + dy * dy < 100.0 * 100.0;
            int hair = !patch && (x * 7 + y * 3) % 11 < 4;
            q[0] = hair ? 60 : 200;
            q[1] = hair ? 48 : 150;
            q[2] = hair ? 42 : 125;
            if (patch)
                memset(mask->pixels + y * mask->stride + x * 4, 255, 3);
        }
    smp_params p;
    head_params(&p);
    p.head = (smp_head){300, 225, 600, 600, SMP_FRONT_TOP};
    p.mask = mask;
    p.density = 0;
    smp_render *r = render(photo, &p);
    smp_render_info info;
    smp_render_get_info(r, &info);
    assert_true(info.density_matched);
    assert_true(info.density > 100);
    const smp_image *out;
    assert_int_equal(smp_render_session(r, 3, &out, NULL), SMP_OK);
    double in = mean_luma(out, 250, 175, 350, 275);
    double ring = mean_luma(out, 420, 175, 500, 275);
    double before = mean_luma(photo, 250, 175, 350, 275);
    if (!(fabs(in - ring) < 0.2 * (before - ring)))
        fail_msg("patch %.1f, hair %.1f, bare %.1f", in, ring, before);
    smp_render_free(r);
    smp_image_free(mask);
    smp_image_free(photo);
}

/* Without --head or --mask: dots on the skin only, never on the wall,
 * the shirt or the hair. */
static void test_auto_region_on_skin(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 300, 200, 200, 170);
    uint8_t *cls = calloc((size_t)W * H, 1);    /* 1 skin */
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = photo->pixels + y * photo->stride + x * 4;
            double a = (x - 300.0) / 200, b = (y - 200.0) / 170;
            if (y >= 360) {                        /* a blue shirt */
                q[0] = 40; q[1] = 70; q[2] = 150;
            } else if (a * a + b * b <= 1 && b > 0.45) {
                /* a dark fringe of hair at the back */
                if ((x + y) % 3)
                    q[0] = 50, q[1] = 40, q[2] = 35;
            } else if (a * a + b * b <= 1) {
                cls[(size_t)y * W + x] = 1;
            }
        }
    smp_params p;
    smp_params_default(&p);
    p.hairline = "none";
    smp_render *r = render(photo, &p);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    assert_true(n > 300);
    for (size_t i = 0; i < n; i++)
        if (!cls[(size_t)(uint32_t)d[i].y * W + (uint32_t)d[i].x])
            fail_msg("dot at %.0f,%.0f not on skin", d[i].x, d[i].y);
    free(cls);
    smp_render_free(r);
    smp_image_free(photo);
    /* a head of nothing but hair: no scalp to treat */
    smp_image *hairy = tu_skin_photo(W, H, 300, 225, 250, 200);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = hairy->pixels + y * hairy->stride + x * 4;
            double a = (x - 300.0) / 250, b = (y - 225.0) / 200;
            if (a * a + b * b <= 1)
                q[0] = 40, q[1] = 32, q[2] = 28;
        }
    smp_error e;
    assert_int_equal(smp_render_new(hairy, &p, &r, &e), SMP_ERR_REGION);
    assert_non_null(strstr(e.msg, "--head"));
    smp_image_free(hairy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_darker_than_healed),
        cmocka_unit_test(test_ageing),
        cmocka_unit_test(test_shade_follows_skin_and_hair),
        cmocka_unit_test(test_infill_between_hairs),
        cmocka_unit_test(test_scar_camouflage),
        cmocka_unit_test(test_density_matches_hair),
        cmocka_unit_test(test_auto_region_on_skin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
