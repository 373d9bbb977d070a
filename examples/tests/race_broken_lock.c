/*
 * race_broken_lock: DELIBERATELY BROKEN. A "spinlock" without an atomic
 * exchange: it tests the held flag and sets it in two separate steps, with
 * a window in between. A thread preempted in that window has seen the lock
 * free; whoever runs next sees it free too, and both enter. The counter it
 * protects then loses increments, and the atomic occupancy count sees two
 * holders. (race_mutex_counter is the same workload on the real mutex.)
 *
 * Under `pebblebed stress` some seed preempts a thread inside the window
 * and the program fails; a lucky run passes.
 */
#define TEST_NAME "race_broken_lock"
#include <thread.h>
#include <stdlib.h>
#include "testlib.h"
#include "race_util.h"

#define THREADS 3           /* created threads; the main thread makes one more */
#define INCREMENTS 60       /* per thread, times the optional argv[1] */

static int increments = INCREMENTS;

typedef struct {
    volatile int held;
} broken_lock_t;

static broken_lock_t lock;
static volatile int counter;
static volatile int inside;

/* BROKEN: the test and the set are not one atomic step. */
static void broken_lock(broken_lock_t *l)
{
    while (l->held)
        thr_yield(-1);
    window(20);             /* still believes the lock is free */
    l->held = 1;
}

static void broken_unlock(broken_lock_t *l)
{
    l->held = 0;
}

static void *bump(void *arg)
{
    int i, v;

    for (i = 0; i < increments; i++) {
        broken_lock(&lock);
        if (atomic_add(&inside, 1) != 0)
            fail("two threads hold the lock at once (increment %d)", i);
        v = counter;
        window(8);
        counter = v + 1;
        atomic_add(&inside, -1);
        broken_unlock(&lock);
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
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(bump, NULL)) > 0);
    bump(NULL);
    for (i = 0; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (counter != expected)
        fail("counter is %d, expected %d (lost increments)", counter, expected);
    pass();
}
