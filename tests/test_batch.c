/* test_batch.c - `smpr batch` end to end on small generated photos: the
 * manifest as spreadsheets write it, bad rows reported by line and
 * skipped, exit codes, shards that split a manifest exactly, resuming
 * and --force, Ctrl-C, the report read back with json-c and the
 * gallery's escaping. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"

typedef struct env {
    char *dir, *out, *manifest;
} env;

static void save_photo(const char *dir, const char *name, uint32_t w,
                       uint32_t h, smp_format fmt)
{
    char *p = tu_path(dir, name);
    smp_image *img = tu_skin_photo(w, h, w / 2.0, h / 2.0 + 5, w * 0.4,
                                   h * 0.42);
    smp_save_options so = {fmt, 90, NULL};
    assert_int_equal(smp_image_save(img, p, &so, NULL), SMP_OK);
    smp_image_free(img);
    free(p);
}

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    e->dir = tu_tmpdir();
    e->out = tu_path(e->dir, "out");
    e->manifest = tu_path(e->dir, "m.csv");
    save_photo(e->dir, "p1.png", 240, 180, SMP_FORMAT_PNG);
    save_photo(e->dir, "p2.png", 240, 180, SMP_FORMAT_PNG);
    char *sub = tu_path(e->dir, "photos");
    mkdir(sub, 0777);
    save_photo(sub, "p3.jpg", 240, 180, SMP_FORMAT_JPEG);
    free(sub);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    tu_rmdir(e->dir);
    free(e->dir);
    free(e->out);
    free(e->manifest);
    free(e);
    return 0;
}

static void write_manifest(const env *e, const char *text)
{
    assert_int_equal(tu_write(e->manifest, text, strlen(text)), 0);
}

static void assert_says(const char *msg, const char *what)
{
    if (!strstr(msg, what))
        fail_msg("stderr '%s' does not say '%s'", msg, what);
}

static char *out_path(const env *e, const char *rel)
{
    return tu_path(e->out, rel);
}

/* A whole file as a string. */
static char *read_text(const char *path)
{
    size_t n = 0;
    char *b = (char *)tu_read(path, &n);
    assert_non_null(b);
    char *t = realloc(b, n + 1);
    assert_non_null(t);
    t[n] = '\0';
    return t;
}

static int out_exists(const env *e, const char *rel)
{
    char *p = out_path(e, rel);
    int ok = tu_exists(p);
    free(p);
    return ok;
}

static json_object *load_report(const env *e)
{
    char *p = out_path(e, "report.json");
    json_object *o = json_object_from_file(p);
    free(p);
    assert_non_null(o);
    return o;
}

static json_object *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("no field '%s'", key);
    return v;
}

static const char *str(json_object *o, const char *key)
{
    return json_object_get_string(field(o, key));
}

/* The report's case with this id. */
static json_object *report_case(json_object *rep, const char *id)
{
    json_object *list = field(rep, "cases");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *c = json_object_array_get_idx(list, i);
        json_object *v;
        if (json_object_object_get_ex(c, "id", &v) && v &&
            !strcmp(json_object_get_string(v), id))
            return c;
    }
    fail_msg("no case '%s' in the report", id);
    return NULL;
}

