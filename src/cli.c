/*
 * cli.c - the smpr command: argument parsing, messages and exit codes over
 * libsmp.  Exit status: 0 done, 1 a file or image problem, 2 a usage
 * error, 130 interrupted.  Every message is one line on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "smp/smp.h"

#define EXIT_USAGE 2
#define EXIT_CANCEL 130

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "smpr%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    if (cmd)
        fprintf(stderr, " (see 'smpr help %s')\n", cmd);
    else
        fputs(" (see 'smpr --help')\n", stderr);
    return EXIT_USAGE;
}

static const char main_help[] =
"usage: smpr COMMAND [OPTIONS]\n"
"\n"
"Renders scalp micropigmentation previews from a client's photo.\n"
"\n"
"commands:\n"
"  render PHOTO -o DIR   one preview per session and a before/after image\n"
"  batch MANIFEST -o DIR render a gallery of cases (not implemented yet)\n"
"  print PHOTO -o PDF    a print-ready mock-up (not implemented yet)\n"
"  help [COMMAND]        this text, or a command's options\n"
"\n"
"options: -h, --help   --version\n"
"\n"
"'smpr help render' lists the rendering options.\n";

static const char render_help[] =
"usage: smpr render PHOTO -o OUTDIR [OPTIONS]\n"
"\n"
"Writes OUTDIR/<stem>-session-1.<ext> ... <stem>-session-N.<ext> and\n"
"OUTDIR/<stem>-before-after.<ext> (ext png or jpg).\n"
"\n"
"  -o, --output DIR        output folder (created if missing)\n"
"      --hairline NAME     feathered (default), sharp, receding,\n"
"                          widows-peak, straight, rounded, none\n"
"      --edge KIND         sharp, soft or feathered (default: the preset's)\n"
"      --hairline-shift MM move the hairline forward (+) or back (-)\n"
"      --feather MM        width of a soft or feathered edge\n"
"      --density N         dots per cm2 after the last session (100)\n"
"      --sessions N        number of sessions, 1-8 (3)\n"
"      --split P1,P2,...   cumulative % of dots after each session\n"
"                          (3 sessions: 40,75,100)\n"
"      --scale PX_PER_MM   photo scale (default: from a 150 mm head width)\n"
"      --dot-size MM       mean healed dot diameter (0.25)\n"
"      --mask FILE         greyscale image: white full density, black none\n"
"      --head CX,CY,RX,RY  head ellipse in pixels (default: estimated)\n"
"      --front SIDE        side of the forehead: top, bottom, left, right\n"
"      --view top|front    photo taken from above (default) or face-on\n"
"      --seed N            random seed (1); same seed, same output\n"
"      --dots FILE.csv     also write the dot map\n"
"      --format FMT        png or jpeg (default: the photo's format)\n"
"      --quality Q         JPEG quality 1-100 (90)\n"
"      --max-pixels N      refuse larger photos (100000000)\n"
"  -q, --quiet             no report on stderr\n"
"  -h, --help              this text\n";

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
    if (*s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

/* "a,b,c" into at most max numbers; returns the count or -1. */
static int parse_list(const char *s, double *v, int max)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max || parse_double(t, &v[n]) != 0)
            return -1;
        n++;
    }
    return n;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The photo's name without folder and extension. */
static void stem_of(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", base_name(path));
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    if (strlen(dir) >= sizeof buf)
        return -1;
    strcpy(buf, dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* An output must never replace the photo (or the mask) it was made from. */
static int same_file(const char *a, const struct stat *sb)
{
    struct stat sa;
    return stat(a, &sa) == 0 && sa.st_dev == sb->st_dev &&
           sa.st_ino == sb->st_ino;
}

enum {
    OPT_HAIRLINE = 256, OPT_EDGE, OPT_SHIFT, OPT_FEATHER, OPT_DENSITY,
    OPT_SESSIONS, OPT_SPLIT, OPT_SCALE, OPT_DOTSIZE, OPT_MASK, OPT_HEAD,
    OPT_FRONT, OPT_VIEW, OPT_SEED, OPT_DOTS, OPT_FORMAT, OPT_QUALITY, OPT_MAXPIX
};

static const struct option render_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"hairline", required_argument, NULL, OPT_HAIRLINE},
    {"edge", required_argument, NULL, OPT_EDGE},
    {"hairline-shift", required_argument, NULL, OPT_SHIFT},
    {"feather", required_argument, NULL, OPT_FEATHER},
    {"density", required_argument, NULL, OPT_DENSITY},
    {"sessions", required_argument, NULL, OPT_SESSIONS},
    {"split", required_argument, NULL, OPT_SPLIT},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"dot-size", required_argument, NULL, OPT_DOTSIZE},
    {"mask", required_argument, NULL, OPT_MASK},
    {"head", required_argument, NULL, OPT_HEAD},
    {"front", required_argument, NULL, OPT_FRONT},
    {"view", required_argument, NULL, OPT_VIEW},
    {"seed", required_argument, NULL, OPT_SEED},
    {"dots", required_argument, NULL, OPT_DOTS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"quality", required_argument, NULL, OPT_QUALITY},
    {"max-pixels", required_argument, NULL, OPT_MAXPIX},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

