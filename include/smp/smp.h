/*
 * smp.h - public interface of libsmp, the scalp micropigmentation (SMP)
 * preview renderer behind the `smpr` command.
 *
 * Usage in short:
 *
 *     smp_image *photo;  smp_error err;  smp_params p;  smp_render *r;
 *     smp_image_load("client.jpg", NULL, &photo, &err);
 *     smp_params_default(&p);  p.density = 100;  p.sessions = 3;
 *     smp_render_new(photo, &p, &r, &err);
 *     for (int s = 1; s <= 3; s++) {
 *         const smp_image *preview;
 *         smp_render_session(r, s, &preview, &err);   // incremental
 *         smp_image_save(preview, "out-s.png", NULL, &err);
 *     }
 *     smp_render_free(r);  smp_image_free(photo);
 *
 * Conventions: every call that can fail returns an smp_status and, when
 * `err` is not NULL, fills it with a one-line message naming the file or
 * parameter at fault.  The library never prints and never exits.  It keeps
 * no global mutable state, so independent objects may be used from
 * different threads.  Every *_new / *_load has a *_free that accepts NULL.
 */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMP_VERSION "0.1.0"

/* ---- errors ----------------------------------------------------------- */

typedef enum smp_status {
    SMP_OK = 0,
    SMP_ERR_NOMEM,      /* out of memory */
    SMP_ERR_IO,         /* a file could not be opened, read or written */
    SMP_ERR_FORMAT,     /* not a PNG or JPEG, or a variant we refuse */
    SMP_ERR_CORRUPT,    /* truncated or damaged image data */
    SMP_ERR_LIMIT,      /* zero, absurd or too large dimensions */
    SMP_ERR_ARG,        /* an invalid parameter */
    SMP_ERR_CANCELLED,  /* *cancel became non-zero */
    SMP_ERR_REGION      /* nothing to treat: empty region or density */
} smp_status;

typedef struct smp_error {
    smp_status status;
    char msg[512];      /* one line, no trailing newline */
} smp_error;

const char *smp_strerror(smp_status status);

/* ---- images ----------------------------------------------------------- */

typedef enum smp_format {
    SMP_FORMAT_AUTO = 0,    /* on save: the format the image was read from */
    SMP_FORMAT_PNG,
    SMP_FORMAT_JPEG
} smp_format;

typedef enum smp_res_unit {
    SMP_RES_NONE = 0,       /* no resolution information */
    SMP_RES_ASPECT,         /* x:y pixel aspect only */
    SMP_RES_PER_METRE       /* pixels per metre */
} smp_res_unit;

typedef struct smp_resolution {
    smp_res_unit unit;
    uint32_t x, y;
} smp_resolution;

/*
 * One internal pixel format: RGBA, 8 bits per channel, sRGB-encoded,
 * straight (not premultiplied) alpha, rows top to bottom, upright (EXIF
 * orientation already applied).  Metadata that outputs carry over lives
 * beside the pixels.
 */
typedef struct smp_image {
    uint32_t width, height;
    size_t stride;              /* bytes per row, 4 * width */
    uint8_t *pixels;
    smp_format format;          /* what it was read from (PNG if made) */
    int has_alpha;              /* some pixel has alpha < 255 */
    smp_resolution res;
    uint8_t *icc;               /* embedded RGB ICC profile, or NULL */
    size_t icc_size;
    int srgb_intent;            /* PNG sRGB chunk rendering intent, or -1 */
} smp_image;

typedef struct smp_load_options {
    uint64_t max_pixels;        /* 0: SMP_DEFAULT_MAX_PIXELS */
} smp_load_options;

#define SMP_DEFAULT_MAX_PIXELS 100000000u   /* 100 megapixels */

typedef struct smp_save_options {
    smp_format format;          /* AUTO: image->format */
    int quality;                /* JPEG quality 1-100, 0: 90 */
    atomic_int *cancel;         /* optional; non-zero aborts the write (a
                                   signal handler or a thread sets it) */
} smp_save_options;

