/* test_manifest.c - the batch manifest parser against CSV written by hand
 * the way spreadsheets export it: byte order mark, CRLF, quoted commas,
 * newlines and doubled quotes, empty cells, blank rows, and the line each
 * row starts on. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static smp_manifest *parse(const char *text)
{
    smp_manifest *m = NULL;
    smp_error e = {0};
    if (smp_manifest_parse(text, strlen(text), "m.csv", &m, &e) != SMP_OK)
        fail_msg("parse failed: %s", e.msg);
    return m;
}

static void assert_row(const smp_manifest *m, size_t row, unsigned long line,
                       const char *const *cells, size_t n)
{
    assert_int_equal(smp_manifest_line(m, row), line);
    assert_int_equal(smp_manifest_cells(m, row), n);
    for (size_t j = 0; j < n; j++)
        assert_string_equal(smp_manifest_cell(m, row, j), cells[j]);
}

static void test_plain(void **state)
{
    (void)state;
    smp_manifest *m = parse("photo,density,caption\n"
                            "a.jpg,100,first\n"
                            "b.png,,second\n");
    assert_int_equal(smp_manifest_columns(m), 3);
    assert_string_equal(smp_manifest_column(m, 0), "photo");
    assert_string_equal(smp_manifest_column(m, 2), "caption");
    assert_string_equal(smp_manifest_column(m, 3), "");
    assert_int_equal(smp_manifest_rows(m), 2);
    const char *r0[] = {"a.jpg", "100", "first"};
    const char *r1[] = {"b.png", "", "second"};
    assert_row(m, 0, 2, r0, 3);
    assert_row(m, 1, 3, r1, 3);
    assert_string_equal(smp_manifest_cell(m, 1, 7), "");   /* past the end */
    assert_string_equal(smp_manifest_cell(m, 9, 0), "");
    smp_manifest_free(m);
}

/* What Excel's "CSV UTF-8" writes: BOM, CRLF, quotes where needed. */
static void test_spreadsheet_export(void **state)
{
    (void)state;
    smp_manifest *m = parse("\xef\xbb\xbfphoto,caption,seed\r\n"
                            "a.jpg,\"Crown, feathered\",1\r\n"
                            "b.jpg,\"He said \"\"natural\"\"\",2\r\n"
                            "c.jpg,\"two\r\nlines\",3\r\n"
                            "d.jpg,,\r\n"
                            "\"e.jpg\",\"\",\"4\"\r\n");
    assert_string_equal(smp_manifest_column(m, 0), "photo");  /* no BOM */
    assert_int_equal(smp_manifest_rows(m), 5);
    const char *r0[] = {"a.jpg", "Crown, feathered", "1"};
    const char *r1[] = {"b.jpg", "He said \"natural\"", "2"};
    const char *r2[] = {"c.jpg", "two\nlines", "3"};
    const char *r3[] = {"d.jpg", "", ""};
    const char *r4[] = {"e.jpg", "", "4"};
    assert_row(m, 0, 2, r0, 3);
    assert_row(m, 1, 3, r1, 3);
    assert_row(m, 2, 4, r2, 3);     /* starts on line 4, ends on 5 */
    assert_row(m, 3, 6, r3, 3);
    assert_row(m, 4, 7, r4, 3);
    smp_manifest_free(m);
}

/* Blank rows (",,," from spreadsheets, empty lines) are dropped but still
 * counted as lines; no final newline is fine; spaces round unquoted
 * cells go, quoted ones stay. */
static void test_blank_rows_and_lines(void **state)
{
    (void)state;
    smp_manifest *m = parse("photo,caption\n"
                            "\n"
                            ",,\n"
                            "  a.jpg ,  \" padded \"\n"
                            "\n"
                            "b.jpg,\"multi\n\nline\"\n"
                            "c.jpg,last");
    assert_int_equal(smp_manifest_rows(m), 3);
    const char *r0[] = {"a.jpg", " padded "};
    const char *r1[] = {"b.jpg", "multi\n\nline"};
    const char *r2[] = {"c.jpg", "last"};
    assert_row(m, 0, 4, r0, 2);
    assert_row(m, 1, 6, r1, 2);
    assert_row(m, 2, 9, r2, 2);
    smp_manifest_free(m);
}

/* Rows may be shorter or longer than the header; the caller decides. */
static void test_ragged_rows(void **state)
{
    (void)state;
    smp_manifest *m = parse("photo,density,seed\n"
                            "a.jpg\n"
                            "b.jpg,1,2,3,\n");
    assert_int_equal(smp_manifest_cells(m, 0), 1);
    assert_string_equal(smp_manifest_cell(m, 0, 2), "");
    assert_int_equal(smp_manifest_cells(m, 1), 5);
    assert_string_equal(smp_manifest_cell(m, 1, 3), "3");
    smp_manifest_free(m);
}

