/*
 * explore_cond_if: DELIBERATELY BROKEN (condition variable without a loop).
 * Consumers wait with `if (count == 0) cond_wait(...)` instead of `while`.
 * A consumer woken by cond_signal does not run at once: another consumer
 * can take the lock first and the item with it, and the woken one then
 * takes from an empty buffer (count goes negative). One producer item per
 * consumer, so a correct program always ends with count 0.
 * explore_cond_if_ok is the correct twin (while).
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_cond_if"
#endif
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include "testlib.h"

static mutex_t m;
static cond_t nonempty;
static int count;

static void *consumer(void *arg)
{
    mutex_lock(&m);
#ifdef CORRECT
    while (count == 0)
#else
    if (count == 0)                  /* BUG: must be while */
#endif
        cond_wait(&nonempty, &m);
    count--;
    if (count < 0)
        fail("consumer took from an empty buffer (count %d)", count);
    mutex_unlock(&m);
    return NULL;
}

static void produce(void)
{
    mutex_lock(&m);
    count++;
    cond_signal(&nonempty);
    mutex_unlock(&m);
}

int main(void)
{
    int a, b;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK(cond_init(&nonempty) == 0);
    CHECK((a = thr_create(consumer, NULL)) > 0);
    CHECK((b = thr_create(consumer, NULL)) > 0);
    produce();
    produce();
    CHECK(thr_join(a, NULL) == 0);
    CHECK(thr_join(b, NULL) == 0);
    if (count != 0)
        fail("count is %d at the end", count);
    pass();
}
