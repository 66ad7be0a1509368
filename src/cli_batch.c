/*
 * cli_batch.c - `smpr batch`: a manifest of cases rendered into a gallery.
 */
#include <stdio.h>
#include "cli.h"

int cmd_batch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smpr: 'batch' is not implemented yet\n");
    return EXIT_USAGE;
}
