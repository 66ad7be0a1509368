/*
 * cli_cases.c - a batch manifest's rows into cases.  Columns get their
 * meaning here (photo, id, caption, and render's long options, matched
 * without regard to case; anything else stops the batch as a usage
 * error); each row becomes a render job through cli_render_set, with its
 * files resolved against the manifest's folder, its id checked as a
 * folder name and unique, and a fingerprint of what its outputs depend
 * on.  A row with a problem becomes a failed case that says why.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "cli_batch.h"

#define MAX_ID 100              /* bytes in a case id */

/* Render options whose value is a file, relative to the manifest. */
static const char *const path_options[] = {"mask", "scar", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

void batch_printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static void printable(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
    batch_printable(dst);
}

/* Gives each column its meaning; an unknown one is a usage error. */
static int map_columns(batch *b)
{
    static const char *const own[] = {"photo", "id", "caption"};
    b->ncols = smp_manifest_columns(b->m);
    b->kind = calloc(b->ncols + 1, sizeof *b->kind);
    b->name = calloc(b->ncols + 1, sizeof *b->name);
    if (!b->kind || !b->name) {
        fprintf(stderr, "smpr: out of memory\n");
        return 1;
    }
    int photo = 0;
    for (size_t j = 0; j < b->ncols; j++) {
        const char *col = smp_manifest_column(b->m, j);
        col_kind k = COL_IGNORED;
        const char *canon = NULL;
        for (int i = 0; i < 3 && !canon; i++)
            if (!strcasecmp(col, own[i]))
                canon = own[i], k = (col_kind)(COL_PHOTO + i);
        for (int pass = 0; pass < 2 && !canon; pass++) {
            const char *const *names = pass ? cli_render_flags
                                            : cli_render_names;
            for (; *names && !canon; names++)
                if (!strcasecmp(col, *names) && strcmp(*names, "dots"))
                    canon = *names, k = pass ? COL_FLAG : COL_OPTION;
        }
        if (!canon && *col) {
            char msg[300], shown[204];
            printable(shown, sizeof shown, col);
            snprintf(msg, sizeof msg, "%s: unknown column '%s'",
                     b->manifest, shown);
            return cli_usage("batch", "%s", msg);
        }
        for (size_t i = 0; canon && i < j; i++)
            if (b->name[i] == canon) {
                char msg[300];
                snprintf(msg, sizeof msg, "%s: column '%s' appears twice",
                         b->manifest, canon);
                return cli_usage("batch", "%s", msg);
            }
        b->kind[j] = k;
        b->name[j] = canon;
        photo |= k == COL_PHOTO;
    }
    if (!photo) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: no 'photo' column", b->manifest);
        return cli_usage("batch", "%s", msg);
    }
    return 0;
}

/* A file named in the manifest, relative to the manifest's folder. */
static char *resolve(const batch *b, const char *rel)
{
    if (rel[0] == '/' || !strcmp(b->dir, "."))
        return strdup(rel);
    size_t n = strlen(b->dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", b->dir, rel);
    return p;
}

char *batch_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* Why `id` cannot be a folder name, or NULL. */
static const char *bad_id(const char *id)
{
    if (!*id)
        return "is empty";
    if (strlen(id) > MAX_ID)
        return "is longer than 100 bytes";
    if (id[0] == '.')
        return "starts with '.'";
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        if (*p == '/' || *p == '\\')
            return "contains a slash";
        if (*p < 0x20 || *p == 0x7f)
            return "contains a control character";
    }
    if (!strcmp(id, "index.html") || !strcmp(id, "report.json"))
        return "is a name the batch uses for itself";
    return NULL;
}

/* Marks the case bad with a one-line reason; returns 1. */
static int bad(bcase *bc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int bad(bcase *bc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bc->c.error, sizeof bc->c.error, fmt, ap);
    va_end(ap);
    batch_printable(bc->c.error);
    bc->c.status = SMP_CASE_FAILED;
    bc->bad = 1;
    return 1;
}

static int is_off(const char *v)
{
    static const char *const off[] = {"0", "no", "false", "off", "n", NULL};
    for (const char *const *o = off; *o; o++)
        if (!strcasecmp(v, *o))
            return 1;
    return 0;
}

