/*
 * report.c - a batch's JSON: each case's record OUTDIR/<id>/case.json (the
 * result of its last render and the fingerprint of what it was made from,
 * which is what lets a batch resume and lets `--index-only` gather the
 * shards' work) and the report OUTDIR/report.json over all cases.  JSON
 * is built and parsed with json-c; files are written atomically.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "batch.h"
#include "internal.h"

#define MAX_RECORD_BYTES (1 << 20)

static const char *const status_names[] = {"missing", "rendered",
                                           "up-to-date", "failed"};

char *smp_path_join(const char *dir, const char *rel)
{
    size_t a = strlen(dir), b = strlen(rel);
    char *p = malloc(a + b + 2);
    if (p)
        snprintf(p, a + b + 2, "%s/%s", dir, rel);
    return p;
}

/* json-c writes strings byte for byte; JSON must be UTF-8, and paths or
 * messages from outside may not be.  Invalid bytes become U+FFFD. */
static json_object *new_string(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), bad = 0;
    for (size_t i = 0, len; i < n; i += len ? len : 1)
        bad += (len = smp_utf8_len(u + i, n - i)) == 0;
    if (!bad)
        return json_object_new_string(s);
    char *t = malloc(n + 2 * bad + 1), *q = t;
    if (!t)
        return NULL;
    for (size_t i = 0, len; i < n; i += len ? len : 1) {
        if ((len = smp_utf8_len(u + i, n - i)) == 0) {
            memcpy(q, "\xef\xbf\xbd", 3);
            q += 3;
        } else {
            memcpy(q, s + i, len);
            q += len;
        }
    }
    *q = '\0';
    json_object *o = json_object_new_string(t);
    free(t);
    return o;
}

/* A number written with `digits` decimals rather than 17 of them. */
static json_object *new_number(double v, int digits)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", digits, v);
    return json_object_new_double_s(v, buf);
}

/* Adds v to o, remembering in *ok whether it was made (json-c returns
 * NULL when out of memory). */
static void put(json_object *o, const char *key, json_object *v, int *ok)
{
    if (!v || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        *ok = 0;
    }
}

/* json-c's null is the NULL pointer. */
static void put_null(json_object *o, const char *key, int *ok)
{
    if (json_object_object_add(o, key, NULL) != 0)
        *ok = 0;
}

static void push(json_object *a, json_object *v, int *ok)
{
    if (!v || json_object_array_add(a, v) != 0) {
        json_object_put(v);
        *ok = 0;
    }
}

static smp_status write_json(json_object *o, const char *path,
                             smp_error *err)
{
    const char *s = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
               JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!s)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    smp_atomic a;
    smp_status st = smp_atomic_open(&a, path, err);
    if (st != SMP_OK)
        return st;
    fputs(s, a.fp);
    fputc('\n', a.fp);
    return smp_atomic_commit(&a, err);
}

smp_status smp_case_record_write(const smp_case *c, const char *outdir,
                                 smp_error *err)
{
    char rel[1024];
    smp_status st = smp_case_check_id(c, err);
    if (st != SMP_OK)
        return st;
    smp_case_path(c, SMP_CASE_RECORD, 0, 0, rel, sizeof rel);
    char *path = smp_path_join(outdir, rel);
    json_object *o = json_object_new_object(), *dots = NULL;
    int ok = o && path;
    if (!ok)
        goto done;
    int failed = c->status == SMP_CASE_FAILED;
    put(o, "smpr", json_object_new_string(SMP_VERSION), &ok);
    put(o, "id", new_string(c->id), &ok);
    put(o, "status", json_object_new_string(status_names[failed ? 3 : 1]),
        &ok);
    if (failed)
        put(o, "error", new_string(c->error), &ok);
    put(o, "fingerprint", new_string(c->fingerprint), &ok);
    if (!failed) {
        put(o, "ext", new_string(c->ext), &ok);
        put(o, "sessions", json_object_new_int(c->sessions), &ok);
        put(o, "dots", dots = json_object_new_array(), &ok);
        for (int k = 0; ok && k < c->sessions; k++)
            push(dots, json_object_new_uint64(c->dots[k]), &ok);
        put(o, "density", new_number(c->density, 2), &ok);
        put(o, "area_cm2", new_number(c->area_cm2, 2), &ok);
        put(o, "seconds", new_number(c->seconds, 3), &ok);
        put(o, "width", json_object_new_int64(c->width), &ok);
        put(o, "height", json_object_new_int64(c->height), &ok);
    }
    if (ok)
        st = write_json(o, path, err);
done:
    if (!ok)
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    json_object_put(o);
    free(path);
    return st;
}

static json_object *get(json_object *o, const char *key, json_type type)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
        return NULL;
    return v;
}