static void test_help_and_usage(void **state)
{
    env *e = *state;
    char err[2048];
    write_manifest(e, "photo\np1.png\n");
    assert_int_equal(tu_run(err, sizeof err, "help", "batch", NULL), 0);
    assert_int_equal(tu_run(err, sizeof err, "batch", "--help", NULL), 0);
    const char *bad[][6] = {
        {"batch", e->manifest, NULL},
        {"batch", "-o", e->out, NULL},
        {"batch", e->manifest, "-o", e->out, "-j", "0"},
        {"batch", e->manifest, "-o", e->out, "-j", "many"},
        {"batch", e->manifest, "-o", e->out, "--shard", "3/2"},
        {"batch", e->manifest, "-o", e->out, "--shard", "1/0"},
        {"batch", e->manifest, "-o", e->out, "--shard", "-1/2"},
        {"batch", e->manifest, "-o", e->out, "--shard", "1/2x"},
        {"batch", e->manifest, "-o", e->out, "--bogus", NULL},
        {"batch", e->manifest, "extra", "-o", e->out, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(tu_run(err, sizeof err, bad[i][0], bad[i][1],
                                bad[i][2], bad[i][3], bad[i][4], bad[i][5],
                                NULL), 2);
        assert_says(err, "smpr batch: ");
    }
    assert_false(tu_exists(e->out));
    /* a manifest that cannot be read: a file problem, exit 1 */
    char *missing = tu_path(e->dir, "none.csv");
    assert_int_equal(tu_run(err, sizeof err, "batch", missing, "-o", e->out,
                            NULL), 1);
    assert_says(err, missing);
    write_manifest(e, "photo\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 1);
    assert_says(err, "no cases");
    write_manifest(e, "photo,caption\np1.png,\"open\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 1);
    assert_says(err, "m.csv:2: a quoted field is not closed");
    free(missing);
}

/* Unknown columns stop the batch before anything is rendered. */
static void test_unknown_column(void **state)
{
    env *e = *state;
    char err[2048];
    const char *manifests[][2] = {
        {"photo,densty\np1.png,100\n", "'densty'"},
        {"photo,dots\np1.png,x.csv\n", "'dots'"},
        {"photo,seed,Seed\np1.png,1,2\n", "'seed' appears twice"},
        {"caption,density\nhello,100\n", "no 'photo' column"},
    };
    for (size_t i = 0; i < 4; i++) {
        write_manifest(e, manifests[i][0]);
        assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                                e->out, NULL), 2);
        assert_says(err, manifests[i][1]);
        assert_true(strchr(err, '\n') == err + strlen(err) - 1); /* 1 line */
        assert_false(tu_exists(e->out));
    }
    /* column names are matched without regard to case */
    write_manifest(e, "Photo,Density,ID\np1.png,90,x\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, "-j", "1", NULL), 0);
    assert_true(out_exists(e, "x/case.json"));
}

/* A spreadsheet's export: BOM, CRLF, quoted commas, newlines and doubled
 * quotes, empty cells meaning the default. */
static void test_spreadsheet_manifest(void **state)
{
    env *e = *state;
    char err[2048];
    write_manifest(e, "\xef\xbb\xbfid,photo,caption,density,sessions,seed\r\n"
                      "one,p1.png,\"Crown, feathered\",80,2,\r\n"
                      "two,p2.png,\"He said \"\"natural\"\"\r\nnext line\","
                      ",,7\r\n"
                      ",photos/p3.jpg,,,1,\r\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    assert_says(err, "3 rendered, 0 skipped as up to date, 0 failed");
    json_object *rep = load_report(e);
    json_object *one = report_case(rep, "one");
    json_object *two = report_case(rep, "two");
    json_object *p3 = report_case(rep, "p3");        /* id from the photo */
    assert_string_equal(str(one, "caption"), "Crown, feathered");
    assert_string_equal(str(two, "caption"),
                        "He said \"natural\"\nnext line");
    assert_string_equal(str(p3, "caption"), "");
    assert_int_equal(json_object_get_int(field(one, "sessions")), 2);
    assert_int_equal(json_object_get_int(field(two, "sessions")), 3);
    assert_int_equal(json_object_get_int(field(p3, "sessions")), 1);
    assert_int_equal(json_object_get_int(field(two, "line")), 3);
    assert_int_equal(json_object_get_int(field(p3, "line")), 5);
    assert_true(out_exists(e, "one/one-session-2.png"));
    assert_true(out_exists(e, "two/two-before-after.png"));
    assert_true(out_exists(e, "p3/p3-session-1.jpg"));  /* a JPEG photo */
    assert_true(out_exists(e, "p3/dots.csv"));
    assert_true(out_exists(e, "index.html"));
    json_object_put(rep);
}

static void test_bad_rows(void **state)
{
    env *e = *state;
    char err[4096];
    write_manifest(e, "photo,id,density,caption\n"
                      "p1.png,good1,,ok\n"
                      "p2.png,bad-density,x,\n"
                      "missing.png,,,\n"
                      "p1.png,good1,,dup\n"
                      "p2.png,a/b,,\n"
                      "p2.png,\"tab\there\",,\n"
                      ",no-photo,,\n"
                      "photos/p3.jpg,,,\n"
                      "p2.png,,,,surplus\n"
                      "p2.png,nl,\"1\n2\",\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 1);
    assert_says(err, "m.csv:3: bad --density 'x'");
    assert_says(err, "m.csv:4: photo ");
    assert_says(err, "missing.png");
    assert_says(err, "m.csv:5: duplicate id 'good1' (first on line 2)");
    assert_says(err, "m.csv:6: bad id 'a/b'");
    assert_says(err, "m.csv:7: bad id 'tab?here'");
    assert_says(err, "m.csv:8: no photo");
    assert_says(err, "m.csv:10: a value ('surplus') in a column without");
    assert_says(err, "m.csv:11: bad --density '1?2'");
    assert_says(err, "2 rendered, 0 skipped as up to date, 8 failed");
    /* each message is one line: 8 bad rows and the summary */
    int lines = 0;
    for (const char *p = err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 9);
    assert_true(out_exists(e, "good1/good1-session-3.png"));
    assert_true(out_exists(e, "p3/p3-session-3.jpg"));
    assert_false(out_exists(e, "bad-density"));
    assert_false(out_exists(e, "a"));
    json_object *rep = load_report(e);
    json_object *sum = field(rep, "summary");
    assert_int_equal(json_object_get_int(field(sum, "rendered")), 2);
    assert_int_equal(json_object_get_int(field(sum, "failed")), 8);
    json_object *bad = report_case(rep, "bad-density");
    assert_string_equal(str(bad, "status"), "failed");
    assert_non_null(strstr(str(bad, "error"), "bad --density 'x'"));
    json_object_put(rep);

    /* a photo that is not an image fails at render time, also by line */
    char *junk = tu_path(e->dir, "junk.png");
    tu_write(junk, "not an image", 12);
    write_manifest(e, "photo\np1.png\njunk.png\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, "-j", "2", NULL), 1);
    assert_says(err, "m.csv:3: ");
    assert_says(err, "junk.png: not a PNG or JPEG");
    assert_says(err, "1 rendered, 0 skipped as up to date, 1 failed");
    free(junk);
}

/* Case folders that hold a record. */
static int has_record(const env *e, const char *id)
{
    char rel[256];
    snprintf(rel, sizeof rel, "%s/case.json", id);
    return out_exists(e, rel);
}

static void test_shards(void **state)
{
    env *e = *state;
    char err[4096];
    enum { N = 3, CASES = 8 };
    char text[1024] = "id,photo,seed\n";
    for (int i = 0; i < CASES; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "c%d,%s,%d\n", i,
                 i % 2 ? "p1.png" : "p2.png", i + 1);
    }
    write_manifest(e, text);
    int owner[CASES];
    for (int i = 0; i < CASES; i++)
        owner[i] = 0;
    for (int k = 1; k <= N; k++) {
        char shard[16];
        snprintf(shard, sizeof shard, "%d/%d", k, N);
        assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                                e->out, "--shard", shard, "-j", "1", NULL),
                         0);
        assert_says(err, "shard ");
        for (int i = 0; i < CASES; i++) {
            char id[16];
            snprintf(id, sizeof id, "c%d", i);
            if (has_record(e, id) && !owner[i])
                owner[i] = k;
        }
        /* shards write no report or gallery of their own */
        assert_false(out_exists(e, "report.json"));
        assert_false(out_exists(e, "index.html"));
        if (k == N - 1) {
            /* the index before every shard ran: exit 1, cases missing */
            assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest,
                                    "-o", e->out, "--index-only", NULL), 1);
            assert_says(err, "not rendered");
            json_object *rep = load_report(e);
            assert_int_equal(json_object_get_int(field(field(rep, "summary"),
                                                       "missing")),
                             CASES / N);
            json_object_put(rep);
            char *p = out_path(e, "report.json");
            unlink(p);
            free(p);
            p = out_path(e, "index.html");
            unlink(p);
            free(p);
        }
    }
    /* every case exactly once, by index mod N */
    for (int i = 0; i < CASES; i++)
        assert_int_equal(owner[i], i % N + 1);
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, "--index-only", NULL), 0);
    assert_says(err, "8 ready, 0 failed, 0 not rendered");
    json_object *rep = load_report(e);
    json_object *sum = field(rep, "summary");
    assert_int_equal(json_object_get_int(field(sum, "rendered")), CASES);
    assert_int_equal(json_object_get_int(field(sum, "missing")), 0);
    json_object_put(rep);
    char *index = out_path(e, "index.html");
    char *html = read_text(index);
    int cards = 0;
    for (char *p = html; (p = strstr(p, "class=\"card\"")); p++)
        cards++;
    assert_int_equal(cards, CASES);
    free(html);
    free(index);
}

