/*
 * explore_publish: DELIBERATELY BROKEN (publishing before initialising).
 * The producer raises `ready` before it sets the pointer the consumer will
 * use; a consumer that runs between the two stores reads a NULL pointer and
 * is killed by the page fault. explore_publish_ok sets the pointer first.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_publish"
#endif
#include <thread.h>
#include "testlib.h"

static int value = 42;
static int *volatile shared;
static volatile int ready;

static void *consumer(void *arg)
{
    while (!ready)
        thr_yield(-1);
    return (void *)*shared;          /* NULL when published too early */
}

int main(void)
{
    int tid;
    void *got;

    CHECK(thr_init(4096) == 0);
    CHECK((tid = thr_create(consumer, NULL)) > 0);
#ifdef CORRECT
    shared = &value;
    ready = 1;
#else
    ready = 1;                       /* BUG: published before shared is set */
    shared = &value;
#endif
    CHECK(thr_join(tid, &got) == 0);
    CHECK((int)got == 42);
    pass();
}
