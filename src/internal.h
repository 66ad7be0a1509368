/*
 * internal.h - declarations shared between libsmp's modules, not part of
 * the public interface.  Each group names the module that owns it.
 */
#ifndef SMP_INTERNAL_H
#define SMP_INTERNAL_H

#include <stdio.h>
#include "smp/smp.h"

#if defined(__GNUC__)
#define SMP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SMP_PRINTF(a, b)
#endif

/* error.c: fills `err` (if not NULL) and returns `status`. */
smp_status smp_fail(smp_error *err, smp_status status, const char *fmt, ...)
    SMP_PRINTF(3, 4);

/* image.c */
/* a * b * c without overflow, or 0 on overflow. */
size_t smp_mul3(size_t a, size_t b, size_t c);
/* smp_image_new without painting the pixels: for code that writes every
 * pixel itself. */
smp_status smp_image_alloc(uint32_t width, uint32_t height, smp_image **out,
                           smp_error *err);
/* Copies resolution, ICC and sRGB metadata from src to dst. */
smp_status smp_image_copy_meta(smp_image *dst, const smp_image *src,
                               smp_error *err);
/* Applies an EXIF orientation (1..8) so the image becomes upright;
 * may replace *img. */
smp_status smp_image_orient(smp_image **img, int orientation,
                            smp_error *err);

/*
 * An image still being made while it is read: the reader (an encoder, a
 * shrink) asks for rows [0, rows) before it reads them (a non-zero
 * answer: give up) and an encoder says which rows it has read, which may
 * then change (`read` may be NULL for a reader that does not say).  It asks and tells
 * SMP_FEED_ROWS rows at a time.  NULL: the image is all there.
 */
typedef struct smp_feed {
    int (*ready)(void *ctx, uint32_t rows);
    void (*read)(void *ctx, uint32_t rows);
    void *ctx;
} smp_feed;
#define SMP_FEED_ROWS 16u
/* image_io.c: for a reader at row y of `height`: at the start of each
 * band, tells `feed` the rows before are read and asks for the band;
 * non-zero: give up.  A NULL feed asks nothing. */
int smp_feed_band(const smp_feed *feed, uint32_t y, uint32_t height);

/* resample.c: an exact area-average shrink in linear light; _fed reads
 * the source as `feed` gives its rows. */
smp_status smp_image_shrink(const smp_image *src, uint32_t w, uint32_t h,
                            smp_image **out, smp_error *err);
smp_status smp_image_shrink_fed(const smp_image *src, uint32_t w, uint32_t h,
                                const smp_feed *feed, smp_image **out,
                                smp_error *err);
/* The pixels alone into `dst` (its size the output's; a view of a larger
 * image will do), telling `made` (may be NULL) each output row made. */
smp_status smp_image_shrink_into(const smp_image *src, smp_image *dst,
                                 const smp_feed *feed,
                                 void (*made)(void *ctx, uint32_t rows),
                                 void *ctx, smp_error *err);

/* compose.c: smp_compose_before_after in two steps.  A photo's panel
 * (*out NULL when the photo is small enough to be its own), then the
 * before/after from two panels of one size, with `meta`'s metadata. */
smp_status smp_compose_panel(const smp_image *img, smp_image **out,
                             smp_error *err);
smp_status smp_compose_panel_fed(const smp_image *img, const smp_feed *feed,
                                 smp_image **out, smp_error *err);
/*
 * compose.c: the before/after of opaque panels made as the after panel's
 * rows come.  smp_compose_open lays it out with the before panel, and
 * gives `right`, the after half, for the panel to be written into;
 * smp_compose_rows, told that its first `rows` rows are there, letters
 * the image once they reach the labels and says how many rows of it are
 * final (0 before).  smp_compose_panels makes it the same way.
 */
typedef struct smp_layout {
    smp_image *img;             /* the before/after, the caller's to free */
    smp_image right;            /* a view of its after half */
    int pw, gap, session, lettered;
} smp_layout;
smp_status smp_compose_open(const smp_image *before, int session,
                            const smp_image *meta, smp_layout *lay,
                            smp_error *err);
smp_status smp_compose_rows(smp_layout *lay, uint32_t rows, uint32_t *done,
                            smp_error *err);
smp_status smp_compose_panels(const smp_image *before,
                              const smp_image *after, int session,
                              const smp_image *meta, smp_image **out,
                              smp_error *err);

/* render.c: smp_render_new with `threads` 2: the photo's survey for the
 * pigment and half the density field on a second thread (the same
 * render).  With `later`, `photo` is only its size (no pixels, no alpha)
 * while it is still being decoded: the plan is made without it, which
 * smp_render_plans_blind says the parameters allow, and the photo is
 * given with smp_render_attach before any session. */
smp_status smp_render_new_threads(const smp_image *photo,
                                  const smp_params *p, int threads,
                                  int later, smp_render **out,
                                  smp_error *err);
int smp_render_plans_blind(const smp_params *p);
/* The photo's survey for the pigment's shade, made apart (on the thread
 * that decoded it); *out NULL when the shades are given. */
typedef struct smp_survey smp_survey;
smp_status smp_render_survey(const smp_image *photo, const smp_params *p,
                             smp_survey **out, smp_error *err);
void smp_survey_free(smp_survey *s);
smp_status smp_render_attach(smp_render *r, const smp_image *photo,
                             const smp_params *p, const smp_survey *s,
                             smp_error *err);
/* render.c: stamp the sessions into `photo` itself (the one the render was
 * made from, whose pixels the caller needs no more) rather than a copy:
 * a 12 MP copy is 48 MB and a few milliseconds.  Sessions then go
 * forward only, and smp_render_aged may not be used. */