/* An input file must exist before anything is rendered. */
static int check_input(bcase *bc, const char *what, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        bad(bc, "%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        bad(bc, "%s %s: not a file", what, path);
        return -1;
    }
    return 0;
}

/* FNV-1a, 64 bits: enough to tell one set of options from another. */
static void fnv(uint64_t *h, const char *s)
{
    for (; *s; s++) {
        *h ^= (unsigned char)*s;
        *h *= 0x100000001b3ull;
    }
    *h ^= 0xff;                 /* a separator no text contains */
    *h *= 0x100000001b3ull;
}

/* What a case's outputs depend on besides its files' contents: the
 * renderer's version, the photo's name and every option set, in a fixed
 * order so that moving columns around changes nothing. */
static void fingerprint(const batch *b, bcase *bc, size_t row)
{
    uint64_t h = 0xcbf29ce484222325ull;
    fnv(&h, "smpr " SMP_VERSION);
    for (size_t j = 0; j < b->ncols; j++)
        if (b->kind[j] == COL_PHOTO)
            fnv(&h, smp_manifest_cell(b->m, row, j));
    for (int pass = 0; pass < 2; pass++) {
        const char *const *names = pass ? cli_render_flags : cli_render_names;
        for (; *names; names++)
            for (size_t j = 0; j < b->ncols; j++) {
                const char *v = smp_manifest_cell(b->m, row, j);
                if (b->name[j] == *names && *v &&
                    !(pass && is_off(v))) {
                    fnv(&h, *names);
                    fnv(&h, v);
                }
            }
    }
    snprintf(bc->c.fingerprint, sizeof bc->c.fingerprint, "%016llx",
             (unsigned long long)h);
}

/* Row `row` into bc: options applied and checked, files resolved and
 * checked, the id chosen.  A problem marks the case bad. */
static int read_row(batch *b, bcase *bc, size_t row)
{
    const smp_manifest *m = b->m;
    char msg[256];
    const char *photo = "", *id = NULL;
    cli_render_init(&bc->r);
    bc->c.line = smp_manifest_line(m, row);
    for (size_t j = 0; j < smp_manifest_cells(m, row); j++) {
        const char *v = smp_manifest_cell(m, row, j);
        if (j >= b->ncols || b->kind[j] == COL_IGNORED) {
            if (*v)
                return bad(bc, "a value ('%.60s') in a column without a "
                           "name", v);
            continue;
        }
        switch (b->kind[j]) {
        case COL_PHOTO: photo = v; break;
        case COL_ID: id = *v ? v : NULL; break;
        case COL_CAPTION: bc->c.caption = v; break;
        default: break;
        }
    }
    bc->c.photo = photo;
    if (!id) {
        /* the photo's name without folder and extension */
        const char *base = strrchr(photo, '/');
        base = base ? base + 1 : photo;
        const char *dot = strrchr(base, '.');
        size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        if (!(bc->id = malloc(n + 1)))
            return -1;
        memcpy(bc->id, base, n);
        bc->id[n] = '\0';
    } else if (!(bc->id = strdup(id))) {
        return -1;
    }
    bc->c.id = bc->id;
    if (!*photo)
        return bad(bc, "no photo");
    const char *why = bad_id(bc->id);
    if (why) {
        char shown[128];
        printable(shown, sizeof shown, bc->id);
        return bad(bc, "bad id '%s': %s", shown, why);
    }
    if (!(bc->inputs[bc->ninputs++] = resolve(b, photo)))
        return -1;
    for (size_t j = 0; j < b->ncols; j++) {
        const char *v = smp_manifest_cell(m, row, j);
        if (!*v || (b->kind[j] != COL_OPTION && b->kind[j] != COL_FLAG))
            continue;
        if (b->kind[j] == COL_FLAG) {
            if (!is_off(v) &&
                cli_render_set(&bc->r, b->name[j], "1", msg, sizeof msg) < 0)
                return bad(bc, "%s", msg);
            continue;
        }
        if (in_list(b->name[j], path_options)) {
            if (bc->ninputs == MAX_INPUTS ||
                !(v = bc->inputs[bc->ninputs++] = resolve(b, v)))
                return -1;
        }
        if (cli_render_set(&bc->r, b->name[j], v, msg, sizeof msg) < 0)
            return bad(bc, "%s", msg);
    }
    if (cli_render_finish(&bc->r, msg, sizeof msg) != 0)
        return bad(bc, "%s", msg);
    if (check_input(bc, "photo", bc->inputs[0]) != 0)
        return 0;
    for (int i = 1; i < bc->ninputs; i++)
        if (check_input(bc, "file", bc->inputs[i]) != 0)
            return 0;
    if (!(bc->outdir = batch_join(b->outdir, bc->id)) ||
        !(bc->dots = batch_join(bc->outdir, "dots.csv")))
        return -1;
    smp_job *job = &bc->r.job;
    job->photo = bc->inputs[0];
    job->outdir = bc->outdir;
    job->stem = bc->id;
    job->dots_csv = bc->dots;
    job->params.cancel = &cli_interrupted;
    fingerprint(b, bc, row);
    return 0;
}

