/*
 * cli_options.c - render options by name.  `smpr render` feeds them from
 * getopt_long, `smpr print` the same way, and a batch manifest from its
 * columns, so every front end accepts the same names, values and limits.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

const char *const cli_render_names[] = {
    "hairline", "edge", "hairline-shift", "feather", "density", "sessions",
    "split", "scale", "dot-size", "mask", "head", "front", "view", "seed",
    "dots", "format", "quality", "max-pixels", "shade", "look", "years",
    "scar", NULL};

/* Render options that take no value (flags). */
const char *const cli_render_flags[] = {"infill", "ink-shift", "touch-up",
                                        NULL};

int cli_render_table(struct option *opts)
{
    int n = 0;
    for (int i = 0; cli_render_names[i]; i++)
        opts[n++] = (struct option){cli_render_names[i], required_argument,
                                    NULL, 256 + i};
    for (int i = 0; cli_render_flags[i]; i++)
        opts[n++] = (struct option){cli_render_flags[i], no_argument, NULL,
                                    512 + i};
    opts[n++] = (struct option){"output", required_argument, NULL, 'o'};
    opts[n++] = (struct option){"quiet", no_argument, NULL, 'q'};
    opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    return n;
}

const char *cli_render_option(int ch, const char *arg, const char **value)
{
    static const int nnames = sizeof cli_render_names / sizeof *cli_render_names - 1;
    static const int nflags = sizeof cli_render_flags / sizeof *cli_render_flags - 1;
    if (ch >= 256 && ch < 256 + nnames) {
        *value = arg;
        return cli_render_names[ch - 256];
    }
    if (ch >= 512 && ch < 512 + nflags) {
        *value = "1";
        return cli_render_flags[ch - 512];
    }
    return NULL;
}

