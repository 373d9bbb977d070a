/*
 * explore_point_race: DELIBERATELY BROKEN (a race with a data-race point that
 * only a later watched run shows). The worker changes `shared.x` outside any
 * lock; main reads it twice in a row and expects the same value both times.
 *
 * - The race run (the default interleaving, main first) sees the worker's
 *   store race with main's last read (`peek`, after a yield, no join yet):
 *   both become data-race points. main's two reads in `sample` come before
 *   its unlock, the worker's store after its lock: ordered by chance, no race.
 * - When the worker runs first (main given way at its mutex_lock), the store
 *   races with main's second read. Only a watched run that records the
 *   store's own access, although it is a data-race point now, sees that: the
 *   second read then becomes a point, and a switch there lets the store land
 *   between the two reads.
 * - The worker's second store, to `shared.y` on the same page right after
 *   the first, races (the same way) with main's read of y: it is seen only
 *   if the page is withdrawn again after the data-race point's access (the
 *   first store is a negl, which the kernel steps with its page shown).
 * explore_point_race_ok takes the lock around the stores and the reads.
 */
#ifndef TEST_NAME
#define TEST_NAME "explore_point_race"
#endif
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

static mutex_t m;
/* One page: the two words the worker stores to with no call between. */
static struct {
    int x, y;
} shared __attribute__((aligned(4096))) = { 1, 0 };
static volatile int a, b, c, d;

__attribute__((noinline)) static void publish(void)
{
    asm volatile("negl %0" : "+m"(shared.x));        /* the data-race point */
    asm volatile("movl $1, %0" : "=m"(shared.y));    /* the second access */
}

__attribute__((noinline)) static void sample(void)
{
    asm volatile("movl %1, %0" : "=r"(a) : "m"(shared.x));   /* first read */
    asm volatile("movl %1, %0" : "=r"(b) : "m"(shared.x));   /* the third instruction */
    asm volatile("movl %1, %0" : "=r"(d) : "m"(shared.y));   /* races with the second access */
}

__attribute__((noinline)) static void peek(void)
{
    asm volatile("movl %1, %0" : "=r"(c) : "m"(shared.x));
}

static void *worker(void *arg)
{
    mutex_lock(&m);
#ifdef CORRECT
    publish();
#endif
    mutex_unlock(&m);
#ifndef CORRECT
    publish();                       /* BUG: outside the lock */
#endif
    return NULL;
}

int main(void)
{
    int tid;

    CHECK(thr_init(4096) == 0);
    CHECK(mutex_init(&m) == 0);
    CHECK((tid = thr_create(worker, NULL)) > 0);
#ifdef CORRECT
    mutex_lock(&m);
#endif
    sample();
#ifndef CORRECT
    mutex_lock(&m);
#endif
    mutex_unlock(&m);
    /* The worker runs to its end here in the default interleaving. */
    CHECK(thr_yield(-1) == 0);
    peek();
    CHECK(thr_join(tid, NULL) == 0);
    if (a != b)
        fail("read x twice and saw it change: %d, then %d", a, b);
    pass();
}
