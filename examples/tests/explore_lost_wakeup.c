/*
 * explore_lost_wakeup: DELIBERATELY BROKEN (textbook lost wake-up around
 * deschedule). The waiter checks `ready` under the lock, releases the lock,
 * and then deschedules on a flag nobody sets. If the signaller sets ready
 * and calls make_runnable between the waiter's unlock and its deschedule,
 * make_runnable fails (the waiter is not asleep yet) and the waiter sleeps
 * forever; main then waits in thr_join forever: a deadlock.
 * `pebblebed explore` finds it with two preemptions (let the waiter run
 * first, then preempt it right before deschedule).
 * explore_lost_wakeup_ok is the correct twin.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_lost_wakeup"
#endif
#include <thread.h>
#include <mutex.h>
#include <syscall.h>
#include "testlib.h"

static mutex_t m;
static volatile int ready;
static volatile int waiter_tid;

static void *waiter(void *arg)
{
#ifndef CORRECT
    int never = 0;
#endif

    mutex_lock(&m);
    while (!ready) {
        mutex_unlock(&m);
#ifdef CORRECT
        deschedule((int *)&ready);   /* the kernel checks ready and sleeps atomically */
#else
        deschedule(&never);          /* BUG: nothing ties the check to the sleep */
#endif
        mutex_lock(&m);
    }
    mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((tid = thr_create(waiter, NULL)) > 0);
    mutex_lock(&m);
    ready = 1;
    mutex_unlock(&m);
    make_runnable(tid);              /* fails harmlessly if the waiter is not asleep */
    CHECK(thr_join(tid, NULL) == 0);
    pass();
}