typedef struct render_args {
    const char *photo, *outdir, *mask_path, *dots_path;
    smp_params p;
    int nsplit, sessions_given;
    smp_format format;
    int quality, quiet;
    uint64_t max_pixels;
} render_args;

/* Fills `a` from the command line; returns -1 to go on, else an exit code. */
static int parse_render(int argc, char **argv, render_args *a)
{
    static const char *const edges[] = {"sharp", "soft", "feathered"};
    static const char *const fronts[] = {"top", "bottom", "left", "right"};
    const char *cmd = "render";
    double v[SMP_MAX_SESSIONS];
    uint64_t u;
    int c, n;
    memset(a, 0, sizeof *a);
    smp_params_default(&a->p);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qh", render_opts, NULL)) != -1) {
        switch (c) {
        case 'o': a->outdir = optarg; break;
        case 'q': a->quiet = 1; break;
        case 'h': fputs(render_help, stdout); return 0;
        case OPT_HAIRLINE: {
            const char *const *names = smp_hairline_names();
            while (*names && strcmp(*names, optarg))
                names++;
            if (!*names)
                return usage_error(cmd, "unknown hairline '%s'", optarg);
            a->p.hairline = optarg;
            break;
        }
        case OPT_EDGE:
            for (n = 0; n < 3 && strcmp(edges[n], optarg); n++)
                ;
            if (n == 3)
                return usage_error(cmd, "--edge takes sharp, soft or "
                                   "feathered, not '%s'", optarg);
            a->p.edge = (smp_edge)(SMP_EDGE_SHARP + n);
            break;
        case OPT_FRONT:
            for (n = 0; n < 4 && strcmp(fronts[n], optarg); n++)
                ;
            if (n == 4)
                return usage_error(cmd, "--front takes top, bottom, left or "
                                   "right, not '%s'", optarg);
            a->p.head.front = (smp_front)n;
            a->p.has_front = 1;
            break;
        case OPT_VIEW:
            if (strcmp(optarg, "top") == 0)
                a->p.view = SMP_VIEW_TOP;
            else if (strcmp(optarg, "front") == 0)
                a->p.view = SMP_VIEW_FRONT;
            else
                return usage_error(cmd, "--view takes top or front, not "
                                   "'%s'", optarg);
            break;
        case OPT_SHIFT:
            if (parse_double(optarg, &a->p.hairline_shift_mm) ||
                fabs(a->p.hairline_shift_mm) > 200)
                return usage_error(cmd, "bad --hairline-shift '%s' (mm)",
                                   optarg);
            break;
        case OPT_FEATHER:
            if (parse_double(optarg, &a->p.feather_mm) ||
                !(a->p.feather_mm > 0 && a->p.feather_mm <= 100))
                return usage_error(cmd, "bad --feather '%s' (mm, 0-100)",
                                   optarg);
            break;
        case OPT_DENSITY:
            if (parse_double(optarg, &a->p.density) ||
                !(a->p.density >= 1 && a->p.density <= 2000))
                return usage_error(cmd, "bad --density '%s' (dots per cm2, "
                                   "1-2000)", optarg);
            break;
        case OPT_SESSIONS:
            if (parse_u64(optarg, &u) || u < 1 || u > SMP_MAX_SESSIONS)
                return usage_error(cmd, "bad --sessions '%s' (1-8)", optarg);
            a->p.sessions = (int)u;
            a->sessions_given = 1;
            break;
        case OPT_SPLIT:
            n = parse_list(optarg, v, SMP_MAX_SESSIONS);
            if (n < 1)
                return usage_error(cmd, "bad --split '%s' (percentages "
                                   "like 40,75,100)", optarg);
            for (int k = 0; k < n; k++)
                a->p.split[k] = v[k] / 100.0;
            a->nsplit = n;
            break;
        case OPT_SCALE:
            if (parse_double(optarg, &a->p.scale) ||
                !(a->p.scale >= 0.5 && a->p.scale <= 1000))
                return usage_error(cmd, "bad --scale '%s' (px per mm, "
                                   "0.5-1000)", optarg);
            break;
        case OPT_DOTSIZE:
            if (parse_double(optarg, &a->p.dot_mm) ||
                !(a->p.dot_mm >= 0.02 && a->p.dot_mm <= 3))
                return usage_error(cmd, "bad --dot-size '%s' (mm, 0.02-3)",
                                   optarg);
            break;
        case OPT_MASK: a->mask_path = optarg; break;
        case OPT_DOTS: a->dots_path = optarg; break;
        case OPT_HEAD:
            if (parse_list(optarg, v, 4) != 4 || !(v[2] >= 1 && v[3] >= 1))
                return usage_error(cmd, "bad --head '%s' (CX,CY,RX,RY in "
                                   "pixels)", optarg);
            a->p.head.cx = v[0];
            a->p.head.cy = v[1];
            a->p.head.rx = v[2];
            a->p.head.ry = v[3];
            a->p.has_head = 1;
            break;
        case OPT_SEED:
            if (parse_u64(optarg, &a->p.seed))
                return usage_error(cmd, "bad --seed '%s' (a whole number)",
                                   optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "png") == 0)
                a->format = SMP_FORMAT_PNG;
            else if (strcmp(optarg, "jpeg") == 0 || strcmp(optarg, "jpg") == 0)
                a->format = SMP_FORMAT_JPEG;
            else
                return usage_error(cmd, "--format takes png or jpeg, not "
                                   "'%s'", optarg);
            break;
        case OPT_QUALITY:
            if (parse_u64(optarg, &u) || u < 1 || u > 100)
                return usage_error(cmd, "bad --quality '%s' (1-100)", optarg);
            a->quality = (int)u;
            break;
        case OPT_MAXPIX:
            if (parse_u64(optarg, &a->max_pixels) || a->max_pixels == 0)
                return usage_error(cmd, "bad --max-pixels '%s'", optarg);
            break;
        case ':':
            return usage_error(cmd, "option '%s' needs a value",
                               argv[optind - 1]);
        default:
            return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "%s", "missing PHOTO");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    a->photo = argv[optind];
    if (!a->outdir)
        return usage_error(cmd, "%s", "missing -o OUTDIR");
    if (a->nsplit && a->nsplit != a->p.sessions) {
        /* --split alone sets the number of sessions */
        if (a->sessions_given)
            return usage_error(cmd, "%s", "--split needs one value per "
                               "session");
        a->p.sessions = a->nsplit;
    }
    return -1;
}

