/*
 * placement.c - where the dots go: progressive, variable-density blue
 * noise (background in /work/shared/BLUENOISE.md), and the relative radius
 * that measures how well spread a set of dots is.
 *
 * Staged Poisson-disk dart throwing.  Stage k (session k) adds dots until
 * the photo holds cum[k] * total of them.  A candidate p is refused when a
 * dot q placed before (in any stage) lies closer than
 *
 *     c * max(D_k(p), D_k(q)),   D_k(x) = sqrt(2 / (sqrt(3) cum[k] lambda(x)))
 *
 * D_k being the densest-packing spacing at the stage's own density.  Dots
 * of earlier stages were placed with larger radii, so every session prefix
 * is a Poisson-disk set at its own density, and the larger of the two radii
 * keeps every dot's nearest neighbour at least c * D away, also across a
 * sharp hairline: the relative radius of every prefix is at least c.  With
 * c = PLACE_RATIO = 0.68 a stage ends at about 77% of the density where
 * random darts jam, so the counts are reached.
 *
 * Order of work.  Candidates are drawn proportionally to lambda inside a
 * unit of 16 x 16 grid cells (~70 dots at the peak density), which keeps
 * memory access local and the count exact at that scale.  A stage is
 * SWEEPS sweeps over the photo, each giving every unit a quarter of its
 * share of the stage's dots.  A unit filled before its neighbour leaves a
 * faint excess of dots along their common edge, so each sweep shifts the
 * units by a random offset: the edges never line up into a visible grid.
 * What a unit cannot take (the rim of a hole, the thin end of a feather,
 * where the radii forbid more dots) is made up at the end of the stage by
 * the blocks with room, in proportion to lambda.
 *
 * Speed: darts are not thrown where they must fail.  Every grid cell (of
 * side < r_min / sqrt 2, so at most one dot) is split into 2 x 2 sub-cells;
 * an accepted dot marks dead the sub-cells wholly inside its disk, and
 * candidates come only from live ones.  That skips only candidates that
 * would be refused anyway, so the dots are distributed as plain darts.
 * Stamping, the neighbour search and listing a unit's live cells go four
 * or sixteen at a time with SSE2 where it is there, through the same float
 * operations lane by lane as the plain C, so the dots are the same with
 * and without it (a test pins them).
 *
 * Steep edges.  A dot where lambda is low keeps its wide spacing clear
 * towards the denser side too, so one dot in the blurred rim of a sharp
 * hairline, or at the very start of a feather, would leave a hole many dots
 * wide; no dot goes where lambda within its radius rises above STEEP times
 * its own (the front few percent of a feather, the outer rim of an edge,
 * and a band of a very sparse area beside a dense one stay empty).
 * Far-reaching dots (low lambda, large radius) are found through the
 * blocks (8 x 8 cells) they reach into: a block keeps the largest D^2 of
 * the dots reaching it, which sets how far a candidate there searches, and
 * lists the dots far larger than its own, which candidates test one by one.
 *
 * Memory: 14 bytes per grid cell (~4 cells per dot at the peak density, over
 * the whole photo) and 2 per dot besides the output; a peak so far above
 * the rest that this would pass 64 cells per dot (and 4M cells) is refused
 * as SMP_ERR_LIMIT.  Lambda below 1/4096 of its peak gets no dots (a dot
 * there would have to keep 64 spacings clear).  One smp_rng stream is
 * drawn in a fixed order, so a field and a seed always give the same dots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "rng.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PLACE_RATIO 0.68f       /* minimum nn distance / local spacing */
#define HEX_AREA 1.15470054f    /* 2 / sqrt(3): D^2 = HEX_AREA / lambda */
#define BLOCK_LOG 3
#define BLOCK (1u << BLOCK_LOG) /* block side in grid cells */
#define UNIT_BLOCKS 2           /* a unit of work is 2 x 2 blocks */
#define UNIT (BLOCK * UNIT_BLOCKS)
#define SWEEPS 4                /* sweeps over the photo per stage */
#define TOPUPS 4                /* rounds making up for full blocks */
#define FLOOR_SHARE (1.0f / 4096.0f)  /* no dots below this share of peak */
#define BIG_FACTOR 4.0f         /* listed when D^2 is 4x a block's smallest */
#define STEEP 6.0f              /* no dot where lambda within its radius
                                   rises above STEEP times its own */
#define CELLS_PER_DOT 64        /* grid limit, with MIN_CELL_LIMIT */
#define MIN_CELL_LIMIT (1u << 22)
#define RNG_STREAM 0x706c616365ull   /* "place" */
#define SUB 2                   /* sub-cells per cell side */
#define SUBROW ((1u << SUB) - 1)
#define SUBALL ((1u << (SUB * SUB)) - 1)
typedef uint8_t live_t;         /* a bit per sub-cell */

/*
 * A dot as the neighbour search sees it: its position in the cell, in
 * cell units (dots are placed on a lattice of 1/65536ths, which floats
 * hold exactly), and its D^2 with only the upper half of the float kept,
 * rounded up (the dot's own disk grows by < 0.4%, which keeps every test
 * on the safe side).  s == 0: no dot; fx is then far away, so that the
 * search needs no test for empty cells.  Four cells of a row side by side,
 * each quantity in a lane of its own, so that the search tests four at a
 * time; a row is padded to whole quads with empty cells.
 */
typedef struct cell_quad { float fx[4], fy[4], s[4]; } cell_quad;
#define FIX 65536.0f
#define NO_DOT 1e18f

typedef struct big_ref { float x, y, s; int32_t next; } big_ref;

static uint16_t s_pack(float s)
{
    uint32_t u;
    memcpy(&u, &s, sizeof u);
    return (uint16_t)((u + 0xffffu) >> 16);
}

static float s_unpack(uint16_t sb)
{
    uint32_t u = (uint32_t)sb << 16;
    float s;
    memcpy(&s, &u, sizeof s);
    return s;
}

typedef struct place_block {
    double mass;                /* expected final dot count */
    float lam_lo, lam_hi;       /* bounds of lambda over the block */
    float reach;                /* largest D^2 of a dot reaching in */
    int32_t big;                /* first of its far-reaching dots, or -1 */
    uint8_t full;               /* found without room this stage */
} place_block;

/* A unit of work: cells, the blocks [bx0, bx1) x [by0, by1) it overlaps. */
typedef struct place_unit {
    uint32_t bx0, by0, bx1, by1;
    uint32_t ci, cj, nx, ny;
    float lam_lo, lam_hi;
    double mass;
    int open;                   /* some block not full */
} place_unit;

