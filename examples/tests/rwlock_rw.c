/*
 * rwlock_rw: readers and writers on one rwlock. A writer is always alone,
 * readers may overlap (and must, at least once, with several readers
 * looping), and both sides finish: a steady stream of readers does not
 * starve the writers, nor the reverse.
 */
#define TEST_NAME "rwlock_rw"
#include <thread.h>
#include <mutex.h>
#include <rwlock.h>
#include "testlib.h"

#define READERS 5
#define WRITERS 3
#define LOOPS 200

static rwlock_t rw;
static mutex_t stats;
static volatile int readers_in, writers_in, max_readers;
static volatile int shared_a, shared_b;   /* writers keep a == b */

static void *reader(void *arg)
{
    int i, n;

    for (i = 0; i < LOOPS; i++) {
        rwlock_lock(&rw, RWLOCK_READ);
        mutex_lock(&stats);
        n = ++readers_in;
        if (n > max_readers)
            max_readers = n;
        mutex_unlock(&stats);
        if (writers_in != 0)
            fail("a reader ran alongside a writer");
        if (shared_a != shared_b)
            fail("a reader saw a half-done write");
        thr_yield(-1);                    /* give other readers a chance to join */
        mutex_lock(&stats);
        readers_in--;
        mutex_unlock(&stats);
        rwlock_unlock(&rw);
    }
    return NULL;
}

static void *writer(void *arg)
{
    int i;

    for (i = 0; i < LOOPS; i++) {
        rwlock_lock(&rw, RWLOCK_WRITE);
        if (writers_in++ != 0 || readers_in != 0)
            fail("a writer was not alone");
        shared_a++;
        if (i % 16 == 0)
            thr_yield(-1);
        shared_b++;
        writers_in--;
        rwlock_unlock(&rw);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[READERS + WRITERS], i;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(rwlock_init(&rw) == 0);
    CHECK(mutex_init(&stats) == 0);
    for (i = 0; i < READERS + WRITERS; i++)
        CHECK((tids[i] = thr_create(i % 2 && i / 2 < WRITERS ? writer : reader, NULL)) > 0);
    for (i = 0; i < READERS + WRITERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (shared_a != WRITERS * LOOPS || shared_b != WRITERS * LOOPS)
        fail("writes lost: %d/%d of %d", shared_a, shared_b, WRITERS * LOOPS);
    if (max_readers < 2)
        fail("readers never shared the lock");
    rwlock_destroy(&rw);
    pass();
}
