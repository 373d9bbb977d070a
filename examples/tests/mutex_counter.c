/*
 * mutex_counter: threads increment a shared counter under a mutex with a
 * deliberately slow read-modify-write (a yield in the middle now and then),
 * so any break in mutual exclusion loses updates.
 */
#define TEST_NAME "mutex_counter"
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

#define THREADS 8
#define INCREMENTS 2000

static mutex_t lock;
static volatile int counter;
static volatile int inside;

static void *bump(void *arg)
{
    int i, v;

    for (i = 0; i < INCREMENTS; i++) {
        mutex_lock(&lock);
        if (inside++ != 0)
            fail("two threads inside the critical section");
        v = counter;
        if (i % 64 == 0)
            thr_yield(-1);
        counter = v + 1;
        inside--;
        mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK((tids[i] = thr_create(bump, NULL)) > 0);
    bump(NULL);                          /* the main thread takes part too */
    for (i = 0; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (counter != (THREADS + 1) * INCREMENTS)
        fail("counter is %d, expected %d", counter, (THREADS + 1) * INCREMENTS);
    mutex_destroy(&lock);
    pass();
}