typedef struct placer {
    const smp_field *f;
    uint32_t gw, gh;            /* grid cells */
    float g, inv_g, h, inv_h;   /* cell and sub-cell sides */
    float img_w, img_h;
    cell_quad *cell;            /* the dot in each cell, if any */
    uint32_t gq;                /* quads per grid row */
    live_t *live;               /* live sub-cells of each cell */
    live_t *open;               /* sub-cells where lambda allows a dot */
    place_block *blocks;
    uint32_t bw, bh;            /* blocks */
    float inv_bpx;              /* 1 / block side in pixels */
    uint16_t act[UNIT * UNIT];  /* the current unit's cells still live */
    big_ref *bigs;
    size_t nbig, bigcap;
    smp_point *pts;
    uint16_t *spack;            /* each dot's D^2 as the grid keeps it */
    size_t n, cap;              /* dots placed; this stage's count */
    float k;                    /* c^2 / cum[stage]: radius^2 = k D^2 */
    float lam_floor, lam_max;
    uint8_t session;
    smp_rng rng;
} placer;

/* [*a, *b]: the indices in 0..n-1 that lo..hi covers at `inv` per unit. */
static int span(float lo, float hi, float inv, uint32_t n, uint32_t *a,
                uint32_t *b)
{
    float t0 = lo * inv, t1 = hi * inv;
    if (t1 < 0 || t0 >= (float)n)
        return 0;
    *a = t0 <= 0 ? 0 : (uint32_t)t0;
    *b = t1 >= (float)(n - 1) ? n - 1 : (uint32_t)t1;
    return 1;
}

/* Does a dot of row j, columns i0..i1, come too close?  Cell units,
 * relative to the candidate's cell (ci, cj) and place in it (ox, oy). */
static inline int row_hit(const placer *pl, uint32_t j, uint32_t i0,
                          uint32_t i1, uint32_t ci, uint32_t cj, float ox,
                          float oy, float ku, float kp)
{
    const cell_quad *row = pl->cell + (size_t)j * pl->gq;
    const float rj = (float)((int32_t)j - (int32_t)cj) - oy;
#ifdef __SSE2__
    /* a quad at a time, the same operations lane by lane; the lanes
     * outside i0..i1 are dropped, so the answer is the scalar one */
    const __m128 vox = _mm_set1_ps(ox), vrj = _mm_set1_ps(rj);
    const __m128 vku = _mm_set1_ps(ku), vkp = _mm_set1_ps(kp);
    const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
    uint32_t q0 = i0 / 4, q1 = i1 / 4;
    int hit = 0;
    for (uint32_t q = q0; q <= q1; q++) {
        const cell_quad *d = &row[q];
        __m128 di = _mm_cvtepi32_ps(_mm_add_epi32(
            _mm_set1_epi32((int32_t)(4 * q) - (int32_t)ci), lane));
        __m128 dx = _mm_add_ps(_mm_sub_ps(di, vox), _mm_loadu_ps(d->fx));
        __m128 dy = _mm_add_ps(vrj, _mm_loadu_ps(d->fy));
        __m128 kq = _mm_mul_ps(vku, _mm_loadu_ps(d->s));
        __m128 d2 = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
        int m = _mm_movemask_ps(_mm_cmplt_ps(d2, _mm_max_ps(vkp, kq)));
        if (q == q0)
            m &= 0xf << (i0 % 4);
        if (q == q1)
            m &= 0xf >> (3 - i1 % 4);
        hit |= m;
    }
    return hit != 0;
#else
    float di = (float)((int32_t)i0 - (int32_t)ci);     /* exact integers */
    int hit = 0;
    for (uint32_t i = i0; i <= i1; i++, di += 1.0f) {
        const cell_quad *d = &row[i / 4];
        float dx = di - ox + d->fx[i % 4];
        float dy = rj + d->fy[i % 4];
        float kq = ku * d->s[i % 4];
        hit |= dx * dx + dy * dy < (kp > kq ? kp : kq);
    }
    return hit;
#endif
}

/*
 * Is a candidate at (x, y), final spacing^2 sp, in block b refused?  The
 * grid is searched as far as the block's reach needs, from the
 * candidate's row outwards (a refusal, the common answer, then comes
 * sooner); far-reaching dots listed with the block are tested one by one.
 */
static int refused(const placer *pl, const place_block *b, uint32_t ci,
                   uint32_t cj, uint32_t fx, uint32_t fy, float x, float y,
                   float sp)
{
    /* in cell units, relative to the candidate's cell */
    const float ku = pl->k * pl->inv_g * pl->inv_g, kp = ku * sp;
    const float ox = (float)fx * (1.0f / FIX), oy = (float)fy * (1.0f / FIX);
    float r = sqrtf(pl->k * (sp > b->reach ? sp : b->reach)) * 1.0001f;
    uint32_t i0, i1, j0, j1;
    if (span(x - r, x + r, pl->inv_g, pl->gw, &i0, &i1) &&
        span(y - r, y + r, pl->inv_g, pl->gh, &j0, &j1)) {
        int64_t up = cj < j0 ? j0 : cj > j1 ? j1 : cj, down = up + 1;
        while (up >= j0 || down <= j1) {
            if (up >= j0 && row_hit(pl, (uint32_t)up--, i0, i1, ci, cj, ox,
                                    oy, ku, kp))
                return 1;
            if (down <= j1 && row_hit(pl, (uint32_t)down++, i0, i1, ci, cj,
                                      ox, oy, ku, kp))
                return 1;
        }
    }
    const float kpx = pl->k * sp;
    for (int32_t i = b->big; i >= 0; i = pl->bigs[i].next) {
        const big_ref *d = &pl->bigs[i];
        float dx = d->x - x, dy = d->y - y, kq = pl->k * d->s;
        if (dx * dx + dy * dy < (kpx > kq ? kpx : kq))
            return 1;
    }
    return 0;
}

/*
 * Marks dead every sub-cell lying wholly inside the disk of radius^2 r2
 * around (x, y): no candidate there can succeed for the rest of the stage.
 * A row of sub-cells at a time: the disk's chord over the row's height
 * gives the run of sub-cells it covers.
 */
#if defined(__SSE2__) && SUB == 2
/*
 * The same with SSE2, giving the same bits: the chords of four sub-rows at
 * a time (the same float operations, lane by lane), then a cell row (two
 * sub-rows) at a time, 16 cells per step: a cell's four bits are set in a
 * byte mask by comparing its sub-columns with the two runs.  A step may
 * run past the end of the row into the next one (whose bytes it leaves
 * as they are; the live array has 16 bytes to spare at the end).
 */
