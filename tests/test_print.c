/* test_print.c - `smpr print` end to end on a generated photo, checked
 * with poppler's tools, which read the PDF independently of Cairo: page
 * count and size (pdfinfo), that every page renders (pdftoppm), the
 * images and their resolution (pdfimages), the lettering (pdftotext), and
 * the 10 mm bar of the true-size page measured on a 254 dpi raster, where
 * a millimetre is 10 pixels. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

#define W 400
#define H 300

typedef struct env {
    char *dir, *photo, *pdf;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    e->dir = tu_tmpdir();
    e->photo = tu_path(e->dir, "client.png");
    e->pdf = tu_path(e->dir, "client.pdf");
    smp_image *img = tu_skin_photo(W, H, 200, 155, 170, 135);
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
    free(e->photo);
    free(e->pdf);
    free(e);
    return 0;
}

/* Runs a shell command; its stdout into out (may be NULL). */
static int sh(char *out, size_t size, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = 0, got;
    char sink[4096];
    while ((got = fread(out ? out + n : sink, 1,
                        out ? size - 1 - n : sizeof sink, p)) > 0)
        if (out)
            n += got;
    if (out)
        out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int pages(const char *pdf)
{
    char out[4096];
    assert_int_equal(sh(out, sizeof out, "pdfinfo '%s'", pdf), 0);
    const char *p = strstr(out, "Pages:");
    assert_non_null(p);
    return atoi(p + 6);
}

static void page_size(const char *pdf, int page, double *w, double *h)
{
    char out[4096], key[32];
    assert_int_equal(sh(out, sizeof out, "pdfinfo -f %d -l %d '%s'", page,
                        page, pdf), 0);
    snprintf(key, sizeof key, "Page %4d size:", page);
    const char *p = strstr(out, key);
    assert_non_null(p);
    assert_int_equal(sscanf(p + strlen(key), "%lf x %lf", w, h), 2);
}

typedef struct pdf_image {
    int page, width, height, ppi_x, ppi_y;
    char enc[16];
} pdf_image;

/* The rows of `pdfimages -list`. */
static int images(const char *pdf, pdf_image *im, int max)
{
    char out[8192];
    assert_int_equal(sh(out, sizeof out, "pdfimages -list '%s'", pdf), 0);
    int n = 0;
    for (char *line = strtok(out, "\n"); line && n < max;
         line = strtok(NULL, "\n")) {
        char type[16], color[16], interp[8];
        int num, comp, bpc, obj, gen;
        if (sscanf(line, "%d %d %15s %d %d %15s %d %d %15s %7s %d %d %d %d",
                   &im[n].page, &num, type, &im[n].width, &im[n].height,
                   color, &comp, &bpc, im[n].enc, interp, &obj, &gen,
                   &im[n].ppi_x, &im[n].ppi_y) == 14)
            n++;
    }
    return n;
}

static char *text_of(const char *pdf, char *out, size_t size)
{
    assert_int_equal(sh(out, size, "pdftotext '%s' -", pdf), 0);
    return out;
}

static void test_help(void **state)
{
    (void)state;
    assert_int_equal(tu_run(NULL, 0, "help", "print", NULL), 0);
    assert_int_equal(tu_run(NULL, 0, "print", "--help", NULL), 0);
}

/* Without --scale: one A4 page with every panel, lettered. */
static void test_grid_page(void **state)
{
    env *e = *state;
    char err[1024], text[8192], out[256];
    assert_int_equal(tu_run(err, sizeof err, "print", e->photo, "-o", e->pdf,
                            "--date", "2024-02-29", "--id", "K-77",
                            "--caption", "Crown \xe2\x80\x94 first visit",
                            "--seed", "3", NULL), 0);
    assert_non_null(strstr(err, "scale"));      /* the report */
    assert_int_equal(pages(e->pdf), 1);
    double w, h;
    page_size(e->pdf, 1, &w, &h);
    assert_true(fabs(w - 595.28) < 0.01 && fabs(h - 841.89) < 0.01);
    /* it renders */
    assert_int_equal(sh(NULL, 0, "cd '%s' && pdftoppm -r 50 client.pdf pg",
                        e->dir), 0);
    char *png = tu_path(e->dir, "pg-1.ppm");
    assert_true(tu_exists(png));
    free(png);
    text_of(e->pdf, text, sizeof text);
    const char *want[] = {"Scalp micropigmentation preview", "K-77",
                          "Crown \xe2\x80\x94 first visit", "2024-02-29",
                          "Before", "Final result", "Session 1", "Session 2",
                          "Session 3", "mm", "(scale estimated)"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' is not on the page", want[i]);
    /* before, the final result twice (reused), sessions 1 and 2 */
    pdf_image im[16];
    int n = images(e->pdf, im, 16);
    assert_int_equal(n, 5);
    for (int i = 0; i < n; i++) {
        assert_int_equal(im[i].page, 1);
        assert_string_equal(im[i].enc, "jpeg");
        /* smaller than 300 dpi at their size: embedded as they are */
        assert_int_equal(im[i].width, W);
    }
    /* the creation date is the date given */
    assert_int_equal(sh(out, sizeof out, "pdfinfo '%s' | grep CreationDate",
                        e->pdf), 0);
    assert_non_null(strstr(out, "2024"));
    assert_non_null(strstr(out, "Feb 29"));
    assert_int_equal(tu_count_entries(e->dir), 3);  /* no temporaries */
}

/* --scale: page 2 holds the photo at 1 mm per mm, its pixels untouched. */
static void test_true_size_page(void **state)
{
    env *e = *state;
    assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", e->pdf,
                            "--scale", "4", "--paper", "letter", "--date",
                            "2024-05-01", "-q", NULL), 0);
    assert_int_equal(pages(e->pdf), 2);
    assert_int_equal(sh(NULL, 0, "cd '%s' && pdftoppm -r 50 client.pdf pg",
                        e->dir), 0);
    char *pg = tu_path(e->dir, "pg-2.ppm");
    assert_true(tu_exists(pg));
    free(pg);
    for (int p = 1; p <= 2; p++) {
        double w, h;
        page_size(e->pdf, p, &w, &h);
        assert_true(fabs(w - 612) < 0.01 && fabs(h - 792) < 0.01);
    }
    char text[8192];
    text_of(e->pdf, text, sizeof text);
    assert_non_null(strstr(text, "true size"));
    assert_non_null(strstr(text, "10 mm"));
    assert_null(strstr(text, "(scale estimated)"));
    pdf_image im[16];
    int n = images(e->pdf, im, 16), found = 0;
    for (int i = 0; i < n; i++) {
        if (im[i].page != 2)
            continue;
        found++;
        /* the whole photo (100 x 75 mm fits), at 4 px/mm = 101.6 ppi */
        assert_int_equal(im[i].width, W);
        assert_int_equal(im[i].height, H);
        assert_true(fabs(im[i].ppi_x - 101.6) <= 1.016);
        assert_true(fabs(im[i].ppi_y - 101.6) <= 1.016);
    }
    assert_int_equal(found, 1);
}