typedef struct stamp {
    char path[512];
    struct timespec mtime;
} stamp;

/* Every file under dir, with its mtime, into v (at most max). */
static int list_files(const char *dir, stamp *v, int n, int max)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return n;
    struct dirent *d;
    while ((d = readdir(dp))) {
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
            continue;
        char *p = tu_path(dir, d->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            n = list_files(p, v, n, max);
        } else if (n < max) {
            snprintf(v[n].path, sizeof v[n].path, "%s", p);
            v[n++].mtime = st.st_mtim;
        }
        free(p);
    }
    closedir(dp);
    return n;
}

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Sets every output to `t`; returns how many files there are. */
static int age_outputs(const env *e, stamp *v, int max, time_t t)
{
    int n = list_files(e->out, v, 0, max);
    for (int i = 0; i < n; i++)
        set_mtime(v[i].path, t);
    return n;
}

/* Files of case `id` (under out/<id>/) changed since `t`, or others? */
static void assert_changed(const env *e, const char *changed, time_t t)
{
    stamp v[256];
    int n = list_files(e->out, v, 0, 256);
    char prefix[512] = "";
    if (changed)
        snprintf(prefix, sizeof prefix, "%s/%s/", e->out, changed);
    for (int i = 0; i < n; i++) {
        if (strstr(v[i].path, "report.json") ||
            strstr(v[i].path, "index.html"))
            continue;
        int mine = changed && !strncmp(v[i].path, prefix, strlen(prefix));
        int same = v[i].mtime.tv_sec == t && v[i].mtime.tv_nsec == 0;
        if (mine == same)
            fail_msg("%s %s", v[i].path, same ? "not rendered again"
                                              : "rendered again");
    }
}

