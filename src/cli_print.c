/*
 * cli_print.c - `smpr print`: a print-ready PDF mock-up of one case.  It
 * takes render's options (cli_options.c) plus the page's own, renders the
 * photo directly (no image files are written) and hands the render to the
 * PDF back-end, print.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"

static const char print_help[] =
"usage: smpr print PHOTO -o FILE.pdf [OPTIONS]\n"
"\n"
"Writes a PDF to hand to the client: the photo before, the final result\n"
"and each session, labelled, with scale bars.  With --scale a second page\n"
"shows the final result (or a detail of it) at true size: 1 mm on paper\n"
"is 1 mm on the scalp, with a 10 mm bar to check with a ruler.\n"
"\n"
"  -o, --output FILE.pdf   the PDF to write\n"
"      --paper a4|letter   paper size (a4)\n"
"      --id TEXT           case id, printed in the header\n"
"      --caption TEXT      a line about the case, printed in the header\n"
"      --date YYYY-MM-DD   date printed and stored in the PDF (default:\n"
"                          today, or the day of $SOURCE_DATE_EPOCH)\n"
"      --format jpeg|png   how images are stored: JPEG (default) or\n"
"                          lossless\n"
"      --quality Q         JPEG quality 1-100 (90)\n"
"  -q, --quiet             no report on stderr\n"
"  -h, --help              this text\n"
"\n"
"Render options, as for 'smpr render' (see 'smpr help render'):\n"
"  --hairline --edge --hairline-shift --feather --density --sessions\n"
"  --split --scale --dot-size --mask --head --front --view --shade --look\n"
"  --infill --scar --seed --dots --max-pixels\n"
"\n"
"The same options, seed and date give a byte-identical PDF.\n";

/* Render options that make other outputs than a print shows. */
static const char *const not_for_print[] = {"years", "ink-shift",
                                            "touch-up", NULL};

/* Today's date, or SOURCE_DATE_EPOCH's (in UTC, as reproducible builds
 * expect); -1 if SOURCE_DATE_EPOCH is not a time. */
static int default_date(char *buf, size_t size)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    struct tm tm;
    time_t t;
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        t = (time_t)v;
        if (*end || errno || v < 0 || !gmtime_r(&t, &tm))
            return -1;
    } else {
        t = time(NULL);
        if (!localtime_r(&t, &tm))
            return -1;
    }
    return strftime(buf, size, "%Y-%m-%d", &tm) ? 0 : -1;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* An output that would replace an input, or NULL. */
static const char *overwrites(const smp_job *job, const char *pdf)
{
    const char *in[3] = {job->photo, job->mask, job->scar};
    const char *out[2] = {pdf, job->dots_csv};
    for (int o = 0; o < 2; o++)
        for (int i = 0; i < 3; i++)
            if (same_file(out[o], in[i]))
                return out[o];
    return NULL;
}

/* A mask or scar mask, which must be the photo's size. */
static smp_status load_mask(const char *path, const char *what,
                            const smp_image *photo,
                            const smp_load_options *lo, smp_image **out,
                            smp_error *e)
{
    *out = NULL;
    if (!path)
        return SMP_OK;
    smp_status st = smp_image_load(path, lo, out, e);
    if (st == SMP_OK && ((*out)->width != photo->width ||
                         (*out)->height != photo->height)) {
        snprintf(e->msg, sizeof e->msg, "%s: %s is %ux%u but the photo is "
                 "%ux%u", path, what, (unsigned)(*out)->width,
                 (unsigned)(*out)->height, (unsigned)photo->width,
                 (unsigned)photo->height);
        e->status = st = SMP_ERR_ARG;
        smp_image_free(*out);
        *out = NULL;
    }
    return st;
}