void cli_render_init(cli_render *c)
{
    memset(c, 0, sizeof *c);
    smp_job_default(&c->job);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

/* "a,b,c" into at most max numbers; returns the count or -1. */
static int parse_list(const char *s, double *v, int max)
{
    int n = 0;
    while (*s) {
        char *end;
        if (n == max)
            return -1;
        errno = 0;
        v[n] = strtod(s, &end);
        if (end == s || errno || !isfinite(v[n]) || (*end && *end != ','))
            return -1;
        n++;
        s = *end ? end + 1 : end;
        if (*end && !*s)
            return -1;          /* a trailing comma */
    }
    return n;
}

static int pick(const char *value, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

#define BAD(...) (snprintf(msg, size, __VA_ARGS__), -1)

int cli_render_set(cli_render *c, const char *name, const char *value,
                   char *msg, size_t size)
{
    static const char *const edges[] = {"sharp", "soft", "feathered"};
    static const char *const fronts[] = {"top", "bottom", "left", "right"};
    static const char *const views[] = {"top", "front"};
    smp_params *p = &c->job.params;
    double v[SMP_MAX_SESSIONS];
    uint64_t u;
    int i;
    if (!strcmp(name, "hairline")) {
        const char *const *h = smp_hairline_names();
        while (*h && strcmp(*h, value))
            h++;
        if (!*h)
            return BAD("unknown hairline '%s'", value);
        p->hairline = value;
    } else if (!strcmp(name, "edge")) {
        if ((i = pick(value, edges, 3)) < 0)
            return BAD("--edge takes sharp, soft or feathered, not '%s'",
                       value);
        p->edge = (smp_edge)(SMP_EDGE_SHARP + i);
    } else if (!strcmp(name, "front")) {
        if ((i = pick(value, fronts, 4)) < 0)
            return BAD("--front takes top, bottom, left or right, not '%s'",
                       value);
        p->head.front = (smp_front)i;
        p->has_front = 1;
    } else if (!strcmp(name, "view")) {
        if ((i = pick(value, views, 2)) < 0)
            return BAD("--view takes top or front, not '%s'", value);
        p->view = (smp_view)i;
    } else if (!strcmp(name, "hairline-shift")) {
        if (parse_double(value, &p->hairline_shift_mm) ||
            fabs(p->hairline_shift_mm) > 200)
            return BAD("bad --hairline-shift '%s' (mm, -200 to 200)", value);
    } else if (!strcmp(name, "feather")) {
        if (parse_double(value, &p->feather_mm) ||
            !(p->feather_mm > 0 && p->feather_mm <= 100))
            return BAD("bad --feather '%s' (mm, 0-100)", value);
    } else if (!strcmp(name, "density")) {
        if (!strcmp(value, "auto"))
            p->density = 0;     /* match the hair round the area */
        else if (parse_double(value, &p->density) ||
            !(p->density >= 1 && p->density <= 2000))
            return BAD("bad --density '%s' (dots per cm2, 1-2000, or auto)",
                       value);
    } else if (!strcmp(name, "sessions")) {
        if (parse_u64(value, &u) || u < 1 || u > SMP_MAX_SESSIONS)
            return BAD("bad --sessions '%s' (1-%d)", value, SMP_MAX_SESSIONS);
        p->sessions = (int)u;
        c->sessions_given = 1;
    } else if (!strcmp(name, "split")) {
        int n = parse_list(value, v, SMP_MAX_SESSIONS);
        if (n < 1)
            return BAD("bad --split '%s' (percentages like 40,75,100)", value);
        memset(p->split, 0, sizeof p->split);
        for (int k = 0; k < n; k++)
            p->split[k] = v[k] / 100.0;
        c->nsplit = n;
    } else if (!strcmp(name, "scale")) {
        if (parse_double(value, &p->scale) ||
            !(p->scale >= 0.5 && p->scale <= 1000))
            return BAD("bad --scale '%s' (px per mm, 0.5-1000)", value);
    } else if (!strcmp(name, "dot-size")) {
        if (parse_double(value, &p->dot_mm) ||
            !(p->dot_mm >= 0.02 && p->dot_mm <= 3))
            return BAD("bad --dot-size '%s' (mm, 0.02-3)", value);
    } else if (!strcmp(name, "head")) {
        if (parse_list(value, v, 4) != 4 || !(v[2] >= 1 && v[3] >= 1))
            return BAD("bad --head '%s' (CX,CY,RX,RY in pixels)", value);
        p->head.cx = v[0];
        p->head.cy = v[1];
        p->head.rx = v[2];
        p->head.ry = v[3];
        p->has_head = 1;
    } else if (!strcmp(name, "seed")) {
        if (parse_u64(value, &p->seed))
            return BAD("bad --seed '%s' (a whole number)", value);
    } else if (!strcmp(name, "format")) {
        if (!strcmp(value, "png"))
            c->job.format = SMP_FORMAT_PNG;
        else if (!strcmp(value, "jpeg") || !strcmp(value, "jpg"))
            c->job.format = SMP_FORMAT_JPEG;
        else
            return BAD("--format takes png or jpeg, not '%s'", value);
    } else if (!strcmp(name, "quality")) {
        if (parse_u64(value, &u) || u < 1 || u > 100)
            return BAD("bad --quality '%s' (1-100)", value);
        c->job.quality = (int)u;
    } else if (!strcmp(name, "max-pixels")) {
        if (parse_u64(value, &c->job.max_pixels) || c->job.max_pixels == 0)
            return BAD("bad --max-pixels '%s'", value);
    } else if (!strcmp(name, "shade")) {
        /* NAME or #RRGGBB, or one per session separated by commas */
        char buf[256];
        if (strlen(value) >= sizeof buf)
            return BAD("bad --shade '%s'", value);
        strcpy(buf, value);
        int n = 0;
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            unsigned r, g, b;
            char tail;
            if (n == SMP_MAX_SESSIONS)
                return BAD("bad --shade '%s': too many shades", value);
            if (smp_shade_lookup(t, p->shade[n]) == 0) {
                n++;
                continue;
            }
            if (t[0] != '#' || strlen(t) != 7 ||
                sscanf(t + 1, "%2x%2x%2x%c", &r, &g, &b, &tail) != 3)
                return BAD("bad --shade '%s' (a name like charcoal, or "
                           "#RRGGBB)", t);
            p->shade[n][0] = (uint8_t)r;
            p->shade[n][1] = (uint8_t)g;
            p->shade[n][2] = (uint8_t)b;
            n++;
        }
        if (n == 0)
            return BAD("bad --shade '%s'", value);
        p->shades = n;
    } else if (!strcmp(name, "look")) {
        if (!strcmp(value, "healed"))
            p->look = SMP_LOOK_HEALED;
        else if (!strcmp(value, "fresh"))
            p->look = SMP_LOOK_FRESH;
        else
            return BAD("--look takes healed or fresh, not '%s'", value);
    } else if (!strcmp(name, "years")) {
        int n = parse_list(value, v, SMP_MAX_SESSIONS);
        if (n < 1)
            return BAD("bad --years '%s' (like 1,5,10)", value);
        for (int k = 0; k < n; k++)
            if (!(v[k] >= 0 && v[k] <= 50))
                return BAD("bad --years '%s' (0-50)", value);
        memcpy(c->job.years, v, n * sizeof *v);
        c->job.nyears = n;
    } else if (!strcmp(name, "scar")) {
        c->job.scar = value;
    } else if (!strcmp(name, "infill")) {
        p->infill = 1;
    } else if (!strcmp(name, "ink-shift")) {
        c->job.ink_shift = 1;
    } else if (!strcmp(name, "touch-up")) {
        c->job.touch_up = 1;
    } else if (!strcmp(name, "mask")) {
        c->job.mask = value;
    } else if (!strcmp(name, "dots")) {
        c->job.dots_csv = value;
    } else {
        return 1;
    }
    return 0;
}

int cli_render_finish(cli_render *c, char *msg, size_t size)
{
    int shades = c->job.params.shades;
    if (c->nsplit && c->nsplit != c->job.params.sessions) {
        /* --split alone sets the number of sessions */
        if (c->sessions_given)
            return BAD("--split needs one value per session (%d)",
                       c->job.params.sessions);
        c->job.params.sessions = c->nsplit;
    }
    if (shades > 1 && shades != c->job.params.sessions)
        return BAD("--shade needs one shade, or one per session (%d)",
                   c->job.params.sessions);
    if ((c->job.ink_shift || c->job.touch_up) && !c->job.nyears)
        return BAD("%s", "--ink-shift and --touch-up need --years");
    return 0;
}