/* A photo larger than the page at true size: a detail, still 1:1. */
static void test_detail_crop(void **state)
{
    env *e = *state;
    /* 400 px at 1.5 px/mm is 267 mm: wider than A4's printable 186 */
    assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", e->pdf,
                            "--scale", "1.5", "--date", "2024-05-01", "-q",
                            NULL), 0);
    assert_int_equal(pages(e->pdf), 2);
    char text[8192];
    text_of(e->pdf, text, sizeof text);
    assert_non_null(strstr(text, "detail"));
    pdf_image im[16];
    int n = images(e->pdf, im, 16), found = 0;
    for (int i = 0; i < n; i++) {
        if (im[i].page != 2)
            continue;
        found++;
        assert_true(im[i].width < W && im[i].width > 186 * 1.5 - 3);
        assert_int_equal(im[i].height, H);
        assert_true(fabs(im[i].ppi_x - 38.1) <= 0.5);
    }
    assert_int_equal(found, 1);
}

/* The longest run of dark pixels in any row of a binary PGM. */
static int longest_dark_run(const char *pgm)
{
    size_t n;
    uint8_t *d = tu_read(pgm, &n);
    assert_non_null(d);
    int w, h, max, off;
    assert_int_equal(sscanf((char *)d, "P5 %d %d %d%n", &w, &h, &max, &off),
                     3);
    const uint8_t *px = d + off + 1;
    assert_true((size_t)(off + 1) + (size_t)w * h <= n);
    int best = 0;
    for (int y = 0; y < h; y++) {
        int run = 0;
        for (int x = 0; x < w; x++) {
            run = px[(size_t)y * w + x] < 64 ? run + 1 : 0;
            if (run > best)
                best = run;
        }
    }
    free(d);
    return best;
}