static void test_resume_and_force(void **state)
{
    env *e = *state;
    char err[4096];
    write_manifest(e, "id,photo,density,caption\n"
                      "a,p1.png,90,first\n"
                      "b,p2.png,90,second\n"
                      "c,photos/p3.jpg,,third\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    stamp v[256];
    time_t now = time(NULL), old = now - 100, past = now - 50;
    char *p1 = tu_path(e->dir, "p1.png"), *p2 = tu_path(e->dir, "p2.png");
    char *p3 = tu_path(e->dir, "photos/p3.jpg");
    set_mtime(p1, old);
    set_mtime(p2, old);
    set_mtime(p3, old);
    int files = age_outputs(e, v, 256, past);
    assert_true(files >= 3 * 13);

    /* nothing changed: nothing rendered, no output touched */
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    assert_says(err, "0 rendered, 3 skipped as up to date, 0 failed");
    assert_changed(e, NULL, past);
    json_object *rep = load_report(e);
    assert_string_equal(str(report_case(rep, "a"), "status"), "up-to-date");
    json_object_put(rep);

    /* a newer photo: that case only */
    set_mtime(p2, now);
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    assert_says(err, "1 rendered, 2 skipped as up to date");
    assert_changed(e, "b", past);
    set_mtime(p2, old);
    age_outputs(e, v, 256, past);

    /* another option: that case only; a caption is not an option */
    write_manifest(e, "id,photo,density,caption\n"
                      "a,p1.png,95,first\n"
                      "b,p2.png,90,second (edited)\n"
                      "c,photos/p3.jpg,,third\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    assert_says(err, "1 rendered, 2 skipped as up to date");
    assert_changed(e, "a", past);
    rep = load_report(e);
    assert_string_equal(str(report_case(rep, "b"), "caption"),
                        "second (edited)");
    json_object_put(rep);
    age_outputs(e, v, 256, past);

    /* a lost output: that case again */
    char *lost = out_path(e, "c/web/session-2-400.jpg");
    assert_int_equal(unlink(lost), 0);
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    assert_says(err, "1 rendered, 2 skipped as up to date");
    assert_true(tu_exists(lost));
    age_outputs(e, v, 256, past);

    /* --force: all of them */
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, "--force", NULL), 0);
    assert_says(err, "3 rendered, 0 skipped as up to date, 0 failed");
    int changed = 0;
    int n = list_files(e->out, v, 0, 256);
    for (int i = 0; i < n; i++)
        changed += v[i].mtime.tv_sec != past;
    assert_int_equal(changed, n);
    free(lost);
    free(p1);
    free(p2);
    free(p3);
}