static int fail(const smp_error *e)
{
    fprintf(stderr, "smpr: %s\n", e->msg);
    return e->status == SMP_ERR_CANCELLED ? EXIT_CANCEL : 1;
}

static const char *front_name(smp_front f)
{
    static const char *const n[] = {"top", "bottom", "left", "right"};
    return n[f];
}

static int cmd_render(int argc, char **argv)
{
    render_args a;
    int rc = parse_render(argc, argv, &a);
    if (rc >= 0)
        return rc;
    smp_error e = {0};
    smp_image *photo = NULL, *mask = NULL, *ba = NULL;
    smp_render *r = NULL;
    char *path = NULL;
    smp_load_options lo = {a.max_pixels};
    struct stat in_st, mask_st;
    rc = 1;

    if (smp_image_load(a.photo, &lo, &photo, &e) != SMP_OK)
        goto done;
    stat(a.photo, &in_st);
    if (a.mask_path) {
        if (smp_image_load(a.mask_path, &lo, &mask, &e) != SMP_OK)
            goto done;
        stat(a.mask_path, &mask_st);
        if (mask->width != photo->width || mask->height != photo->height) {
            fprintf(stderr, "smpr: %s: mask is %ux%u but the photo is "
                    "%ux%u\n", a.mask_path, (unsigned)mask->width,
                    (unsigned)mask->height, (unsigned)photo->width,
                    (unsigned)photo->height);
            goto done;
        }
        a.p.mask = mask;
    }
    smp_format fmt = a.format ? a.format : photo->format;
    const char *ext = fmt == SMP_FORMAT_JPEG ? "jpg" : "png";
    char stem[256];
    stem_of(a.photo, stem, sizeof stem);
    size_t plen = strlen(a.outdir) + strlen(stem) + 64;
    if (!(path = malloc(plen))) {
        fprintf(stderr, "smpr: out of memory\n");
        goto done;
    }
    if (mkdirs(a.outdir) != 0) {
        fprintf(stderr, "smpr: %s: cannot create folder: %s\n", a.outdir,
                strerror(errno));
        goto done;
    }
    /* refuse before writing anything if an output would replace an input */
    for (int k = 0; k <= a.p.sessions + 1; k++) {
        if (k == 0)
            snprintf(path, plen, "%s/%s-before-after.%s", a.outdir, stem, ext);
        else if (k <= a.p.sessions)
            snprintf(path, plen, "%s/%s-session-%d.%s", a.outdir, stem, k, ext);
        else if (a.dots_path)
            snprintf(path, plen, "%s", a.dots_path);
        else
            break;
        if (same_file(path, &in_st) || (mask && same_file(path, &mask_st))) {
            fprintf(stderr, "smpr: %s: output would overwrite an input; "
                    "choose another -o\n", path);
            goto done;
        }
    }

    a.p.cancel = &interrupted;
    if (smp_render_new(photo, &a.p, &r, &e) != SMP_OK)
        goto done;
    smp_render_info info;
    smp_render_get_info(r, &info);
    if (!a.quiet) {
        const smp_head *h = &info.head;
        fprintf(stderr, "smpr: %s: head %.0f,%.0f %.0fx%.0f front %s%s; "
                "scale %.2f px/mm%s; area %.1f cm2; dots", a.photo, h->cx,
                h->cy, h->rx, h->ry, front_name(h->front),
                info.head_estimated ? " (estimated)" : "", info.scale,
                info.scale_estimated ? " (estimated from a 150 mm head "
                "width; set --scale)" : "", info.area_cm2);
        for (int k = 0; k < info.sessions; k++)
            fprintf(stderr, "%s%zu", k ? "/" : " ", info.dots[k]);
        fputc('\n', stderr);
    }
    smp_save_options so = {fmt, a.quality, &interrupted};
    const smp_image *prev = NULL;
    for (int k = 1; k <= info.sessions; k++) {
        if (smp_render_session(r, k, &prev, &e) != SMP_OK)
            goto done;
        snprintf(path, plen, "%s/%s-session-%d.%s", a.outdir, stem, k, ext);
        if (smp_image_save(prev, path, &so, &e) != SMP_OK)
            goto done;
    }
    if (smp_compose_before_after(photo, prev, info.sessions, &ba, &e) != SMP_OK)
        goto done;
    snprintf(path, plen, "%s/%s-before-after.%s", a.outdir, stem, ext);
    if (smp_image_save(ba, path, &so, &e) != SMP_OK)
        goto done;
    if (a.dots_path && smp_dots_save_csv(r, a.dots_path, &e) != SMP_OK)
        goto done;
    rc = 0;
done:
    if (e.status != SMP_OK)
        rc = fail(&e);
    else if (rc && interrupted)
        rc = EXIT_CANCEL;
    free(path);
    smp_image_free(ba);
    smp_render_free(r);
    smp_image_free(mask);
    smp_image_free(photo);
    return rc;
}

static int not_yet(const char *cmd)
{
    fprintf(stderr, "smpr: '%s' is not implemented yet\n", cmd);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc < 2)
        return usage_error(NULL, "%s", "missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(main_help, stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("smpr %s\n", SMP_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        if (argc == 2) {
            fputs(main_help, stdout);
            return 0;
        }
        if (!strcmp(argv[2], "render")) {
            fputs(render_help, stdout);
            return 0;
        }
        if (!strcmp(argv[2], "batch") || !strcmp(argv[2], "print"))
            return not_yet(argv[2]);
        return usage_error(NULL, "unknown command '%s'", argv[2]);
    }
    if (!strcmp(cmd, "render"))
        return cmd_render(argc - 1, argv + 1);
    if (!strcmp(cmd, "batch") || !strcmp(cmd, "print"))
        return not_yet(cmd);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
