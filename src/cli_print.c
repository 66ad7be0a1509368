/*
 * cli_print.c - `smpr print`: a print-ready PDF mock-up of one case.
 */
#include <stdio.h>
#include "cli.h"

int cmd_print(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smpr: 'print' is not implemented yet\n");
    return EXIT_USAGE;
}