/* Workers share nothing: -j 1 and -j 2 write the same bytes. */
static void test_parallel_same_bytes(void **state)
{
    env *e = *state;
    write_manifest(e, "id,photo,seed,sessions\n"
                      "a,p1.png,1,2\nb,p2.png,2,3\nc,photos/p3.jpg,3,2\n"
                      "d,p1.png,4,4\ne,p2.png,5,1\n");
    char *o1 = tu_path(e->dir, "o1"), *o2 = tu_path(e->dir, "o2");
    assert_int_equal(tu_run(NULL, 0, "batch", e->manifest, "-o", o1, "-j",
                            "1", NULL), 0);
    assert_int_equal(tu_run(NULL, 0, "batch", e->manifest, "-o", o2, "-j",
                            "2", NULL), 0);
    stamp v[256];
    int n = list_files(o1, v, 0, 256), compared = 0;
    for (int i = 0; i < n; i++) {
        const char *rel = v[i].path + strlen(o1);
        if (strstr(rel, ".json"))
            continue;   /* times and dates differ */
        char other[600];
        snprintf(other, sizeof other, "%s%s", o2, rel);
        if (!tu_files_equal(v[i].path, other))
            fail_msg("%s differs", rel);
        compared++;
    }
    assert_true(compared > 40);
    free(o1);
    free(o2);
}

