/* test_report.c - a batch's back-ends: case folder layout, the per-case
 * record (written, read back, refused when damaged), report.json read
 * with json-c, the web-sized images, and index.html's escaping of
 * everything a manifest can put in it. */
#define _POSIX_C_SOURCE 200809L
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

static smp_case sample_case(const char *id)
{
    smp_case c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.caption = "Crown, \"natural\"\nsecond line";
    c.photo = "photos/crown.jpg";
    c.line = 7;
    c.status = SMP_CASE_RENDERED;
    snprintf(c.fingerprint, sizeof c.fingerprint, "0123456789abcdef");
    snprintf(c.ext, sizeof c.ext, "png");
    c.sessions = 3;
    c.dots[0] = 100;
    c.dots[1] = 250;
    c.dots[2] = 400;
    c.density = 98.765;
    c.area_cm2 = 4.05;
    c.seconds = 1.5;
    c.width = 1200;
    c.height = 900;
    return c;
}

static void test_case_paths(void **state)
{
    (void)state;
    smp_case c = sample_case("c1");
    char buf[256];
    smp_case_path(&c, SMP_CASE_SESSION, 2, 0, buf, sizeof buf);
    assert_string_equal(buf, "c1/c1-session-2.png");
    smp_case_path(&c, SMP_CASE_BEFORE_AFTER, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "c1/c1-before-after.png");
    smp_case_path(&c, SMP_CASE_DOTS, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "c1/dots.csv");
    smp_case_path(&c, SMP_CASE_RECORD, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "c1/case.json");
    smp_case_path(&c, SMP_CASE_WEB_BEFORE, 0, SMP_WEB_LARGE, buf, sizeof buf);
    assert_string_equal(buf, "c1/web/before-1200.jpg");
    smp_case_path(&c, SMP_CASE_WEB_SESSION, 3, SMP_WEB_SMALL, buf, sizeof buf);
    assert_string_equal(buf, "c1/web/session-3-400.jpg");
    assert_int_equal(smp_case_path(&c, SMP_CASE_DIR, 0, 0, NULL, 0), 2);
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *sub = tu_path(dir, "c1");
    assert_int_equal(mkdir(sub, 0777), 0);
    smp_case c = sample_case("c1");
    smp_error e = {0};
    assert_int_equal(smp_case_record_write(&c, dir, &e), SMP_OK);
    assert_int_equal(tu_count_entries(sub), 1);      /* no temporaries */
    smp_case r;
    memset(&r, 0, sizeof r);
    r.id = "c1";
    assert_int_equal(smp_case_record_read(&r, dir, &e), SMP_OK);
    assert_int_equal(r.status, SMP_CASE_RENDERED);
    assert_string_equal(r.fingerprint, c.fingerprint);
    assert_string_equal(r.ext, "png");
    assert_int_equal(r.sessions, 3);
    assert_int_equal(r.dots[2], 400);
    assert_true(r.density > 98.76 && r.density < 98.78);
    assert_int_equal(r.width, 1200);
    assert_int_equal(r.height, 900);

    /* a failure is recorded with its message */
    c.status = SMP_CASE_FAILED;
    snprintf(c.error, sizeof c.error, "photo.jpg: not a PNG or JPEG image");
    assert_int_equal(smp_case_record_write(&c, dir, &e), SMP_OK);
    assert_int_equal(smp_case_record_read(&r, dir, &e), SMP_OK);
    assert_int_equal(r.status, SMP_CASE_FAILED);
    assert_string_equal(r.error, c.error);

    /* damaged or hostile records are refused, never used */
    char *rec = tu_path(sub, "case.json");
    const char *bad[] = {
        "{ not json",
        "[1, 2]",
        "{\"status\": \"rendered\", \"fingerprint\": \"x\", \"ext\": \"../x\","
        " \"sessions\": 1, \"dots\": [1], \"width\": 1, \"height\": 1}",
        "{\"status\": \"rendered\", \"fingerprint\": \"x\", \"ext\": \"png\","
        " \"sessions\": 99, \"dots\": [1], \"width\": 1, \"height\": 1}",
        "{\"status\": \"rendered\", \"fingerprint\": \"x\", \"ext\": \"png\","
        " \"sessions\": 2, \"dots\": [1], \"width\": 1, \"height\": 1}",
        "{\"status\": \"odd\", \"fingerprint\": \"x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(tu_write(rec, bad[i], strlen(bad[i])), 0);
        assert_int_equal(smp_case_record_read(&r, dir, &e), SMP_ERR_FORMAT);
        assert_int_equal(r.status, SMP_CASE_MISSING);
        assert_non_null(strstr(e.msg, "case.json"));
    }
    unlink(rec);
    assert_int_equal(smp_case_record_read(&r, dir, &e), SMP_ERR_IO);

    /* ids that would leave the output folder are refused by every writer */
    const char *unsafe[] = {"../x", "a/b", ".", "..", "", "tab\tid", ".hid"};
    for (size_t i = 0; i < sizeof unsafe / sizeof *unsafe; i++) {
        smp_case u = sample_case(unsafe[i]);
        assert_int_equal(smp_case_record_write(&u, dir, &e), SMP_ERR_ARG);
        assert_int_equal(smp_case_web_images(&u, dir, "none.png", 0, NULL,
                                             &e), SMP_ERR_ARG);
        assert_int_equal(smp_case_record_read(&u, dir, &e), SMP_ERR_ARG);
    }
    assert_int_equal(tu_count_entries(dir), 1);
    tu_rmdir(dir);
    free(rec);
    free(sub);
    free(dir);
}

