/*
 * batch.h - what the batch modules (manifest.c, case.c, report.c,
 * gallery.c) share inside libsmp, beside internal.h.
 */
#ifndef SMP_BATCH_H
#define SMP_BATCH_H

#include <stddef.h>
#include "smp/smp.h"

/* manifest.c: length of the valid UTF-8 sequence at s (n bytes left), or
 * 0 if the bytes there are not one. */
size_t smp_utf8_len(const unsigned char *s, size_t n);

/* case.c: SMP_ERR_ARG unless c's id can name a folder inside the output
 * folder (not empty, at most SMP_CASE_MAX_ID bytes, no '/', '\\' or
 * control character, no leading '.'). */
#define SMP_CASE_MAX_ID 200
smp_status smp_case_check_id(const smp_case *c, smp_error *err);

/* report.c: malloc'd "dir/rel", or NULL when out of memory. */
char *smp_path_join(const char *dir, const char *rel);

/* gallery_page.c: the page's style sheet and script, as NULL-terminated
 * lists of text chunks. */
extern const char *const smp_gallery_css[];
extern const char *const smp_gallery_js[];

#endif