static void test_report_and_gallery(void **state)
{
    env *e = *state;
    char err[2048];
    write_manifest(e, "id,photo,caption,sessions\n"
                      "x1,p1.png,\"<script>alert(1)</script> & \"\"quotes\"\"\","
                      "3\n"
                      "Mr. O'Neil #2,p2.png,plain,2\n");
    assert_int_equal(tu_run(err, sizeof err, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    json_object *rep = load_report(e);
    assert_non_null(strstr(str(rep, "generator"), "smpr"));
    json_object *c = report_case(rep, "x1");
    assert_string_equal(str(c, "caption"),
                        "<script>alert(1)</script> & \"quotes\"");
    assert_string_equal(str(c, "status"), "rendered");
    json_object *dps = field(c, "dots_per_session");
    assert_int_equal(json_object_array_length(dps), 3);
    long sum = 0;
    for (int k = 0; k < 3; k++) {
        long d = json_object_get_int64(json_object_array_get_idx(dps, k));
        assert_true(d > 0);
        sum += d;
    }
    assert_int_equal(sum, json_object_get_int64(field(c, "dots_total")));
    assert_true(json_object_get_double(field(c, "density")) > 10);
    assert_true(json_object_get_double(field(c, "seconds")) > 0);
    /* every output named exists, relative to OUTDIR */
    json_object *out = field(c, "outputs");
    json_object *ss = field(out, "sessions");
    assert_int_equal(json_object_array_length(ss), 3);
    for (int k = 0; k < 3; k++)
        assert_true(out_exists(e, json_object_get_string(
                                      json_object_array_get_idx(ss, k))));
    assert_true(out_exists(e, str(out, "before_after")));
    assert_true(out_exists(e, str(out, "dots")));
    json_object *web = field(out, "web");
    assert_true(out_exists(e, str(field(web, "before"), "large")));
    json_object *ws = field(web, "sessions");
    assert_true(out_exists(e, str(json_object_array_get_idx(ws, 2),
                                  "small")));
    json_object_put(rep);

    char *index = out_path(e, "index.html");
    char *html = read_text(index);
    assert_null(strstr(html, "<script>alert"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; "
                                 "&amp; &quot;quotes&quot;"));
    assert_non_null(strstr(html, "Mr.%20O%27Neil%20%232/web/"));
    assert_non_null(strstr(html, "data-id=\"Mr. O&#39;Neil #2\""));
    free(html);
    free(index);
}

/* Ctrl-C: exit 130, whole files only, finished cases kept, and the next
 * run takes up where this one stopped. */
static void test_interrupt(void **state)
{
    env *e = *state;
    enum { CASES = 6 };
    save_photo(e->dir, "big.png", 640, 480, SMP_FORMAT_PNG);
    char text[512] = "id,photo,seed,sessions\n";
    for (int i = 0; i < CASES; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "k%d,big.png,%d,3\n", i, i + 1);
    }
    write_manifest(e, text);
    const char *args[] = {"batch", e->manifest, "-o", e->out, "-j", "1",
                          NULL};
    tu_proc proc;
    tu_start(&proc, args);
    /* wait for the first finished case, then interrupt */
    char *first = out_path(e, "k0/case.json");
    for (int i = 0; i < 3000 && !tu_exists(first); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(tu_exists(first));
    kill(proc.pid, SIGINT);
    int status;
    char err[4096];
    tu_finish(&proc, err, sizeof err, &status);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    assert_says(err, "interrupted");
    /* no temporary anywhere, no report of a run that did not finish */
    stamp v[512];
    int files = list_files(e->out, v, 0, 512), done = 0;
    for (int i = 0; i < files; i++) {
        const char *base = strrchr(v[i].path, '/') + 1;
        if (base[0] == '.')
            fail_msg("temporary left: %s", v[i].path);
        if (!strcmp(base, "case.json")) {
            json_object *o = json_object_from_file(v[i].path);
            assert_non_null(o);
            json_object_put(o);
            done++;
        }
    }
    assert_true(done >= 1 && done < CASES);
    assert_false(out_exists(e, "report.json"));
    /* resume */
    char msg[2048], want[64];
    assert_int_equal(tu_run(msg, sizeof msg, "batch", e->manifest, "-o",
                            e->out, NULL), 0);
    snprintf(want, sizeof want, "%d rendered, %d skipped as up to date",
             CASES - done, done);
    assert_says(msg, want);
    free(first);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_help_and_usage),
        T(test_unknown_column),
        T(test_spreadsheet_manifest),
        T(test_bad_rows),
        T(test_shards),
        T(test_resume_and_force),
        T(test_parallel_same_bytes),
        T(test_report_and_gallery),
        T(test_interrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
