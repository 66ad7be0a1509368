/*
 * manifest.c - a batch manifest: a CSV file as spreadsheets export it,
 * read into a header (column names) and rows of cells, each row with the
 * manifest line it starts on so that messages can point at it.  Quoting
 * (RFC 4180, strictly: quoted commas, newlines and doubled quotes, no
 * stray quotes) is libcsv's job; this module adds what spreadsheets add
 * around it: a UTF-8 byte order mark, CRLF or LF line ends, blank rows
 * (",,,") and the check that the text really is UTF-8 (Excel's plain
 * "CSV" is not).  Meaning is given to the columns by the caller.
 */
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "batch.h"
#include "internal.h"

/* A manifest of a million cases is still far below this. */
#define MAX_MANIFEST_BYTES ((size_t)256 << 20)

typedef struct mrow {
    unsigned long line;
    size_t ncells;
    char **cells;
} mrow;

struct smp_manifest {
    size_t ncols;
    char **cols;
    size_t nrows, cap;
    mrow *rows;
};

/* The parser's state between libcsv's callbacks. */
typedef struct parse {
    smp_manifest *m;
    const char *name;
    int have_header;
    int row_done;               /* on_row ran during the last byte */
    mrow cur;                   /* the row being assembled */
    size_t cap;                 /* of cur.cells */
    smp_status st;
    smp_error *err;
} parse;

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

void smp_manifest_free(smp_manifest *m)
{
    if (!m)
        return;
    free_cells(m->cols, m->ncols);
    for (size_t i = 0; i < m->nrows; i++)
        free_cells(m->rows[i].cells, m->rows[i].ncells);
    free(m->rows);
    free(m);
}

/* p (holding *cap elements) reallocated to twice as many, or `first`;
 * NULL when out of memory or the byte count would overflow, p intact. */
static void *grow(void *p, size_t *cap, size_t elem, size_t first)
{
    size_t n = *cap ? *cap * 2 : first;
    if (n < *cap || smp_mul3(n, elem, 1) == 0)
        return NULL;
    void *q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

static void on_field(void *field, size_t len, void *data)
{
    parse *ps = data;
    if (ps->st != SMP_OK)
        return;
    if (ps->cur.ncells == ps->cap) {
        char **cells = grow(ps->cur.cells, &ps->cap, sizeof *cells, 8);
        if (!cells)
            goto nomem;
        ps->cur.cells = cells;
    }
    char *s = malloc(len + 1);
    if (!s)
        goto nomem;
    /* line ends inside quoted cells become "\n", whatever the file's */
    const char *f = field;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (f[i] == '\r' && i + 1 < len && f[i + 1] == '\n')
            continue;
        s[k++] = f[i] == '\r' ? '\n' : f[i];
    }
    s[k] = '\0';
    ps->cur.cells[ps->cur.ncells++] = s;
    return;
nomem:
    ps->st = smp_fail(ps->err, SMP_ERR_NOMEM, "out of memory");
}

