/*
 * getchar_codes: reads N bytes (the first argument, default 3) with getchar
 * and prints their codes on one line, "getchar_codes: 0x03 0x1d 0x61". The
 * terminal tests type control keys at it: what the guest gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;

    printf("getchar_codes: ready\n");
    printf("getchar_codes:");
    for (int i = 0; i < n; i++)
        printf(" %#04x", (unsigned char)getchar());
    printf("\n");
    return 0;
}
