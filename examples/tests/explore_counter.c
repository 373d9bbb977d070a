/*
 * explore_counter: DELIBERATELY BROKEN (an unprotected counter). Two threads
 * add to a shared counter with a plain load and store; a switch between a
 * thread's load and its store loses the other's increment. Found only with
 * data-race preemption points (the load and the store race).
 * explore_counter_ok holds a mutex around the increment.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_counter"
#endif
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

#define ROUNDS 2

static volatile int counter;
static mutex_t m;

static void *adder(void *arg)
{
    int i, v;

    for (i = 0; i < ROUNDS; i++) {
#ifdef CORRECT
        mutex_lock(&m);
#endif
        v = counter;
        counter = v + 1;
#ifdef CORRECT
        mutex_unlock(&m);
#endif
    }
    return NULL;
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((tid = thr_create(adder, NULL)) > 0);
    adder(NULL);
    CHECK(thr_join(tid, NULL) == 0);
    if (counter != 2 * ROUNDS)
        fail("counter is %d, expected %d (lost increments)", counter, 2 * ROUNDS);
    pass();
}
