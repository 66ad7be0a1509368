/*
 * dotmap.c - the dot map as CSV, for scripts, the print layout and the
 * tests: one row per dot, session by session, each session top to bottom
 * (the order it is stamped in), pixel units with the origin at the
 * photo's top-left corner (pixel centres at +0.5).
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

smp_status smp_dots_write_csv(const smp_render *r, FILE *fp,
                              const char *name, smp_error *err)
{
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    errno = 0;
    fputs("x,y,diameter,session,aspect,angle,opacity\n", fp);
    for (size_t i = 0; i < n && !ferror(fp); i++)
        fprintf(fp, "%.2f,%.2f,%.3f,%u,%.3f,%.3f,%.3f\n", d[i].x, d[i].y,
                d[i].diameter, (unsigned)d[i].session, d[i].aspect,
                d[i].angle, d[i].opacity);
    if (ferror(fp))
        return smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", name,
                        strerror(errno ? errno : EIO));
    return SMP_OK;
}

smp_status smp_dots_save_csv(const smp_render *r, const char *path,
                             smp_error *err)
{
    smp_atomic a;
    smp_status st = smp_atomic_open(&a, path, err);
    if (st != SMP_OK)
        return st;
    if ((st = smp_dots_write_csv(r, a.fp, path, err)) != SMP_OK) {
        smp_atomic_abort(&a);
        return st;
    }
    return smp_atomic_commit(&a, err);
}
