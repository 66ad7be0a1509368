/*
 * case.c - the layout of one batch case's folder.  Everything a case
 * writes lives in OUTDIR/<id>/: the job's own outputs (named as
 * smp_job_output_path names them, with the id as stem), the dot map, the
 * record case.json, and web-sized copies in web/.  The report, the
 * gallery and the batch command all find files through smp_case_path, so
 * the layout is decided here once.
 */
#include <stdio.h>
#include <string.h>
#include "batch.h"
#include "internal.h"

int smp_case_path(const smp_case *c, smp_case_file f, int session, int px,
                  char *buf, size_t size)
{
    smp_job job;
    smp_job_result res;
    switch (f) {
    case SMP_CASE_DIR:
        return snprintf(buf, size, "%s", c->id);
    case SMP_CASE_RECORD:
        return snprintf(buf, size, "%s/case.json", c->id);
    case SMP_CASE_DOTS:
        return snprintf(buf, size, "%s/dots.csv", c->id);
    case SMP_CASE_WEB_BEFORE:
        return snprintf(buf, size, "%s/web/before-%d.jpg", c->id, px);
    case SMP_CASE_WEB_SESSION:
        return snprintf(buf, size, "%s/web/session-%d-%d.jpg", c->id,
                        session, px);
    case SMP_CASE_SESSION:
    case SMP_CASE_BEFORE_AFTER:
        break;
    }
    /* the job's own names, with the id as folder and stem */
    memset(&job, 0, sizeof job);
    memset(&res, 0, sizeof res);
    job.outdir = c->id;
    snprintf(res.stem, sizeof res.stem, "%s", c->id);
    res.ext = c->ext;
    return smp_job_output_path(&job, &res,
                               f == SMP_CASE_SESSION ? session : 0, buf,
                               size);
}

smp_status smp_case_check_id(const smp_case *c, smp_error *err)
{
    const char *id = c->id ? c->id : "";
    size_t n = strlen(id);
    int ok = n > 0 && n <= SMP_CASE_MAX_ID && id[0] != '.';
    for (size_t i = 0; ok && i < n; i++)
        ok = id[i] != '/' && id[i] != '\\' &&
             (unsigned char)id[i] >= 0x20 && id[i] != 0x7f;
    if (!ok)
        return smp_fail(err, SMP_ERR_ARG, "case id '%.*s' cannot be a folder "
                        "name", (int)(n < 64 ? n : 64), id);
    return SMP_OK;
}

void smp_case_set_result(smp_case *c, const smp_job_result *res)
{
    const smp_render_info *in = &res->info;
    c->status = SMP_CASE_RENDERED;
    c->error[0] = '\0';
    snprintf(c->ext, sizeof c->ext, "%s", res->ext ? res->ext : "png");
    c->sessions = in->sessions;
    memset(c->dots, 0, sizeof c->dots);
    for (int k = 0; k < in->sessions && k < SMP_MAX_SESSIONS; k++)
        c->dots[k] = in->dots[k];
    c->density = res->density;
    c->area_cm2 = in->area_cm2;
    c->seconds = res->seconds;
}
