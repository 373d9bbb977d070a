/*
 * explore_test_then_set: DELIBERATELY BROKEN (a lock that tests and then
 * sets in two instructions). Both threads can see the lock free before
 * either sets it, and both enter. There is no system call or library call
 * between the test and the set: only a data-race preemption point (explore
 * watches the shared accesses of one run and makes the racing instructions
 * points) can put a switch there. explore_test_then_set_ok uses an atomic
 * exchange. The lock guards a plain increment: two holders at once lose one.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_test_then_set"
#endif
#include <thread.h>
#include "testlib.h"

static volatile int held;
static volatile int counter;

static void lock(void)
{
#ifdef CORRECT
    while (__atomic_exchange_n(&held, 1, __ATOMIC_SEQ_CST))
        thr_yield(-1);
#else
    while (held)                      /* BUG: the test... */
        thr_yield(-1);
    held = 1;                         /* ...and the set are two steps */
#endif
}

static void unlock(void)
{
    __atomic_store_n(&held, 0, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    int v;

    lock();
    v = counter;                      /* two holders at once: one increment is lost */
    counter = v + 1;
    unlock();
    return NULL;
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK((tid = thr_create(worker, NULL)) > 0);
    worker(NULL);
    CHECK(thr_join(tid, NULL) == 0);
    if (counter != 2)
        fail("counter is %d, expected 2: two threads held the lock at once", counter);
    pass();
}
