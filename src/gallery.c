/*
 * gallery.c - the HTML back-end of a batch: web-sized JPEG copies of each
 * case's photo and session previews (shrunk in linear light by
 * resample.c), and OUTDIR/index.html, one self-contained page (style and
 * script inline, gallery_page.c) with a grid of cases, each opening a
 * before/after comparison with the session steps.  Every text that comes
 * from a manifest is HTML-escaped and every path percent-encoded here;
 * the page's script only ever sets textContent.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "batch.h"
#include "internal.h"

#define WEB_QUALITY 85
#define DEFAULT_TITLE "Scalp micropigmentation previews"

/* The size of img shrunk to `px` on its long edge (never enlarged). */
static void fit(const smp_image *img, int px, uint32_t *w, uint32_t *h)
{
    uint32_t l = img->width > img->height ? img->width : img->height;
    *w = img->width;
    *h = img->height;
    if (l <= (uint32_t)px)
        return;
    double k = (double)px / l;
    *w = (uint32_t)lround(img->width * k);
    *h = (uint32_t)lround(img->height * k);
    *w += *w == 0;
    *h += *h == 0;
}

/* img at SMP_WEB_LARGE and SMP_WEB_SMALL into the case's web files of
 * kind f; the small one is made from the large one. */
static smp_status save_sizes(smp_case *c, const char *outdir,
                             const smp_image *img, smp_case_file f,
                             int session, atomic_int *cancel,
                             smp_error *err)
{
    static const int px[2] = {SMP_WEB_LARGE, SMP_WEB_SMALL};
    smp_save_options so = {SMP_FORMAT_JPEG, WEB_QUALITY, cancel};
    smp_image *sized[2] = {NULL, NULL};
    smp_status st = SMP_OK;
    char rel[1024];
    for (int i = 0; i < 2 && st == SMP_OK; i++) {
        const smp_image *from = i ? sized[0] : img;
        uint32_t w, h;
        fit(from, px[i], &w, &h);
        if (w != from->width || h != from->height)
            st = smp_image_shrink(from, w, h, &sized[i], err);
        else
            st = smp_image_clone(from, &sized[i], err);
        if (st != SMP_OK)
            break;
        if (i == 0 && f == SMP_CASE_WEB_BEFORE) {
            c->width = w;
            c->height = h;
        }
        smp_case_path(c, f, session, px[i], rel, sizeof rel);
        char *path = smp_path_join(outdir, rel);
        if (!path)
            st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        else
            st = smp_image_save(sized[i], path, &so, err);
        free(path);
    }
    smp_image_free(sized[0]);
    smp_image_free(sized[1]);
    return st;
}

smp_status smp_case_web_images(smp_case *c, const char *outdir,
                               const char *photo, uint64_t max_pixels,
                               atomic_int *cancel, smp_error *err)
{
    smp_load_options lo = {max_pixels};
    smp_image *img = NULL;
    char rel[1024];
    smp_status st = smp_case_check_id(c, err);
    if (st != SMP_OK)
        return st;
    if (c->sessions < 1 || c->sessions > SMP_MAX_SESSIONS)
        return smp_fail(err, SMP_ERR_ARG, "case %s: %d sessions", c->id,
                        c->sessions);
    smp_case_path(c, SMP_CASE_DIR, 0, 0, rel, sizeof rel);
    size_t n = strlen(rel);
    snprintf(rel + n, sizeof rel - n, "/web");
    char *web = smp_path_join(outdir, rel), *path = NULL;
    if (!web) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (mkdir(web, 0777) != 0 && errno != EEXIST) {
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot create folder: %s", web,
                      strerror(errno));
        goto done;
    }
    if ((st = smp_image_load(photo, &lo, &img, err)) != SMP_OK ||
        (st = save_sizes(c, outdir, img, SMP_CASE_WEB_BEFORE, 0, cancel,
                         err)) != SMP_OK)
        goto done;
    for (int k = 1; k <= c->sessions; k++) {
        smp_image_free(img);
        img = NULL;
        free(path);
        smp_case_path(c, SMP_CASE_SESSION, k, 0, rel, sizeof rel);
        if (!(path = smp_path_join(outdir, rel))) {
            st = smp_fail(err, SMP_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (cancel && *cancel) {
            st = smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
            goto done;
        }
        if ((st = smp_image_load(path, &lo, &img, err)) != SMP_OK ||
            (st = save_sizes(c, outdir, img, SMP_CASE_WEB_SESSION, k, cancel,
                             err)) != SMP_OK)
            goto done;
    }
done:
    smp_image_free(img);
    free(path);
    free(web);
    return st;
}

/* ---- the page --------------------------------------------------------- */

/* Text for HTML content and quoted attribute values. */
static void put_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

/* A relative path as a URL: every byte but unreserved ones and '/'
 * percent-encoded, so names with spaces, '#', '?', '%' or non-ASCII
 * letters still point at their file (from file:// too).  The result
 * needs no HTML escaping. */
static void put_url(FILE *fp, const char *rel)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *s = (const unsigned char *)rel; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || strchr("-._~/", *s))
            fputc(*s, fp);
        else
            fprintf(fp, "%%%c%c", hex[*s >> 4], hex[*s & 15]);
    }
}

