/*
 * sem_buffer: a bounded buffer with semaphores. Producers put 1..ITEMS
 * each, consumers take them; every item is consumed exactly once (sum and
 * count agree) and the buffer never over- or underflows.
 */
#define TEST_NAME "sem_buffer"
#include <thread.h>
#include <mutex.h>
#include <sem.h>
#include "testlib.h"

#define SLOTS 4
#define PRODUCERS 3
#define CONSUMERS 3
#define ITEMS 300           /* per producer; a multiple of CONSUMERS */

static int buffer[SLOTS], head, tail, fill;
static sem_t empty, full;
static mutex_t lock;
static int consumed_sum, consumed_count;

static void put(int v)
{
    sem_wait(&empty);
    mutex_lock(&lock);
    if (++fill > SLOTS)
        fail("buffer overflow");
    buffer[tail] = v;
    tail = (tail + 1) % SLOTS;
    mutex_unlock(&lock);
    sem_signal(&full);
}

static int get(void)
{
    int v;

    sem_wait(&full);
    mutex_lock(&lock);
    if (--fill < 0)
        fail("buffer underflow");
    v = buffer[head];
    head = (head + 1) % SLOTS;
    mutex_unlock(&lock);
    sem_signal(&empty);
    return v;
}

static void *producer(void *arg)
{
    int i;

    for (i = 1; i <= ITEMS; i++)
        put(i);
    return NULL;
}

static void *consumer(void *arg)
{
    int i, v;

    for (i = 0; i < PRODUCERS * ITEMS / CONSUMERS; i++) {
        v = get();
        mutex_lock(&lock);
        consumed_sum += v;
        consumed_count++;
        mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[PRODUCERS + CONSUMERS], i, want = PRODUCERS * ITEMS * (ITEMS + 1) / 2;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(sem_init(&empty, SLOTS) == 0);
    CHECK(sem_init(&full, 0) == 0);
    CHECK(mutex_init(&lock) == 0);
    for (i = 0; i < PRODUCERS + CONSUMERS; i++)
        CHECK((tids[i] = thr_create(i < PRODUCERS ? producer : consumer, NULL)) > 0);
    for (i = 0; i < PRODUCERS + CONSUMERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (consumed_count != PRODUCERS * ITEMS || consumed_sum != want)
        fail("consumed %d items summing to %d, expected %d summing to %d",
             consumed_count, consumed_sum, PRODUCERS * ITEMS, want);
    sem_destroy(&empty);
    sem_destroy(&full);
    pass();
}
