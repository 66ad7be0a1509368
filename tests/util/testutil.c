/* testutil.c - helpers shared by the cmocka tests (see testutil.h). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

char *tu_tmpdir(void)
{
    char *d = strdup("/tmp/smpr-test-XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

void tu_rmdir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = tu_path(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0755);
            tu_rmdir(p);
        } else {
            unlink(p);
        }
        free(p);
    }
    closedir(dp);
    rmdir(dir);
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int tu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

uint8_t *tu_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *size = n;
    return b;
}

int tu_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, size, f);
    return fclose(f) == 0 && w == size ? 0 : -1;
}

void tu_assert_one_line(const char *msg, const char *file, const char *what)
{
    size_t n = strlen(msg);
    if (!(n > 0 && msg[n - 1] == '\n' && !memchr(msg, '\n', n - 1)))
        fail_msg("not one line: \"%s\"", msg);
    if (file && !strstr(msg, file))
        fail_msg("\"%s\" does not name %s", msg, file);
    if (what && !strstr(msg, what))
        fail_msg("\"%s\" does not say \"%s\"", msg, what);
}

int tu_files_equal(const char *a, const char *b)
{
    size_t na, nb;
    uint8_t *da = tu_read(a, &na), *db = tu_read(b, &nb);
    int eq = da && db && na == nb && memcmp(da, db, na) == 0;
    free(da);
    free(db);
    return eq;
}

int tu_count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dp);
    return n;
}

smp_image *tu_skin_photo(uint32_t w, uint32_t h, double cx, double cy,
                         double rx, double ry)
{
    smp_image *img;
    assert_int_equal(smp_image_new(w, h, &img, NULL), SMP_OK);
    uint32_t s = 12345;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img->pixels + y * img->stride + x * 4;
            double a = (x - cx) / rx, b = (y - cy) / ry;
            tu_next(&s);
            int n = (int)(s >> 29) - 4;          /* -4..3 texture */
            if (a * a + b * b <= 1) {
                p[0] = (uint8_t)(205 + n);
                p[1] = (uint8_t)(160 + n);
                p[2] = (uint8_t)(135 + n);
            } else {
                p[0] = 120;
                p[1] = 130;
                p[2] = 142;
            }
            p[3] = 255;
        }
    return img;
}

smp_image *tu_solid(uint32_t w, uint32_t h, uint8_t grey)
{
    smp_image *img;
    assert_int_equal(smp_image_new(w, h, &img, NULL), SMP_OK);
    for (size_t i = 0; i < (size_t)w * h * 4; i += 4) {
        img->pixels[i] = img->pixels[i + 1] = img->pixels[i + 2] = grey;
        img->pixels[i + 3] = 255;
    }
    return img;
}

void tu_start(tu_proc *p, const char *const *args)
{
    const char *argv[64];
    int n = 0;
    const char *smpr = getenv("SMPR");
    argv[n++] = smpr && *smpr ? smpr : "./smpr";
    for (; *args && n < 63; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    snprintf(p->errfile, sizeof p->errfile, "/tmp/smpr-test-err-XXXXXX");
    p->fd = mkstemp(p->errfile);
    assert_true(p->fd >= 0);
    fflush(NULL);
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        dup2(p->fd, 2);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 1);
        dup2(devnull, 0);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
}

int tu_finish(tu_proc *p, char *err, size_t errsize, int *status)
{
    int st;
    assert_int_equal(waitpid(p->pid, &st, 0), p->pid);
    close(p->fd);
    if (err) {
        size_t sz;
        uint8_t *b = tu_read(p->errfile, &sz);
        size_t m = b ? (sz < errsize - 1 ? sz : errsize - 1) : 0;
        if (m)
            memcpy(err, b, m);
        err[m] = '\0';
        free(b);
    }
    unlink(p->errfile);
    if (status)
        *status = st;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

int tu_run(char *err, size_t errsize, const char *arg0, ...)
{
    const char *args[64];
    int n = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && n < 63; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    tu_proc p;
    tu_start(&p, args);
    return tu_finish(&p, err, errsize, NULL);
}

tu_dot *tu_read_dots(const char *csv, size_t *n)
{
    FILE *f = fopen(csv, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(strncmp(line, "x,y,diameter,session", 20), 0);
    size_t cap = 1024, k = 0;
    tu_dot *d = malloc(cap * sizeof *d);
    while (fgets(line, sizeof line, f)) {
        if (k == cap)
            d = realloc(d, (cap *= 2) * sizeof *d);
        assert_non_null(d);
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%d", &d[k].x, &d[k].y,
                                &d[k].d, &d[k].session), 4);
        k++;
    }
    fclose(f);
    *n = k;
    return d;
}
