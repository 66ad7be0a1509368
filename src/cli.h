/*
 * cli.h - what the smpr command's parts share: render options (set by
 * name, so that `render`, `print` and a batch manifest's columns read them
 * the same way), the interrupt flag and the subcommands.
 */
#ifndef SMP_CLI_H
#define SMP_CLI_H

#include <getopt.h>
#include <signal.h>
#include "smp/smp.h"

#define EXIT_USAGE 2
#define EXIT_CANCEL 130

/* Set by SIGINT/SIGTERM; the library polls it and stops cleanly. */
extern atomic_int cli_interrupted;

typedef struct cli_render {
    smp_job job;
    int nsplit, sessions_given;
} cli_render;

void cli_render_init(cli_render *c);
/* Applies the render option `name` (its long name, without dashes).
 * Returns 0, 1 if `name` is not a render option, or -1 with a one-line
 * reason in msg.  `value` must outlive c. */
int cli_render_set(cli_render *c, const char *name, const char *value,
                   char *msg, size_t size);
/* Checks that need every option; 0 or -1 with msg. */
int cli_render_finish(cli_render *c, char *msg, size_t size);
/* The long options render takes, for getopt_long tables and help: those
 * with a value, and flags (set with any value, e.g. "1"). */
extern const char *const cli_render_names[];
extern const char *const cli_render_flags[];

/* getopt_long's table for a command that takes the render options: every
 * render option, then -o/--output, -q/--quiet and -h/--help.  Returns how
 * many it wrote; the caller appends its own options and the terminator. */
int cli_render_table(struct option *opts);
/* The render option a getopt_long value stands for, or NULL; *value is
 * set to what cli_render_set takes (a flag's "1"). */
const char *cli_render_option(int ch, const char *arg, const char **value);
/* getopt_long's ':' and '?' as usage errors of `cmd`. */
int cli_getopt_error(const char *cmd, int ch, char **argv);
/* The rest of the command line must be exactly one PHOTO: 0, or a usage
 * error's exit code. */
int cli_photo_arg(const char *cmd, int argc, char **argv, const char **photo);

/* One line about what a job found, for the technician to check. */
void cli_report(const char *photo, const smp_job_result *res);

int cmd_render(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cli_usage(const char *cmd, const char *fmt, const char *arg);

#endif