/* The record's fields into c, checked: it is read back from disk and
 * names files (the extension) that the gallery links to. */
static int take_record(smp_case *c, json_object *o)
{
    json_object *v;
    const char *s;
    if (!(v = get(o, "status", json_type_string)))
        return -1;
    s = json_object_get_string(v);
    int failed = !strcmp(s, "failed");
    if (!failed && strcmp(s, "rendered"))
        return -1;
    if (!(v = get(o, "fingerprint", json_type_string)))
        return -1;
    snprintf(c->fingerprint, sizeof c->fingerprint, "%s",
             json_object_get_string(v));
    c->status = failed ? SMP_CASE_FAILED : SMP_CASE_RENDERED;
    c->error[0] = '\0';
    if (failed) {
        v = get(o, "error", json_type_string);
        snprintf(c->error, sizeof c->error, "%s",
                 v ? json_object_get_string(v) : "failed");
        return 0;
    }
    if (!(v = get(o, "ext", json_type_string)))
        return -1;
    s = json_object_get_string(v);
    if (strcmp(s, "png") && strcmp(s, "jpg"))
        return -1;
    snprintf(c->ext, sizeof c->ext, "%s", s);
    json_object *dots = get(o, "dots", json_type_array);
    if (!(v = get(o, "sessions", json_type_int)) || !dots)
        return -1;
    int64_t n = json_object_get_int64(v);
    if (n < 1 || n > SMP_MAX_SESSIONS ||
        json_object_array_length(dots) != (size_t)n)
        return -1;
    c->sessions = (int)n;
    memset(c->dots, 0, sizeof c->dots);
    for (int k = 0; k < c->sessions; k++) {
        json_object *d = json_object_array_get_idx(dots, (size_t)k);
        if (!json_object_is_type(d, json_type_int))
            return -1;
        c->dots[k] = (size_t)json_object_get_uint64(d);
    }
    c->density = (v = get(o, "density", json_type_double)) ||
                 (v = get(o, "density", json_type_int))
                     ? json_object_get_double(v) : 0;
    c->area_cm2 = (v = get(o, "area_cm2", json_type_double)) ||
                  (v = get(o, "area_cm2", json_type_int))
                      ? json_object_get_double(v) : 0;
    c->seconds = (v = get(o, "seconds", json_type_double)) ||
                 (v = get(o, "seconds", json_type_int))
                     ? json_object_get_double(v) : 0;
    int64_t w = (v = get(o, "width", json_type_int)) ?
                json_object_get_int64(v) : 0;
    int64_t h = (v = get(o, "height", json_type_int)) ?
                json_object_get_int64(v) : 0;
    if (w < 1 || h < 1 || w > UINT32_MAX || h > UINT32_MAX)
        return -1;
    c->width = (uint32_t)w;
    c->height = (uint32_t)h;
    return 0;
}

smp_status smp_case_record_read(smp_case *c, const char *outdir,
                                smp_error *err)
{
    char rel[1024];
    c->status = SMP_CASE_MISSING;
    smp_status st = smp_case_check_id(c, err);
    if (st != SMP_OK)
        return st;
    smp_case_path(c, SMP_CASE_RECORD, 0, 0, rel, sizeof rel);
    char *path = smp_path_join(outdir, rel), *buf = NULL;
    json_object *o = NULL;
    FILE *fp = NULL;
    if (!path || !(buf = malloc(MAX_RECORD_BYTES + 1))) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!(fp = fopen(path, "rb"))) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot open: %s", path,
                      strerror(errno));
        goto done;
    }
    size_t n = fread(buf, 1, MAX_RECORD_BYTES + 1, fp);
    if (ferror(fp) || n > MAX_RECORD_BYTES) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot read", path);
        goto done;
    }
    buf[n] = '\0';
    enum json_tokener_error je = json_tokener_success;
    o = json_tokener_parse_verbose(buf, &je);
    if (!o || !json_object_is_type(o, json_type_object) ||
        take_record(c, o) != 0) {
        st = smp_fail(err, SMP_ERR_FORMAT, "%s: not a case record%s%s", path,
                      o ? "" : ": ", o ? "" : json_tokener_error_desc(je));
        c->status = SMP_CASE_MISSING;
    }
done:
    if (fp)
        fclose(fp);
    json_object_put(o);
    free(buf);
    free(path);
    return st;
}

/* "outputs" of a finished case: every file, relative to the output
 * folder, grouped by what it is. */