/* Loads a PNG or JPEG (detected from its bytes, not its name). */
smp_status smp_image_load(const char *path, const smp_load_options *opt,
                          smp_image **out, smp_error *err);
/* The same from memory; `name` is used in messages. */
smp_status smp_image_load_mem(const void *data, size_t size, const char *name,
                              const smp_load_options *opt, smp_image **out,
                              smp_error *err);
/* A new opaque black image with no metadata. */
smp_status smp_image_new(uint32_t width, uint32_t height, smp_image **out,
                         smp_error *err);
smp_status smp_image_clone(const smp_image *img, smp_image **out,
                           smp_error *err);
void smp_image_free(smp_image *img);

/*
 * Writes atomically: a temporary file in the destination's directory is
 * written, flushed and renamed over `path`; after any failure (or a
 * cancel) nothing is left behind and an existing file at `path` is kept.
 */
smp_status smp_image_save(const smp_image *img, const char *path,
                          const smp_save_options *opt, smp_error *err);

/* ---- rendering -------------------------------------------------------- */

#define SMP_MAX_SESSIONS 8

typedef enum smp_edge {
    SMP_EDGE_PRESET = 0,        /* the hairline preset's own edge */
    SMP_EDGE_SHARP,
    SMP_EDGE_SOFT,
    SMP_EDGE_FEATHERED
} smp_edge;

typedef enum smp_front {
    SMP_FRONT_TOP = 0,          /* the forehead is towards the image top */
    SMP_FRONT_BOTTOM,
    SMP_FRONT_LEFT,
    SMP_FRONT_RIGHT
} smp_front;

/* How the photo was taken: from above (crown, top of the head; the head
 * ellipse is the skull's outline) or from the front (face-on; the
 * ellipse runs from the crown to the chin). */
typedef enum smp_view {
    SMP_VIEW_TOP = 0,
    SMP_VIEW_FRONT
} smp_view;

/* The head frame: an ellipse in photo pixels and the side of the face. */
typedef struct smp_head {
    double cx, cy, rx, ry;      /* rx along the image x axis */
    smp_front front;
} smp_head;

/* Fresh: right after a session (darker, slightly larger dots, reddened
 * skin).  Healed: weeks later (smaller, softer, lighter dots). */
typedef enum smp_look {
    SMP_LOOK_HEALED = 0,
    SMP_LOOK_FRESH
} smp_look;

typedef struct smp_params {
    const char *hairline;       /* preset name, see smp_hairline_names() */
    smp_edge edge;
    double hairline_shift_mm;   /* + moves the hairline forward */
    double feather_mm;          /* width of a soft/feathered band; 0: preset */
    double density;             /* dots per cm^2 after the last session;
                                   0: match the hair round the area */
    int sessions;               /* 1..SMP_MAX_SESSIONS */
    double split[SMP_MAX_SESSIONS]; /* cumulative share after each session,
                                       all 0: default for `sessions` */
    double scale;               /* pixels per mm; 0: estimate from head */
    double dot_mm;              /* mean healed dot diameter in mm */
    smp_view view;
    int has_head, has_front;    /* head / head.front given by the user */
    smp_head head;
    const smp_image *mask;      /* optional, photo-sized: white = full */
    const smp_image *scar;      /* optional, photo-sized: white = scar */
    int infill;                 /* dots only on visible scalp between hairs */
    smp_look look;
    /* Pigment: 0 shades: chosen from the photo's skin and hair; 1: that
     * shade, session 1 diluted lighter; n == sessions: one per session.
     * A shade is the colour the pigment would leave on white. */
    int shades;
    uint8_t shade[SMP_MAX_SESSIONS][3];
    uint64_t seed;
    atomic_int *cancel;         /* optional */
} smp_params;

void smp_params_default(smp_params *p);
/* NULL-terminated list of hairline preset names. */
const char *const *smp_hairline_names(void);

/* Named pigment shades, in the trade's terms: NULL-terminated list, and
 * the colour of one (0, or -1 for an unknown name). */
const char *const *smp_shade_names(void);
int smp_shade_lookup(const char *name, uint8_t rgb[3]);