static void stamp_cells(live_t *row, const int32_t *a0, const int32_t *a1)
{
    int32_t lo = INT32_MAX, hi = -1;
    for (int m = 0; m < 2; m++)
        if (a0[m] <= a1[m]) {
            lo = a0[m] < lo ? a0[m] : lo;
            hi = a1[m] > hi ? a1[m] : hi;
        }
    if (hi < 0)
        return;
    const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                       22, 24, 26, 28, 30);
    const __m128i odd = _mm_add_epi8(even, _mm_set1_epi8(1));
    for (int32_t w = lo / 2; w <= hi / 2; w += 16) {
        __m128i m = _mm_setzero_si128();
        for (int k = 0; k < 2; k++) {
            /* the run relative to the step's first sub-column, within
             * -1..32 so that it fits a byte; empty: nothing matches */
            int32_t b0 = a0[k] - 2 * w, b1 = a1[k] - 2 * w;
            if (a0[k] > a1[k])
                b0 = 32, b1 = -1;
            b0 = b0 < 0 ? 0 : b0 > 32 ? 32 : b0;
            b1 = b1 < -1 ? -1 : b1 > 32 ? 32 : b1;
            const __m128i lo1 = _mm_set1_epi8((char)(b0 - 1));
            const __m128i hi1 = _mm_set1_epi8((char)(b1 + 1));
            __m128i ie = _mm_and_si128(_mm_cmpgt_epi8(even, lo1),
                                       _mm_cmpgt_epi8(hi1, even));
            __m128i io = _mm_and_si128(_mm_cmpgt_epi8(odd, lo1),
                                       _mm_cmpgt_epi8(hi1, odd));
            m = _mm_or_si128(m, _mm_and_si128(ie, _mm_set1_epi8(
                                 (char)(1 << (2 * k)))));
            m = _mm_or_si128(m, _mm_and_si128(io, _mm_set1_epi8(
                                 (char)(2 << (2 * k)))));
        }
        __m128i *p = (__m128i *)(void *)(row + w);
        _mm_storeu_si128(p, _mm_andnot_si128(m, _mm_loadu_si128(p)));
    }
}

static void stamp(placer *pl, float x, float y, float r2)
{
    const float r = sqrtf(r2);
    uint32_t k0, k1;
    r2 *= 0.999f;               /* stay clear of rounding at the rim */
    if (!span(y - r, y + r, pl->inv_h, pl->gh * SUB, &k0, &k1))
        return;
    const __m128 h = _mm_set1_ps(pl->h), inv_h = _mm_set1_ps(pl->inv_h);
    const __m128 vx = _mm_set1_ps(x), vy = _mm_set1_ps(y);
    const __m128 vr2 = _mm_set1_ps(r2), zero = _mm_setzero_ps();
    const __m128 sw = _mm_set1_ps((float)(int32_t)(pl->gw * SUB));
    const __m128i lane = _mm_setr_epi32(0, 1, 2, 3), one = _mm_set1_epi32(1);
    int32_t a0[32], a1[32];
    for (uint32_t kb0 = k0 & ~1u; kb0 <= k1; kb0 += 32) {
        uint32_t nr = k1 - kb0 + 1 < 32 ? k1 - kb0 + 1 : 32;
        for (uint32_t m = 0; m < nr; m += 4) {
            __m128i kk = _mm_add_epi32(_mm_set1_epi32((int32_t)(kb0 + m)),
                                       lane);
            __m128 d0 = _mm_sub_ps(_mm_mul_ps(_mm_cvtepi32_ps(kk), h), vy);
            __m128 d1 = _mm_add_ps(d0, h);
            __m128 t = _mm_sub_ps(vr2, _mm_max_ps(_mm_mul_ps(d0, d0),
                                                  _mm_mul_ps(d1, d1)));
            __m128 hw = _mm_sqrt_ps(_mm_max_ps(t, zero));
            __m128 e0 = _mm_mul_ps(_mm_sub_ps(vx, hw), inv_h);
            __m128 e1 = _mm_mul_ps(_mm_add_ps(vx, hw), inv_h);
            e0 = _mm_max_ps(e0, zero);
            e1 = _mm_min_ps(e1, sw);
            __m128i c0 = _mm_cvttps_epi32(e0);
            __m128i c1 = _mm_and_si128(_mm_cvttps_epi32(e1),
                                       _mm_castps_si128(_mm_cmpgt_ps(e1,
                                                                     zero)));
            /* a0 = c0 + (c0 < e0); a1 = t > 0 ? c1 - 1 : -1 */
            __m128i up = _mm_castps_si128(_mm_cmplt_ps(_mm_cvtepi32_ps(c0),
                                                       e0));
            __m128i pos = _mm_castps_si128(_mm_cmpgt_ps(t, zero));
            _mm_storeu_si128((__m128i *)(void *)(a0 + m),
                             _mm_sub_epi32(c0, up));
            _mm_storeu_si128((__m128i *)(void *)(a1 + m),
                             _mm_or_si128(_mm_and_si128(pos,
                                 _mm_sub_epi32(c1, one)),
                                 _mm_andnot_si128(pos, _mm_set1_epi32(-1))));
        }
        /* whole cell rows: a sub-row outside k0..k1 covers nothing */
        if (kb0 < k0)
            a0[0] = 1, a1[0] = 0;
        if (nr % 2)
            a0[nr] = 1, a1[nr] = 0;
        for (uint32_t m = 0; m < nr; m += 2)
            stamp_cells(pl->live + (size_t)((kb0 + m) / SUB) * pl->gw,
                        a0 + m, a1 + m);
    }
}
#else
static void stamp(placer *pl, float x, float y, float r2)
{
    const float h = pl->h, inv_h = pl->inv_h;
    const int32_t sw = (int32_t)(pl->gw * SUB);
    float r = sqrtf(r2);
    uint32_t k0, k1;
    r2 *= 0.999f;               /* stay clear of rounding at the rim */
    if (!span(y - r, y + r, inv_h, pl->gh * SUB, &k0, &k1))
        return;
    /* in batches, so that the square roots overlap and nothing branches */
    int32_t a0[32], a1[32];
    for (uint32_t kb0 = k0; kb0 <= k1; kb0 += 32) {
        uint32_t nr = k1 - kb0 + 1 < 32 ? k1 - kb0 + 1 : 32;
        for (uint32_t m = 0; m < nr; m++) {
            float d0 = (float)(kb0 + m) * h - y, d1 = d0 + h;
            float t = r2 - (d0 * d0 > d1 * d1 ? d0 * d0 : d1 * d1);
            float hw = sqrtf(t > 0 ? t : 0);
            float e0 = (x - hw) * inv_h, e1 = (x + hw) * inv_h;
            /* sub-columns a0..a1 lie wholly within [x - hw, x + hw] */
            e0 = e0 > 0 ? e0 : 0;
            e1 = e1 < (float)sw ? e1 : (float)sw;
            int32_t c0 = (int32_t)e0, c1 = e1 > 0 ? (int32_t)e1 : 0;
            a0[m] = c0 + ((float)c0 < e0);
            a1[m] = t > 0 ? c1 - 1 : -1;
        }
        for (uint32_t m = 0; m < nr; m++) {
            if (a0[m] > a1[m])
                continue;
            uint32_t kb = kb0 + m;
            live_t *row = pl->live + (size_t)(kb / SUB) * pl->gw;
            unsigned shift = SUB * (kb % SUB);
            uint32_t lo0 = (uint32_t)a0[m], hi1 = (uint32_t)a1[m];
            uint32_t c0 = lo0 / SUB, c1 = hi1 / SUB;
            /* the cells at either end in part, those between whole */
            unsigned head = SUBROW & (SUBROW << (lo0 % SUB));
            unsigned tail = SUBROW >> (SUB - 1 - hi1 % SUB);
            if (c0 == c1) {
                row[c0] &= (live_t)~((head & tail) << shift);
                continue;
            }
            row[c0] &= (live_t)~(head << shift);
            for (uint32_t i = c0 + 1; i < c1; i++)
                row[i] &= (live_t)~(SUBROW << shift);
            row[c1] &= (live_t)~(tail << shift);
        }
    }
}
#endif

