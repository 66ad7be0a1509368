/* test_render.c - the renderer end to end through the library: density,
 * masks, untouched and darkened pixels, session prefixes and their
 * spread, determinism, and the hairline edge profiles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "internal.h"
#include "appearance.h"
#include "density.h"

#define W 800
#define H 600
#define SCALE 5.0           /* px per mm */

static smp_image *rect_mask(uint32_t x0, uint32_t y0, uint32_t x1,
                            uint32_t y1)
{
    smp_image *m = tu_solid(W, H, 0);
    for (uint32_t y = y0; y < y1; y++)
        for (uint32_t x = x0; x < x1; x++)
            memset(m->pixels + y * m->stride + x * 4, 255, 3);
    return m;
}

static void base_params(smp_params *p, const smp_image *mask)
{
    smp_params_default(p);
    p->scale = SCALE;
    p->hairline = "none";
    p->has_head = 1;
    p->head = (smp_head){W / 2.0, H / 2.0, W / 2.0, H / 2.0, SMP_FRONT_TOP};
    p->mask = mask;
}

static smp_render *render(const smp_image *photo, const smp_params *p)
{
    smp_render *r = NULL;
    smp_error e;
    smp_status st = smp_render_new(photo, p, &r, &e);
    if (st != SMP_OK)
        fail_msg("render: %s", e.msg);
    return r;
}

/* Dots per cm2 in the core of a mask of known area, at a known scale. */
static void test_density_in_core(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 180);
    smp_image *mask = rect_mask(100, 100, 700, 500);
    const double targets[] = {60, 100, 200};
    for (int t = 0; t < 3; t++) {
        smp_params p;
        base_params(&p, mask);
        p.density = targets[t];
        smp_render *r = render(photo, &p);
        size_t n, in = 0;
        const smp_dot *d = smp_render_dots(r, &n);
        const double m = 2 * SCALE;     /* keep 2 mm off the mask's edge */
        for (size_t i = 0; i < n; i++)
            in += d[i].x >= 100 + m && d[i].x < 700 - m &&
                  d[i].y >= 100 + m && d[i].y < 500 - m;
        double area_cm2 = (600 - 2 * m) * (400 - 2 * m) /
                          (SCALE * SCALE) / 100.0;
        double got = in / area_cm2;
        if (fabs(got - targets[t]) > 0.05 * targets[t])
            fail_msg("density %.1f dots/cm2 for a target of %.0f", got,
                     targets[t]);
        smp_render_free(r);
    }
    smp_image_free(mask);
    smp_image_free(photo);
}

static void test_no_dot_on_black(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 180);
    smp_image *mask = rect_mask(50, 50, 750, 550);
    /* a black disc and a grey ramp inside the white */
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *q = mask->pixels + y * mask->stride + x * 4;
            double dx = x - 300.0, dy = y - 300.0;
            if (dx * dx + dy * dy < 120.0 * 120.0)
                memset(q, 0, 3);
            else if (x > 500 && q[0])
                memset(q, (int)(255 * (750 - x) / 250.0), 3);
        }
    smp_params p;
    base_params(&p, mask);
    smp_render *r = render(photo, &p);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    assert_true(n > 1000);
    size_t on_ramp_lo = 0, on_ramp_hi = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *q = mask->pixels + (uint32_t)d[i].y * mask->stride +
                           (uint32_t)d[i].x * 4;
        if (q[0] <= 2)
            fail_msg("dot at %.1f,%.1f on black mask", d[i].x, d[i].y);
        on_ramp_lo += d[i].x >= 650 && d[i].x < 700 && d[i].y > 100 &&
                      d[i].y < 500;
        on_ramp_hi += d[i].x >= 520 && d[i].x < 570 && d[i].y > 100 &&
                      d[i].y < 500;
    }
    /* grey is proportional: ~0.3 of full density against ~0.84 */
    assert_true(on_ramp_lo * 2 < on_ramp_hi);
    smp_render_free(r);
    smp_image_free(mask);
    smp_image_free(photo);
}