/* One pigment dot, in photo pixels. */
typedef struct smp_dot {
    float x, y;                 /* centre */
    float diameter;             /* along the major axis */
    float aspect;               /* minor / major, (0, 1] */
    float angle;                /* major axis, radians from +x */
    float opacity;              /* 0..1, pigment load of this dot */
    float shape[2];             /* wobble of the outline (3rd harmonic) */
    uint8_t session;            /* 1..sessions */
} smp_dot;

typedef struct smp_render smp_render;

typedef struct smp_render_info {
    smp_head head;
    int head_estimated;         /* head frame was estimated from the photo */
    int closeup;                /* no backdrop: the photo is all scalp */
    double scale;               /* px per mm actually used */
    int scale_estimated;
    double area_cm2;            /* treated area weighted by coverage */
    double density;             /* target dots per cm^2 used */
    int density_matched;        /* matched to the hair round the area */
    int sessions;
    size_t dots[SMP_MAX_SESSIONS];  /* cumulative dot count after session k */
    uint8_t skin[3];            /* typical skin colour in the treated area */
    double hair_cover;          /* share of the treated area under hair */
    uint8_t shade[3];           /* the (last session's) pigment shade */
    const char *shade_name;     /* its preset name, or NULL */
    int shade_chosen;           /* chosen from the photo, not given */
} smp_render_info;

/* Frames the head, builds the density field and places every dot. */
smp_status smp_render_new(const smp_image *photo, const smp_params *p,
                          smp_render **out, smp_error *err);
void smp_render_get_info(const smp_render *r, smp_render_info *info);
/* All dots, session 1's first, then 2's, ...; each session's in the
 * order they are stamped (by the first canvas row they touch). */
const smp_dot *smp_render_dots(const smp_render *r, size_t *count);
/*
 * The preview after `session` (1..sessions).  Sessions are rendered
 * incrementally on one canvas, so asking in increasing order is cheapest.
 * The image stays owned by `r` and is valid until the next call.
 */
smp_status smp_render_session(smp_render *r, int session,
                              const smp_image **out, smp_error *err);
/*
 * The final result `years` after the last session: pigment fades, dots
 * spread and soften; `ink_shift` adds the blue-green cast of pigment
 * placed too deep or of tattoo ink; `touch_up` shows it right after a
 * touch-up session at that time.  Owned by `r`, valid until the next
 * call.
 */
smp_status smp_render_aged(smp_render *r, double years, int ink_shift,
                           int touch_up, const smp_image **out,
                           smp_error *err);
void smp_render_free(smp_render *r);

/* Dot map as CSV: x,y,diameter,session,aspect,angle,opacity */
smp_status smp_dots_save_csv(const smp_render *r, const char *path,
                             smp_error *err);

/* "Before" | "After session N" side by side, lettered with Cairo. */
smp_status smp_compose_before_after(const smp_image *before,
                                    const smp_image *after, int session,
                                    smp_image **out, smp_error *err);

/* ---- a whole case: photo in, previews out ----------------------------- */

/* What `smpr render` does, for one photo: load it (and its mask), render
 * every session, write the previews, the before/after and the dot map. */
typedef struct smp_job {
    const char *photo;          /* path */
    const char *mask;           /* path or NULL (params.mask is ignored) */
    const char *outdir;         /* created if missing */
    const char *stem;           /* output name stem; NULL: the photo's name */
    const char *dots_csv;       /* path or NULL */
    smp_format format;          /* AUTO: the photo's */
    int quality;                /* JPEG, 0: 90 */
    uint64_t max_pixels;        /* 0: SMP_DEFAULT_MAX_PIXELS */
    const char *scar;           /* scar mask path or NULL */
    int nyears;                 /* ageing previews <stem>-year-Y.<ext> */
    double years[SMP_MAX_SESSIONS];
    int ink_shift, touch_up;
    int threads;                /* 1: all on the calling thread; 0: more
                                   when there are 2 cores (the sessions
                                   are written at once, each a few rows
                                   behind the one before); same bytes */
    smp_params params;
} smp_job;

