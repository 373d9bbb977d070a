/*
 * race_mutex_counter: THREADS threads (the main thread too) add to a shared
 * counter under a mutex with a slow read-modify-write, so a preemption
 * inside the critical section lets a broken mutex lose updates. An atomic
 * occupancy count catches two holders at once; the total must be exact.
 */
#define TEST_NAME "race_mutex_counter"
#include <thread.h>
#include <mutex.h>
#include <stdlib.h>
#include "testlib.h"
#include "race_util.h"

#define THREADS 3           /* created threads; the main thread makes one more */
#define INCREMENTS 60       /* per thread, times the optional argv[1] */

static int increments = INCREMENTS;

static mutex_t lock;
static volatile int counter;
static volatile int inside;

static void *bump(void *arg)
{
    int i, v;

    for (i = 0; i < increments; i++) {
        mutex_lock(&lock);
        if (atomic_add(&inside, 1) != 0)
            fail("two threads hold the mutex at once");
        v = counter;
        window(8);
        counter = v + 1;
        atomic_add(&inside, -1);
        mutex_unlock(&lock);
        window(4);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;
    int expected;

    if (argc > 1)
        increments *= atoi(argv[1]);
    expected = (THREADS + 1) * increments;
    CHECK(thr_init(8 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(bump, NULL)) > 0);
    bump(NULL);
    for (i = 0; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (counter != expected)
        fail("counter is %d, expected %d (lost updates)", counter, expected);
    mutex_destroy(&lock);
    pass();
}