static void test_black_mask_changes_nothing(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 400, 300, 300, 250);
    smp_image *mask = tu_solid(W, H, 0);
    smp_params p;
    base_params(&p, mask);
    p.hairline = "feathered";
    smp_render *r = render(photo, &p);
    size_t n;
    smp_render_dots(r, &n);
    assert_int_equal(n, 0);
    for (int s = 1; s <= 3; s++) {
        const smp_image *out;
        assert_int_equal(smp_render_session(r, s, &out, NULL), SMP_OK);
        assert_memory_equal(out->pixels, photo->pixels, (size_t)W * H * 4);
    }
    smp_render_free(r);
    smp_image_free(mask);
    smp_image_free(photo);
}

static int luma(const uint8_t *p) { return 299 * p[0] + 587 * p[1] + 114 * p[2]; }

/* Far from every dot a pixel is the photo's; under a dot it is darker;
 * an earlier session's dot never lightens or moves. */
static void test_pixels_and_prefixes(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 400, 300, 380, 280);
    smp_params p;
    base_params(&p, NULL);
    p.head = (smp_head){400, 300, 380, 280, SMP_FRONT_TOP};
    p.hairline = "rounded";
    smp_render *r = render(photo, &p);
    smp_render_info info;
    smp_render_get_info(r, &info);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    assert_int_equal(info.sessions, 3);
    assert_int_equal(n, info.dots[2]);
    assert_true(info.dots[0] < info.dots[1] && info.dots[1] < info.dots[2]);
    for (size_t i = 0; i < n; i++) {
        int k = i < info.dots[0] ? 1 : i < info.dots[1] ? 2 : 3;
        assert_int_equal(d[i].session, k);
    }
    smp_image *snap[3];
    for (int s = 1; s <= 3; s++) {
        const smp_image *out;
        assert_int_equal(smp_render_session(r, s, &out, NULL), SMP_OK);
        assert_int_equal(smp_image_clone(out, &snap[s - 1], NULL), SMP_OK);
    }
    /* pixels a dot may reach, session by session */
    uint8_t *near = calloc((size_t)W * H, 1);
    for (size_t i = 0; i < n; i++) {
        double reach = d[i].diameter + 2.0;
        for (int y = (int)(d[i].y - reach); y <= (int)(d[i].y + reach); y++)
            for (int x = (int)(d[i].x - reach); x <= (int)(d[i].x + reach); x++)
                if (x >= 0 && y >= 0 && x < W && y < H &&
                    !near[(size_t)y * W + x])
                    near[(size_t)y * W + x] = (uint8_t)d[i].session;
    }
    for (int s = 0; s < 3; s++)
        for (size_t i = 0; i < (size_t)W * H; i++) {
            if (near[i] && near[i] <= s + 1)
                continue;
            if (memcmp(snap[s]->pixels + 4 * i, photo->pixels + 4 * i, 4))
                fail_msg("session %d changed pixel %zu far from its dots",
                         s + 1, i);
        }
    for (size_t i = 0; i < n; i++) {
        size_t o = (uint32_t)d[i].y * snap[0]->stride + (uint32_t)d[i].x * 4;
        int k = d[i].session - 1;
        assert_true(luma(snap[k]->pixels + o) < luma(photo->pixels + o));
        for (int s = k + 1; s < 3; s++)
            assert_true(luma(snap[s]->pixels + o) <=
                        luma(snap[s - 1]->pixels + o));
    }
    /* asking for an earlier session again gives the same image */
    const smp_image *again;
    assert_int_equal(smp_render_session(r, 1, &again, NULL), SMP_OK);
    assert_memory_equal(again->pixels, snap[0]->pixels, (size_t)W * H * 4);
    free(near);
    for (int s = 0; s < 3; s++)
        smp_image_free(snap[s]);
    smp_render_free(r);
    smp_image_free(photo);
}

/* Every session prefix is well spread at its own density. */
static void test_prefix_spread(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 180);
    smp_image *mask = rect_mask(100, 100, 700, 500);
    smp_params p;
    base_params(&p, mask);
    smp_render *r = render(photo, &p);
    smp_render_info info;
    smp_render_get_info(r, &info);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    smp_field f;
    assert_int_equal(smp_field_init(&f, W, H, 4, NULL), SMP_OK);
    double lambda = p.density / 100.0 / (SCALE * SCALE);
    for (size_t i = 0; i < (size_t)f.w * f.h; i++)
        f.lambda[i] = (float)lambda;
    f.max = (float)lambda;
    const double share[3] = {0.40, 0.75, 1.0};
    smp_point *pts = malloc(n * sizeof *pts);
    for (int k = 0; k < 3; k++) {
        size_t m = 0;
        for (size_t i = 0; i < info.dots[k]; i++)
            if (d[i].x > 120 && d[i].x < 680 && d[i].y > 120 && d[i].y < 480)
                pts[m++] = (smp_point){d[i].x, d[i].y, d[i].session};
        double rho = smp_relative_radius(pts, m, &f, share[k]);
        if (!(rho >= 0.65 && rho < 0.9))
            fail_msg("session %d prefix: relative radius %.3f", k + 1, rho);
    }
    free(pts);
    smp_field_release(&f);
    smp_render_free(r);
    smp_image_free(mask);
    smp_image_free(photo);
}

