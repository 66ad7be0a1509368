/*
 * fuzz_png.c - libFuzzer harness for the PNG reader (png_io.c through
 * smp_image_load_mem), and for the writers on whatever it decodes.  See
 * fuzz_image.h for what is checked; seeds come from mkcorpus.
 *
 * Almost any mutation breaks a chunk's CRC, and libpng stops at the first
 * bad CRC, so the input is also tried with every CRC made right: that
 * copy reaches inflating, unfiltering, interlacing and our conversions.
 */
#define _POSIX_C_SOURCE 200809L
#include <zlib.h>
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* Rewrites each whole chunk's CRC; returns whether any changed. */
static int fix_crcs(uint8_t *d, size_t size)
{
    int changed = 0;
    for (size_t pos = 8; size - pos >= 12;) {
        uint32_t len = be32(d + pos);
        if (len > size - pos - 12)
            break;
        uint8_t *crc = d + pos + 8 + len;
        uint32_t want = (uint32_t)crc32(0, d + pos + 4, len + 4);
        if (be32(crc) != want) {
            crc[0] = (uint8_t)(want >> 24);
            crc[1] = (uint8_t)(want >> 16);
            crc[2] = (uint8_t)(want >> 8);
            crc[3] = (uint8_t)want;
            changed = 1;
        }
        pos += 12 + (size_t)len;
    }
    return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smp_image_free(fuzz_load(data, size, "fuzz.png"));
    if (size < 8 || data[0] != 0x89)
        return 0;
    uint8_t *copy = malloc(size);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    if (fix_crcs(copy, size))
        smp_image_free(fuzz_load(copy, size, "fuzz.png"));
    free(copy);
    return 0;
}
