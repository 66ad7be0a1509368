/* hairline.h - hairline presets and edge profiles (see hairline.c). */
#ifndef SMP_HAIRLINE_H
#define SMP_HAIRLINE_H

#include "region.h"

#define SMP_HAIRLINE_SAMPLES 512
#define SMP_HAIRLINE_CHUNK 16

typedef struct smp_hairline {
    int none;                   /* no hairline: crown or full head */
    smp_edge edge;
    double width_mm;            /* transition band */
    double scale;               /* px per mm */
    double reach_px;            /* beyond this the profile is flat */
    double full_px;             /* this far behind the line it is 1 */
    smp_frame frame;
    uint64_t seed;
    double bh[SMP_HAIRLINE_SAMPLES];       /* b of the line at each a */
    double x[SMP_HAIRLINE_SAMPLES], y[SMP_HAIRLINE_SAMPLES]; /* photo px */
    /* bounding boxes of runs of SMP_HAIRLINE_CHUNK segments */
    double box[SMP_HAIRLINE_SAMPLES / SMP_HAIRLINE_CHUNK][4];
} smp_hairline;

/* Looks the preset up and lays its curve into the head frame. */
smp_status smp_hairline_init(smp_hairline *hl, const char *name,
                             const smp_frame *fr, smp_view view,
                             double scale, smp_edge edge, double shift_mm,
                             double feather_mm, uint64_t seed,
                             smp_error *err);
/* Share of the full density at a photo point: 0 ahead of the hairline,
 * 1 well behind it, the edge profile in between. */
double smp_hairline_profile(const smp_hairline *hl, double x, double y);
/* Signed distance in mm behind (+) or ahead of (-) the line, clamped to
 * the reach. */
double smp_hairline_distance_mm(const smp_hairline *hl, double x, double y);

/* 1 and the profile in *value if it is the same (0 or 1) everywhere
 * within margin_px of (x, y), else 0. */
int smp_hairline_flat(const smp_hairline *hl, double x, double y,
                      double margin_px, double *value);

/* The last value-noise lattice cell a profile read, per noise. */
typedef struct smp_noise_memo {
    int ok;
    int64_t i, j;
    double v[4];
} smp_noise_memo;

/* The segments of the line that can be nearest to some point within
 * `half` pixels of a centre, so that each point there tests only those,
 * and the noise its points share. */
#define SMP_HAIRLINE_NEAR 64
typedef struct smp_hairline_near {
    int n;                      /* -1: too many, every point tests all */
    double cx, cy;              /* the centre */
    double d_lo;                /* no point is nearer the line than this */
    uint16_t seg[SMP_HAIRLINE_NEAR];    /* nearest the centre first */
    double dist[SMP_HAIRLINE_NEAR];     /* from the centre */
    smp_noise_memo memo[3];
} smp_hairline_near;

void smp_hairline_near_init(const smp_hairline *hl, double cx, double cy,
                            double half, smp_hairline_near *nr);
/* smp_hairline_flat with margin `half` and, when it is not flat (0),
 * smp_hairline_near_init, for the price of one distance query. */
int smp_hairline_block(const smp_hairline *hl, double cx, double cy,
                       double half, double *value, smp_hairline_near *nr);
/* smp_hairline_profile, the same number, for a point within `half` of
 * the centre nr was made for. */
double smp_hairline_profile_near(const smp_hairline *hl,
                                 smp_hairline_near *nr, double x, double y);

/* A row of points y = const: what their profiles share. */
typedef struct smp_noise_row {
    uint64_t seed;
    int64_t j, i;
    int ok;
    double ty, v[4], d01, d23;
} smp_noise_row;
typedef struct smp_hairline_row {
    smp_noise_row nz[3];
} smp_hairline_row;
void smp_hairline_row_init(const smp_hairline *hl, double y,
                           smp_hairline_row *row);
/* What the profile needs of a column x, worked out once for all rows:
 * each noise's lattice column and faded fraction. */
typedef struct smp_hairline_col {
    int64_t i[3];
    double tx[3];
} smp_hairline_col;
void smp_hairline_column(const smp_hairline *hl, double x,
                         smp_hairline_col *col);
/* smp_hairline_profile at n points of the row (x[k], y) whose signed
 * distances (as smp_hairline_distance_mm gives them) are s[k] and whose
 * columns gave col[k] (smp_hairline_column): the same numbers, for less
 * work.  The feathered profile steps where its patchy ramp reaches full;
 * a point whose s is within `slack` mm of where it would step gets -1
 * instead, for the caller to work out exactly. */
void smp_hairline_profile_row(const smp_hairline *hl, smp_hairline_row *row,
                              const smp_hairline_col *col, const double *s,
                              int n, double slack, float *out);
/* 1 if (x, y) is on the line's full side (the flat value far from it). */
int smp_hairline_behind(const smp_hairline *hl, double x, double y);
/* The squared distance in pixels from (x, y) to the line, or limit2 if
 * that is less: the number the profile and smp_hairline_flat work from.
 * *hint (-1 at first) is a segment that was nearest to a point nearby,
 * which makes the search quicker (not its answer); it is updated. */
double smp_hairline_dist2(const smp_hairline *hl, double x, double y,
                          double limit2, int *hint);

#endif