/* The same seed gives the same dots and pixels, planned on one thread or
 * on two (the looks shared out in blocks, the survey aside); another seed
 * others. */
static void test_determinism(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 400, 300, 380, 280);
    smp_params p;
    base_params(&p, NULL);
    p.hairline = "feathered";
    p.seed = 7;
    smp_render *a = render(photo, &p), *b;
    assert_int_equal(smp_render_new_threads(photo, &p, 2, 0, &b, NULL),
                     SMP_OK);
    p.seed = 8;
    smp_render *c = render(photo, &p);
    size_t na, nb, nc;
    const smp_dot *da = smp_render_dots(a, &na), *db = smp_render_dots(b, &nb);
    const smp_dot *dc = smp_render_dots(c, &nc);
    assert_true(na > 2 * 4096);     /* more than one block of looks each */
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na * sizeof *da);
    assert_true(na != nc || memcmp(da, dc, na * sizeof *da) != 0);
    const smp_image *ia, *ib, *ic;
    assert_int_equal(smp_render_session(a, 3, &ia, NULL), SMP_OK);
    assert_int_equal(smp_render_session(b, 3, &ib, NULL), SMP_OK);
    assert_int_equal(smp_render_session(c, 3, &ic, NULL), SMP_OK);
    assert_memory_equal(ia->pixels, ib->pixels, (size_t)W * H * 4);
    assert_true(memcmp(ia->pixels, ic->pixels, (size_t)W * H * 4) != 0);
    smp_render_free(a);
    smp_render_free(b);
    smp_render_free(c);
    smp_image_free(photo);
}

/* Density across a straight hairline, as a share of the density well
 * behind it, in bands of signed distance (mm, + behind the line). */
static void edge_profile(smp_edge edge, double *ahead, double *behind)
{
    smp_image *photo = tu_solid(1000, 1000, 180);
    smp_params p;
    smp_params_default(&p);
    p.scale = SCALE;
    p.hairline = "straight";
    p.edge = edge;
    p.has_head = 1;
    p.head = (smp_head){500, 700, 450, 450, SMP_FRONT_TOP};
    smp_render *r = render(photo, &p);
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    double line = 700 - 0.55 * 450;         /* the preset's position */
    double c_ahead = 0, c_behind = 0, c_full = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs(d[i].x - 500) > 250)
            continue;
        double s = (d[i].y - line) / SCALE;
        c_ahead += s >= -8 && s < -1;
        c_behind += s >= 0 && s < 3;
        c_full += s >= 6 && s < 16;
    }
    assert_true(c_full > 100);
    *ahead = (c_ahead / 7) / (c_full / 10);
    *behind = (c_behind / 3) / (c_full / 10);
    smp_render_free(r);
    smp_image_free(photo);
}

static void test_sharp_and_feathered_edges_differ(void **state)
{
    (void)state;
    double sa, sb, fa, fb;
    edge_profile(SMP_EDGE_SHARP, &sa, &sb);
    edge_profile(SMP_EDGE_FEATHERED, &fa, &fb);
    /* sharp: nothing ahead, full right behind the line */
    assert_true(sa < 0.02);
    assert_true(sb > 0.85);
    /* feathered: lone dots ahead, thinned out just behind */
    assert_true(fa > 0.03);
    assert_true(fb < 0.75);
}

