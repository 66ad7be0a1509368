/*
 * fuzz_jpeg.c - libFuzzer harness for the JPEG reader (jpeg_io.c, with the
 * EXIF orientation of exif.c and image.c's rotations) through
 * smp_image_load_mem, and for the writers on whatever it decodes.  The
 * input is also handed to smp_exif_orientation as an APP1 payload, so
 * that seeds which are bare EXIF blocks fuzz libexif's side directly, and
 * to smp_jpeg_probe, whose size (a job plans the dots from it while the
 * photo is decoded) must be the decoded image's.
 */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int o = smp_exif_orientation(data, size);
    FUZZ_CHECK(o >= 1 && o <= 8);
    uint32_t w = 0, h = 0;
    int probed = smp_jpeg_probe(data, size, &w, &h) == 0;
    smp_image *img = fuzz_load(data, size, "fuzz.jpg");
    if (img && img->format == SMP_FORMAT_JPEG) {
        FUZZ_CHECK(probed);
        FUZZ_CHECK(img->width == w && img->height == h);
    }
    smp_image_free(img);
    return 0;
}