/* At 254 dpi a millimetre is 10 pixels: the bar must be 100 long. */
static void test_bar_measures_10mm(void **state)
{
    env *e = *state;
    const char *paper[] = {"a4", "letter"}, *scale[] = {"4", "1.5"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", e->pdf,
                                "--scale", scale[i], "--paper", paper[i],
                                "--date", "2024-05-01", "-q", NULL), 0);
        assert_int_equal(sh(NULL, 0, "cd '%s' && pdftoppm -r 254 -gray "
                            "-f 2 -l 2 -singlefile client.pdf bar", e->dir),
                         0);
        char *pgm = tu_path(e->dir, "bar.pgm");
        int run = longest_dark_run(pgm);
        if (abs(run - 100) > 2)
            fail_msg("the 10 mm bar is %d px at 10 px/mm (%s)", run,
                     paper[i]);
        unlink(pgm);
        free(pgm);
    }
}

static void test_same_inputs_same_bytes(void **state)
{
    env *e = *state;
    char *a = tu_path(e->dir, "a.pdf"), *b = tu_path(e->dir, "b.pdf"),
         *c = tu_path(e->dir, "c.pdf");
    const char *args[] = {"--seed", "9", "--scale", "3", "--date",
                          "2024-05-01"};
#define PRINT(out, seed) tu_run(NULL, 0, "print", e->photo, "-o", out, \
        args[0], seed, args[2], args[3], args[4], args[5], "-q", NULL)
    assert_int_equal(PRINT(a, "9"), 0);
    assert_int_equal(PRINT(b, "9"), 0);
    assert_int_equal(PRINT(c, "10"), 0);
    assert_true(tu_files_equal(a, b));
    assert_false(tu_files_equal(a, c));
    /* without --date: the day of SOURCE_DATE_EPOCH, reproducibly */
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);     /* 2023-11-14 UTC */
    assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", a, "-q", NULL),
                     0);
    assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", b, "-q", NULL),
                     0);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_true(tu_files_equal(a, b));
    char text[8192];
    assert_non_null(strstr(text_of(a, text, sizeof text), "2023-11-14"));
#undef PRINT
    free(a);
    free(b);
    free(c);
}

static void test_lossless_images(void **state)
{
    env *e = *state;
    assert_int_equal(tu_run(NULL, 0, "print", e->photo, "-o", e->pdf,
                            "--format", "png", "--date", "2024-05-01", "-q",
                            NULL), 0);
    pdf_image im[16];
    int n = images(e->pdf, im, 16);
    assert_true(n >= 1);
    for (int i = 0; i < n; i++)
        assert_string_equal(im[i].enc, "image");    /* Flate */
}