static void test_bad_params(void **state)
{
    (void)state;
    smp_image *photo = tu_skin_photo(W, H, 400, 300, 300, 250);
    smp_params p;
    smp_render *r;
    smp_error e;
    base_params(&p, NULL);
    p.sessions = 0;
    assert_int_equal(smp_render_new(photo, &p, &r, &e), SMP_ERR_ARG);
    assert_null(r);
    base_params(&p, NULL);
    p.density = -5;
    assert_int_equal(smp_render_new(photo, &p, &r, &e), SMP_ERR_ARG);
    base_params(&p, NULL);
    p.split[0] = 0.5;
    p.split[1] = 0.4;
    p.split[2] = 1.0;
    assert_int_equal(smp_render_new(photo, &p, &r, &e), SMP_ERR_ARG);
    base_params(&p, NULL);
    p.hairline = "mohawk";
    assert_int_equal(smp_render_new(photo, &p, &r, &e), SMP_ERR_ARG);
    assert_non_null(strstr(e.msg, "mohawk"));
    smp_image_free(photo);
    /* a photo of nothing but backdrop has no head to find */
    smp_image *wall = tu_solid(W, H, 128);
    base_params(&p, NULL);
    p.has_head = 0;
    assert_int_equal(smp_render_new(wall, &p, &r, &e), SMP_ERR_REGION);
    smp_image_free(wall);
}

/*
 * smp_dot_rows bounds the rows a dot (and its halo) can change: dots of
 * every size, stretch, wobble and look, stamped onto a canvas, change no
 * row outside the bound (the sessions of a job are stamped on different
 * rows at once on that promise).
 */
static void test_dot_rows_bound(void **state)
{
    (void)state;
    const uint32_t w = 160, h = 160;
    smp_image *canvas = tu_solid(w, h, 200), *clean = tu_solid(w, h, 200);
    smp_lut *lut = malloc(sizeof *lut);
    smp_ink ink, red;
    smp_lut_init(lut);
    smp_ink_init(&ink, (const uint8_t[3]){20, 20, 20}, lut);
    smp_ink_init(&red, (const uint8_t[3]){255, 200, 200}, lut);
    smp_appearance looks[4];
    smp_appearance_of(SMP_LOOK_HEALED, &looks[0]);
    smp_appearance_of(SMP_LOOK_FRESH, &looks[1]);
    smp_appearance_aged(8, &looks[2]);
    smp_appearance_aged(40, &looks[3]);
    uint32_t s = 12345;
    int tight = 0;
    for (int i = 0; i < 4000; i++) {
        float u[8];
        for (int j = 0; j < 8; j++)
            u[j] = tu_unit(&s);
        const smp_appearance *a = &looks[i % 4];
        /* mostly 1-8 px, some up to 40; some far off the canvas */
        float dia = u[0] < 0.8f ? 0.5f + 7.5f * u[1] : 40.0f * u[1];
        smp_dot d = {20 + 120 * u[2], -20 + 200 * u[3], dia, 1.0f,
                     3.14159f * u[4], 0.6f + 0.8f * u[5],
                     {0.3f * (u[6] - 0.5f), 0.3f * (u[7] - 0.5f)}, 1};
        uint32_t y0, y1;
        smp_dot_rows(&d, a, h, &y0, &y1);
        assert_true(y0 <= y1 && y1 <= h);
        assert_int_equal(smp_stamp_dots(canvas, &d, 0, 1, a, &ink, &red,
                                        lut, NULL), 0);
        uint32_t lo = h, hi = 0;
        for (uint32_t y = 0; y < h; y++)
            if (memcmp(canvas->pixels + y * canvas->stride,
                       clean->pixels + y * clean->stride, w * 4) != 0) {
                lo = y < lo ? y : lo;
                hi = y + 1;
            }
        if (hi > 0) {
            assert_true(lo >= y0);
            assert_true(hi <= y1);
            /* and not so loose that sessions wait for nothing */
            tight += hi - lo + 8 >= y1 - y0;
        }
        memcpy(canvas->pixels, clean->pixels, canvas->stride * h);
    }
    assert_true(tight > 1000);
    free(lut);
    smp_image_free(canvas);
    smp_image_free(clean);
}

/* The files of a job: sessions 1-3 and the before/after. */
static void job_files(const char *dir, const char *ext, char *paths[4])
{
    const char *names[4] = {"p-session-1", "p-session-2", "p-session-3",
                            "p-before-after"};
    for (int i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", names[i], ext);
        paths[i] = tu_path(dir, name);
    }
}

/*
 * A job writes every session from one canvas, each session's writer a
 * few rows behind the stamping of the one before on another thread: the
 * files are the same bytes as with one thread, and as the sessions
 * stamped whole one after another (smp_render_session) and saved.  Fresh
 * (halo, redness) and healed, PNG and JPEG, a photo of many bands of
 * rows; and the before/after, made as the after panel's rows came, is
 * the one made whole.
 */
