/*
 * explore_hidden_race: DELIBERATELY BROKEN (a race the default interleaving
 * hides). The worker publishes two plain words after a critical section;
 * main reads them before one of its own. When main runs first (the default),
 * its reads come before its unlock, which comes before the worker's lock: the
 * accesses are ordered and no race shows. When the worker runs first they
 * race, and a switch between the worker's two stores lets main see them
 * torn. explore watches accesses in its first runs, not only the first, to
 * find such races. explore_hidden_race_ok reads the pair under the lock.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_hidden_race"
#endif
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

static mutex_t m;
static volatile int first, second;

static void *worker(void *arg)
{
    mutex_lock(&m);
#ifdef CORRECT
    first = 1;
    second = 1;
#endif
    mutex_unlock(&m);
#ifndef CORRECT
    first = 1;                       /* BUG: written outside the lock */
    second = 1;
#endif
    return NULL;
}

int main(void)
{
    int tid, a, b;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((tid = thr_create(worker, NULL)) > 0);
#ifdef CORRECT
    mutex_lock(&m);
#endif
    a = first;
    b = second;
#ifndef CORRECT
    mutex_lock(&m);
#endif
    mutex_unlock(&m);
    if (a != b)
        fail("saw the pair torn: first %d, second %d", a, b);
    CHECK(thr_join(tid, NULL) == 0);
    pass();
}
