/* hello: the first guest. Prints a greeting, then its arguments one a line. */
#include <stdio.h>

int main(int argc, char **argv)
{
    int i;

    printf("Hello from a Pebbles guest!\n");
    printf("argc = %d\n", argc);
    for (i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    return 0;
}