static void test_job_threads_same_bytes(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    /* wider than a panel, so that the before/after is shrunk from it */
    smp_image *photo = tu_skin_photo(2100, 300, 1050, 150, 1000, 140);
    const char *exts[2] = {"png", "jpg"};
    for (int f = 0; f < 2; f++)
        for (int look = 0; look < 2; look++) {
            char name[32];
            snprintf(name, sizeof name, "p.%s", exts[f]);
            char *in = tu_path(dir, name);
            smp_save_options so = {f ? SMP_FORMAT_JPEG : SMP_FORMAT_PNG, 90,
                                   NULL};
            assert_int_equal(smp_image_save(photo, in, &so, NULL), SMP_OK);
            char *out[2], *files[2][4];
            for (int t = 0; t < 2; t++) {
                snprintf(name, sizeof name, "out%d", t);
                out[t] = tu_path(dir, name);
                smp_job job;
                smp_job_result res;
                smp_error e;
                smp_job_default(&job);
                job.photo = in;
                job.outdir = out[t];
                job.threads = t ? 0 : 1;
                job.params.scale = 8;
                job.params.density = 100;
                job.params.look = look ? SMP_LOOK_FRESH : SMP_LOOK_HEALED;
                if (smp_job_run(&job, &res, &e) != SMP_OK)
                    fail_msg("job: %s", e.msg);
                assert_true(res.info.dots[2] > 1000);
                job_files(out[t], exts[f], files[t]);
            }
            for (int i = 0; i < 4; i++)
                assert_true(tu_files_equal(files[0][i], files[1][i]));
            /* the same sessions stamped whole */
            smp_image *loaded;
            smp_render *r;
            assert_int_equal(smp_image_load(in, NULL, &loaded, NULL),
                             SMP_OK);
            smp_params p;
            smp_params_default(&p);
            p.scale = 8;
            p.density = 100;
            p.look = look ? SMP_LOOK_FRESH : SMP_LOOK_HEALED;
            assert_int_equal(smp_render_new(loaded, &p, &r, NULL), SMP_OK);
            for (int k = 1; k <= 3; k++) {
                const smp_image *img;
                assert_int_equal(smp_render_session(r, k, &img, NULL),
                                 SMP_OK);
                char *ref = tu_path(dir, "ref");
                so.format = SMP_FORMAT_AUTO;
                assert_int_equal(smp_image_save(img, ref, &so, NULL),
                                 SMP_OK);
                assert_true(tu_files_equal(ref, files[0][k - 1]));
                free(ref);
                if (k < 3 || f == 1)
                    continue;
                smp_image *ba, *got;
                assert_int_equal(smp_compose_before_after(loaded, img, 3,
                                                          &ba, NULL),
                                 SMP_OK);
                assert_int_equal(smp_image_load(files[0][3], NULL, &got,
                                                NULL), SMP_OK);
                assert_int_equal(got->width, ba->width);
                assert_int_equal(got->height, ba->height);
                for (uint32_t y = 0; y < ba->height; y++)
                    assert_memory_equal(got->pixels + y * got->stride,
                                        ba->pixels + y * ba->stride,
                                        (size_t)ba->width * 4);
                smp_image_free(ba);
                smp_image_free(got);
            }
            smp_render_free(r);
            smp_image_free(loaded);
            for (int t = 0; t < 2; t++) {
                for (int i = 0; i < 4; i++)
                    free(files[t][i]);
                free(out[t]);
            }
            free(in);
        }
    smp_image_free(photo);
    tu_rmdir(dir);
    free(dir);
}

/* A job given the head and the density plans from the JPEG's size while
 * a second thread decodes it: the same bytes as on one thread; and a
 * photo that turns out damaged is the error, with no output left. */
