/*
 * explore_exit_use: DELIBERATELY BROKEN (use after thr_exit). The producer
 * hands the consumer a pointer into its own stack and returns; once main has
 * joined the producer, thr_join unmaps that stack. A consumer preempted
 * between taking the pointer and using it (at its mutex_unlock) reads
 * unmapped memory and is killed by the page fault; main then reports the
 * consumer's death. In the default interleaving the consumer reads before
 * main runs again, and the program passes. `pebblebed explore` finds it with
 * one preemption.
 * explore_exit_use_ok is the correct twin: the producer waits until the
 * consumer has taken the value before it returns.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_exit_use"
#endif
#include <thread.h>
#include <mutex.h>
#include <syscall.h>
#include "testlib.h"

static mutex_t m;
static int *shared;                  /* guarded by m */
static int taken;                    /* guarded by m */

static void *producer(void *arg)
{
    /* Deep in the frame: thr_exit's own frames, which reuse this stack after
     * the return, stay above box[0], so only the unmapping can spoil it. */
    int box[64];

    box[0] = 42;
    mutex_lock(&m);
    shared = &box[0];                /* BUG: outlives the thread */
    mutex_unlock(&m);
#ifdef CORRECT
    mutex_lock(&m);
    while (!taken) {                 /* keep the stack until the value is taken */
        mutex_unlock(&m);
        thr_yield(-1);
        mutex_lock(&m);
    }
    mutex_unlock(&m);
#endif
    return NULL;
}

static void *consumer(void *arg)
{
    int *p;
    int v;

    mutex_lock(&m);
    while ((p = shared) == NULL) {
        mutex_unlock(&m);
        thr_yield(-1);
        mutex_lock(&m);
    }
    mutex_unlock(&m);
    v = *p;                          /* the producer may be gone, its stack unmapped */
    mutex_lock(&m);
    taken = 1;
    mutex_unlock(&m);
    return (void *)v;
}

int main(void)
{
    int ptid, ctid;
    void *got;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((ptid = thr_create(producer, NULL)) > 0);
    CHECK((ctid = thr_create(consumer, NULL)) > 0);
    CHECK(thr_join(ptid, NULL) == 0);
    CHECK(thr_join(ctid, &got) == 0);
    CHECK((int)got == 42);
    pass();
}