/*
 * Tells the blocks a new dot's disk (radius r) reaches about it: a dot
 * much larger than a block's own goes on the block's list, others raise
 * its reach.  0 when out of memory.
 */
static int spread_reach(placer *pl, float x, float y, float s, float r)
{
    uint32_t a0, a1, b0, b1;
    if (!span(x - r, x + r, pl->inv_bpx, pl->bw, &a0, &a1) ||
        !span(y - r, y + r, pl->inv_bpx, pl->bh, &b0, &b1))
        return 1;
    for (uint32_t bj = b0; bj <= b1; bj++) {
        for (uint32_t bi = a0; bi <= a1; bi++) {
            place_block *b = &pl->blocks[(size_t)bj * pl->bw + bi];
            if (b->lam_hi < pl->lam_floor || s <= b->reach)
                continue;
            if (s * b->lam_hi <= BIG_FACTOR * HEX_AREA) {
                b->reach = s;
                continue;
            }
            if (pl->nbig == pl->bigcap) {
                size_t cap = pl->bigcap ? 2 * pl->bigcap : 256;
                big_ref *nb = realloc(pl->bigs, cap * sizeof *nb);
                if (!nb)
                    return 0;
                pl->bigs = nb;
                pl->bigcap = cap;
            }
            pl->bigs[pl->nbig].x = x;
            pl->bigs[pl->nbig].y = y;
            pl->bigs[pl->nbig].s = s;
            pl->bigs[pl->nbig].next = b->big;
            b->big = (int32_t)pl->nbig++;
        }
    }
    return 1;
}

/*
 * Would a dot at (x, y) (lambda lam, D^2 sp) stand where lambda rises
 * steeply?  Its radius must stay clear also towards the denser side, so a
 * lone dot on the thin end of an edge would leave a hole there many dots
 * wide (at a sharp hairline, one in its blurred rim would).  Such a dot is
 * not placed where some block its disk reaches has lambda above STEEP
 * times its own.
 */
static int too_steep(const placer *pl, float x, float y, float lam, float sp)
{
    float r = sqrtf(pl->k * sp), bpx = pl->g * BLOCK, lim = lam * STEEP;
    uint32_t a0, a1, b0, b1;
    if (!span(x - r, x + r, pl->inv_bpx, pl->bw, &a0, &a1) ||
        !span(y - r, y + r, pl->inv_bpx, pl->bh, &b0, &b1))
        return 0;
    for (uint32_t bj = b0; bj <= b1; bj++) {
        const place_block *row = pl->blocks + (size_t)bj * pl->bw;
        float dy = (float)bj * bpx - y, ey = y - (float)(bj + 1) * bpx;
        dy = dy > ey ? dy : ey;         /* distance to the block's rows */
        dy = dy > 0 ? dy : 0;
        for (uint32_t bi = a0; bi <= a1; bi++) {
            if (row[bi].lam_hi <= lim)
                continue;
            float dx = (float)bi * bpx - x, ex = x - (float)(bi + 1) * bpx;
            dx = dx > ex ? dx : ex;
            dx = dx > 0 ? dx : 0;
            if (dx * dx + dy * dy < r * r)
                return 1;
        }
    }
    return 0;
}

/*
 * Asks for the grid cells about unit u and, where lambda is looked up, its
 * stretch of the field, ahead of use: a unit's rows have left the cache
 * since its last visit, and asked for together the misses overlap instead
 * of coming one by one in the searches.
 */
static void prefetch_unit(const placer *pl, const place_unit *u)
{
    uint32_t j0 = u->cj > 2 ? u->cj - 2 : 0;
    uint32_t j1 = u->cj + u->ny + 2 < pl->gh ? u->cj + u->ny + 2 : pl->gh;
    uint32_t q0 = u->ci > 2 ? (u->ci - 2) / 4 : 0;
    uint32_t q1 = (u->ci + u->nx + 2) / 4 < pl->gq ?
                  (u->ci + u->nx + 2) / 4 : pl->gq - 1;
    for (uint32_t j = j0; j < j1; j++) {
        const cell_quad *row = pl->cell + (size_t)j * pl->gq;
        for (uint32_t q = q0; q <= q1; q++)
            __builtin_prefetch(&row[q]);
    }
    if (u->lam_lo == u->lam_hi)
        return;
    const smp_field *f = pl->f;
    const float s = pl->g / f->cell;
    uint32_t fi0 = (uint32_t)((float)u->ci * s);
    uint32_t fj0 = (uint32_t)((float)u->cj * s);
    uint32_t fi1 = (uint32_t)((float)(u->ci + u->nx) * s) + 1;
    uint32_t fj1 = (uint32_t)((float)(u->cj + u->ny) * s) + 1;
    fi1 = fi1 < f->w ? fi1 : f->w - 1;
    fj1 = fj1 < f->h ? fj1 : f->h - 1;
    for (uint32_t j = fj0; j <= fj1; j++) {
        const float *row = f->lambda + (size_t)j * f->w;
        for (uint32_t i = fi0; i <= fi1; i += 16)
            __builtin_prefetch(&row[i]);
        __builtin_prefetch(&row[fi1]);
    }
}

/*
 * Throws candidates into unit u until it has `want` more dots or the
 * stage has its count.  Returns 1 if so, 0 when the unit has no room left or
 * `budget` searches were spent, -1 when out of memory.
 *
 * A candidate is drawn uniformly from the unit's cells with live sub-cells,
 * then from the sub-cell, and kept with probability lambda / lam_hi.
 */
static int fill_unit(placer *pl, const place_unit *u, uint32_t want,
                     size_t budget)
{
    uint16_t *act = pl->act;
    uint32_t nact = 0, count = 0;
    prefetch_unit(pl, u);
    for (uint32_t lj = 0; lj < u->ny; lj++) {
        const live_t *live = pl->live + (size_t)(u->cj + lj) * pl->gw + u->ci;
#if defined(__SSE2__) && UNIT == 16
        /* the row's live cells as bits, in the same order (the live
         * array has 16 bytes to spare at the end) */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)live);
        unsigned bits = ~(unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_setzero_si128())) & ((1u << u->nx) - 1);
        for (; bits; bits &= bits - 1)
            act[nact++] = (uint16_t)(lj * UNIT +
                                     (uint32_t)__builtin_ctz(bits));
#else
        for (uint32_t li = 0; li < u->nx; li++) {
            act[nact] = (uint16_t)(lj * UNIT + li);
            nact += live[li] != 0;
        }