static void test_job_blind_plan(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    smp_image *photo = tu_skin_photo(400, 500, 200, 250, 180, 230);
    char *in = tu_path(dir, "p.jpg"), *bad = tu_path(dir, "bad.jpg");
    smp_save_options so = {SMP_FORMAT_JPEG, 92, NULL};
    assert_int_equal(smp_image_save(photo, in, &so, NULL), SMP_OK);
    size_t n;
    uint8_t *bytes = tu_read(in, &n);
    assert_int_equal(tu_write(bad, bytes, n * 2 / 3), 0);
    char *files[2][4], *out[2];
    for (int t = 0; t < 3; t++) {
        char name[16];
        snprintf(name, sizeof name, "out%d", t);
        char *o = tu_path(dir, name);
        smp_job job;
        smp_job_result res;
        smp_error e;
        smp_job_default(&job);
        job.photo = t == 2 ? bad : in;
        job.outdir = o;
        job.threads = t == 1 ? 0 : 1;
        job.params.has_head = 1;
        job.params.head = (smp_head){200, 250, 180, 230, SMP_FRONT_TOP};
        job.params.density = 150;
        job.params.look = SMP_LOOK_FRESH;
        if (t == 2) {
            job.threads = 0;
            assert_int_not_equal(smp_job_run(&job, &res, &e), SMP_OK);
            assert_non_null(strstr(e.msg, "bad.jpg"));
            assert_non_null(strstr(e.msg, "JPEG"));
            assert_int_equal(tu_count_entries(o), 0);
            free(o);
            continue;
        }
        if (smp_job_run(&job, &res, &e) != SMP_OK)
            fail_msg("job: %s", e.msg);
        assert_true(res.info.dots[2] > 1000);
        assert_true(res.info.shade_chosen);
        job_files(o, "jpg", files[t]);
        out[t] = o;
    }
    for (int i = 0; i < 4; i++) {
        assert_true(tu_files_equal(files[0][i], files[1][i]));
        free(files[0][i]);
        free(files[1][i]);
    }
    free(out[0]);
    free(out[1]);
    free(bytes);
    free(in);
    free(bad);
    smp_image_free(photo);
    tu_rmdir(dir);
    free(dir);
}

/* The density field against the formulas cell by cell: the head frame's
 * coverage times the hairline's profile (smp_hairline_profile, the exact
 * distance at every point), for each edge; the same field for one and
 * two threads. */
static void test_density_field_matches_formulas(void **state)
{
    (void)state;
    smp_image *photo = tu_solid(W, H, 128);
    smp_head head = {W / 2.0, H / 2.0, W / 2.5, H / 2.5, SMP_FRONT_TOP};
    smp_frame fr;
    smp_frame_init(&fr, &head);
    const smp_edge edges[] = {SMP_EDGE_FEATHERED, SMP_EDGE_SOFT,
                              SMP_EDGE_SHARP};
    const double lambda = 0.01, rim = 2 * SCALE;
    for (size_t e = 0; e < sizeof edges / sizeof *edges; e++) {
        smp_hairline hl;
        assert_int_equal(smp_hairline_init(&hl, "feathered", &fr,
                                           SMP_VIEW_TOP, SCALE, edges[e], 0,
                                           0, 7, NULL), SMP_OK);
        smp_field f[2], front[2];
        for (int t = 0; t < 2; t++) {
            assert_int_equal(smp_field_init(&f[t], W, H, 1.3f, NULL), SMP_OK);
            assert_int_equal(smp_field_init(&front[t], W, H, 1.3f, NULL),
                             SMP_OK);
            assert_int_equal(smp_density_build(&f[t], photo, &fr, rim, &hl,
                                               NULL, lambda, &front[t], t + 1,
                                               NULL), SMP_OK);
        }
        size_t n = (size_t)f[0].w * f[0].h;
        assert_memory_equal(f[0].lambda, f[1].lambda, n * sizeof(float));
        assert_memory_equal(front[0].lambda, front[1].lambda,
                            n * sizeof(float));
        assert_true(f[0].max == f[1].max);
        double worst = 0;
        size_t treated = 0;
        float max = 0;
        for (uint32_t j = 0; j < f[0].h; j++)
            for (uint32_t i = 0; i < f[0].w; i++) {
                size_t at = (size_t)j * f[0].w + i;
                float v = f[0].lambda[at];
                max = v > max ? v : max;
                if ((i * 7 + j * 3) % 5)
                    continue;       /* a fifth of the cells will do */
                double x = (i + 0.5) * f[0].cell, y = (j + 0.5) * f[0].cell;
                float base = (float)(lambda *
                                     smp_frame_coverage(&fr, x, y, rim));
                float want = base *
                             (float)smp_hairline_profile(&hl, x, y);
                double d = fabs((double)v - want);
                worst = d > worst ? d : worst;
                /* where the profile is flat (0 or 1) it is exact */
                if (want == 0 || want == base)
                    assert_true(d <= 1e-7 * lambda);
                treated += want > 0 && want < base;
            }
        assert_true(treated > 100);     /* the band was looked at */
        /* near the line, within a fraction of a percent */
        assert_true(worst <= 5e-3 * lambda);
        assert_true(f[0].max == max);
        for (int t = 0; t < 2; t++) {
            smp_field_release(&f[t]);
            smp_field_release(&front[t]);
        }
    }
    smp_image_free(photo);
}

