/*
 * pigment.c - the colour of pigment under skin.  Compositing happens in
 * linear light: sRGB bytes are mapped to 16-bit linear values through a
 * table, filtered by the ink, and mapped back through a second table.
 */
#include <math.h>
#include "pigment.h"

#include <string.h>

/* Charcoal: the middle of the range, used when nothing else is known. */
const uint8_t smp_default_shade[3] = {54, 51, 50};

/*
 * Carbon shades from light to dark, as the colour each would leave on
 * white: the range technicians choose from by complexion and hair colour
 * (DOMAIN.md).  Slightly cool, as carbon looks under skin.
 */
static const struct shade {
    const char *name;
    uint8_t rgb[3];
} shades[] = {
    {"ash-grey", {122, 124, 128}},      /* white or silver hair */
    {"light-grey", {104, 102, 102}},
    {"cool-grey", {92, 94, 100}},       /* grey, salt-and-pepper hair */
    {"medium-grey", {82, 79, 78}},
    {"dark-grey", {66, 63, 62}},
    {"charcoal", {54, 51, 50}},
    {"dark-brown", {58, 46, 40}},       /* warm, for brown hair */
    {"soft-black", {40, 38, 38}},
};

static const char *const shade_names[] = {
    "ash-grey", "light-grey", "cool-grey", "medium-grey", "dark-grey",
    "charcoal", "dark-brown", "soft-black", NULL};

const char *const *smp_shade_names(void) { return shade_names; }

int smp_shade_lookup(const char *name, uint8_t rgb[3])
{
    for (size_t i = 0; i < sizeof shades / sizeof *shades; i++)
        if (strcmp(shades[i].name, name) == 0) {
            memcpy(rgb, shades[i].rgb, 3);
            return 0;
        }
    return -1;
}

const char *smp_shade_name(const uint8_t rgb[3])
{
    for (size_t i = 0; i < sizeof shades / sizeof *shades; i++)
        if (memcmp(shades[i].rgb, rgb, 3) == 0)
            return shades[i].name;
    return NULL;
}

static int luma(const uint8_t c[3])
{
    return (299 * c[0] + 587 * c[1] + 114 * c[2] + 500) / 1000;
}

/*
 * A technician's choice: darker skin needs a darker shade to show at all;
 * light skin never gets the darkest (it reads as blue-black); dark hair
 * pulls the shade one step darker, grey hair to a lighter, cooler grey.
 */
const char *smp_shade_choose(const uint8_t skin[3], const uint8_t *hair,
                             double hair_cover)
{
    int ls = luma(skin);
    const char *pick = ls >= 190 ? "medium-grey" : ls >= 150 ? "dark-grey"
                     : ls >= 110 ? "charcoal" : "soft-black";
    if (hair && hair_cover > 0.03) {
        int lh = luma(hair);
        int mx = hair[0] > hair[1] ? hair[0] : hair[1];
        int mn = hair[0] < hair[1] ? hair[0] : hair[1];
        mx = hair[2] > mx ? hair[2] : mx;
        mn = hair[2] < mn ? hair[2] : mn;
        double sat = mx ? (double)(mx - mn) / mx : 0;
        if (lh >= 150 && sat < 0.25)
            pick = "ash-grey";
        else if (lh >= 95 && sat < 0.3)
            pick = "cool-grey";
        else if (lh < 70 && ls >= 110)
            pick = ls >= 150 ? "charcoal" : "soft-black";
        else if (lh < 110 && hair[0] > hair[2] + 18)
            pick = ls >= 110 ? "dark-brown" : "soft-black";
    }
    return pick;
}

static double srgb_to_linear(double v)
{
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double v)
{
    return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

/* The sRGB byte of 16-bit linear value i. */
static int srgb_byte(long i)
{
    long v = lrint(linear_to_srgb(i / 65535.0) * 255.0);
    return v < 0 ? 0 : v > 255 ? 255 : (int)v;
}

void smp_lut_init(smp_lut *t)
{
    for (int i = 0; i < 256; i++)
        t->s2l[i] = (uint16_t)lrint(srgb_to_linear(i / 255.0) * 65535.0);
    /* l2s is a staircase of 256 steps: the inverse curve finds where each
     * starts to within an entry or two, and srgb_byte settles it, so the
     * table is the same as srgb_byte of every entry, for 1/100 of the
     * work */
    long start = 0;             /* the current step, v - 1, starts here */
    for (int v = 1; v < 256; v++) {
        long i = lrint(srgb_to_linear((v - 0.5) / 255.0) * 65535.0);
        i = i < start ? start : i > 65536 ? 65536 : i;
        while (i > start && srgb_byte(i - 1) >= v)
            i--;
        while (i < 65536 && srgb_byte(i) < v)
            i++;
        memset(t->l2s + start, v - 1, (size_t)(i - start));
        start = i;
    }
    memset(t->l2s + start, 255, (size_t)(65536 - start));
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
