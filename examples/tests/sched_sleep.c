/*
 * sched_sleep: several sleepers wake in order of their wake-up tick, each
 * after at least its ticks; sleep(0) returns 0 at once; sleep of a negative
 * count fails; get_ticks advances and never goes back.
 *
 *   sched_sleep nap N    only sleeps N ticks and prints how many passed
 *                        (the host measures the tick length: --hz).
 */
#define TEST_NAME "sched_sleep"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#include "testlib.h"

#define SLEEPERS 6

static const int naps[SLEEPERS] = { 40, 10, 60, 20, 50, 30 };
static volatile int order[SLEEPERS], woken;
static volatile unsigned int slept[SLEEPERS];

static void *sleeper(void *arg)
{
    int i = (int)arg;
    unsigned int before = get_ticks();

    if (sleep(naps[i]) != 0)
        return (void *)1;
    slept[i] = get_ticks() - before;
    order[__sync_fetch_and_add(&woken, 1)] = i;
    return NULL;
}

static void ticks_advance(void)
{
    unsigned int first = get_ticks(), last = first, now;
    int n;

    for (n = 0; n < 100000000 && last - first < 3; n++) {
        now = get_ticks();
        CHECK(now - last < 1000);          /* never back (no unsigned wrap) */
        last = now;
    }
    if (last - first < 3)
        fail("get_ticks stuck at %u", last);
}

int main(int argc, char **argv)
{
    int tids[SLEEPERS], i;
    unsigned int before;
    void *r;

    if (argc > 2 && strcmp(argv[1], "nap") == 0) {
        before = get_ticks();
        CHECK(sleep(atoi(argv[2])) == 0);
        printf("slept %u ticks\n", get_ticks() - before);
        pass();
    }
    CHECK(sleep(-1) < 0);
    CHECK(sleep(INT_MIN) < 0);
    before = get_ticks();
    CHECK(sleep(0) == 0);
    CHECK(get_ticks() - before <= 1);
    ticks_advance();
    CHECK(thr_init(16 * 1024) == 0);
    for (i = 0; i < SLEEPERS; i++)
        CHECK((tids[i] = thr_create(sleeper, (void *)i)) > 0);
    for (i = 0; i < SLEEPERS; i++) {
        CHECK(thr_join(tids[i], &r) == 0);
        CHECK(r == NULL);
    }
    for (i = 0; i < SLEEPERS; i++) {
        if (slept[i] < (unsigned int)naps[i])
            fail("sleep(%d) returned after %u ticks", naps[i], slept[i]);
        if (i > 0 && naps[order[i]] < naps[order[i - 1]])
            fail("sleep(%d) woke after sleep(%d)", naps[order[i]], naps[order[i - 1]]);
    }
    pass();
}
