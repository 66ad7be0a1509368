/*
 * cli_batch.h - what the parts of `smpr batch` share: the batch and its
 * cases, cli_cases.c (manifest rows into cases) and cli_fresh.c (whether
 * a case's outputs from an earlier run still hold).
 */
#ifndef SMP_CLI_BATCH_H
#define SMP_CLI_BATCH_H

#include "cli.h"

#define MAX_INPUTS 4            /* photo and path options */

typedef enum col_kind { COL_IGNORED, COL_PHOTO, COL_ID, COL_CAPTION,
                        COL_OPTION, COL_FLAG } col_kind;

typedef struct bcase {
    smp_case c;                 /* id, caption, line; the result */
    cli_render r;               /* the job */
    char *id, *outdir, *dots;   /* owned */
    char *inputs[MAX_INPUTS];   /* photo, then path options, resolved */
    int ninputs;
    char **extra;               /* c.extra's strings */
    int mine;                   /* in this shard */
    int bad;                    /* not renderable; c.error says why */
} bcase;

typedef struct batch {
    const char *manifest, *outdir;
    char *dir;                  /* the manifest's folder */
    int jobs, shard_k, shard_n, force, index_only;
    smp_manifest *m;
    size_t ncols;
    col_kind *kind;
    const char **name;          /* canonical column names */
    size_t n;
    bcase *cases;
    bcase **todo;
} batch;

/* cli_cases.c: reads the manifest, gives its columns their meaning and
 * turns every row into a case, printing this shard's bad rows; 0, 1 (a
 * file problem) or EXIT_USAGE (an unknown column, ...). */
int batch_load(batch *b);
void batch_free(batch *b);
/* Control characters in s become '?': messages stay one line. */
void batch_printable(char *s);
/* malloc'd "a/b", or NULL */
char *batch_join(const char *a, const char *b);

/* cli_fresh.c: the names of a case's extra outputs (ageing previews)
 * once its extension is known; 0 or -1 when out of memory. */
int batch_set_extra(bcase *bc);
/* Takes a case's record if it was made with the same options and every
 * output is newer than every input: 1, or 0 with c.error saying why (and
 * c.status FAILED if the record says so). */
int batch_take_record(const batch *b, bcase *bc);

#endif
