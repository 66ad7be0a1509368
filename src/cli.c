/*
 * cli.c - the smpr command: subcommand dispatch, help, messages and exit
 * codes over libsmp.  Exit status: 0 done, 1 a file or image problem, 2 a
 * usage error, 130 interrupted.  Every message is one line on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* set by the signal handler: a lock-free atomic is safe there, and the
 * threads that read it see it */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs a "
               "lock-free flag");
atomic_int cli_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

int cli_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "smpr%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    if (cmd)
        fprintf(stderr, " (see 'smpr help %s')\n", cmd);
    else
        fputs(" (see 'smpr --help')\n", stderr);
    return EXIT_USAGE;
}

int cli_getopt_error(const char *cmd, int ch, char **argv)
{
    if (ch == ':')
        return cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
    return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_photo_arg(const char *cmd, int argc, char **argv, const char **photo)
{
    if (optind >= argc)
        return cli_usage(cmd, "%s", "missing PHOTO");
    if (optind + 1 < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind + 1]);
    *photo = argv[optind];
    return 0;
}

static const char main_help[] =
"usage: smpr COMMAND [OPTIONS]\n"
"\n"
"Renders scalp micropigmentation previews from a client's photo.\n"
"\n"
"commands:\n"
"  render PHOTO -o DIR   one preview per session and a before/after image\n"
"  batch MANIFEST -o DIR render a manifest of cases into a web gallery\n"
"  print PHOTO -o PDF    a print-ready PDF mock-up, true size with --scale\n"
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
"      --density N|auto    dots per cm2 after the last session (100);\n"
"                          auto: match the hair round a patch or scar\n"
"      --sessions N        number of sessions, 1-8 (3)\n"
"      --split P1,P2,...   cumulative % of dots after each session\n"
"                          (3 sessions: 40,75,100)\n"
"      --scale PX_PER_MM   photo scale (default: from a 150 mm head width)\n"
"      --dot-size MM       mean healed dot diameter (0.25)\n"
"      --mask FILE         greyscale image: white full density, black none\n"
"      --head CX,CY,RX,RY  head ellipse in pixels (default: estimated)\n"
"      --front SIDE        side of the forehead: top, bottom, left, right\n"
"      --view top|front    photo taken from above (default) or face-on\n"
"      --shade S[,S...]    pigment: a name (charcoal, dark-grey, ...) or\n"
"                          #RRGGBB, or one per session (default: chosen\n"
"                          from the skin and hair in the photo)\n"
"      --look healed|fresh healed weeks later (default) or right after\n"
"      --years Y[,Y...]    also <stem>-year-Y: the result Y years on\n"
"      --ink-shift         ... with the blue-green cast of wrong pigment\n"
"      --touch-up          ... right after a touch-up at that time\n"
"      --infill            thinning hair: dots only between the hairs\n"
"      --scar FILE         scar mask: white over scar tissue to camouflage\n"
"      --seed N            random seed (1); same seed, same output\n"
"      --dots FILE.csv     also write the dot map\n"
"      --format FMT        png or jpeg (default: the photo's format)\n"
"      --quality Q         JPEG quality 1-100 (90)\n"
"      --max-pixels N      refuse larger photos (100000000)\n"
"  -q, --quiet             no report on stderr\n"
"  -h, --help              this text\n";

static const char *const front_names[] = {"top", "bottom", "left", "right"};

void cli_report(const char *photo, const smp_job_result *res)
{
    const smp_render_info *in = &res->info;
    const smp_head *h = &in->head;
    if (in->closeup)
        fprintf(stderr, "smpr: %s: close-up, all scalp (no backdrop round "
                "a head; give --head to frame one)", photo);
    else
        fprintf(stderr, "smpr: %s: head %.0f,%.0f %.0fx%.0f front %s%s",
                photo, h->cx, h->cy, h->rx, h->ry, front_names[h->front],
                in->head_estimated ? " (estimated)" : "");
    if (in->density_matched)
        fprintf(stderr, "; density %.0f/cm2 (matched to the hair round the "
                "area)", in->density);
    fprintf(stderr, "; scale %.2f px/mm%s; area %.1f cm2; dots", in->scale,
            !in->scale_estimated ? ""
            : in->closeup ? " (estimated for an 80 mm wide close-up; set "
                            "--scale)"
                          : " (estimated from a 150 mm head width; set "
                            "--scale)", in->area_cm2);
    for (int k = 0; k < in->sessions; k++)
        fprintf(stderr, "%s%zu", k ? "/" : " ", in->dots[k]);
    fprintf(stderr, "; shade %s%s#%02x%02x%02x%s", in->shade_name ?
            in->shade_name : "", in->shade_name ? " " : "", in->shade[0], in->shade[1], in->shade[2],
            in->shade_chosen ? " (chosen for this skin and hair; set --shade)"
                             : "");
    fputc('\n', stderr);
}

int cmd_render(int argc, char **argv)
{
    struct option opts[64];
    int n = cli_render_table(opts);
    opts[n] = (struct option){NULL, 0, NULL, 0};

    cli_render c;
    cli_render_init(&c);
    int quiet = 0, ch, rc;
    char msg[256];
    const char *name, *value;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': c.job.outdir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(render_help, stdout); return 0;
        case ':':
        case '?':
            return cli_getopt_error("render", ch, argv);
        default:
            name = cli_render_option(ch, optarg, &value);
            if (cli_render_set(&c, name, value, msg, sizeof msg) != 0)
                return cli_usage("render", "%s", msg);
        }
    }
    if ((rc = cli_photo_arg("render", argc, argv, &c.job.photo)) != 0)
        return rc;
    if (!c.job.outdir)
        return cli_usage("render", "%s", "missing -o OUTDIR");
    if (cli_render_finish(&c, msg, sizeof msg) != 0)
        return cli_usage("render", "%s", msg);

    smp_job_result res;
    smp_error e = {0};
    c.job.params.cancel = &cli_interrupted;
    if (smp_job_run(&c.job, &res, &e) != SMP_OK) {
        fprintf(stderr, "smpr: %s\n", e.msg);
        return e.status == SMP_ERR_CANCELLED ? EXIT_CANCEL : 1;
    }
    if (!quiet)
        cli_report(c.job.photo, &res);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc < 2)
        return cli_usage(NULL, "%s", "missing command");
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
        char *help[] = {argv[2], "--help", NULL};
        if (!strcmp(argv[2], "batch"))
            return cmd_batch(2, help);
        if (!strcmp(argv[2], "print"))
            return cmd_print(2, help);
        return cli_usage(NULL, "unknown command '%s'", argv[2]);
    }
    if (!strcmp(cmd, "render"))
        return cmd_render(argc - 1, argv + 1);
    if (!strcmp(cmd, "batch"))
        return cmd_batch(argc - 1, argv + 1);
    if (!strcmp(cmd, "print"))
        return cmd_print(argc - 1, argv + 1);
    return cli_usage(NULL, "unknown command '%s'", cmd);
}