static json_object *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("no field '%s'", key);
    return v;
}

static void test_report_json(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    smp_case cs[4] = {sample_case("a"), sample_case("b"), sample_case("c"),
                      sample_case("d")};
    cs[1].status = SMP_CASE_UP_TO_DATE;
    cs[1].caption = NULL;
    cs[2].status = SMP_CASE_FAILED;
    snprintf(cs[2].error, sizeof cs[2].error, "bad --density 'x' \xff");
    cs[3].status = SMP_CASE_MISSING;
    const char *extra[] = {"a/a-year-5.png"};
    cs[0].extra = extra;
    cs[0].nextra = 1;
    smp_error e = {0};
    assert_int_equal(smp_report_write(cs, 4, dir, &e), SMP_OK);
    char *path = tu_path(dir, "report.json");
    json_object *o = json_object_from_file(path);
    assert_non_null(o);
    json_object *sum = field(o, "summary");
    assert_int_equal(json_object_get_int(field(sum, "cases")), 4);
    assert_int_equal(json_object_get_int(field(sum, "rendered")), 1);
    assert_int_equal(json_object_get_int(field(sum, "up_to_date")), 1);
    assert_int_equal(json_object_get_int(field(sum, "failed")), 1);
    assert_int_equal(json_object_get_int(field(sum, "missing")), 1);
    json_object *list = field(o, "cases");
    assert_int_equal(json_object_array_length(list), 4);

    json_object *a = json_object_array_get_idx(list, 0);
    assert_string_equal(json_object_get_string(field(a, "id")), "a");
    assert_string_equal(json_object_get_string(field(a, "caption")),
                        "Crown, \"natural\"\nsecond line");
    assert_string_equal(json_object_get_string(field(a, "status")),
                        "rendered");
    assert_true(json_object_is_type(field(a, "error"), json_type_null));
    assert_int_equal(json_object_get_int(field(a, "line")), 7);
    json_object *dps = field(a, "dots_per_session");
    assert_int_equal(json_object_array_length(dps), 3);
    assert_int_equal(json_object_get_int(json_object_array_get_idx(dps, 1)),
                     150);
    assert_int_equal(json_object_get_int(field(a, "dots_total")), 400);
    assert_true(json_object_get_double(field(a, "density")) > 98.7);
    json_object *out = field(a, "outputs");
    json_object *ss = field(out, "sessions");
    assert_int_equal(json_object_array_length(ss), 3);
    assert_string_equal(json_object_get_string(
                            json_object_array_get_idx(ss, 2)),
                        "a/a-session-3.png");
    assert_string_equal(json_object_get_string(field(out, "before_after")),
                        "a/a-before-after.png");
    assert_string_equal(json_object_get_string(field(out, "dots")),
                        "a/dots.csv");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(
                            field(out, "extra"), 0)), "a/a-year-5.png");
    json_object *web = field(out, "web");
    assert_string_equal(json_object_get_string(field(field(web, "before"),
                                                     "small")),
                        "a/web/before-400.jpg");

    json_object *b = json_object_array_get_idx(list, 1);
    assert_string_equal(json_object_get_string(field(b, "status")),
                        "up-to-date");
    assert_string_equal(json_object_get_string(field(b, "caption")), "");

    json_object *c = json_object_array_get_idx(list, 2);
    assert_string_equal(json_object_get_string(field(c, "status")), "failed");
    /* the invalid byte became U+FFFD: the file stays UTF-8 */
    assert_string_equal(json_object_get_string(field(c, "error")),
                        "bad --density 'x' \xef\xbf\xbd");
    assert_false(json_object_object_get_ex(c, "outputs", NULL));
    json_object *d = json_object_array_get_idx(list, 3);
    assert_string_equal(json_object_get_string(field(d, "status")),
                        "missing");
    json_object_put(o);
    tu_rmdir(dir);
    free(path);
    free(dir);
}

