/*
 * test_hostile.c - what `smpr render` does with bad input and bad places
 * to put output, end to end.  Every input is made here: damaged and
 * crafted PNGs chunk by chunk with zlib, JPEGs with libjpeg.  For each
 * refusal the command must exit 1 (130 when interrupted) with one line
 * on stderr naming the file at fault, leave no file in the output folder
 * and leave the input's bytes as they were.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "testutil.h"
#include "imgmake.h"
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

typedef struct env {
    char *dir, *out;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    e->dir = tu_tmpdir();
    e->out = tu_path(e->dir, "out");
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    tu_rmdir(e->dir);
    free(e->dir);
    free(e->out);
    free(e);
    return 0;
}

/* ---- checks ------------------------------------------------------------ */

/* No file at all in the output folder (which may not exist). */
static void assert_no_output(const char *out)
{
    int n = tu_count_entries(out);
    if (n > 0)
        fail_msg("%d files left in %s", n, out);
}

/* Runs args (after "render PHOTO -o OUT"), expecting exit `code`, one
 * line naming `file` and saying `what`, no output, an unchanged photo. */
static void expect(env *e, const char *photo, int code, const char *file,
                   const char *what, const char *a1, const char *a2)
{
    size_t n0 = 0, n1 = 0;
    uint8_t *before = tu_read(photo, &n0);
    char err[2048];
    int rc = tu_run(err, sizeof err, "render", photo, "-o", e->out, "-q",
                    a1, a2, NULL);
    if (rc != code)
        fail_msg("%s: exit %d, want %d (%s)", photo, rc, code, err);
    tu_assert_one_line(err, file, what);
    assert_no_output(e->out);
    uint8_t *after = tu_read(photo, &n1);
    assert_int_equal(n0, n1);
    if (n0)
        assert_memory_equal(before, after, n0);
    free(before);
    free(after);
}

/* ---- making inputs ------------------------------------------------------ */

/* A PNG of the given header around a ready-made zlib stream. */
static void png_around(tu_buf *b, uint32_t w, uint32_t h, int depth, int type,
                       const uint8_t *z, size_t zn)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                   '\n'};
    memset(b, 0, sizeof *b);
    tu_buf_add(b, sig, 8);
    uint8_t ihdr[13] = {0};
    tu_put32(ihdr, w);
    tu_put32(ihdr + 4, h);
    ihdr[8] = (uint8_t)depth;
    ihdr[9] = (uint8_t)type;
    tu_png_chunk(b, "IHDR", ihdr, 13);
    tu_png_chunk(b, "IDAT", z, zn);
    tu_png_chunk(b, "IEND", NULL, 0);
}

/* A PNG whose rows (filter bytes included) are `raw`. */
static void png_of_rows(tu_buf *b, uint32_t w, uint32_t h, int depth, int type,
                        const uint8_t *raw, size_t n)
{
    uLongf zn = compressBound((uLong)n);
    uint8_t *z = malloc(zn);
    assert_non_null(z);
    assert_int_equal(compress2(z, &zn, raw, (uLong)n, 6), Z_OK);
    png_around(b, w, h, depth, type, z, zn);
    free(z);
}

static void save(const char *path, const tu_buf *b)
{
    assert_int_equal(tu_write(path, b->data, b->size), 0);
}

/* A photo tu_run renders (a head on a backdrop), as PNG or JPEG. */
static char *photo(env *e, const char *name, smp_format f, uint32_t w,
                   uint32_t h)
{
    char *p = tu_path(e->dir, name);
    smp_image *img = tu_skin_photo(w, h, w / 2.0, h * 0.52, w * 0.42,
                                   h * 0.45);
    smp_save_options so = {f, 90, NULL};
    assert_int_equal(smp_image_save(img, p, &so, NULL), SMP_OK);
    smp_image_free(img);
    return p;
}

/* Offset of JPEG marker FF m, or 0. */
static size_t marker(const uint8_t *d, size_t n, uint8_t m)
{
    for (size_t i = 2; i + 1 < n; i++)
        if (d[i] == 0xff && d[i + 1] == m)
            return i;
    return 0;
}

/* A 4:4:4 JPEG file (scans: its own progression, or NULL). */
static void jpeg_file(const char *path, int w, int h, int comps,
                      const jpeg_scan_info *scans, int nscans)
{
    size_t n;
    uint8_t *d = tu_make_jpeg(&(tu_jpeg){.w = w, .h = h, .comps = comps,
                                         .full_chroma = 1, .scans = scans,
                                         .nscans = nscans}, &n);
    assert_int_equal(tu_write(path, d, n), 0);
    free(d);
}

