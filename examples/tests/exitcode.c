/* exitcode: exits with argv[1] as its status (default 0). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;

    printf("exitcode: exiting with status %d\n", status);
    return status;
}
