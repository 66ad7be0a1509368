/*
 * exif.c - the one EXIF fact smpr uses: the orientation a camera recorded
 * for the photo, read with libexif from a JPEG APP1 payload.  Everything
 * else in EXIF (camera, GPS, thumbnail) is ignored and never written out.
 */
#include <limits.h>
#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>
#include "internal.h"

int smp_exif_orientation(const uint8_t *app1, size_t size)
{
    if (!app1 || size < 6 || size > UINT_MAX)
        return 1;
    ExifData *ed = exif_data_new();
    if (!ed)
        return 1;
    /* "Following the specification" makes libexif add and drop entries to
     * suit the standard; we only read, so take the data as it is. */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, app1, (unsigned int)size);

    int o = 1;
    /* Only IFD0 describes the main image: an Orientation in IFD1 belongs
     * to the thumbnail, so exif_data_get_entry()'s search of every IFD
     * would be wrong here. */
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0],
                                          EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 &&
        e->data && e->size >= 2) {
        /* the TIFF header's "II"/"MM" decides how the value is stored */
        ExifShort v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            o = v;
    }
    exif_data_unref(ed);
    return o;
}