static json_object *case_outputs(const smp_case *c, int *ok)
{
    char rel[1024];
    json_object *o = json_object_new_object(), *a, *web, *ws;
    if (!o) {
        *ok = 0;
        return NULL;
    }
    put(o, "sessions", a = json_object_new_array(), ok);
    for (int k = 1; *ok && k <= c->sessions; k++) {
        smp_case_path(c, SMP_CASE_SESSION, k, 0, rel, sizeof rel);
        push(a, new_string(rel), ok);
    }
    smp_case_path(c, SMP_CASE_BEFORE_AFTER, 0, 0, rel, sizeof rel);
    put(o, "before_after", new_string(rel), ok);
    smp_case_path(c, SMP_CASE_DOTS, 0, 0, rel, sizeof rel);
    put(o, "dots", new_string(rel), ok);
    if (c->nextra) {
        put(o, "extra", a = json_object_new_array(), ok);
        for (size_t i = 0; *ok && i < c->nextra; i++)
            push(a, new_string(c->extra[i]), ok);
    }
    put(o, "web", web = json_object_new_object(), ok);
    if (!*ok)
        return o;
    static const int px[2] = {SMP_WEB_LARGE, SMP_WEB_SMALL};
    static const char *const size_names[2] = {"large", "small"};
    put(web, "before", a = json_object_new_object(), ok);
    for (int i = 0; *ok && i < 2; i++) {
        smp_case_path(c, SMP_CASE_WEB_BEFORE, 0, px[i], rel, sizeof rel);
        put(a, size_names[i], new_string(rel), ok);
    }
    put(web, "sessions", ws = json_object_new_array(), ok);
    for (int k = 1; *ok && k <= c->sessions; k++) {
        push(ws, a = json_object_new_object(), ok);
        for (int i = 0; *ok && i < 2; i++) {
            smp_case_path(c, SMP_CASE_WEB_SESSION, k, px[i], rel, sizeof rel);
            put(a, size_names[i], new_string(rel), ok);
        }
    }
    return o;
}

static json_object *case_entry(const smp_case *c, int *ok)
{
    json_object *o = json_object_new_object(), *a;
    if (!o) {
        *ok = 0;
        return NULL;
    }
    if (c->line)
        put(o, "line", json_object_new_int64((int64_t)c->line), ok);
    if (c->id)
        put(o, "id", new_string(c->id), ok);
    else
        put_null(o, "id", ok);
    put(o, "caption", new_string(c->caption ? c->caption : ""), ok);
    if (c->photo)
        put(o, "photo", new_string(c->photo), ok);
    put(o, "status", json_object_new_string(status_names[c->status]), ok);
    int done = c->status == SMP_CASE_RENDERED ||
               c->status == SMP_CASE_UP_TO_DATE;
    if (done)
        put_null(o, "error", ok);
    else
        put(o, "error", new_string(c->error), ok);
    if (!done || !*ok)
        return o;
    put(o, "sessions", json_object_new_int(c->sessions), ok);
    put(o, "dots_per_session", a = json_object_new_array(), ok);
    for (int k = 0; *ok && k < c->sessions; k++)
        push(a, json_object_new_uint64(c->dots[k] - (k ? c->dots[k - 1] : 0)),
             ok);
    put(o, "dots_total", json_object_new_uint64(c->sessions ?
                                                c->dots[c->sessions - 1] : 0),
        ok);
    put(o, "density", new_number(c->density, 2), ok);
    put(o, "area_cm2", new_number(c->area_cm2, 2), ok);
    put(o, "seconds", new_number(c->seconds, 3), ok);
    put(o, "outputs", case_outputs(c, ok), ok);
    return o;
}

smp_status smp_report_write(const smp_case *cases, size_t n,
                            const char *outdir, smp_error *err)
{
    char *path = smp_path_join(outdir, "report.json");
    json_object *o = json_object_new_object(), *sum, *list;
    smp_status st = SMP_OK;
    int ok = o && path;
    size_t count[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        count[cases[i].status]++;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (ok) {
        put(o, "generator", json_object_new_string("smpr " SMP_VERSION), &ok);
        put(o, "created", json_object_new_string(when), &ok);
        put(o, "summary", sum = json_object_new_object(), &ok);
    }
    if (ok) {
        put(sum, "cases", json_object_new_uint64(n), &ok);
        put(sum, "rendered", json_object_new_uint64(count[1]), &ok);
        put(sum, "up_to_date", json_object_new_uint64(count[2]), &ok);
        put(sum, "failed", json_object_new_uint64(count[3]), &ok);
        put(sum, "missing", json_object_new_uint64(count[0]), &ok);
        put(o, "cases", list = json_object_new_array(), &ok);
    }
    for (size_t i = 0; ok && i < n; i++)
        push(list, case_entry(&cases[i], &ok), &ok);
    if (ok)
        st = write_json(o, path, err);
    else
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    json_object_put(o);
    free(path);
    return st;
}
