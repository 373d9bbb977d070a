/*
 * race_broken_cond: DELIBERATELY BROKEN. A bounded buffer whose consumers
 * wait with `if` instead of `while` around cond_wait. A signaled consumer
 * must retake the mutex before it runs; with several consumers another one
 * can get the mutex first and take the item, so the signaled consumer
 * wakes to an empty buffer and takes an item that is not there. The
 * program checks for exactly that and fails. (race_bounded_buffer is the
 * correct version.)
 *
 * Under `pebblebed stress` some seed lets a second consumer overtake the
 * signaled one; a lucky run passes.
 */
#define TEST_NAME "race_broken_cond"
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include "testlib.h"
#include "race_util.h"

#define CONSUMERS 3
#define ITEMS 40
#define SLOTS 2
#define STOP (-1)

static int ring[SLOTS], head, count;
static mutex_t lock;
static cond_t nonempty, nonfull;

static void put(int item)
{
    mutex_lock(&lock);
    while (count == SLOTS)
        cond_wait(&nonfull, &lock);
    ring[(head + count) % SLOTS] = item;
    count++;
    cond_signal(&nonempty);
    mutex_unlock(&lock);
}

/* BROKEN: `if` where a `while` belongs. */
static int take(void)
{
    int item;

    mutex_lock(&lock);
    if (count == 0)
        cond_wait(&nonempty, &lock);
    if (count == 0)
        fail("a consumer woke from cond_wait to an empty buffer");
    item = ring[head];
    head = (head + 1) % SLOTS;
    count--;
    cond_signal(&nonfull);
    mutex_unlock(&lock);
    return item;
}

static void *consumer(void *arg)
{
    int got = 0;

    while (take() != STOP) {
        got++;
        window(got % 3 * 10);
    }
    return (void *)got;
}

int main(int argc, char **argv)
{
    int tids[CONSUMERS], i, total = 0;
    void *got;

    CHECK(thr_init(8 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    CHECK(cond_init(&nonempty) == 0 && cond_init(&nonfull) == 0);
    for (i = 0; i < CONSUMERS; i++)
        CHECK((tids[i] = thr_create(consumer, NULL)) > 0);
    for (i = 0; i < ITEMS; i++) {
        put(i);
        window(i % 4 * 8);
    }
    for (i = 0; i < CONSUMERS; i++)
        put(STOP);
    for (i = 0; i < CONSUMERS; i++) {
        CHECK(thr_join(tids[i], &got) == 0);
        total += (int)got;
    }
    if (total != ITEMS)
        fail("consumers took %d items, expected %d", total, ITEMS);
    pass();
}