static void on_row(int term, void *data)
{
    (void)term;
    parse *ps = data;
    smp_manifest *m = ps->m;
    mrow r = ps->cur;
    ps->row_done = 1;
    memset(&ps->cur, 0, sizeof ps->cur);
    ps->cap = 0;
    if (ps->st != SMP_OK)
        goto drop;
    int blank = 1;
    for (size_t i = 0; i < r.ncells && blank; i++)
        blank = r.cells[i][0] == '\0';
    if (blank)                  /* ",,," rows that spreadsheets leave */
        goto drop;
    if (!ps->have_header) {
        m->cols = r.cells;
        m->ncols = r.ncells;
        ps->have_header = 1;
        return;
    }
    if (m->nrows == m->cap) {
        mrow *rows = grow(m->rows, &m->cap, sizeof *rows, 16);
        if (!rows) {
            ps->st = smp_fail(ps->err, SMP_ERR_NOMEM, "out of memory");
            goto drop;
        }
        m->rows = rows;
    }
    m->rows[m->nrows++] = r;
    return;
drop:
    free_cells(r.cells, r.ncells);
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlong forms, surrogates and code points past U+10FFFF included. */
size_t smp_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    unsigned cp = c & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* The text must be UTF-8 without NUL bytes: names go into folder names,
 * JSON and HTML, none of which can hold anything else. */
static smp_status check_text(const unsigned char *d, size_t n,
                             const char *name, smp_error *err)
{
    unsigned long line = 1;
    for (size_t i = 0; i < n;) {
        if (d[i] == 0)
            return smp_fail(err, SMP_ERR_FORMAT, "%s:%lu: NUL byte: not a "
                            "text file", name, line);
        size_t len = smp_utf8_len(d + i, n - i);
        if (len == 0)
            return smp_fail(err, SMP_ERR_FORMAT, "%s:%lu: not UTF-8 text "
                            "(save the spreadsheet as 'CSV UTF-8')", name,
                            line);
        line += d[i] == '\n';
        i += len;
    }
    return SMP_OK;
}

smp_status smp_manifest_parse(const void *data, size_t size,
                              const char *name, smp_manifest **out,
                              smp_error *err)
{
    const unsigned char *d = data;
    *out = NULL;
    if (size >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
        d += 3;                 /* the byte order mark of "CSV UTF-8" */
        size -= 3;
    }
    smp_status st = check_text(d, size, name, err);
    if (st != SMP_OK)
        return st;
    parse ps = {.name = name, .st = SMP_OK, .err = err};
    if (!(ps.m = calloc(1, sizeof *ps.m)))
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        smp_manifest_free(ps.m);
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    /* Fed one byte at a time so that each row's first line is known:
     * a row starts at its first byte that libcsv does not skip. */
    unsigned long line = 1, row_line = 1;
    int in_row = 0;
    for (size_t i = 0; i < size && ps.st == SMP_OK; i++) {
        unsigned char c = d[i];
        int space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (!in_row && !space) {
            in_row = 1;
            row_line = line;
            ps.cur.line = line;
        }
        ps.row_done = 0;
        if (csv_parse(&p, &c, 1, on_field, on_row, &ps) != 1 &&
            ps.st == SMP_OK) {
            if (csv_error(&p) == CSV_EPARSE)
                ps.st = smp_fail(err, SMP_ERR_FORMAT, "%s:%lu: a '\"' inside "
                                 "an unquoted cell or after a closing quote "
                                 "(quote the whole cell and double the "
                                 "quotes in it)", name, line);
            else
                ps.st = smp_fail(err, SMP_ERR_NOMEM, "%s:%lu: %s", name,
                                 line, csv_strerror(csv_error(&p)));
        }
        if (ps.row_done)
            in_row = 0;
        if (c == '\n' || (c == '\r' && (i + 1 == size || d[i + 1] != '\n')))
            line++;
    }
    if (ps.st == SMP_OK &&
        csv_fini(&p, on_field, on_row, &ps) != 0 && ps.st == SMP_OK)
        ps.st = smp_fail(err, SMP_ERR_FORMAT, "%s:%lu: a quoted field is "
                         "not closed", name, row_line);
    csv_free(&p);
    free_cells(ps.cur.cells, ps.cur.ncells);
    if (ps.st == SMP_OK && !ps.have_header)
        ps.st = smp_fail(err, SMP_ERR_FORMAT, "%s: empty manifest: no "
                         "header row", name);
    if (ps.st != SMP_OK) {
        smp_manifest_free(ps.m);
        return ps.st;
    }
    *out = ps.m;
    return SMP_OK;
}

smp_status smp_manifest_load(const char *path, smp_manifest **out,
                             smp_error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return smp_fail(err, SMP_ERR_IO, "%s: cannot open: %s", path,
                        strerror(errno));
    smp_status st = SMP_OK;
    unsigned char *buf = NULL;
    struct stat sb;
    int e = fstat(fileno(fp), &sb) != 0 ? errno : 0;  /* sb unset then */
    if (e || S_ISDIR(sb.st_mode)) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot read: %s", path,
                      e ? strerror(e) : "is a directory");
        goto done;
    }
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_MANIFEST_BYTES) {
                st = smp_fail(err, SMP_ERR_LIMIT, "%s: too large for a "
                              "manifest", path);
                goto done;
            }
            unsigned char *more = grow(buf, &cap, 1, 1 << 16);
            if (!more) {
                st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
                goto done;
            }
            buf = more;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot read: %s", path,
                      strerror(errno));
        goto done;
    }
    st = smp_manifest_parse(buf, n, path, out, err);
done:
    free(buf);
    fclose(fp);
    return st;
}

size_t smp_manifest_columns(const smp_manifest *m)
{
    return m->ncols;
}

const char *smp_manifest_column(const smp_manifest *m, size_t col)
{
    return col < m->ncols ? m->cols[col] : "";
}

size_t smp_manifest_rows(const smp_manifest *m)
{
    return m->nrows;
}

size_t smp_manifest_cells(const smp_manifest *m, size_t row)
{
    return row < m->nrows ? m->rows[row].ncells : 0;
}

const char *smp_manifest_cell(const smp_manifest *m, size_t row, size_t col)
{
    if (row >= m->nrows || col >= m->rows[row].ncells)
        return "";
    return m->rows[row].cells[col];
}

unsigned long smp_manifest_line(const smp_manifest *m, size_t row)
{
    return row < m->nrows ? m->rows[row].line : 0;
}
