/*
 * pigment.c - the colour of pigment under skin.  Compositing happens in
 * linear light: sRGB bytes are mapped to 16-bit linear values through a
 * table, filtered by the ink, and mapped back through a second table.
 */
#include <math.h>
#include "pigment.h"

/* A warm, diluted carbon grey: dark enough to read as stubble on light
 * and medium skin, never ink-black. */
const uint8_t smp_default_shade[3] = {46, 42, 40};

static double srgb_to_linear(double v)
{
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double v)
{
    return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

void smp_lut_init(smp_lut *t)
{
    for (int i = 0; i < 256; i++)
        t->s2l[i] = (uint16_t)lrint(srgb_to_linear(i / 255.0) * 65535.0);
    for (int i = 0; i < 65536; i++) {
        long v = lrint(linear_to_srgb(i / 65535.0) * 255.0);
        t->l2s[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

void smp_ink_init(smp_ink *ink, const uint8_t shade[3], const smp_lut *t)
{
    for (int c = 0; c < 3; c++) {
        /* a shade of pure black would make log(0): keep a trace of light */
        double tr = fmax(t->s2l[shade[c]] / 65535.0, 1e-4);
        double od = log(tr);
        for (int q = 0; q < 256; q++)
            ink->mul[c][q] = (uint32_t)lrint(65536.0 * exp(od * q / 255.0));
    }
}

double smp_session_strength(int k, int n)
{
    /* session 1 is the lightest shade of the range, the last one full;
     * sessions between are spread evenly */
    const double first = 0.72;
    if (n <= 1)
        return 1.0;
    return first + (1.0 - first) * (k - 1) / (n - 1);
}
