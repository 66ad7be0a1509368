/* testutil.h - helpers shared by the cmocka tests. */
#ifndef SMP_TESTUTIL_H
#define SMP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>
#include "smp/smp.h"

/* A fresh empty folder under /tmp; removed by tu_rmdir. */
char *tu_tmpdir(void);
void tu_rmdir(const char *dir);
/* malloc'd "dir/name". */
char *tu_path(const char *dir, const char *name);
int tu_exists(const char *path);
/* Whole file into a malloc'd buffer; NULL if it cannot be read. */
uint8_t *tu_read(const char *path, size_t *size);
int tu_write(const char *path, const void *data, size_t size);
int tu_files_equal(const char *a, const char *b);
/* A message (the CLI's stderr) is one line, naming `file` and saying
 * `what` (each may be NULL). */
void tu_assert_one_line(const char *msg, const char *file, const char *what);
/* Number of entries in a folder, "." and ".." not counted. */
int tu_count_entries(const char *dir);

/* A small fixed random stream for test data (an LCG): the next state, and
 * a uniform float in [0, 1) from it. */
static inline uint32_t tu_next(uint32_t *s)
{
    return *s = *s * 1664525u + 1013904223u;
}

static inline float tu_unit(uint32_t *s)
{
    return (float)(tu_next(s) >> 8) / 16777216.0f;
}

/* A photo-like test image: an even skin tone with a little texture on a
 * grey backdrop, the head an ellipse (cx, cy, rx, ry). */
smp_image *tu_skin_photo(uint32_t w, uint32_t h, double cx, double cy,
                         double rx, double ry);
/* Solid image of one grey level. */
smp_image *tu_solid(uint32_t w, uint32_t h, uint8_t grey);

/* Runs the smpr binary ($SMPR, default ./smpr) with a NULL-terminated
 * argument list, stderr into `err` (may be NULL); returns the exit code
 * (128 + the signal if it was killed). */
int tu_run(char *err, size_t errsize, const char *arg0, ...);

/* The same in two halves, for tests that signal the process meanwhile:
 * tu_start runs smpr with args (NULL-terminated, no argv[0]) and stdin
 * and stdout on /dev/null; tu_finish waits for it, gives stderr in `err`
 * (may be NULL) and the raw wait status in *status (may be NULL), and
 * returns the exit code as tu_run does. */
typedef struct tu_proc {
    pid_t pid;
    int fd;
    char errfile[32];
} tu_proc;
void tu_start(tu_proc *p, const char *const *args);
int tu_finish(tu_proc *p, char *err, size_t errsize, int *status);

/* Dot map rows from a --dots CSV. */
typedef struct tu_dot { double x, y, d; int session; } tu_dot;
tu_dot *tu_read_dots(const char *csv, size_t *n);

#endif