#endif
    }
    const int flat = u->lam_lo == u->lam_hi;
    const float g = pl->g;
    budget += 96 * (size_t)want;
    size_t tries = 32 * budget;     /* cheap misses: dead sub-cells, lambda */
    while (count < want) {
        if (pl->n >= pl->cap)
            return 1;
        if (nact == 0 || budget == 0 || tries-- == 0)
            return 0;
        uint64_t r = smp_rng_next(&pl->rng);
        uint32_t a = (uint32_t)(((r >> 32) * nact) >> 32);
        uint32_t ci = u->ci + act[a] % UNIT, cj = u->cj + act[a] / UNIT;
        size_t c = (size_t)cj * pl->gw + ci;
        if (pl->live[c] == 0) {         /* stamped dead since listed */
            act[a] = act[--nact];
            continue;
        }
        uint32_t sub = (uint32_t)(r >> 30) & (SUB * SUB - 1);
        if (!(pl->live[c] >> sub & 1))
            continue;
        /* a point of the sub-cell on the 1/65536 lattice */
        uint32_t fx = (sub % SUB) * (65536 / SUB) +
                      (uint32_t)(r >> 15 & (65536 / SUB - 1));
        uint32_t fy = (sub / SUB) * (65536 / SUB) +
                      (uint32_t)(r & (65536 / SUB - 1));
        float x = ((float)ci + (float)fx * (1.0f / FIX)) * g;
        float y = ((float)cj + (float)fy * (1.0f / FIX)) * g;
        if (x >= pl->img_w || y >= pl->img_h)
            continue;
        place_block *b = &pl->blocks[(size_t)(cj >> BLOCK_LOG) * pl->bw +
                                     (ci >> BLOCK_LOG)];
        float lam = b->lam_hi;          /* exact where the block is flat */
        if (!flat) {
            if (b->lam_lo != b->lam_hi)
                lam = smp_field_at(pl->f, x, y);
            float v = (float)(smp_rng_next(&pl->rng) >> 40) *
                      (1.0f / 16777216.0f);
            if (!(lam > v * u->lam_hi) || lam < pl->lam_floor)
                continue;
        }
        budget--;
        float sp = HEX_AREA / lam;
        if (lam * STEEP < pl->lam_max && too_steep(pl, x, y, lam, sp))
            continue;
        if (refused(pl, b, ci, cj, fx, fy, x, y, sp))
            continue;
        smp_point *pt = &pl->pts[pl->n++];
        pt->x = x;
        pt->y = y;
        pt->session = pl->session;
        pl->spack[pl->n - 1] = s_pack(sp);
        cell_quad *d = &pl->cell[(size_t)cj * pl->gq + ci / 4];
        d->fx[ci % 4] = (float)fx * (1.0f / FIX);
        d->fy[ci % 4] = (float)fy * (1.0f / FIX);
        d->s[ci % 4] = s_unpack(pl->spack[pl->n - 1]);
        pl->live[c] = 0;
        act[a] = act[--nact];
        count++;
        stamp(pl, x, y, pl->k * sp);
        if (!spread_reach(pl, x, y, sp, sqrtf(pl->k * sp) * 1.0001f))
            return -1;
    }
    return 1;
}

/*
 * The sub-cells of grid cell (ci, cj) where a dot may land: lambda reaches
 * the floor somewhere among the field cells a lookup inside can read.
 */
static live_t cell_open(const placer *pl, uint32_t ci, uint32_t cj)
{
    const smp_field *f = pl->f;
    const float s = pl->h / f->cell;    /* a sub-cell in field cells */
    live_t open = 0;
    for (uint32_t b = 0; b < SUB * SUB; b++) {
        float fx0 = (float)(ci * SUB + b % SUB) * s - 0.5f;
        float fy0 = (float)(cj * SUB + b / SUB) * s - 0.5f;
        uint32_t i0 = fx0 <= 0 ? 0 : (uint32_t)fx0;
        uint32_t j0 = fy0 <= 0 ? 0 : (uint32_t)fy0;
        uint32_t i1 = (uint32_t)(fx0 + s > 0 ? fx0 + s : 0) + 1;
        uint32_t j1 = (uint32_t)(fy0 + s > 0 ? fy0 + s : 0) + 1;
        if (i1 >= f->w) i1 = f->w - 1;
        if (j1 >= f->h) j1 = f->h - 1;
        for (uint32_t j = j0; j <= j1 && !(open >> b & 1); j++)
            for (uint32_t i = i0; i <= i1; i++)
                if (f->lambda[(size_t)j * f->w + i] >= pl->lam_floor) {
                    open |= (live_t)(1u << b);
                    break;
                }
    }
    return open;
}

/* At the start of a stage (smaller radii) every sub-cell where a dot may
 * land comes alive again, and the dots so far are stamped anew (which kills
 * their own cells: a cell's diagonal is shorter than any radius).  Taken
 * from the list of dots (x and y are those the grid holds), not by a scan
 * of the grid: stamps only clear bits, so their order does not matter. */
static void activate(placer *pl)
{
    memcpy(pl->live, pl->open, (size_t)pl->gw * pl->gh * sizeof *pl->live);
    for (size_t i = 0; i < (size_t)pl->bw * pl->bh; i++)
        pl->blocks[i].full = 0;
    for (size_t i = 0; i < pl->n; i++)
        stamp(pl, pl->pts[i].x, pl->pts[i].y, pl->k * s_unpack(pl->spack[i]));
}

/*
 * The unit (ux, uy) of a tiling shifted by (ox, oy) cells: its cells, the
 * blocks it overlaps, lambda bounds, whether a block is still open, and
 * its mass (`open_only`: of open blocks), taking a partly covered block's
 * mass in proportion.  0 if no dot can land in it.
 */
static int get_unit(const placer *pl, uint32_t ux, uint32_t uy, uint32_t ox,
                    uint32_t oy, int open_only, place_unit *u)
{
    uint32_t x0 = ux * UNIT > ox ? ux * UNIT - ox : 0;
    uint32_t y0 = uy * UNIT > oy ? uy * UNIT - oy : 0;
    uint32_t x1 = (ux + 1) * UNIT - ox, y1 = (uy + 1) * UNIT - oy;
    if (x1 > pl->gw) x1 = pl->gw;
    if (y1 > pl->gh) y1 = pl->gh;
    u->ci = x0;
    u->cj = y0;
    u->nx = x1 - x0;
    u->ny = y1 - y0;
    u->bx0 = x0 >> BLOCK_LOG;
    u->by0 = y0 >> BLOCK_LOG;
    u->bx1 = ((x1 - 1) >> BLOCK_LOG) + 1;
    u->by1 = ((y1 - 1) >> BLOCK_LOG) + 1;
    u->lam_lo = INFINITY;
    u->lam_hi = 0;
    u->mass = 0;
    u->open = 0;
    for (uint32_t bj = u->by0; bj < u->by1; bj++) {
        uint32_t c0 = bj * BLOCK;
        uint32_t c1 = c0 + BLOCK < pl->gh ? c0 + BLOCK : pl->gh;
        double fy = (double)((y1 < c1 ? y1 : c1) - (y0 > c0 ? y0 : c0)) /
                    (c1 - c0);
        for (uint32_t bi = u->bx0; bi < u->bx1; bi++) {
            const place_block *b = &pl->blocks[(size_t)bj * pl->bw + bi];
            uint32_t d0 = bi * BLOCK;
            uint32_t d1 = d0 + BLOCK < pl->gw ? d0 + BLOCK : pl->gw;
            double fx = (double)((x1 < d1 ? x1 : d1) - (x0 > d0 ? x0 : d0)) /
                        (d1 - d0);
            u->lam_lo = b->lam_lo < u->lam_lo ? b->lam_lo : u->lam_lo;
            u->lam_hi = b->lam_hi > u->lam_hi ? b->lam_hi : u->lam_hi;
            u->open |= !b->full;
            if (!open_only || !b->full)
                u->mass += b->mass * fx * fy;
        }
    }
    return u->lam_hi >= pl->lam_floor;
}

