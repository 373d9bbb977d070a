/*
 * explore_lock_order: DELIBERATELY BROKEN (deadlock by lock order). One
 * thread takes a then b, the other b then a. Preempted between its two
 * locks, the first holds a while the second takes b: each waits for the
 * other forever. explore_lock_order_ok takes them in the same order.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_lock_order"
#endif
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

static mutex_t lock_a, lock_b;
static int shared;

static void *forward(void *arg)
{
    mutex_lock(&lock_a);
    mutex_lock(&lock_b);
    shared++;
    mutex_unlock(&lock_b);
    mutex_unlock(&lock_a);
    return NULL;
}

static void *backward(void *arg)
{
#ifdef CORRECT
    mutex_lock(&lock_a);
    mutex_lock(&lock_b);
#else
    mutex_lock(&lock_b);             /* BUG: the other order */
    mutex_lock(&lock_a);
#endif
    shared++;
    mutex_unlock(&lock_a);
    mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    int f, b;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&lock_a) == 0);
    CHECK(mutex_init(&lock_b) == 0);
    CHECK((f = thr_create(forward, NULL)) > 0);
    CHECK((b = thr_create(backward, NULL)) > 0);
    CHECK(thr_join(f, NULL) == 0);
    CHECK(thr_join(b, NULL) == 0);
    if (shared != 2)
        fail("shared is %d", shared);
    pass();
}
