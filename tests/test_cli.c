/* test_cli.c - the smpr command end to end on generated photos: exit
 * codes, one-line messages, outputs that appear whole or not at all, and
 * inputs that are never touched. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

typedef struct env {
    char *dir, *out, *photo;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    e->dir = tu_tmpdir();
    e->out = tu_path(e->dir, "out");
    e->photo = tu_path(e->dir, "client.png");
    smp_image *img = tu_skin_photo(480, 360, 240, 185, 200, 165);
    assert_int_equal(smp_image_save(img, e->photo, NULL, NULL), SMP_OK);
    smp_image_free(img);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    tu_rmdir(e->dir);
    free(e->dir);
    free(e->out);
    free(e->photo);
    free(e);
    return 0;
}

static void test_help_and_version(void **state)
{
    (void)state;
    char err[1024];
    assert_int_equal(tu_run(err, sizeof err, "--help", NULL), 0);
    assert_int_equal(tu_run(err, sizeof err, "--version", NULL), 0);
    assert_int_equal(tu_run(err, sizeof err, "help", "render", NULL), 0);
    assert_int_equal(tu_run(err, sizeof err, "render", "--help", NULL), 0);
}

static void test_usage_errors(void **state)
{
    env *e = *state;
    char err[1024];
    assert_int_equal(tu_run(err, sizeof err, NULL), 2);
    tu_assert_one_line(err, "--help", NULL);
    assert_int_equal(tu_run(err, sizeof err, "paint", NULL), 2);
    tu_assert_one_line(err, "paint", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--bogus", NULL), 2);
    tu_assert_one_line(err, "--bogus", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--density", "lots", NULL), 2);
    tu_assert_one_line(err, "lots", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--density", NULL), 2);
    tu_assert_one_line(err, "--density", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, NULL), 2);
    tu_assert_one_line(err, "-o", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", "-o", e->out, NULL), 2);
    tu_assert_one_line(err, "PHOTO", NULL);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--sessions", "9", NULL), 2);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--hairline", "mullet", NULL), 2);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--head", "1,2,3", NULL), 2);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--sessions", "2", "--split", "40,70,100", NULL), 2);
    assert_int_equal(tu_run(err, sizeof err, "batch", "m.csv", NULL), 2);
    assert_int_equal(tu_run(err, sizeof err, "print", "p.png", NULL), 2);
    assert_false(tu_exists(e->out));
}

/* Bad photos: exit 1, one line naming the file, no output at all. */
static void test_bad_inputs(void **state)
{
    env *e = *state;
    char err[1024];
    char *missing = tu_path(e->dir, "nope.jpg");
    char *text = tu_path(e->dir, "notes.png");
    char *empty = tu_path(e->dir, "empty.jpg");
    char *cut = tu_path(e->dir, "cut.png");
    tu_write(text, "this is not a picture\n", 22);
    tu_write(empty, "", 0);
    size_t n;
    uint8_t *png = tu_read(e->photo, &n);
    tu_write(cut, png, n / 2);
    free(png);
    const char *bad[] = {missing, text, empty, cut, e->dir};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tu_run(err, sizeof err, "render", bad[i], "-o",
                                e->out, NULL), 1);
        tu_assert_one_line(err, bad[i], NULL);
        assert_true(!tu_exists(e->out) || tu_count_entries(e->out) == 0);
    }
    /* over the pixel limit, refused from the header */
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--max-pixels", "1000", NULL), 1);
    tu_assert_one_line(err, "limit", NULL);
    assert_true(!tu_exists(e->out) || tu_count_entries(e->out) == 0);
    free(missing);
    free(text);
    free(empty);
    free(cut);
}

static void test_render_outputs(void **state)
{
    env *e = *state;
    char err[2048];
    size_t n0;
    uint8_t *before = tu_read(e->photo, &n0);
    char *dots = tu_path(e->dir, "dots.csv");
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--dots", dots, "--seed", "5", NULL), 0);
    assert_non_null(strstr(err, "head"));
    assert_non_null(strstr(err, "estimated"));
    const char *names[] = {"client-session-1.png", "client-session-2.png",
                           "client-session-3.png", "client-before-after.png"};
    for (int i = 0; i < 4; i++) {
        char *p = tu_path(e->out, names[i]);
        smp_image *img;
        assert_int_equal(smp_image_load(p, NULL, &img, NULL), SMP_OK);
        assert_int_equal(img->height, 360);
        assert_int_equal(img->width, i < 3 ? 480 : 2 * 480 + 8);
        smp_image_free(img);
        free(p);
    }
    assert_int_equal(tu_count_entries(e->out), 4);   /* no temporaries */
    size_t nd;
    tu_dot *d = tu_read_dots(dots, &nd);
    assert_true(nd > 100);
    for (size_t i = 1; i < nd; i++)
        assert_true(d[i].session >= d[i - 1].session);
    assert_int_equal(d[nd - 1].session, 3);
    free(d);
    /* the photo is untouched */
    size_t n1;
    uint8_t *after = tu_read(e->photo, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    free(dots);
}

static void test_same_seed_same_bytes(void **state)
{
    env *e = *state;
    char *a = tu_path(e->dir, "a"), *b = tu_path(e->dir, "b"),
         *c = tu_path(e->dir, "c");
    const char *args[] = {"--seed", "11", "--sessions", "2", "--hairline",
                          "receding"};
    assert_int_equal(tu_run(NULL, 0, "render", e->photo, "-o", a, args[0],
                            args[1], args[2], args[3], args[4], args[5], "-q",
                            NULL), 0);
    assert_int_equal(tu_run(NULL, 0, "render", e->photo, "-o", b, args[0],
                            args[1], args[2], args[3], args[4], args[5], "-q",
                            NULL), 0);
    assert_int_equal(tu_run(NULL, 0, "render", e->photo, "-o", c, args[0],
                            "12", args[2], args[3], args[4], args[5], "-q",
                            NULL), 0);
    const char *names[] = {"client-session-1.png", "client-session-2.png",
                           "client-before-after.png"};
    for (int i = 0; i < 3; i++) {
        char *pa = tu_path(a, names[i]), *pb = tu_path(b, names[i]),
             *pc = tu_path(c, names[i]);
        assert_true(tu_files_equal(pa, pb));
        assert_false(tu_files_equal(pa, pc));
        free(pa);
        free(pb);
        free(pc);
    }
    free(a);
    free(b);
    free(c);
}

static void test_never_overwrites_input(void **state)
{
    env *e = *state;
    char err[1024];
    /* a photo whose name is what render would write next to it */
    char *p = tu_path(e->dir, "x-session-1.png");
    char *x = tu_path(e->dir, "x.png");
    size_t n;
    uint8_t *data = tu_read(e->photo, &n);
    tu_write(x, data, n);
    /* render x.png -o DIR would write DIR/x-session-1.png: make that name
     * the photo itself through a hard link */
    assert_int_equal(link(x, p), 0);
    assert_int_equal(tu_run(err, sizeof err, "render", x, "-o", e->dir, NULL),
                     1);
    tu_assert_one_line(err, "overwrite", NULL);
    size_t m;
    uint8_t *now = tu_read(x, &m);
    assert_int_equal(n, m);
    assert_memory_equal(data, now, n);
    free(now);
    free(data);
    free(p);
    free(x);
}

static void test_unwritable_output(void **state)
{
    env *e = *state;
    char err[1024];
    /* a folder path that runs through a regular file cannot be made */
    char *out = tu_path(e->photo, "sub");
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", out,
                            NULL), 1);
    tu_assert_one_line(err, out, NULL);
    free(out);
}

