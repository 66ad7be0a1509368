/*
 * fuzz_jpeg.c - libFuzzer harness for the JPEG reader (jpeg_io.c, with the
 * EXIF orientation of exif.c and image.c's rotations) through
 * smp_image_load_mem, and for the writers on whatever it decodes.  The
 * input is also handed to smp_exif_orientation as an APP1 payload, so
 * that seeds which are bare EXIF blocks fuzz libexif's side directly.
 */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int o = smp_exif_orientation(data, size);
    FUZZ_CHECK(o >= 1 && o <= 8);
    fuzz_load(data, size, "fuzz.jpg");
    return 0;
}