/* Loads, renders and prints; the message in e on failure. */
static smp_status run(cli_render *c, const smp_print_options *po,
                      const char *pdf, int quiet, smp_error *e)
{
    smp_job *job = &c->job;
    smp_load_options lo = {job->max_pixels};
    smp_image *photo = NULL, *mask = NULL, *scar = NULL;
    smp_render *r = NULL;
    smp_params p = job->params;
    smp_status st;
    if ((st = smp_image_load(job->photo, &lo, &photo, e)) != SMP_OK ||
        (st = load_mask(job->mask, "mask", photo, &lo, &mask, e)) ||
        (st = load_mask(job->scar, "scar mask", photo, &lo, &scar, e)))
        goto done;
    p.mask = mask;
    p.scar = scar;
    if ((st = smp_render_new(photo, &p, &r, e)) != SMP_OK ||
        (st = smp_print_pdf(r, photo, po, pdf, e)) != SMP_OK)
        goto done;
    if (job->dots_csv &&
        (st = smp_dots_save_csv(r, job->dots_csv, e)) != SMP_OK)
        goto done;
    if (!quiet) {
        smp_job_result res;
        memset(&res, 0, sizeof res);
        smp_render_get_info(r, &res.info);
        cli_report(job->photo, &res);
    }
done:
    smp_render_free(r);
    smp_image_free(scar);
    smp_image_free(mask);
    smp_image_free(photo);
    return st;
}

int cmd_print(int argc, char **argv)
{
    enum { PAPER = 1000, ID, CAPTION, DATE };
    struct option opts[64];
    int n = cli_render_table(opts);
    opts[n++] = (struct option){"paper", required_argument, NULL, PAPER};
    opts[n++] = (struct option){"id", required_argument, NULL, ID};
    opts[n++] = (struct option){"caption", required_argument, NULL, CAPTION};
    opts[n++] = (struct option){"date", required_argument, NULL, DATE};
    opts[n] = (struct option){NULL, 0, NULL, 0};

    cli_render c;
    cli_render_init(&c);
    smp_print_options po;
    smp_print_options_default(&po);
    const char *pdf = NULL;
    int quiet = 0, ch;
    char msg[256], today[16];
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        const char *value, *name = cli_render_option(ch, optarg, &value);
        for (int i = 0; name && not_for_print[i]; i++)
            if (!strcmp(name, not_for_print[i]))
                return cli_usage("print", "--%s does not apply to print",
                                 name);
        switch (ch) {
        case 'o': pdf = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(print_help, stdout); return 0;
        case ID: po.id = optarg; break;
        case CAPTION: po.caption = optarg; break;
        case DATE: po.date = optarg; break;
        case PAPER:
            if (!strcmp(optarg, "a4"))
                po.paper = SMP_PAPER_A4;
            else if (!strcmp(optarg, "letter"))
                po.paper = SMP_PAPER_LETTER;
            else
                return cli_usage("print", "--paper takes a4 or letter, not "
                                 "'%s'", optarg);
            break;
        case ':':
        case '?':
            return cli_getopt_error("print", ch, argv);
        default:
            if (cli_render_set(&c, name, value, msg, sizeof msg) != 0)
                return cli_usage("print", "%s", msg);
        }
    }
    int rc = cli_photo_arg("print", argc, argv, &c.job.photo);
    if (rc != 0)
        return rc;
    if (!pdf)
        return cli_usage("print", "%s", "missing -o FILE.pdf");
    if (cli_render_finish(&c, msg, sizeof msg) != 0)
        return cli_usage("print", "%s", msg);
    if (!po.date) {
        if (default_date(today, sizeof today) != 0)
            return cli_usage("print", "SOURCE_DATE_EPOCH '%s' is not a "
                             "time in seconds", getenv("SOURCE_DATE_EPOCH"));
        po.date = today;
    }
    smp_error e = {0};
    if (smp_print_check(&po, &e) != SMP_OK)
        return cli_usage("print", "%s", e.msg);
    po.images = c.job.format == SMP_FORMAT_PNG ? SMP_FORMAT_PNG
                                               : SMP_FORMAT_JPEG;
    po.quality = c.job.quality;
    po.true_size = c.job.params.scale > 0;
    po.cancel = &cli_interrupted;
    c.job.params.cancel = &cli_interrupted;
    if (c.job.dots_csv && !strcmp(c.job.dots_csv, pdf))
        return cli_usage("print", "%s", "--dots and -o name the same file");
    const char *clash = overwrites(&c.job, pdf);
    if (clash) {
        fprintf(stderr, "smpr: %s: output would overwrite an input; choose "
                "another name\n", clash);
        return 1;
    }
    if (run(&c, &po, pdf, quiet, &e) != SMP_OK) {
        fprintf(stderr, "smpr: %s\n", e.msg);
        return e.status == SMP_ERR_CANCELLED ? EXIT_CANCEL : 1;
    }
    return 0;
}
