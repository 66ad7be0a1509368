/*
 * dotmap.c - the dot map as CSV, for scripts, the print layout and the
 * tests: one row per dot in placement order, pixel units with the origin
 * at the photo's top-left corner (pixel centres at +0.5).
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

smp_status smp_dots_save_csv(const smp_render *r, const char *path,
                             smp_error *err)
{
    size_t n;
    const smp_dot *d = smp_render_dots(r, &n);
    smp_atomic a;
    smp_status st = smp_atomic_open(&a, path, err);
    if (st != SMP_OK)
        return st;
    fputs("x,y,diameter,session,aspect,angle,opacity\n", a.fp);
    for (size_t i = 0; i < n; i++)
        fprintf(a.fp, "%.2f,%.2f,%.3f,%u,%.3f,%.3f,%.3f\n", d[i].x, d[i].y,
                d[i].diameter, (unsigned)d[i].session, d[i].aspect,
                d[i].angle, d[i].opacity);
    if (ferror(a.fp)) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", path,
                      strerror(errno));
        smp_atomic_abort(&a);
        return st;
    }
    return smp_atomic_commit(&a, err);
}
