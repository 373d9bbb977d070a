/*
 * gdb_first: a Pebbles-style binary whose `main` is the first byte of its text, linked at
 * 0x01000000 (examples/Makefile: this object first, text at 0x01000000, no headers in the
 * text segment), as prebuilt 15-410 binaries are. Under gdb the machine stops before the
 * first instruction, which is main's: a breakpoint there and `continue` must work.
 */
#include <stdio.h>

int count_to(int n);

int main(int argc, char **argv)
{
    int got = count_to(5);

    printf("gdb_first: counted to %d\n", got);
    return 0;
}

int count_to(int n)
{
    int i, c = 0;

    for (i = 0; i < n; i++)
        c++;
    return c;
}
