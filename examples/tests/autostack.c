/*
 * autostack: the first thread's stack grows on demand: a deep recursion
 * and a large local array, both far beyond the few pages mapped at exec.
 */
#define TEST_NAME "autostack"
#include <string.h>
#include "testlib.h"

#define DEPTH 20000         /* about 1.3 MB of frames */

static int recurse(int n)
{
    volatile char pad[48];

    pad[0] = (char)n;
    if (n == 0)
        return 0;
    return recurse(n - 1) + 1 + (pad[0] - (char)n);
}

static int big_array(void)
{
    volatile char big[512 * 1024];
    int i, sum = 0;

    for (i = (int)sizeof(big) - 1; i >= 0; i -= 4096)   /* top down, as the stack grows */
        big[i] = 1;
    for (i = (int)sizeof(big) - 1; i >= 0; i -= 4096)
        sum += big[i];
    return sum;
}

int main(int argc, char **argv)
{
    int depth = recurse(DEPTH);

    if (depth != DEPTH)
        fail("recursion returned %d, expected %d", depth, DEPTH);
    if (big_array() != 512 * 1024 / 4096)
        fail("large stack array lost writes");
    pass();
}
