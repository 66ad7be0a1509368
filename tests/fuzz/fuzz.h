/*
 * fuzz.h - what every harness shares: FUZZ_CHECK, a promise of the code
 * under test; broken, it aborts, which libFuzzer reports as a crash with
 * the input that broke it.
 */
#ifndef SMP_FUZZ_H
#define SMP_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, \
                    #cond); \
            abort(); \
        } \
    } while (0)

#endif
