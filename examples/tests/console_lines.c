/*
 * console_lines: prints "console_lines: line N of M" for N = 1..M (M is the
 * first argument, 60 by default) and exits 0. More lines than the 80x25
 * console holds: the terminal tests page back to the first one through the
 * console's scrollback.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int lines = argc > 1 ? atoi(argv[1]) : 60;

    for (int n = 1; n <= lines; n++)
        printf("console_lines: line %d of %d\n", n, lines);
    return 0;
}