static void test_usage_errors(void **state)
{
    env *e = *state;
    char err[1024];
    const char *bad[][4] = {
        {"--paper", "a5", NULL},
        {"--date", "2023-02-29", NULL},
        {"--date", "today", NULL},
        {"--density", "lots", NULL},
        {"--years", "5", NULL},
        {"--caption", "two\nlines", NULL},
        {"--bogus", NULL},
        {"extra.png", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(tu_run(err, sizeof err, "print", e->photo, "-o",
                                e->pdf, bad[i][0], bad[i][1], NULL), 2);
        tu_assert_one_line(err, "print", NULL);
        assert_false(tu_exists(e->pdf));
    }
    assert_int_equal(tu_run(err, sizeof err, "print", e->photo, NULL), 2);
    tu_assert_one_line(err, "-o", NULL);
    assert_int_equal(tu_run(err, sizeof err, "print", "-o", e->pdf, NULL), 2);
    tu_assert_one_line(err, "PHOTO", NULL);
    setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    assert_int_equal(tu_run(err, sizeof err, "print", e->photo, "-o", e->pdf,
                            NULL), 2);
    unsetenv("SOURCE_DATE_EPOCH");
    tu_assert_one_line(err, "SOURCE_DATE_EPOCH", NULL);
    assert_int_equal(tu_count_entries(e->dir), 1);
}

/* Bad photos: exit 1, one line naming the file, no PDF, no temporary. */
static void test_bad_inputs(void **state)
{
    env *e = *state;
    char err[1024];
    char *missing = tu_path(e->dir, "nope.jpg");
    char *text = tu_path(e->dir, "notes.png");
    char *cut = tu_path(e->dir, "cut.png");
    tu_write(text, "this is not a picture\n", 22);
    size_t n;
    uint8_t *png = tu_read(e->photo, &n);
    tu_write(cut, png, n / 2);
    const char *bad[] = {missing, text, cut, e->dir};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tu_run(err, sizeof err, "print", bad[i], "-o",
                                e->pdf, "--date", "2024-05-01", NULL), 1);
        tu_assert_one_line(err, bad[i], NULL);
        assert_false(tu_exists(e->pdf));
    }
    /* the output may not replace the photo */
    assert_int_equal(tu_run(err, sizeof err, "print", e->photo, "-o",
                            e->photo, NULL), 1);
    tu_assert_one_line(err, "overwrite", NULL);
    size_t m;
    uint8_t *now = tu_read(e->photo, &m);
    assert_int_equal(n, m);
    assert_memory_equal(png, now, n);
    /* an output that cannot be written names itself */
    char *deep = tu_path(e->dir, "no/such/dir.pdf");
    assert_int_equal(tu_run(err, sizeof err, "print", e->photo, "-o", deep,
                            "-q", NULL), 1);
    tu_assert_one_line(err, deep, NULL);
    assert_int_equal(tu_count_entries(e->dir), 3);  /* photo, text, cut */
    free(now);
    free(png);
    free(deep);
    free(missing);
    free(text);
    free(cut);
}

/* The library's own checks, without the command. */
static void test_library_checks(void **state)
{
    env *e = *state;
    smp_print_options o;
    smp_print_options_default(&o);
    const char *dates[] = {"2024-02-29", "2000-02-29", "1999-12-31"};
    const char *bad[] = {"2023-02-29", "1900-02-29", "2024-04-31",
                         "2024-1-01", "2024-01-01x", "24-01-01", ""};
    for (int i = 0; i < 3; i++) {
        o.date = dates[i];
        assert_int_equal(smp_print_check(&o, NULL), SMP_OK);
    }
    for (int i = 0; i < 7; i++) {
        o.date = bad[i];
        assert_int_equal(smp_print_check(&o, NULL), SMP_ERR_ARG);
    }
    o.date = NULL;
    const char *texts[] = {"\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "tab\t",
                           "\xc0\xaf"};
    for (int i = 0; i < 5; i++) {
        o.caption = texts[i];
        assert_int_equal(smp_print_check(&o, NULL), SMP_ERR_ARG);
    }
    o.caption = "Caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80";
    assert_int_equal(smp_print_check(&o, NULL), SMP_OK);

    /* a true-size page needs a measured scale */
    smp_image *photo;
    assert_int_equal(smp_image_load(e->photo, NULL, &photo, NULL), SMP_OK);
    smp_params p;
    smp_params_default(&p);
    p.sessions = 1;
    smp_render *r;
    assert_int_equal(smp_render_new(photo, &p, &r, NULL), SMP_OK);
    o.true_size = 1;
    smp_error err;
    assert_int_equal(smp_print_pdf(r, photo, &o, e->pdf, &err), SMP_ERR_ARG);
    assert_false(tu_exists(e->pdf));
    o.true_size = 0;
    assert_int_equal(smp_print_pdf(r, photo, &o, e->pdf, &err), SMP_OK);
    assert_int_equal(pages(e->pdf), 1);
    smp_render_free(r);
    smp_image_free(photo);
}

int main(void)
{
    if (sh(NULL, 0, "pdfinfo -v >/dev/null 2>&1") != 0) {
        fprintf(stderr, "poppler-utils missing: run 'make deps'\n");
        return 1;
    }
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_help),
        T(test_grid_page),
        T(test_true_size_page),
        T(test_detail_crop),
        T(test_bar_measures_10mm),
        T(test_same_inputs_same_bytes),
        T(test_lossless_images),
        T(test_usage_errors),
        T(test_bad_inputs),
        T(test_library_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