static void put_path(FILE *fp, const smp_case *c, smp_case_file f,
                     int session, int px)
{
    char rel[1024];
    smp_case_path(c, f, session, px, rel, sizeof rel);
    put_url(fp, rel);
}

static void put_lines(FILE *fp, const char *const *lines)
{
    for (; *lines; lines++)
        fputs(*lines, fp);
}

static int shown(const smp_case *c)
{
    return smp_case_check_id(c, NULL) == SMP_OK &&
           (c->status == SMP_CASE_RENDERED ||
            c->status == SMP_CASE_UP_TO_DATE) && c->sessions > 0 &&
           c->width > 0 && c->height > 0;
}

/* One grid card: a link to the full-size before/after (what a browser
 * without script opens) that the script turns into the comparison. */
static void put_card(FILE *fp, const smp_case *c, size_t index)
{
    const char *title = c->caption && *c->caption ? c->caption : c->id;
    int last = c->sessions;
    fprintf(fp, "<li class=\"card\">\n<a class=\"card-open\" href=\"");
    put_path(fp, c, SMP_CASE_BEFORE_AFTER, 0, 0);
    fprintf(fp, "\" data-index=\"%zu\" data-id=\"", index);
    put_text(fp, c->id);
    fputs("\" data-caption=\"", fp);
    put_text(fp, c->caption ? c->caption : "");
    fprintf(fp, "\" data-w=\"%u\" data-h=\"%u\" data-before=\"",
            (unsigned)c->width, (unsigned)c->height);
    put_path(fp, c, SMP_CASE_WEB_BEFORE, 0, SMP_WEB_LARGE);
    fputs("\" data-large=\"", fp);
    for (int k = 1; k <= last; k++) {
        fputs(k > 1 ? " " : "", fp);
        put_path(fp, c, SMP_CASE_WEB_SESSION, k, SMP_WEB_LARGE);
    }
    fputs("\" data-small=\"", fp);
    for (int k = 1; k <= last; k++) {
        fputs(k > 1 ? " " : "", fp);
        put_path(fp, c, SMP_CASE_WEB_SESSION, k, SMP_WEB_SMALL);
    }
    fputs("\">\n<span class=\"thumb\"><img src=\"", fp);
    put_path(fp, c, SMP_CASE_WEB_SESSION, last, SMP_WEB_SMALL);
    fputs("\" srcset=\"", fp);
    put_path(fp, c, SMP_CASE_WEB_SESSION, last, SMP_WEB_SMALL);
    fprintf(fp, " %dw, ", SMP_WEB_SMALL);
    put_path(fp, c, SMP_CASE_WEB_SESSION, last, SMP_WEB_LARGE);
    fprintf(fp, " %dw\" sizes=\"(max-width: 560px) 92vw, 320px\" "
            "width=\"%u\" height=\"%u\" alt=\"\" loading=\"lazy\" "
            "decoding=\"async\"><span class=\"badge\">%d session%s</span>"
            "</span>\n<span class=\"card-body\"><span class=\"card-title\">",
            SMP_WEB_LARGE, (unsigned)c->width, (unsigned)c->height, last,
            last == 1 ? "" : "s");
    put_text(fp, title);
    fputs("</span>\n<span class=\"card-meta\">", fp);
    if (title != c->id) {
        put_text(fp, c->id);
        fputs(" &middot; ", fp);
    }
    fprintf(fp, "%.0f dots/cm&sup2;</span></span></a>\n</li>\n", c->density);
}