void smp_render_use_canvas(smp_render *r, smp_image *photo);
/*
 * render.c: the sessions stamped down the canvas for writers that read
 * it top to bottom, one session per thread (job.c).  smp_render_start
 * makes the canvas ready (a copy of the photo unless it was given).
 * smp_render_rows makes rows [0, rows) of session k final on it: it waits
 * on `above` (the rows session k-1's writer has read; NULL for session 1,
 * or when that writer is done) until the rows and every row that the
 * dots it stamps reach are through, so the sessions never stamp the same
 * rows at once; 0, -1 if stopped or cancelled, -2 if out of memory.
 * When every session is through, smp_render_stamped makes the canvas
 * count as session n's.
 */
struct smp_rows;
smp_status smp_render_start(smp_render *r, smp_error *err);
int smp_render_rows(smp_render *r, int session, uint32_t rows,
                    struct smp_rows *above);
smp_image *smp_render_canvas(smp_render *r);
void smp_render_stamped(smp_render *r);

/* png_io.c: decode a whole PNG held in memory; encode to an open file. */
smp_status smp_png_decode(const uint8_t *data, size_t size, const char *name,
                          uint64_t max_pixels, smp_image **out,
                          smp_error *err);
smp_status smp_png_encode(const smp_image *img, FILE *fp, const char *name,
                          atomic_int *cancel, const smp_feed *feed,
                          smp_error *err);

/* jpeg_io.c: likewise; decode applies the EXIF orientation. */
smp_status smp_jpeg_decode(const uint8_t *data, size_t size,
                           const char *name, uint64_t max_pixels,
                           smp_image **out, smp_error *err);
/* The size of the upright image, from the header alone; -1 if unreadable
 * (the decoder then says why). */
int smp_jpeg_probe(const uint8_t *data, size_t size, uint32_t *w,
                   uint32_t *h);
smp_status smp_jpeg_encode(const smp_image *img, FILE *fp, int quality,
                           const char *name, atomic_int *cancel,
                           const smp_feed *feed, smp_error *err);

/* image_io.c: a photo file's bytes, as smp_image_load reads them (the
 * same checks and messages); whether bytes are a JPEG's. */
smp_status smp_image_read(const char *path, uint8_t **data, size_t *size,
                          smp_error *err);
int smp_image_is_jpeg(const uint8_t *data, size_t size);

/* image_io.c: smp_image_save's encoding, into an open file (`name` for
 * messages), for callers that commit several files together. */
smp_status smp_image_write(const smp_image *img, FILE *fp, const char *name,
                           const smp_save_options *opt, const smp_feed *feed,
                           smp_error *err);

/* dotmap.c: smp_dots_save_csv's writing, likewise. */
smp_status smp_dots_write_csv(const smp_render *r, FILE *fp,
                              const char *name, smp_error *err);

/* exif.c: orientation 1..8 from an APP1 payload ("Exif\0\0..."); 1 when
 * absent or unreadable. */
int smp_exif_orientation(const uint8_t *app1, size_t size);

/* atomic.c: a file written under a temporary name and renamed on commit
 * (tmp is NULL for a device or pipe, which is written straight through). */
typedef struct smp_atomic {
    FILE *fp;
    char *path, *tmp;
} smp_atomic;
smp_status smp_atomic_open(smp_atomic *a, const char *path, smp_error *err);
/* Flushes and closes, reporting a write error (a full disk); the file
 * keeps its temporary name until commit. */
smp_status smp_atomic_close(smp_atomic *a, smp_error *err);
/* Flushes, closes and renames; on failure removes the temporary. */
smp_status smp_atomic_commit(smp_atomic *a, smp_error *err);
/* Closes and removes the temporary; safe after a failed commit. */
void smp_atomic_abort(smp_atomic *a);

/* density.c: the target dot density over the photo, on a coarse grid of
 * square cells `cell` pixels wide; lambda in dots per square pixel. */
typedef struct smp_field {
    uint32_t w, h;              /* cells */
    float cell;                 /* cell size in pixels */
    uint32_t img_w, img_h;      /* the photo it covers */
    float *lambda;              /* w * h values, row-major */
    float max;                  /* largest value */
} smp_field;
smp_status smp_field_init(smp_field *f, uint32_t img_w, uint32_t img_h,
                          float cell, smp_error *err);
void smp_field_release(smp_field *f);
/* Density at a photo point (bilinear between cell centres). */
float smp_field_at(const smp_field *f, float x, float y);
/* Expected number of dots: the integral of lambda over the photo. */
double smp_field_total(const smp_field *f);

/* placement.c: progressive variable-density blue noise. */
typedef struct smp_point {
    float x, y;
    uint8_t session;            /* 1..sessions */
} smp_point;
/*
 * Places about cum[k] * smp_field_total(f) dots by the end of session k+1
 * (cum increasing, last 1).  Points come out in session order; counts[k]
 * receives the cumulative count after session k+1.  Every session prefix
 * is well spread at its own density.
 */
smp_status smp_place(const smp_field *f, int sessions, const double *cum,
                     uint64_t seed, atomic_int *cancel,
                     smp_point **out, size_t *counts, smp_error *err);
/*
 * Relative radius (Lagae & Dutre 2008) of pts[0..n), each point's nearest
 * neighbour distance over the densest-packing spacing at the local density
 * share * lambda(x); the minimum over points.  share is the prefix's
 * fraction of the final density.
 */
double smp_relative_radius(const smp_point *pts, size_t n,
                           const smp_field *f, double share);

#endif
