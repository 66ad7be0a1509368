/*
 * fuzz_manifest.c - libFuzzer harness for the batch manifest reader
 * (manifest.c over libcsv): smp_manifest_parse either refuses the bytes
 * with one line naming the file, or gives a header and rows that keep
 * their promises (no blank rows, cells of UTF-8 text without NUL or CR,
 * each row on a later line than the one before).  Each row's cells under
 * render option names then go through cli_render_set, as a batch does.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cell(const char *s)
{
    size_t n = strlen(s);
    FUZZ_CHECK(strchr(s, '\r') == NULL);
    for (size_t i = 0; i < n;) {
        size_t len = smp_utf8_len((const unsigned char *)s + i, n - i);
        FUZZ_CHECK(len > 0);
        i += len;
    }
}

/* Not blank: a row of empty cells is dropped. */
static int has_text(const smp_manifest *m, size_t row, size_t n)
{
    for (size_t c = 0; c < n; c++)
        if (*(row == (size_t)-1 ? smp_manifest_column(m, c)
                                : smp_manifest_cell(m, row, c)))
            return 1;
    return 0;
}

static int is_option(const char *name)
{
    for (const char *const *o = cli_render_names; *o; o++)
        if (!strcmp(*o, name))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "fuzz.csv";
    smp_manifest *m = (smp_manifest *)1;
    smp_error err;
    smp_status st = smp_manifest_parse(data, size, name, &m, &err);
    if (st != SMP_OK) {
        FUZZ_CHECK(m == NULL && err.status == st);
        FUZZ_CHECK(strncmp(err.msg, name, sizeof name - 1) == 0 &&
                   err.msg[sizeof name - 1] == ':');
        FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
        return 0;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || (data[i] == '\r' &&
                                     (i + 1 == size || data[i + 1] != '\n'));
    size_t ncols = smp_manifest_columns(m);
    FUZZ_CHECK(ncols >= 1 && has_text(m, (size_t)-1, ncols));
    for (size_t c = 0; c < ncols; c++)
        check_cell(smp_manifest_column(m, c));
    FUZZ_CHECK(*smp_manifest_column(m, ncols) == '\0');

    unsigned long prev = 0;
    size_t rows = smp_manifest_rows(m);
    for (size_t r = 0; r < rows; r++) {
        size_t n = smp_manifest_cells(m, r);
        unsigned long line = smp_manifest_line(m, r);
        FUZZ_CHECK(n >= 1 && has_text(m, r, n));
        FUZZ_CHECK(line > prev && line >= 2 && line <= lines);
        prev = line;
        cli_render c;
        cli_render_init(&c);
        for (size_t k = 0; k < n; k++) {
            check_cell(smp_manifest_cell(m, r, k));
            const char *col = smp_manifest_column(m, k);
            char msg[256];
            if (is_option(col)) {
                int rc = cli_render_set(&c, col, smp_manifest_cell(m, r, k),
                                        msg, sizeof msg);
                FUZZ_CHECK(rc == 0 || rc == -1);
            }
        }
        FUZZ_CHECK(*smp_manifest_cell(m, r, n) == '\0');
    }
    FUZZ_CHECK(smp_manifest_cells(m, rows) == 0 &&
               smp_manifest_line(m, rows) == 0);
    smp_manifest_free(m);
    return 0;
}