typedef struct smp_job_result {
    smp_render_info info;
    char stem[256];
    const char *ext;            /* "png" or "jpg" */
    double density;             /* dots per cm^2 achieved over the area */
    double seconds;             /* wall time of the whole job */
} smp_job_result;

void smp_job_default(smp_job *job);
/* mkdir -p: the folder and any missing parents. */
smp_status smp_make_dirs(const char *dir, smp_error *err);
smp_status smp_job_run(const smp_job *job, smp_job_result *res,
                       smp_error *err);
/* Path of output `which` (1..sessions: a session; 0: the before/after;
 * -1 - i: the ageing preview job->years[i]) into buf; returns the length
 * it needs, like snprintf. */
int smp_job_output_path(const smp_job *job, const smp_job_result *res,
                        int which, char *buf, size_t size);

/* ---- batches: manifest, case records, report and gallery ------------- */

/*
 * A batch manifest: a CSV file as spreadsheets export it (RFC 4180
 * quoting, header row, UTF-8 with or without a byte order mark, CRLF or
 * LF).  Blank rows are dropped; cells keep their text, unquoted ones
 * trimmed of surrounding spaces.  Each row knows the line it starts on.
 */
typedef struct smp_manifest smp_manifest;

smp_status smp_manifest_load(const char *path, smp_manifest **out,
                             smp_error *err);
/* The same from memory; `name` is used in messages. */
smp_status smp_manifest_parse(const void *data, size_t size,
                              const char *name, smp_manifest **out,
                              smp_error *err);
void smp_manifest_free(smp_manifest *m);
size_t smp_manifest_columns(const smp_manifest *m);
/* Header cell `col` ("" past the header's end). */
const char *smp_manifest_column(const smp_manifest *m, size_t col);
size_t smp_manifest_rows(const smp_manifest *m);
/* Cells in `row`, which may differ from the number of columns. */
size_t smp_manifest_cells(const smp_manifest *m, size_t row);
/* Cell text, "" past the row's end; rows count from 0 after the header. */
const char *smp_manifest_cell(const smp_manifest *m, size_t row,
                              size_t col);
/* The manifest line the row starts on (the header is on line 1 or later). */
unsigned long smp_manifest_line(const smp_manifest *m, size_t row);

/*
 * One case of a batch, as its record, the report and the gallery see it.
 * A case's files live in OUTDIR/<id>/ (see smp_case_path); its record
 * OUTDIR/<id>/case.json keeps the result and the options' fingerprint so
 * that a later run, or `--index-only`, can use them without rendering.
 * An id must be a plain folder name: 1 to 200 bytes, no '/', '\\' or
 * control character, not starting with '.'; the functions below that
 * write refuse others (SMP_ERR_ARG) and the gallery leaves them out.
 */
typedef enum smp_case_status {
    SMP_CASE_MISSING = 0,       /* no usable outputs (not rendered yet) */
    SMP_CASE_RENDERED,          /* rendered */
    SMP_CASE_UP_TO_DATE,        /* outputs of an earlier run still hold */
    SMP_CASE_FAILED             /* error says why */
} smp_case_status;

#define SMP_WEB_LARGE 1200      /* px, long edge: the comparison's images */
#define SMP_WEB_SMALL 400       /* px, long edge: thumbnails */

typedef struct smp_case {
    const char *id;             /* folder name (see smp_case_path) */
    const char *caption;        /* or NULL */
    const char *photo;          /* as the manifest names it, or NULL */
    unsigned long line;         /* manifest line, 0: unknown */
    smp_case_status status;
    char error[512];            /* FAILED (or MISSING): why */
    char fingerprint[40];       /* what the outputs were made from */
    char ext[4];                /* "png" or "jpg" */
    int sessions;
    size_t dots[SMP_MAX_SESSIONS];  /* cumulative after each session */
    double density;             /* dots per cm^2 achieved */
    double area_cm2, seconds;
    uint32_t width, height;     /* of the large web images */
    const char *const *extra;   /* other outputs, relative to OUTDIR */
    size_t nextra;
} smp_case;