/* ---- damaged files ------------------------------------------------------ */

static void test_truncated(void **state)
{
    env *e = *state;
    const char *names[] = {"cut.png", "cut.jpg"};
    for (int i = 0; i < 2; i++) {
        char *p = photo(e, names[i], i ? SMP_FORMAT_JPEG : SMP_FORMAT_PNG,
                        240, 180);
        size_t n;
        uint8_t *d = tu_read(p, &n);
        assert_int_equal(tu_write(p, d, n / 2), 0);
        expect(e, p, 1, p, i ? "Premature end of JPEG file"
                             : "truncated or corrupt PNG data", NULL, NULL);
        free(d);
        free(p);
    }
}

static void test_bad_crc(void **state)
{
    env *e = *state;
    char *p = photo(e, "crc.png", SMP_FORMAT_PNG, 240, 180);
    size_t n;
    uint8_t *d = tu_read(p, &n);
    size_t pos = 8;
    while (pos + 12 <= n && memcmp(d + pos + 4, "IDAT", 4) != 0)
        pos += 12 + tu_get32(d + pos);
    assert_true(pos + 12 <= n);
    d[pos + 8 + tu_get32(d + pos)] ^= 0x5a;        /* the IDAT's CRC */
    assert_int_equal(tu_write(p, d, n), 0);
    expect(e, p, 1, p, "CRC error", NULL, NULL);
    free(d);
    free(p);
}

static void test_bad_huffman(void **state)
{
    env *e = *state;
    char *p = photo(e, "huff.jpg", SMP_FORMAT_JPEG, 240, 180);
    size_t n;
    uint8_t *d = tu_read(p, &n);
    uint8_t *good = malloc(n);
    assert_non_null(good);
    memcpy(good, d, n);

    /* scan data replaced by noise */
    size_t sos = marker(d, n, 0xda);
    assert_true(sos > 0);
    size_t start = sos + 2 + ((size_t)d[sos + 2] << 8 | d[sos + 3]);
    uint32_t v = 2024;
    for (size_t i = start + 16; i + 2 < n; i++) {
        v = v * 1103515245u + 12345u;
        d[i] = (uint8_t)(v >> 16);
        if (d[i] == 0xff)
            d[i] = 0xfe;                /* no stray markers: codes only */
    }
    assert_int_equal(tu_write(p, d, n), 0);
    expect(e, p, 1, p, "corrupt JPEG data", NULL, NULL);

    /* a Huffman table claiming more codes than fit in 16 bits */
    memcpy(d, good, n);
    size_t dht = marker(d, n, 0xc4);
    assert_true(dht > 0);
    memset(d + dht + 5, 0xff, 16);
    assert_int_equal(tu_write(p, d, n), 0);
    expect(e, p, 1, p, "Huffman", NULL, NULL);
    free(good);
    free(d);
    free(p);
}

/* ---- sizes and bombs ---------------------------------------------------- */

static void test_absurd_sizes(void **state)
{
    env *e = *state;
    uint8_t raw[1 + 3] = {0};
    uLongf zn = 64;
    uint8_t z[64];
    assert_int_equal(compress(z, &zn, raw, sizeof raw), Z_OK);
    tu_buf b;
    char *p = tu_path(e->dir, "strip.png");
    /* 10^8 pixels is within the default limit, but not a photo */
    png_around(&b, 1, 100000000, 8, 2, z, zn);
    save(p, &b);
    expect(e, p, 1, p, "1x100000000 pixels has a side over 65500", NULL,
           NULL);
    free(b.data);
    png_around(&b, 0, 0, 8, 2, z, zn);
    save(p, &b);
    expect(e, p, 1, p, "declares a 0x0 image", NULL, NULL);
    free(b.data);
    free(p);

    /* a JPEG with no lines */
    p = photo(e, "flat.jpg", SMP_FORMAT_JPEG, 64, 48);
    size_t n;
    uint8_t *d = tu_read(p, &n);
    size_t sof = marker(d, n, 0xc0);
    assert_true(sof > 0);
    d[sof + 5] = d[sof + 6] = 0;        /* height */
    assert_int_equal(tu_write(p, d, n), 0);
    expect(e, p, 1, p, "zero width or height", NULL, NULL);
    free(d);
    free(p);
}

