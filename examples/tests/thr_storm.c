/*
 * thr_storm: a tree of threads. Each thread below DEPTH creates two
 * children and joins them, returning the size of its subtree, so the root
 * must see 2^(DEPTH+1) - 1. Repeated ROUNDS times (stacks are reused).
 */
#define TEST_NAME "thr_storm"
#include <thread.h>
#include "testlib.h"

#define DEPTH 4
#define ROUNDS 5

static void *node(void *arg)
{
    int depth = (int)arg, left, right;
    void *a, *b;

    if (depth == DEPTH)
        return (void *)1;
    left = thr_create(node, (void *)(depth + 1));
    right = thr_create(node, (void *)(depth + 1));
    if (left < 0 || right < 0)
        fail("thr_create failed at depth %d", depth);
    if (thr_join(left, &a) < 0 || thr_join(right, &b) < 0)
        fail("thr_join failed at depth %d", depth);
    return (void *)((int)a + (int)b + 1);
}

int main(int argc, char **argv)
{
    int r, want = (1 << (DEPTH + 1)) - 1;
    void *got;

    CHECK(thr_init(16 * 1024) == 0);
    for (r = 0; r < ROUNDS; r++) {
        got = node((void *)0);
        if ((int)got != want)
            fail("round %d: the tree counted %d threads, expected %d", r, (int)got, want);
    }
    pass();
}