typedef enum smp_case_file {
    SMP_CASE_DIR,               /* <id> */
    SMP_CASE_RECORD,            /* <id>/case.json */
    SMP_CASE_SESSION,           /* <id>/<id>-session-N.<ext> */
    SMP_CASE_BEFORE_AFTER,      /* <id>/<id>-before-after.<ext> */
    SMP_CASE_DOTS,              /* <id>/dots.csv */
    SMP_CASE_WEB_BEFORE,        /* <id>/web/before-PX.jpg */
    SMP_CASE_WEB_SESSION        /* <id>/web/session-N-PX.jpg */
} smp_case_file;

/* Path of a case's file relative to the output folder into buf (`session`
 * for the SESSION kinds, `px` SMP_WEB_LARGE or SMP_WEB_SMALL for the WEB
 * kinds); returns the length it needs, like snprintf. */
int smp_case_path(const smp_case *c, smp_case_file f, int session, int px,
                  char *buf, size_t size);
/* Takes the numbers of a finished job into c; status becomes RENDERED. */
void smp_case_set_result(smp_case *c, const smp_job_result *res);

/* Writes OUTDIR/<id>/case.json atomically. */
smp_status smp_case_record_write(const smp_case *c, const char *outdir,
                                 smp_error *err);
/* Reads it into c's result fields (status RENDERED or FAILED, error,
 * fingerprint, ext, sessions, dots, ...); c's id says where. */
smp_status smp_case_record_read(smp_case *c, const char *outdir,
                                smp_error *err);
/* Web-sized JPEG copies of the photo and of every session preview (which
 * must exist), SMP_WEB_LARGE and SMP_WEB_SMALL on the long edge, for the
 * gallery; sets c->width and c->height. */
smp_status smp_case_web_images(smp_case *c, const char *outdir,
                               const char *photo, uint64_t max_pixels,
                               atomic_int *cancel, smp_error *err);

/* OUTDIR/report.json: every case with its status, outputs and numbers. */
smp_status smp_report_write(const smp_case *cases, size_t n,
                            const char *outdir, smp_error *err);
/* OUTDIR/index.html: a self-contained page with the RENDERED and
 * UP_TO_DATE cases, each opening a before/after comparison; `title` NULL
 * for the default. */
smp_status smp_gallery_write(const smp_case *cases, size_t n,
                             const char *outdir, const char *title,
                             smp_error *err);

/* ---- print: a PDF mock-up of one case ------------------------------- */

typedef enum smp_paper {
    SMP_PAPER_A4 = 0,           /* 210 x 297 mm */
    SMP_PAPER_LETTER            /* 8.5 x 11 in */
} smp_paper;

typedef struct smp_print_options {
    smp_paper paper;
    const char *id;             /* case id, one line of UTF-8, or NULL */
    const char *caption;        /* likewise */
    const char *date;           /* "YYYY-MM-DD": printed, and the PDF's
                                   creation date (NULL: none printed, and
                                   Cairo stamps the time of writing) */
    int true_size;              /* add page 2 at true physical size; needs
                                   a measured scale (smp_params.scale) */
    smp_format images;          /* JPEG (default) or PNG: lossless */
    int quality;                /* JPEG quality 1-100, 0: 90 */
    atomic_int *cancel;         /* optional */
} smp_print_options;

void smp_print_options_default(smp_print_options *o);
/* Checks the options alone (paper, date, text), before any rendering. */
smp_status smp_print_check(const smp_print_options *o, smp_error *err);
/*
 * Writes `path` atomically as a PDF.  Page 1: the photo before and the
 * final result, then every session, labelled, each with a scale bar from
 * the render's scale; the id, caption and date in the header.  Page 2
 * (with true_size): the final result, or a detail of it around the dots
 * when the whole photo would not fit, placed so that 1 mm on paper is
 * 1 mm on the scalp, with a 10 mm bar to check it.  Renders the sessions
 * of `r` (from `photo`) in order, so an image smp_render_session gave
 * before is no longer valid.
 */
smp_status smp_print_pdf(smp_render *r, const smp_image *photo,
                         const smp_print_options *o, const char *path,
                         smp_error *err);

#ifdef __cplusplus
}
#endif
#endif