/* Lone CR line ends (old Mac exports) still count lines. */
static void test_cr_lines(void **state)
{
    (void)state;
    smp_manifest *m = parse("photo,seed\ra.jpg,1\rb.jpg,2\r");
    assert_int_equal(smp_manifest_rows(m), 2);
    assert_int_equal(smp_manifest_line(m, 1), 3);
    assert_string_equal(smp_manifest_cell(m, 1, 1), "2");
    smp_manifest_free(m);
}

static void assert_refused(const void *data, size_t n, const char *what)
{
    smp_manifest *m = (smp_manifest *)1;
    smp_error e = {0};
    assert_int_not_equal(smp_manifest_parse(data, n, "m.csv", &m, &e),
                         SMP_OK);
    assert_null(m);
    if (!strstr(e.msg, what))
        fail_msg("message '%s' does not say '%s'", e.msg, what);
}

static void test_refused(void **state)
{
    (void)state;
    const char *open_quote = "photo,caption\na.jpg,ok\nb.jpg,\"never closed\n";
    assert_refused(open_quote, strlen(open_quote), "m.csv:3: a quoted");
    /* a stray quote: the cell should have been quoted */
    const char *stray = "photo,caption\na.jpg,ok\nb.jpg,5\" tall\n";
    assert_refused(stray, strlen(stray), "m.csv:3: a '\"'");
    const char *after = "photo,caption\na.jpg,\"ok\"x\n";
    assert_refused(after, strlen(after), "m.csv:2:");
    /* Latin-1, as Excel's plain "CSV" writes it: refused, with the line */
    const char *latin1 = "photo,caption\na.jpg,caf\xe9\n";
    assert_refused(latin1, strlen(latin1), "m.csv:2: not UTF-8");
    const char overlong[] = "photo\n\xc0\xaf.jpg\n";
    assert_refused(overlong, sizeof overlong - 1, "not UTF-8");
    const char nul[] = "photo\na\0.jpg\n";
    assert_refused(nul, sizeof nul - 1, "m.csv:2: NUL");
    assert_refused("", 0, "no header");
    assert_refused("\xef\xbb\xbf\r\n,,\r\n", 7, "no header");
}

static void test_header_only_and_utf8(void **state)
{
    (void)state;
    smp_manifest *m = parse("photo,caption\n");
    assert_int_equal(smp_manifest_rows(m), 0);
    smp_manifest_free(m);
    m = parse("photo,caption\nb.jpg,\"Dichte 120 Punkte/cm\xc2\xb2 \xe2\x80\x94 "
              "\xf0\x9f\x99\x82\"\n");
    assert_string_equal(smp_manifest_cell(m, 0, 1),
                        "Dichte 120 Punkte/cm\xc2\xb2 \xe2\x80\x94 "
                        "\xf0\x9f\x99\x82");
    smp_manifest_free(m);
    smp_manifest_free(NULL);
}

static void test_load_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "m.csv");
    const char text[] = "photo\r\nx.jpg\r\n";
    assert_int_equal(tu_write(p, text, sizeof text - 1), 0);
    smp_manifest *m;
    smp_error e = {0};
    assert_int_equal(smp_manifest_load(p, &m, &e), SMP_OK);
    assert_int_equal(smp_manifest_rows(m), 1);
    assert_string_equal(smp_manifest_cell(m, 0, 0), "x.jpg");
    smp_manifest_free(m);
    char *missing = tu_path(dir, "nope.csv");
    assert_int_equal(smp_manifest_load(missing, &m, &e), SMP_ERR_IO);
    assert_non_null(strstr(e.msg, missing));
    assert_int_equal(smp_manifest_load(dir, &m, &e), SMP_ERR_IO);
    tu_rmdir(dir);
    free(missing);
    free(p);
    free(dir);
}

/* Many rows and long cells: buffers grow, lines stay right. */
static void test_large(void **state)
{
    (void)state;
    size_t rows = 5000, cap = rows * 64 + 4096, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "photo,caption\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(text + n, cap - n, "p%zu.jpg,\"c,%zu\n\"\n", i,
                              i);
    smp_manifest *m = parse(text);
    assert_int_equal(smp_manifest_rows(m), rows);
    assert_int_equal(smp_manifest_line(m, rows - 1), 2 + 2 * (rows - 1));
    assert_string_equal(smp_manifest_cell(m, 1234, 1), "c,1234\n");
    smp_manifest_free(m);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_spreadsheet_export),
        cmocka_unit_test(test_blank_rows_and_lines),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_cr_lines),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_header_only_and_utf8),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
