/* args: prints argc and every argv[i]; checks argv[argc] is NULL. */
#define TEST_NAME "args"
#include "testlib.h"

int main(int argc, char **argv)
{
    int i;

    printf("argc=%d\n", argc);
    for (i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    CHECK(argc >= 1);
    CHECK(argv[argc] == NULL);
    pass();
}