static char *read_text(const char *path)
{
    size_t n;
    uint8_t *b = tu_read(path, &n);
    assert_non_null(b);
    char *s = realloc(b, n + 1);
    assert_non_null(s);
    s[n] = '\0';
    return s;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_gallery_escaping(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    smp_case cs[4] = {sample_case("O'Neil & co #1"), sample_case("plain"),
                      sample_case("failedcase"), sample_case("../zzunsafe")};
    cs[0].caption = "<script>alert(1)</script> & \"quotes\" 'too'";
    cs[1].caption = "";
    cs[2].status = SMP_CASE_FAILED;
    smp_error e = {0};
    assert_int_equal(smp_gallery_write(cs, 4, dir, "Clinic <b>&</b>", &e),
                     SMP_OK);
    char *path = tu_path(dir, "index.html");
    char *html = read_text(path);
    /* nothing from the manifest is markup */
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "<b>&</b>"));
    assert_int_equal(count(html, "<script"), 1);    /* the page's own */
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; "
                                 "&amp; &quot;quotes&quot; &#39;too&#39;"));
    assert_non_null(strstr(html, "<title>Clinic &lt;b&gt;&amp;&lt;/b&gt;"));
    /* ids are escaped as text and percent-encoded in URLs */
    assert_non_null(strstr(html, "data-id=\"O&#39;Neil &amp; co #1\""));
    assert_non_null(strstr(html, "O%27Neil%20%26%20co%20%231/web/"
                                 "session-3-400.jpg"));
    /* failed cases are not shown; empty captions fall back to the id */
    assert_null(strstr(html, "failedcase"));
    assert_null(strstr(html, "zzunsafe"));
    assert_non_null(strstr(html, "<span class=\"card-title\">plain</span>"));
    assert_int_equal(count(html, "class=\"card\""), 2);
    /* no external resource of any kind */
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    assert_null(strstr(html, "//cdn"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url("));
    /* an empty gallery is still a page */
    assert_int_equal(smp_gallery_write(cs + 2, 1, dir, NULL, &e), SMP_OK);
    free(html);
    html = read_text(path);
    assert_non_null(strstr(html, "No previews yet"));
    assert_int_equal(tu_count_entries(dir), 1);
    free(html);
    tu_rmdir(dir);
    free(path);
    free(dir);
}

static void assert_jpeg_size(const char *dir, const char *rel, uint32_t w,
                             uint32_t h)
{
    char *p = tu_path(dir, rel);
    smp_image *img;
    assert_int_equal(smp_image_load(p, NULL, &img, NULL), SMP_OK);
    assert_int_equal(img->format, SMP_FORMAT_JPEG);
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    smp_image_free(img);
    free(p);
}

/* Photo and sessions of size w x h: the web copies are shrunk to the
 * long edge, never enlarged. */
static void web_case(uint32_t w, uint32_t h, uint32_t lw, uint32_t lh,
                     uint32_t sw, uint32_t sh)
{
    char *dir = tu_tmpdir();
    char *sub = tu_path(dir, "k");
    assert_int_equal(mkdir(sub, 0777), 0);
    smp_image *img = tu_skin_photo(w, h, w / 2.0, h / 2.0, w / 3.0, h / 3.0);
    char *photo = tu_path(dir, "photo.png");
    assert_int_equal(smp_image_save(img, photo, NULL, NULL), SMP_OK);
    smp_case c = sample_case("k");
    c.sessions = 2;
    c.width = c.height = 0;
    char rel[256];
    for (int k = 1; k <= 2; k++) {
        smp_case_path(&c, SMP_CASE_SESSION, k, 0, rel, sizeof rel);
        char *p = tu_path(dir, rel);
        assert_int_equal(smp_image_save(img, p, NULL, NULL), SMP_OK);
        free(p);
    }
    smp_error e = {0};
    assert_int_equal(smp_case_web_images(&c, dir, photo, 0, NULL, &e),
                     SMP_OK);
    assert_int_equal(c.width, lw);
    assert_int_equal(c.height, lh);
    assert_jpeg_size(dir, "k/web/before-1200.jpg", lw, lh);
    assert_jpeg_size(dir, "k/web/before-400.jpg", sw, sh);
    assert_jpeg_size(dir, "k/web/session-2-1200.jpg", lw, lh);
    assert_jpeg_size(dir, "k/web/session-1-400.jpg", sw, sh);
    char *web = tu_path(sub, "web");
    assert_int_equal(tu_count_entries(web), 6);

    /* cancelled: an error, and no temporary left behind */
    atomic_int stop = 1;
    assert_int_equal(smp_case_web_images(&c, dir, photo, 0, &stop, &e),
                     SMP_ERR_CANCELLED);
    assert_int_equal(tu_count_entries(web), 6);
    smp_image_free(img);
    tu_rmdir(dir);
    free(web);
    free(photo);
    free(sub);
    free(dir);
}

static void test_web_images(void **state)
{
    (void)state;
    web_case(1600, 1200, 1200, 900, 400, 300);
    web_case(240, 180, 240, 180, 240, 180);
    web_case(300, 2000, 180, 1200, 60, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_paths),
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_gallery_escaping),
        cmocka_unit_test(test_web_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