/*
 * A real bomb: a 30000 x 30000 greyscale PNG whose 900 MB of rows (all
 * zero) deflate to under a megabyte.  The stream is one compressed run
 * of zero rows repeated: after a sync flush each run starts on a byte
 * boundary and refers only to zeros, so copies of it can follow each
 * other; the Adler-32 at the end is that of all the rows.
 */
static void test_png_bomb(void **state)
{
    env *e = *state;
    const uint32_t side = 30000, rows = 100, runs = side / rows;
    const size_t run = (size_t)rows * (1 + side);
    uint8_t *zeros = calloc(run, 1);
    uint8_t *out = malloc(2 * run / 100 + 1024);
    assert_non_null(zeros);
    assert_non_null(out);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit(&zs, 9), Z_OK);
    tu_buf z = {0};
    size_t first = 0;
    for (int k = 0; k < 2; k++) {       /* the first run carries the header */
        zs.next_in = zeros;
        zs.avail_in = (uInt)run;
        zs.next_out = out;
        zs.avail_out = (uInt)(2 * run / 100 + 1024);
        assert_int_equal(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
        assert_int_equal(zs.avail_in, 0);
        tu_buf_add(&z, out, (size_t)(zs.next_out - out));
        if (k == 0)
            first = z.size;
    }
    size_t again = z.size - first;
    memcpy(out, z.data + first, again);     /* tu_buf_add() may move z.data */
    for (uint32_t k = 2; k < runs; k++)
        tu_buf_add(&z, out, again);
    zs.next_in = NULL;
    zs.avail_in = 0;
    zs.next_out = out;
    zs.avail_out = 64;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    tu_buf_add(&z, out, (size_t)(zs.next_out - out));
    deflateEnd(&zs);
    uLong a1 = adler32(1, zeros, (uInt)run), all = a1;
    for (uint32_t k = 1; k < runs; k++)
        all = adler32_combine(all, a1, (z_off_t)run);
    tu_put32(z.data + z.size - 4, (uint32_t)all);
    assert_true(z.size < ((size_t)1 << 20));

    tu_buf b;
    png_around(&b, side, side, 8, 0, z.data, z.size);
    char *p = tu_path(e->dir, "bomb.png");
    save(p, &b);
    expect(e, p, 1, p, "30000x30000 pixels is over the limit", NULL, NULL);
    free(b.data);
    free(z.data);
    free(out);
    free(zeros);
    free(p);
}

/* A progressive script of one DC scan and, for each of the 3 components
 * and 63 AC coefficients, successive approximation over 11 bits: 2080
 * legal scans for a 16 x 16 image. */
static void test_jpeg_scan_bomb(void **state)
{
    env *e = *state;
    static jpeg_scan_info sc[1 + 3 * 63 * 11];
    int n = 0;
    sc[n++] = (jpeg_scan_info){3, {0, 1, 2}, 0, 0, 0, 0};
    for (int c = 0; c < 3; c++)
        for (int k = 1; k < 64; k++)
            for (int b = 10; b >= 0; b--)
                sc[n++] = (jpeg_scan_info){1, {c}, k, k, b == 10 ? 0 : b + 1,
                                           b};
    char *p = tu_path(e->dir, "scans.jpg");
    jpeg_file(p, 16, 16, 3, sc, n);
    expect(e, p, 1, p, "more than 500 scans", NULL, NULL);
    free(p);
}

/* Valid for the library's pixel limit and side limit, but a plan of
 * hundreds of millions of dots: a head 1 pixel wide sets a scale of
 * 75 mm per pixel. */
static void test_dot_bomb(void **state)
{
    env *e = *state;
    const uint32_t h = 60000;
    uint8_t *raw = malloc((size_t)h * 4);
    assert_non_null(raw);
    for (uint32_t y = 0; y < h; y++) {
        raw[4 * y] = 0;
        raw[4 * y + 1] = 205;
        raw[4 * y + 2] = 160;
        raw[4 * y + 3] = 135;
    }
    tu_buf b;
    png_of_rows(&b, 1, h, 8, 2, raw, (size_t)h * 4);
    char *p = tu_path(e->dir, "thin.png");
    save(p, &b);
    expect(e, p, 1, p, "more than any scalp takes", "--head",
           "0.5,30000,1,30000");
    free(b.data);
    free(raw);
    free(p);
}

/* A head frame of absurd size (found by fuzz_options: 7e159 pixels made
 * a blur radius that overflowed an int) or one that makes the estimated
 * scale larger than --scale allows. */