static int by_id(const void *a, const void *b)
{
    const bcase *x = *(const bcase *const *)a, *y = *(const bcase *const *)b;
    int c = strcmp(x->c.id, y->c.id);
    return c ? c : (x < y ? -1 : x > y);
}

/* A later row with an id already taken is bad. */
static int mark_duplicates(batch *b)
{
    bcase **v = malloc((b->n + 1) * sizeof *v);
    size_t k = 0;
    if (!v)
        return -1;
    for (size_t i = 0; i < b->n; i++)
        if (b->cases[i].c.id)
            v[k++] = &b->cases[i];
    qsort(v, k, sizeof *v, by_id);
    for (size_t i = 1; i < k; i++) {
        size_t first = i - 1;
        while (first > 0 && !strcmp(v[first - 1]->c.id, v[i]->c.id))
            first--;
        if (strcmp(v[first]->c.id, v[i]->c.id) || v[i]->bad)
            continue;
        char shown[128];
        printable(shown, sizeof shown, v[i]->c.id);
        bad(v[i], "duplicate id '%s' (first on line %lu)", shown,
            v[first]->c.line);
    }
    free(v);
    return 0;
}

/* Reads the manifest and every row; prints this shard's bad rows. */
int batch_load(batch *b)
{
    smp_error e = {0};
    if (smp_manifest_load(b->manifest, &b->m, &e) != SMP_OK) {
        fprintf(stderr, "smpr: %s\n", e.msg);
        return 1;
    }
    const char *slash = strrchr(b->manifest, '/');
    b->dir = slash ? strndup(b->manifest, slash == b->manifest
                                              ? 1 : (size_t)(slash - b->manifest))
                   : strdup(".");
    if (!b->dir)
        goto nomem;
    int rc = map_columns(b);
    if (rc != 0)
        return rc;
    b->n = smp_manifest_rows(b->m);
    if (b->n == 0) {
        fprintf(stderr, "smpr: %s: no cases\n", b->manifest);
        return 1;
    }
    b->cases = calloc(b->n, sizeof *b->cases);
    b->todo = calloc(b->n, sizeof *b->todo);
    if (!b->cases || !b->todo)
        goto nomem;
    for (size_t i = 0; i < b->n; i++) {
        bcase *bc = &b->cases[i];
        bc->mine = b->index_only ||
                   (int)(i % (size_t)b->shard_n) == b->shard_k - 1;
        if (read_row(b, bc, i) < 0)
            goto nomem;
    }
    if (mark_duplicates(b) != 0)
        goto nomem;
    for (size_t i = 0; i < b->n; i++)
        if (b->cases[i].bad && b->cases[i].mine)
            fprintf(stderr, "smpr: %s:%lu: %s\n", b->manifest,
                    b->cases[i].c.line, b->cases[i].c.error);
    return 0;
nomem:
    fprintf(stderr, "smpr: out of memory\n");
    return 1;
}

void batch_free(batch *b)
{
    for (size_t i = 0; b->cases && i < b->n; i++) {
        bcase *bc = &b->cases[i];
        free(bc->id);
        free(bc->outdir);
        free(bc->dots);
        for (int k = 0; k < bc->ninputs; k++)
            free(bc->inputs[k]);
        for (int k = 0; bc->extra && k < bc->r.job.nyears; k++)
            free(bc->extra[k]);
        free(bc->extra);
    }
    free(b->cases);
    free(b->todo);
    free(b->kind);
    free(b->name);
    free(b->dir);
    smp_manifest_free(b->m);
}
