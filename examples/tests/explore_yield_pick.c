/*
 * explore_yield_pick: DELIBERATELY BROKEN (assumes the order in which threads
 * run after a yield). main starts two workers and yields until both have
 * logged themselves; it expects the first one it started to log first. The
 * kernel runs the head of its run queue after a yield (the first worker), so
 * the default interleaving passes; any other thread may run there instead,
 * and `pebblebed explore --max-preemptions 0` finds that with no preemption
 * at all: which thread runs after a yield is a free decision, not a
 * preemption (Explore/README, "Preemption points").
 */
#define TEST_NAME "explore_yield_pick"
#include <thread.h>
#include <mutex.h>
#include <syscall.h>
#include "testlib.h"

static mutex_t m;
static int order[2];                 /* guarded by m */
static int logged;                   /* guarded by m */

static void *worker(void *arg)
{
    mutex_lock(&m);
    order[logged++] = (int)arg;
    mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    int t1, t2, n;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((t1 = thr_create(worker, (void *)1)) > 0);
    CHECK((t2 = thr_create(worker, (void *)2)) > 0);
    do {
        thr_yield(-1);
        mutex_lock(&m);
        n = logged;
        mutex_unlock(&m);
    } while (n < 2);
    CHECK(thr_join(t1, NULL) == 0);
    CHECK(thr_join(t2, NULL) == 0);
    if (order[0] != 1)
        fail("worker %d logged first: the order after a yield is not the creation order", order[0]);
    pass();
}
