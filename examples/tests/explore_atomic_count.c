/*
 * explore_atomic_count: DELIBERATELY BROKEN, race_broken_lock in small: a
 * lock that tests its flag and sets it in two steps, so two threads can
 * both see it free. The critical section counts its holders with atomic
 * adds, and nothing else in it is a preemption point: no call, and no data
 * race (the atomic adds order the threads' accesses in every run the race
 * watcher sees). A thread can be switched away inside it only at those
 * atomic instructions, which explore makes points because both threads use
 * their word (RaceDetector.sharedAtomics). The bug takes two preemptions:
 * one thread between its test and its set, the other inside the section.
 * explore_atomic_count_ok takes the lock with an atomic exchange.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_atomic_count"
#endif
#include <thread.h>
#include "testlib.h"

static volatile int held;
static volatile int inside;

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

static void *worker(void *arg)
{
    lock();
    if (__atomic_fetch_add(&inside, 1, __ATOMIC_SEQ_CST) != 0)
        fail("two threads are inside the critical section at once");
    __atomic_fetch_add(&inside, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&held, 0, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK((tid = thr_create(worker, NULL)) > 0);
    worker(NULL);
    CHECK(thr_join(tid, NULL) == 0);
    pass();
}
