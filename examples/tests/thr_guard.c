/*
 * thr_guard: a thread that overflows its stack runs into its guard page
 * and is killed, alone: the rest of the task carries on.
 */
#define TEST_NAME "thr_guard"
#include <thread.h>
#include "testlib.h"

static volatile int depth;
static volatile int forever = 1;    /* hides the endless recursion from gcc */

static int dive(int n)
{
    volatile char pad[256];

    pad[0] = (char)n;
    depth = n;
    if (!forever)
        return 0;
    return dive(n + 1) + pad[0];
}

static void *overflow(void *arg)
{
    printf("thr_guard: thread %d recursing without end\n", thr_getid());
    return (void *)dive(0);
}

int main(int argc, char **argv)
{
    int tid, i;

    CHECK(thr_init(8192) == 0);
    CHECK((tid = thr_create(overflow, NULL)) > 0);
    for (i = 0; i < 200 && yield(tid) == 0; i++)   /* < 0 once it is gone */
        sleep(1);
    if (yield(tid) == 0)
        fail("the overflowing thread still runs (depth %d)", depth);
    if (depth < 8192 / 300)
        fail("thread died after only %d frames", depth);
    pass();
}