/*
 * One sweep over the photo in units of work, on a tiling shifted at random
 * so that unit edges fall elsewhere each time: dots pile up a little along
 * the edge of a unit filled before its neighbour, and that must not add up
 * into lines.  Each unit gets per_mass dots per unit of its mass (with
 * `topup`, of the mass of its blocks not yet found full).  Rounding is
 * systematic along the sweep, so the targets add up exactly; what a unit
 * cannot take is left to the top-up sweeps.
 */
static smp_status sweep(placer *pl, double per_mass, int topup,
                        atomic_int *cancel, smp_error *err)
{
    uint64_t r = smp_rng_next(&pl->rng);
    uint32_t ox = (uint32_t)(r % UNIT), oy = (uint32_t)(r / UNIT % UNIT);
    int back = (int)(r >> 32 & 1);
    uint32_t nux = (pl->gw + ox + UNIT - 1) / UNIT;
    uint32_t nuy = (pl->gh + oy + UNIT - 1) / UNIT;
    size_t nu = (size_t)nux * nuy;
    double run = smp_rng_unit(&pl->rng), prev = 0;
    for (size_t n = 0; n < nu; n++) {
        size_t i = back ? nu - 1 - n : n;
        place_unit u;
        if (!get_unit(pl, (uint32_t)(i % nux), (uint32_t)(i / nux), ox, oy,
                      topup, &u) || (topup && !u.open))
            continue;
        if (cancel && *cancel)
            return smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
        run += u.mass * per_mass;
        double add = floor(run) - prev;
        prev = floor(run);
        if (add < 1)
            continue;
        if (add > 4e9)
            add = 4e9;
        int got = fill_unit(pl, &u, (uint32_t)add, 64);
        if (got < 0)
            return smp_fail(err, SMP_ERR_NOMEM, "out of memory placing dots");
        if (got == 0)
            for (uint32_t bj = u.by0; bj < u.by1; bj++)
                for (uint32_t bi = u.bx0; bi < u.bx1; bi++)
                    pl->blocks[(size_t)bj * pl->bw + bi].full = 1;
    }
    return SMP_OK;
}

/* The overlap of [a0, a1) and [b0, b1). */
static double overlap(double a0, double a1, double b0, double b1)
{
    return (a1 < b1 ? a1 : b1) - (a0 > b0 ? a0 : b0);
}

/*
 * The largest of v[0..n) (at least 0) into *hi; 0 if some value is
 * negative, infinite or NaN.  Four lanes at a time where SSE2 is there:
 * max is exact, so the answer is the same.
 */
static int scan_field(const float *v, size_t n, float *hi)
{
    float lmax = 0;
    int bad = 0;
    size_t i = 0;
#ifdef __SSE2__
    __m128 mx = _mm_setzero_ps(), nb = _mm_setzero_ps();
    const __m128 zero = _mm_setzero_ps(), big = _mm_set1_ps(3e38f);
    for (; i + 4 <= n; i += 4) {
        __m128 x = _mm_loadu_ps(v + i);
        /* not >= 0 (NaN too), or above 3e38 */
        nb = _mm_or_ps(nb, _mm_or_ps(_mm_cmpnge_ps(x, zero),
                                     _mm_cmpgt_ps(x, big)));
        mx = _mm_max_ps(x, mx);
    }
    float lanes[4];
    _mm_storeu_ps(lanes, mx);
    for (int k = 0; k < 4; k++)
        lmax = lanes[k] > lmax ? lanes[k] : lmax;
    bad = _mm_movemask_ps(nb) != 0;
#endif
    for (; i < n; i++) {
        float x = v[i];
        bad |= !(x >= 0) | (x > 3e38f);
        lmax = x > lmax ? x : lmax;
    }
    *hi = lmax;
    return !bad;
}

/* The bounds of row[i0..i1] into *lo, *hi (which they may lower, raise). */
static void row_bounds(const float *row, uint32_t i0, uint32_t i1,
                       float *lo, float *hi)
{
    float l = *lo, h = *hi;
    uint32_t i = i0;
#ifdef __SSE2__
    if (i1 - i0 >= 7) {
        __m128 vl = _mm_set1_ps(l), vh = _mm_set1_ps(h);
        for (; i + 3 <= i1; i += 4) {
            __m128 x = _mm_loadu_ps(row + i);
            vl = _mm_min_ps(vl, x);
            vh = _mm_max_ps(vh, x);
        }
        float a[4], b[4];
        _mm_storeu_ps(a, vl);
        _mm_storeu_ps(b, vh);
        for (int k = 0; k < 4; k++) {
            l = a[k] < l ? a[k] : l;
            h = b[k] > h ? b[k] : h;
        }
    }
#endif
    for (; i <= i1; i++) {
        l = row[i] < l ? row[i] : l;
        h = row[i] > h ? row[i] : h;
    }
    *lo = l;
    *hi = h;
}

/*
 * Lays out the grid and blocks from the field: each block's mass (as
 * smp_field_total counts it; *total gets their sum) and lambda bounds
 * (over every field cell a bilinear lookup inside the block can read).
 * *total = 0 for an empty field.
 */