static void test_absurd_head(void **state)
{
    env *e = *state;
    char *p = photo(e, "client.png", SMP_FORMAT_PNG, 240, 180);
    expect(e, p, 1, p, "invalid head ellipse", "--head",
           "18,18,7e159,11");
    expect(e, p, 1, p, "invalid head ellipse", "--head", "-2e6,18,20,11");
    expect(e, p, 1, p, "makes the scale 1333 px/mm", "--head",
           "120,90,100000,100000");
    free(p);
}

/* ---- kinds of image ----------------------------------------------------- */

static void test_cmyk(void **state)
{
    env *e = *state;
    char *p = tu_path(e->dir, "print.jpg");
    jpeg_file(p, 64, 48, 4, NULL, 0);
    expect(e, p, 1, p, "CMYK JPEG is not supported", NULL, NULL);
    free(p);
}

/* Rendered like its 8-bit original: outputs and an untouched input. */
static void expect_rendered(env *e, const char *photo_path,
                            const char *stem, const char *ext)
{
    size_t n0, n1;
    uint8_t *before = tu_read(photo_path, &n0);
    char err[2048];
    int rc = tu_run(err, sizeof err, "render", photo_path, "-o", e->out, "-q",
                    "--sessions", "2", NULL);
    if (rc != 0)
        fail_msg("%s: exit %d (%s)", photo_path, rc, err);
    const char *kinds[] = {"session-1", "session-2", "before-after"};
    for (int i = 0; i < 3; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s-%s.%s", stem, kinds[i], ext);
        char *q = tu_path(e->out, name);
        if (!tu_exists(q))
            fail_msg("%s was not written", q);
        free(q);
    }
    assert_int_equal(tu_count_entries(e->out), 3);
    uint8_t *after = tu_read(photo_path, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
}

static void test_16bit(void **state)
{
    env *e = *state;
    const uint32_t w = 240, h = 180;
    smp_image *img = tu_skin_photo(w, h, 120, 94, 100, 81);
    size_t rowbytes = 1 + (size_t)w * 6;
    uint8_t *raw = malloc(rowbytes * h);
    assert_non_null(raw);
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *r = raw + y * rowbytes;
        r[0] = 0;
        for (uint32_t x = 0; x < w * 3; x++) {
            unsigned v = img->pixels[y * img->stride + x / 3 * 4 + x % 3];
            unsigned v16 = v * 257 + (x & 0x7f);  /* low bits: not 8-bit */
            r[1 + 2 * x] = (uint8_t)(v16 >> 8);
            r[2 + 2 * x] = (uint8_t)v16;
        }
    }
    tu_buf b;
    png_of_rows(&b, w, h, 16, 2, raw, rowbytes * h);
    char *p = tu_path(e->dir, "deep.png");
    save(p, &b);
    expect_rendered(e, p, "deep", "png");
    free(b.data);
    free(raw);
    smp_image_free(img);
    free(p);
}

/* Told by content, not name: a PNG called .jpg gives PNG outputs. */
static void test_wrong_extension(void **state)
{
    env *e = *state;
    char *p = photo(e, "really-png.jpg", SMP_FORMAT_PNG, 240, 180);
    expect_rendered(e, p, "really-png", "png");
    free(p);
}

static void test_directory(void **state)
{
    env *e = *state;
    char *p = tu_path(e->dir, "album.jpg");
    assert_int_equal(mkdir(p, 0755), 0);
    expect(e, p, 1, p, "is a directory", NULL, NULL);
    free(p);
}

/* ---- bad places for output ---------------------------------------------- */

