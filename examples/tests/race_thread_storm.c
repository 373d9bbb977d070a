/*
 * race_thread_storm: WAVES times, the main thread creates PARENTS threads;
 * each creates CHILDREN threads of its own and joins them, then returns a
 * status built from theirs. Children end by returning or by thr_exit, some
 * at once (so the join finds them already gone) and some after a delay (so
 * the join has to wait). Every status is checked, and each child must run
 * exactly once. Stacks are recycled between waves.
 */
#define TEST_NAME "race_thread_storm"
#include <thread.h>
#include "testlib.h"
#include "race_util.h"

#define WAVES 3
#define PARENTS 4
#define CHILDREN 3

static volatile int ran[WAVES][PARENTS][CHILDREN];
static int wave;

static int child_status(int p, int c) { return 1000 + p * 10 + c; }
static int parent_status(int p)
{
    int c, sum = 0;

    for (c = 0; c < CHILDREN; c++)
        sum += child_status(p, c);
    return sum + p;
}

static void *child(void *arg)
{
    int p = (int)arg >> 8, c = (int)arg & 0xff;

    atomic_add(&ran[wave][p][c], 1);
    if (c % 2)
        window(40 + 15 * p);
    if (c == CHILDREN - 1)
        thr_exit((void *)child_status(p, c));
    return (void *)child_status(p, c);
}

static void *parent(void *arg)
{
    int p = (int)arg, c, tids[CHILDREN], sum = 0;
    void *status;

    for (c = 0; c < CHILDREN; c++)
        if ((tids[c] = thr_create(child, (void *)(p << 8 | c))) < 0)
            fail("wave %d: parent %d could not create child %d", wave, p, c);
    window(p * 10);
    for (c = CHILDREN - 1; c >= 0; c--) {
        if (thr_join(tids[c], &status) != 0)
            fail("wave %d: parent %d could not join child %d", wave, p, c);
        if ((int)status != child_status(p, c))
            fail("wave %d: child %d.%d returned %d", wave, p, c, (int)status);
        sum += (int)status;
    }
    return (void *)(sum + p);
}

static void run_wave(void)
{
    int tids[PARENTS], p, c;
    void *status;

    for (p = 0; p < PARENTS; p++)
        CHECK((tids[p] = thr_create(parent, (void *)p)) > 0);
    for (p = 0; p < PARENTS; p++) {
        CHECK(thr_join(tids[p], &status) == 0);
        if ((int)status != parent_status(p))
            fail("wave %d: parent %d returned %d, expected %d", wave, p, (int)status, parent_status(p));
        CHECK(thr_join(tids[p], &status) < 0);          /* already collected */
    }
    for (p = 0; p < PARENTS; p++)
        for (c = 0; c < CHILDREN; c++)
            if (ran[wave][p][c] != 1)
                fail("wave %d: child %d.%d ran %d times", wave, p, c, ran[wave][p][c]);
}

int main(int argc, char **argv)
{
    CHECK(thr_init(4 * 1024) == 0);
    for (wave = 0; wave < WAVES; wave++)
        run_wave();
    pass();
}
