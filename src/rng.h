/*
 * rng.h - the one random generator: xoshiro256** seeded through
 * splitmix64.  Small, fast and the same on every platform, so a seed
 * always gives the same dots.  State lives in the caller's struct.
 */
#ifndef SMP_RNG_H
#define SMP_RNG_H

#include <stdint.h>

typedef struct smp_rng { uint64_t s[4]; } smp_rng;

static inline uint64_t smp_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* `stream` separates independent uses of one seed (placement, looks...). */
static inline void smp_rng_seed(smp_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = smp_splitmix64(&x);
}

static inline uint64_t smp_rng_next(smp_rng *r)
{
    uint64_t *s = r->s;
    uint64_t v = s[1] * 5;
    uint64_t result = ((v << 7) | (v >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, 1). */
static inline double smp_rng_unit(smp_rng *r)
{
    return (double)(smp_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Approximately standard normal (sum of uniforms, cheap and bounded). */
static inline double smp_rng_normal(smp_rng *r)
{
    double s = 0;
    for (int i = 0; i < 4; i++)
        s += smp_rng_unit(r);
    return (s - 2.0) * 1.7320508075688772;   /* sqrt(12 / 4) */
}

#endif