/* The shrink is an area average in linear light: a fine black and white
 * checkerboard becomes linear half grey (sRGB 188), not 128; a flat image
 * keeps its byte at any ratio; a half-transparent one its colour and
 * alpha. */
static void test_shrink_linear_area_average(void **state)
{
    (void)state;
    smp_image *board;
    assert_int_equal(smp_image_alloc(300, 200, &board, NULL), SMP_OK);
    for (uint32_t y = 0; y < 200; y++)
        for (uint32_t x = 0; x < 300; x++) {
            uint8_t *q = board->pixels + y * board->stride + x * 4;
            memset(q, (x + y) % 2 ? 255 : 0, 3);
            q[3] = 255;
        }
    smp_image *out;
    assert_int_equal(smp_image_shrink(board, 150, 100, &out, NULL), SMP_OK);
    for (uint32_t y = 0; y < 100; y++)
        for (uint32_t x = 0; x < 150; x++) {
            const uint8_t *q = out->pixels + y * out->stride + x * 4;
            for (int c = 0; c < 3; c++)
                assert_int_equal(q[c], 188);
            assert_int_equal(q[3], 255);
        }
    smp_image_free(out);
    /* 300 -> 100 across: three taps; 200 -> 67 down */
    assert_int_equal(smp_image_shrink(board, 100, 67, &out, NULL), SMP_OK);
    for (uint32_t x = 0; x < 100; x++) {
        const uint8_t *q = out->pixels + 30 * out->stride + x * 4;
        assert_true(q[0] >= 187 && q[0] <= 189);
    }
    smp_image_free(out);
    smp_image_free(board);
    const uint32_t sizes[][2] = {{150, 100}, {107, 93}, {31, 17}, {299, 1}};
    for (int level = 0; level < 256; level += 5)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            smp_image *flat = tu_solid(300, 200, (uint8_t)level);
            assert_int_equal(smp_image_shrink(flat, sizes[k][0], sizes[k][1],
                                              &out, NULL), SMP_OK);
            for (uint32_t y = 0; y < out->height; y++)
                for (uint32_t x = 0; x < out->width; x++) {
                    const uint8_t *q = out->pixels + y * out->stride + x * 4;
                    assert_int_equal(q[0], level);
                    assert_int_equal(q[1], level);
                    assert_int_equal(q[2], level);
                    assert_int_equal(q[3], 255);
                }
            smp_image_free(out);
            /* the same colour, half transparent */
            for (uint32_t y = 0; y < 200; y++)
                for (uint32_t x = 0; x < 300; x++)
                    flat->pixels[y * flat->stride + x * 4 + 3] = 128;
            flat->has_alpha = 1;
            assert_int_equal(smp_image_shrink(flat, sizes[k][0], sizes[k][1],
                                              &out, NULL), SMP_OK);
            for (uint32_t y = 0; y < out->height; y++)
                for (uint32_t x = 0; x < out->width; x++) {
                    const uint8_t *q = out->pixels + y * out->stride + x * 4;
                    assert_int_equal(q[0], level);
                    assert_int_equal(q[3], 128);
                }
            smp_image_free(out);
            smp_image_free(flat);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_density_in_core),
        cmocka_unit_test(test_no_dot_on_black),
        cmocka_unit_test(test_black_mask_changes_nothing),
        cmocka_unit_test(test_pixels_and_prefixes),
        cmocka_unit_test(test_prefix_spread),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_sharp_and_feathered_edges_differ),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_dot_rows_bound),
        cmocka_unit_test(test_job_threads_same_bytes),
        cmocka_unit_test(test_job_blind_plan),
        cmocka_unit_test(test_density_field_matches_formulas),
        cmocka_unit_test(test_shrink_linear_area_average),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
