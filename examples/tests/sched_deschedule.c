/*
 * sched_deschedule: the deschedule/make_runnable handshake loses no wakeup
 * under preemption. For many rounds a sleeper thread descheduled on a flag
 * races the main thread, which waits a varying time, sets the flag and
 * calls make_runnable: whichever comes first, the sleeper must come back.
 * Also: deschedule with a bad pointer fails, a nonzero flag returns at
 * once, and make_runnable of a running, runnable, sleeping, nonexistent or
 * exited thread is refused.
 *
 *   sched_deschedule [rounds [scale]]   (default 2000 rounds, scale 400:
 *   long spins are up to 1024 * scale iterations; seeded runs, which
 *   single-step, want scale 1)
 */
#define TEST_NAME "sched_deschedule"
#include <stdlib.h>
#include <thread.h>
#include "testlib.h"

static volatile int reject, go_round, done_round;
static int rounds = 2000, scale = 400;

static void *sleeper(void *arg)
{
    int r;

    for (r = 1; r <= rounds; r++) {
        while (go_round != r)
            yield(-1);
        deschedule((int *)&reject);
        done_round = r;
    }
    return NULL;
}

static void *spin_sleeper(void *arg) { sleep(100000); return NULL; }

/* A pseudo-random delay so the flag store lands before and after the
 * sleeper's deschedule: a yield lets it deschedule first, a long spin may
 * be preempted anywhere, a short one usually is not. */
static void delay(unsigned int *seed)
{
    volatile int i;
    int n;

    *seed = *seed * 1103515245 + 12345;
    n = (*seed >> 16) % 1024;
    if (n < 256) {
        yield(-1);
        return;
    }
    n = n < 768 ? n : n * scale;
    for (i = 0; i < n; i++)
        ;
}

static void handshake(int tid)
{
    unsigned int seed = 1, start;
    int r, woke = 0, early = 0;

    for (r = 1; r <= rounds; r++) {
        reject = 0;
        go_round = r;
        delay(&seed);
        reject = 1;
        if (make_runnable(tid) == 0) woke++; else early++;
        start = get_ticks();
        while (done_round != r) {
            if (get_ticks() - start > 500)
                fail("lost wakeup in round %d (%d woken, %d early)", r, woke, early);
            yield(tid);
        }
    }
    printf("%d rounds: %d woken by make_runnable, %d returned early\n", rounds, woke, early);
}

static void errors(void)
{
    int one = 1, s;

    CHECK(deschedule(&one) == 0);
    CHECK(deschedule((int *)0x00800000) < 0);
    CHECK(deschedule((int *)0x40000000) < 0);
    CHECK(deschedule((int *)0xFFFFFFFE) < 0);
    CHECK(make_runnable(gettid()) < 0);        /* running */
    CHECK(make_runnable(-1) < 0);
    CHECK(make_runnable(0) < 0);
    CHECK(make_runnable(gettid() + 100000) < 0);
    CHECK((s = thr_create(spin_sleeper, NULL)) > 0);
    CHECK(make_runnable(s) < 0);               /* runnable, not descheduled */
    while (yield(s) == 0)
        ;
    CHECK(make_runnable(s) < 0);               /* asleep, not descheduled */
}

int main(int argc, char **argv)
{
    int tid;

    if (argc > 1)
        rounds = atoi(argv[1]);
    if (argc > 2)
        scale = atoi(argv[2]);
    CHECK(thr_init(16 * 1024) == 0);
    errors();
    CHECK((tid = thr_create(sleeper, NULL)) > 0);
    handshake(tid);
    CHECK(thr_join(tid, NULL) == 0);
    CHECK(make_runnable(tid) < 0);             /* exited */
    pass();
}