/* The comparison dialog, filled in by the script. */
static const char viewer_html[] =
"<dialog id=\"viewer\" aria-labelledby=\"v-title\">\n"
"<div class=\"v-head\">\n"
"<h2 id=\"v-title\"></h2>\n"
"<div class=\"v-nav\">\n"
"<button type=\"button\" class=\"icon\" id=\"v-prev\" "
"aria-label=\"Previous case\">&#8249;</button>\n"
"<span id=\"v-count\" aria-live=\"polite\"></span>\n"
"<button type=\"button\" class=\"icon\" id=\"v-next\" "
"aria-label=\"Next case\">&#8250;</button>\n"
"<button type=\"button\" class=\"icon\" id=\"v-close\" "
"aria-label=\"Close\">&#215;</button>\n"
"</div>\n</div>\n"
"<div class=\"ba\" id=\"ba\">\n"
"<img id=\"ba-after\" alt=\"\" draggable=\"false\">\n"
"<img id=\"ba-before\" alt=\"\" draggable=\"false\">\n"
"<span class=\"tag tag-before\" aria-hidden=\"true\">Before</span>\n"
"<span class=\"tag tag-after\" id=\"ba-tag\" aria-hidden=\"true\"></span>\n"
"<div class=\"ba-line\" id=\"ba-line\"><div class=\"ba-knob\" "
"id=\"ba-handle\" role=\"slider\" tabindex=\"0\" "
"aria-label=\"Before and after divider\" aria-valuemin=\"0\" "
"aria-valuemax=\"100\" aria-valuenow=\"50\"></div></div>\n"
"</div>\n"
"<p class=\"v-caption\" id=\"v-caption\"></p>\n"
"<div class=\"steps\" id=\"v-steps\" role=\"group\" "
"aria-label=\"Sessions\"></div>\n"
"<p class=\"v-foot\"><span>Drag the divider, or focus it and use the "
"arrow keys.</span> <a id=\"v-full\" href=\"#\">Full-size "
"before/after</a></p>\n"
"</dialog>\n";

static void put_page(FILE *fp, const smp_case *cases, size_t n,
                     const char *title)
{
    size_t shown_n = 0;
    for (size_t i = 0; i < n; i++)
        shown_n += shown(&cases[i]) != 0;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"generator\" content=\"smpr " SMP_VERSION "\">\n"
          "<title>", fp);
    put_text(fp, title);
    fputs("</title>\n<style>\n", fp);
    put_lines(fp, smp_gallery_css);
    fputs("</style>\n</head>\n<body>\n<header class=\"top\"><div "
          "class=\"wrap\">\n<h1>", fp);
    put_text(fp, title);
    fprintf(fp, "</h1>\n<p class=\"sub\">%zu case%s &middot; before and "
            "after each session</p>\n</div></header>\n<main class=\"wrap\">\n",
            shown_n, shown_n == 1 ? "" : "s");
    if (shown_n == 0)
        fputs("<p class=\"empty\">No previews yet.</p>\n", fp);
    fputs("<ul class=\"grid\" id=\"grid\">\n", fp);
    size_t index = 0;
    for (size_t i = 0; i < n; i++)
        if (shown(&cases[i]))
            put_card(fp, &cases[i], index++);
    fputs("</ul>\n</main>\n<footer class=\"wrap foot\">Simulated previews "
          "of scalp micropigmentation; individual results vary.</footer>\n",
          fp);
    fputs(viewer_html, fp);
    fputs("<script>\n", fp);
    put_lines(fp, smp_gallery_js);
    fputs("</script>\n</body>\n</html>\n", fp);
}

smp_status smp_gallery_write(const smp_case *cases, size_t n,
                             const char *outdir, const char *title,
                             smp_error *err)
{
    char *path = smp_path_join(outdir, "index.html");
    if (!path)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    smp_atomic a;
    smp_status st = smp_atomic_open(&a, path, err);
    if (st == SMP_OK) {
        put_page(a.fp, cases, n, title && *title ? title : DEFAULT_TITLE);
        st = smp_atomic_commit(&a, err);
    }
    free(path);
    return st;
}