static void test_unwritable_output(void **state)
{
    env *e = *state;
    char *p = photo(e, "client.png", SMP_FORMAT_PNG, 240, 180);
    char err[2048];

    /* a folder that would have to be made inside a regular file */
    char *through = tu_path(p, "out");
    assert_int_equal(tu_run(err, sizeof err, "render", p, "-o", through,
                            NULL), 1);
    tu_assert_one_line(err, through, "Not a directory");
    free(through);

    /* a read-only folder (root may write anyway) */
    if (geteuid() != 0) {
        assert_int_equal(mkdir(e->out, 0555), 0);
        assert_int_equal(tu_run(err, sizeof err, "render", p, "-o", e->out,
                                NULL), 1);
        tu_assert_one_line(err, e->out, "Permission denied");
        assert_int_equal(tu_count_entries(e->out), 0);
        rmdir(e->out);
    }

    /* a full device, through a link (so that a regression could only ever
     * replace the link, never /dev/full itself): the write fails, and the
     * previews written before it go too */
    struct stat st;
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
        char *full = tu_path(e->dir, "full.csv");
        assert_int_equal(symlink("/dev/full", full), 0);
        expect(e, p, 1, full, "No space left on device", "--dots", full);
        assert_int_equal(lstat(full, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(full, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        free(full);
        /* a session's preview on it, written while the others are: named,
         * and nothing else left */
        assert_true(mkdir(e->out, 0777) == 0 || errno == EEXIST);
        char *two = tu_path(e->out, "client-session-2.png");
        assert_int_equal(symlink("/dev/full", two), 0);
        assert_int_equal(tu_run(err, sizeof err, "render", p, "-o", e->out,
                                "-q", NULL), 1);
        tu_assert_one_line(err, two, "No space left on device");
        char head[1024];
        snprintf(head, sizeof head, "smpr: %s: ", two);
        assert_int_equal(strncmp(err, head, strlen(head)), 0);
        assert_int_equal(tu_count_entries(e->out), 1);
        assert_int_equal(lstat(two, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        unlink(two);
        free(two);
    }

    /* a pipe nobody reads: refused at once, and still a pipe */
    char *fifo = tu_path(e->dir, "dots.pipe");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    expect(e, p, 1, fifo, "cannot open", "--dots", fifo);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    free(fifo);

    /* /dev/null is written through, not replaced */
    char *null = tu_path(e->dir, "null.csv");
    assert_int_equal(symlink("/dev/null", null), 0);
    assert_int_equal(tu_run(err, sizeof err, "render", p, "-o", e->out, "-q",
                            "--dots", null, NULL), 0);
    assert_int_equal(lstat(null, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    free(null);
    free(p);
}

/* ---- Ctrl-C ------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* Runs `smpr render photo -o out` and, after `delay` seconds (if > 0),
 * sends it SIGINT as Ctrl-C would.  Returns the exit code (128 + the
 * signal if it was killed), stderr in err. */
static int render_interrupted(const char *photo_path, const char *out,
                              double delay, char *err, size_t size)
{
    const char *args[] = {"render", photo_path, "-o", out, "-q", NULL};
    tu_proc proc;
    tu_start(&proc, args);
    if (delay > 0) {
        struct timespec t = {(time_t)delay,
                             (long)((delay - (time_t)delay) * 1e9)};
        while (nanosleep(&t, &t) != 0 && errno == EINTR) {
        }
        kill(proc.pid, SIGINT);
    }
    return tu_finish(&proc, err, size, NULL);
}

/*
 * A 3000 x 2000 photo interrupted 100 ms in (while loading or placing),
 * then half-way and near the end of an uninterrupted run's time (while
 * stamping or writing): each stops with 130 and leaves nothing.  If a
 * late signal comes after the work is done, every output is there and
 * the exit is 0: whole or nothing either way.  Under valgrind, where a
 * whole render takes half a minute, only the first.
 */
static void test_interrupt(void **state)
{
    env *e = *state;
    char *p = photo(e, "large.png", SMP_FORMAT_PNG, 3000, 2000);
    size_t n0, n1;
    uint8_t *before = tu_read(p, &n0);
    char err[2048];

    double full = 0;
    if (!RUNNING_ON_VALGRIND) {
        double t0 = now();
        assert_int_equal(render_interrupted(p, e->out, 0, err, sizeof err),
                         0);
        full = now() - t0;
        assert_int_equal(tu_count_entries(e->out), 4);
        tu_rmdir(e->out);
    }
    const double at[] = {0.1, 0.5 * full, 0.85 * full};
    for (int i = 0; i < (full > 0 ? 3 : 1); i++) {
        int rc = render_interrupted(p, e->out, at[i], err, sizeof err);
        if (i == 0 || rc != 0) {
            if (rc != 130)
                fail_msg("interrupted after %.2f s: exit %d (%s)", at[i], rc,
                         err);
            if (err[0])
                tu_assert_one_line(err, NULL, "cancelled");
            assert_no_output(e->out);
        } else {
            assert_int_equal(tu_count_entries(e->out), 4);
        }
        tu_rmdir(e->out);
    }
    uint8_t *after = tu_read(p, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_truncated),
        T(test_bad_crc),
        T(test_bad_huffman),
        T(test_absurd_sizes),
        T(test_png_bomb),
        T(test_jpeg_scan_bomb),
        T(test_dot_bomb),
        T(test_absurd_head),
        T(test_cmyk),
        T(test_16bit),
        T(test_wrong_extension),
        T(test_directory),
        T(test_unwritable_output),
        T(test_interrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