static void test_black_mask_leaves_photo(void **state)
{
    env *e = *state;
    char err[1024];
    char *mask = tu_path(e->dir, "mask.png");
    smp_image *m = tu_solid(480, 360, 0);
    assert_int_equal(smp_image_save(m, mask, NULL, NULL), SMP_OK);
    smp_image_free(m);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--mask", mask, "--sessions", "2", NULL), 0);
    smp_image *in, *out;
    char *p = tu_path(e->out, "client-session-2.png");
    assert_int_equal(smp_image_load(e->photo, NULL, &in, NULL), SMP_OK);
    assert_int_equal(smp_image_load(p, NULL, &out, NULL), SMP_OK);
    assert_memory_equal(in->pixels, out->pixels, (size_t)480 * 360 * 4);
    smp_image_free(in);
    smp_image_free(out);
    free(p);
    /* a mask of another size is an error naming it */
    m = tu_solid(100, 100, 255);
    assert_int_equal(smp_image_save(m, mask, NULL, NULL), SMP_OK);
    smp_image_free(m);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--mask", mask, NULL), 1);
    tu_assert_one_line(err, mask, NULL);
    free(mask);
}

static void test_jpeg_output(void **state)
{
    env *e = *state;
    assert_int_equal(tu_run(NULL, 0, "render", e->photo, "-o", e->out,
                            "--format", "jpeg", "--quality", "80", "-q",
                            NULL), 0);
    char *p = tu_path(e->out, "client-session-3.jpg");
    smp_image *img;
    assert_int_equal(smp_image_load(p, NULL, &img, NULL), SMP_OK);
    assert_int_equal(img->format, SMP_FORMAT_JPEG);
    assert_int_equal(img->width, 480);
    smp_image_free(img);
    free(p);
}

static void test_realism_options(void **state)
{
    env *e = *state;
    char err[2048];
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--years", "1,5", "--shade", "dark-grey",
                            "--look", "fresh", "--touch-up", NULL), 0);
    assert_non_null(strstr(err, "shade dark-grey"));
    const char *names[] = {"client-year-1.png", "client-year-5.png"};
    for (int i = 0; i < 2; i++) {
        char *p = tu_path(e->out, names[i]);
        assert_true(tu_exists(p));
        free(p);
    }
    assert_int_equal(tu_count_entries(e->out), 6);
    /* the shade is reported as chosen when not given */
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--sessions", "2", "--shade", "#404448,#303438",
                            NULL), 0);
    assert_non_null(strstr(err, "#303438"));
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            NULL), 0);
    assert_non_null(strstr(err, "chosen"));
    /* bad values are usage errors */
    const char *bad[][2] = {{"--shade", "#zzzzzz"}, {"--shade", "tar"},
                            {"--look", "tanned"}, {"--years", "-1"},
                            {"--shade", "charcoal,soft-black"}};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o",
                                e->out, bad[i][0], bad[i][1], NULL), 2);
        tu_assert_one_line(err, bad[i][0], NULL);
    }
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--ink-shift", NULL), 2);
    /* a scar mask of the wrong size names the file */
    char *scar = tu_path(e->dir, "scar.png");
    smp_image *m = tu_solid(10, 10, 255);
    assert_int_equal(smp_image_save(m, scar, NULL, NULL), SMP_OK);
    smp_image_free(m);
    assert_int_equal(tu_run(err, sizeof err, "render", e->photo, "-o", e->out,
                            "--scar", scar, NULL), 1);
    tu_assert_one_line(err, scar, NULL);
    free(scar);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_help_and_version),
        T(test_usage_errors),
        T(test_bad_inputs),
        T(test_render_outputs),
        T(test_same_seed_same_bytes),
        T(test_never_overwrites_input),
        T(test_unwritable_output),
        T(test_black_mask_leaves_photo),
        T(test_jpeg_output),
        T(test_realism_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