static smp_status layout(placer *pl, double *total, smp_error *err)
{
    const smp_field *f = pl->f;
    float lmax;
    *total = 0;
    if (!scan_field(f->lambda, (size_t)f->w * f->h, &lmax))
        return smp_fail(err, SMP_ERR_ARG, "invalid density values (negative, "
                        "infinite or NaN)");
    if (lmax == 0)
        return SMP_OK;
    pl->lam_floor = lmax * FLOOR_SHARE;
    pl->lam_max = lmax;
    pl->img_w = (float)f->img_w;
    pl->img_h = (float)f->img_h;
    /* a cell's diagonal stays below the smallest radius of any stage */
    pl->g = PLACE_RATIO * sqrtf(HEX_AREA / lmax) * 0.7071f * 0.999f;
    float side = f->img_w > f->img_h ? (float)f->img_w : (float)f->img_h;
    if (!(pl->g < side))        /* a tiny peak: one cell is enough */
        pl->g = side;
    double gw = ceil(f->img_w / (double)pl->g);
    double gh = ceil(f->img_h / (double)pl->g);
    if (!(gw * gh < 2147483648.0) || gw > 536870912.0 || gh > 536870912.0 ||
        !(pl->g > 0))
        return smp_fail(err, SMP_ERR_LIMIT, "density too high to place "
                        "dots (peak %g per pixel)", (double)lmax);
    pl->gw = (uint32_t)gw;
    pl->gh = (uint32_t)gh;
    pl->inv_g = 1.0f / pl->g;
    pl->h = pl->g / SUB;
    pl->inv_h = 1.0f / pl->h;
    pl->bw = (pl->gw + BLOCK - 1) / BLOCK;
    pl->bh = (pl->gh + BLOCK - 1) / BLOCK;
    pl->inv_bpx = 1.0f / (pl->g * BLOCK);
    pl->blocks = calloc((size_t)pl->bw * pl->bh, sizeof *pl->blocks);
    if (!pl->blocks)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory placing dots");

    const double fc = f->cell, bpx = (double)pl->g * BLOCK;
    for (uint32_t bj = 0; bj < pl->bh; bj++) {
        double y0 = bj * bpx, y1 = fmin(y0 + bpx, f->img_h);
        /* lookups in [y0, y1) read cells floor(y / fc - 0.5) .. +1 */
        uint32_t j0 = y0 / fc - 0.5 <= 0 ? 0 : (uint32_t)(y0 / fc - 0.5);
        uint32_t j1 = (uint32_t)(y1 / fc - 0.5) + 1;
        if (j1 >= f->h) j1 = f->h - 1;
        for (uint32_t bi = 0; bi < pl->bw; bi++) {
            place_block *b = &pl->blocks[(size_t)bj * pl->bw + bi];
            double x0 = bi * bpx, x1 = fmin(x0 + bpx, f->img_w);
            uint32_t i0 = x0 / fc - 0.5 <= 0 ? 0 : (uint32_t)(x0 / fc - 0.5);
            uint32_t i1 = (uint32_t)(x1 / fc - 0.5) + 1;
            if (i1 >= f->w) i1 = f->w - 1;
            /* cells ia..ib overlap [x0, x1), those between fully */
            uint32_t ia = (uint32_t)(x0 / fc);
            uint32_t ib = (uint32_t)ceil(x1 / fc) - 1;
            if (ib >= f->w) ib = f->w - 1;
            double oa = overlap(x0, x1, ia * fc, (ia + 1) * fc);
            double ob = overlap(x0, x1, ib * fc, (ib + 1) * fc);
            float lo = INFINITY, hi = 0;
            double mass = 0;
            for (uint32_t j = j0; j <= j1; j++) {
                const float *row = f->lambda + (size_t)j * f->w;
                row_bounds(row, i0, i1, &lo, &hi);
                double oy = overlap(y0, y1, j * fc, (j + 1) * fc);
                if (oy <= 0)
                    continue;
                double m = row[ia] * oa;
                if (ib > ia) {
                    double mid = 0;
                    for (uint32_t i = ia + 1; i < ib; i++)
                        mid += row[i];
                    m += row[ib] * ob + mid * fc;
                }
                mass += m * oy;
            }
            b->big = -1;
            b->mass = mass;
            b->lam_lo = lo;
            b->lam_hi = hi;
            *total += mass;
        }
    }
    return SMP_OK;
}

/* The neighbour grid, every cell empty, and where dots may land. */
static smp_status make_grid(placer *pl, size_t dots, smp_error *err)
{
    size_t nc = (size_t)pl->gw * pl->gh;
    if (nc > (size_t)CELLS_PER_DOT * dots && nc > MIN_CELL_LIMIT)
        return smp_fail(err, SMP_ERR_LIMIT, "density peak too high for the "
                        "rest of the photo: %zu grid cells for %zu dots",
                        nc, dots);
    pl->gq = (pl->gw + 3) / 4;
    size_t nq = (size_t)pl->gq * pl->gh;
    pl->cell = malloc(nq * sizeof *pl->cell);
    pl->live = calloc(nc + 16, sizeof *pl->live);  /* 16: see stamp */
    pl->open = malloc(nc * sizeof *pl->open);
    if (!pl->cell || !pl->live || !pl->open)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory placing dots");
    const cell_quad none = {{NO_DOT, NO_DOT, NO_DOT, NO_DOT}, {0}, {0}};
    for (size_t i = 0; i < nq; i++)
        pl->cell[i] = none;
    for (uint32_t cj = 0; cj < pl->gh; cj++) {
        const place_block *brow =
            pl->blocks + (size_t)(cj >> BLOCK_LOG) * pl->bw;
        live_t *open = pl->open + (size_t)cj * pl->gw;
        for (uint32_t ci = 0; ci < pl->gw; ci++) {
            const place_block *b = &brow[ci >> BLOCK_LOG];
            open[ci] = b->lam_hi < pl->lam_floor ? 0 :
                       b->lam_lo == b->lam_hi ? SUBALL : cell_open(pl, ci, cj);
        }
    }
    return SMP_OK;
}

static smp_status check_args(const smp_field *f, int sessions,
                             const double *cum, smp_point **out,
                             size_t *counts, smp_error *err)
{
    if (!f || !f->lambda || f->w == 0 || f->h == 0 || !cum || !out ||
        !counts)
        return smp_fail(err, SMP_ERR_ARG, "placement: missing argument");
    if (sessions < 1 || sessions > SMP_MAX_SESSIONS)
        return smp_fail(err, SMP_ERR_ARG, "sessions must be 1..%d, not %d",
                        SMP_MAX_SESSIONS, sessions);
    double prev = 0;
    for (int k = 0; k < sessions; k++) {
        if (!(cum[k] > prev) || !(cum[k] <= 1.0))
            return smp_fail(err, SMP_ERR_ARG, "session shares must increase "
                            "within (0, 1]: session %d has %g", k + 1,
                            cum[k]);
        prev = cum[k];
    }
    if (cum[sessions - 1] != 1.0)
        return smp_fail(err, SMP_ERR_ARG, "the last session share must be "
                        "1, not %g", cum[sessions - 1]);
    return SMP_OK;
}

/*
 * A field with no dots to place (total below one half) is not an error
 * here: SMP_OK, *out = NULL and every count 0; the caller decides.  The
 * counts are cum[k] * total rounded, unless the radii leave no room for
 * them: fields that jump between 0 and full from cell to cell all over can
 * fall ~1-2% short, small mostly-feathered areas more in early sessions.
 */
