/*
 * explore_wake_early: DELIBERATELY BROKEN (a wake-up sent before the flag
 * it is about). The waiter deschedules on `go` once; main calls
 * make_runnable first and only then sets `go` (under a lock, which the
 * waiter never takes). If the waiter deschedules after the make_runnable
 * (which failed: it was not asleep) and before `go = 1`, it sleeps forever
 * and main waits in thr_join forever: a deadlock. In the default
 * interleaving the waiter sleeps first and the make_runnable wakes it.
 * Nothing orders main's store to `go` with the kernel's read of it at the
 * deschedule but the race between them, which race watching sees because it
 * counts that read (RaceDetector.kernelRead): the store becomes a data-race
 * point, and DPOR reorders it with the deschedule. explore_wake_early_ok
 * sets the flag first.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_wake_early"
#endif
#include <thread.h>
#include <mutex.h>
#include <syscall.h>
#include "testlib.h"

static mutex_t m;
static volatile int go;

static void *waiter(void *arg)
{
    deschedule((int *)&go);          /* the kernel reads go: sleeps only if it is 0 */
    return NULL;
}

static void set_go(void)
{
    mutex_lock(&m);
    go = 1;
    mutex_unlock(&m);
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((tid = thr_create(waiter, NULL)) > 0);
#ifdef CORRECT
    set_go();
    make_runnable(tid);              /* fails harmlessly if the waiter is not asleep */
#else
    make_runnable(tid);              /* BUG: the waiter may not be asleep yet... */
    set_go();                        /* ...and then sleeps through this */
#endif
    CHECK(thr_join(tid, NULL) == 0);
    pass();
}