smp_status smp_place(const smp_field *f, int sessions, const double *cum,
                     uint64_t seed, atomic_int *cancel,
                     smp_point **out, size_t *counts, smp_error *err)
{
    smp_status st;
    if (out)
        *out = NULL;
    if ((st = check_args(f, sessions, cum, out, counts, err)) != SMP_OK)
        return st;
    for (int k = 0; k < sessions; k++)
        counts[k] = 0;
    if (cancel && *cancel)
        return smp_fail(err, SMP_ERR_CANCELLED, "cancelled");
    placer pl;
    memset(&pl, 0, sizeof pl);
    pl.f = f;
    smp_rng_seed(&pl.rng, seed, RNG_STREAM);
    double total;
    if ((st = layout(&pl, &total, err)) != SMP_OK)
        goto done;
    if (!(total < 2147483647.0)) {
        st = smp_fail(err, SMP_ERR_LIMIT, "too many dots to place (%g)",
                      total);
        goto done;
    }
    size_t all = (size_t)llround(total);
    if (all == 0)
        goto done;
    if ((st = make_grid(&pl, all, err)) != SMP_OK)
        goto done;
    /* zeroed, padding included: equal inputs give byte-equal outputs */
    pl.pts = calloc(all, sizeof *pl.pts);
    pl.spack = malloc(all * sizeof *pl.spack);
    if (!pl.pts || !pl.spack) {
        st = smp_fail(err, SMP_ERR_NOMEM, "out of memory for %zu dots", all);
        goto done;
    }

    size_t nb = (size_t)pl.bw * pl.bh;
    double before = 0;
    for (int k = 0; k < sessions; k++) {
        pl.session = (uint8_t)(k + 1);
        pl.k = PLACE_RATIO * PLACE_RATIO / (float)cum[k];
        pl.cap = k == sessions - 1 ? all : (size_t)llround(cum[k] * total);
        activate(&pl);
        for (int s = 0; s < SWEEPS; s++) {
            if ((st = sweep(&pl, (cum[k] - before) / SWEEPS, 0, cancel,
                            err)) != SMP_OK)
                goto done;
        }
        for (int r = 0; r < TOPUPS && pl.n < pl.cap; r++) {
            double open = 0;
            for (size_t i = 0; i < nb; i++)
                if (!pl.blocks[i].full && pl.blocks[i].lam_hi >= pl.lam_floor)
                    open += pl.blocks[i].mass;
            if (open <= 0)
                break;
            if ((st = sweep(&pl, (double)(pl.cap - pl.n) / open, 1, cancel,
                            err)) != SMP_OK)
                goto done;
        }
        counts[k] = pl.n;
        before = cum[k];
    }
    if (pl.n > 0) {
        smp_point *fit = realloc(pl.pts, pl.n * sizeof *pl.pts);
        *out = fit ? fit : pl.pts;
        pl.pts = NULL;
    }
done:
    if (st != SMP_OK)
        for (int k = 0; k < sessions; k++)
            counts[k] = 0;
    free(pl.pts);
    free(pl.spack);
    free(pl.cell);
    free(pl.live);
    free(pl.open);
    free(pl.blocks);
    free(pl.bigs);
    return st;
}

/* ---- measuring ---------------------------------------------------------- */

/*
 * Nearest neighbours through a grid of about one point per cell, searched
 * ring by ring; a point's search stops as soon as no closer neighbour, or
 * none that could lower the minimum, remains.  Fewer than two points give
 * +infinity, a point where lambda is 0 (or two at one spot) 0, and a bad
 * share or no memory NaN.
 */
double smp_relative_radius(const smp_point *pts, size_t n,
                           const smp_field *f, double share)
{
    if (n < 2)
        return INFINITY;
    if (!(share > 0) || n > UINT32_MAX / 2)
        return NAN;
    float x0 = pts[0].x, x1 = x0, y0 = pts[0].y, y1 = y0;
    for (size_t i = 1; i < n; i++) {
        x0 = fminf(x0, pts[i].x);  x1 = fmaxf(x1, pts[i].x);
        y0 = fminf(y0, pts[i].y);  y1 = fmaxf(y1, pts[i].y);
    }
    /* about one point per grid cell on average */
    double bw = (double)x1 - x0, bh = (double)y1 - y0;
    double h = sqrt(fmax(bw * bh, 1e-12) / (double)n);
    if (h < bw / 65536.0) h = bw / 65536.0;
    if (h < bh / 65536.0) h = bh / 65536.0;
    if (!(h > 0)) h = 1;
    uint32_t gw = (uint32_t)(bw / h) + 1, gh = (uint32_t)(bh / h) + 1;
    size_t ng = (size_t)gw * gh;
    uint32_t *start = calloc(ng + 1, sizeof *start);
    uint32_t *idx = malloc(n * sizeof *idx);
    uint32_t *cell = malloc(n * sizeof *cell);
    double best = INFINITY;
    if (!start || !idx || !cell) {
        best = NAN;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t cx = (uint32_t)(((double)pts[i].x - x0) / h);
        uint32_t cy = (uint32_t)(((double)pts[i].y - y0) / h);
        if (cx >= gw) cx = gw - 1;
        if (cy >= gh) cy = gh - 1;
        cell[i] = cy * gw + cx;
        start[cell[i] + 1]++;
    }
    for (size_t c = 0; c < ng; c++)
        start[c + 1] += start[c];
    for (size_t i = 0; i < n; i++)
        idx[start[cell[i]]++] = (uint32_t)i;
    for (size_t c = ng; c > 0; c--)
        start[c] = start[c - 1];
    start[0] = 0;

    const double hex = 2.0 / sqrt(3.0);
    for (size_t i = 0; i < n; i++) {
        double lam = smp_field_at(f, pts[i].x, pts[i].y);
        if (!(lam > 0)) {
            best = 0;
            break;
        }
        double d = sqrt(hex / (share * lam));
        double limit = best * d;        /* farther cannot lower best */
        double nn2 = INFINITY;
        int32_t cx = (int32_t)(cell[i] % gw), cy = (int32_t)(cell[i] / gw);
        for (int32_t r = 0;; r++) {
            double reach = (r - 1) * h;
            if (r > 0 && (reach * reach >= nn2 || reach >= limit))
                break;
            if (r > (int32_t)gw && r > (int32_t)gh)
                break;
            for (int32_t y = cy - r; y <= cy + r; y++) {
                if (y < 0 || y >= (int32_t)gh)
                    continue;
                int edge = y == cy - r || y == cy + r;
                for (int32_t x = cx - r; x <= cx + r;
                     x += edge ? 1 : 2 * r) {
                    if (x >= 0 && x < (int32_t)gw) {
                        size_t c = (size_t)y * gw + (size_t)x;
                        for (uint32_t j = start[c]; j < start[c + 1]; j++) {
                            if (idx[j] == i)
                                continue;
                            double dx = (double)pts[idx[j]].x - pts[i].x;
                            double dy = (double)pts[idx[j]].y - pts[i].y;
                            double d2 = dx * dx + dy * dy;
                            if (d2 < nn2)
                                nn2 = d2;
                        }
                    }
                    if (r == 0)
                        break;
                }
            }
        }
        double ratio = sqrt(nn2) / d;
        if (ratio < best)
            best = ratio;
    }
out:
    free(start);
    free(idx);
    free(cell);
    return best;
}
