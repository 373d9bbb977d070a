/*
 * race_bounded_buffer: producers and consumers share a small ring buffer,
 * first guarded by a mutex and two condition variables, then by counting
 * semaphores. Items are (producer, sequence) pairs. Every item must be
 * taken exactly once, and the items of one producer must leave the buffer
 * in the order that producer put them in (the buffer is FIFO).
 * After the producers are joined, the main thread puts one STOP item per
 * consumer.
 */
#define TEST_NAME "race_bounded_buffer"
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include <sem.h>
#include "testlib.h"
#include "race_util.h"

#define PRODUCERS 2
#define CONSUMERS 2
#define ITEMS 20            /* per producer */
#define SLOTS 2
#define STOP (-1)

static struct {
    int ring[SLOTS];
    int head, count;
    mutex_t lock;
    cond_t nonempty, nonfull;   /* the cond flavor */
    sem_t items, spaces;        /* the sem flavor */
    int use_sem;
} buf;

static int next_seq[PRODUCERS];             /* next sequence to leave, per producer */
static unsigned char taken[PRODUCERS][ITEMS];

static void put_locked(int item)
{
    if (buf.count >= SLOTS)
        fail("put into a full buffer");
    buf.ring[(buf.head + buf.count) % SLOTS] = item;
    window(6);
    buf.count++;
}

/* Takes the oldest item and checks its order while the lock is held. */
static int take_locked(void)
{
    int item, p, seq;

    if (buf.count <= 0)
        fail("take from an empty buffer");
    item = buf.ring[buf.head];
    window(6);
    buf.head = (buf.head + 1) % SLOTS;
    buf.count--;
    if (item == STOP)
        return item;
    p = item >> 16;
    seq = item & 0xffff;
    if (p < 0 || p >= PRODUCERS || seq >= ITEMS)
        fail("garbage item 0x%x (%s)", item, buf.use_sem ? "sem" : "cond");
    if (seq != next_seq[p])
        fail("producer %d: item %d left before item %d (%s)", p, seq, next_seq[p],
             buf.use_sem ? "sem" : "cond");
    next_seq[p]++;
    taken[p][seq]++;
    return item;
}

static void put(int item)
{
    if (buf.use_sem) {
        sem_wait(&buf.spaces);
        mutex_lock(&buf.lock);
        put_locked(item);
        mutex_unlock(&buf.lock);
        sem_signal(&buf.items);
        return;
    }
    mutex_lock(&buf.lock);
    while (buf.count == SLOTS)
        cond_wait(&buf.nonfull, &buf.lock);
    put_locked(item);
    cond_signal(&buf.nonempty);
    mutex_unlock(&buf.lock);
}

static int take(void)
{
    int item;

    if (buf.use_sem) {
        sem_wait(&buf.items);
        mutex_lock(&buf.lock);
        item = take_locked();
        mutex_unlock(&buf.lock);
        sem_signal(&buf.spaces);
        return item;
    }
    mutex_lock(&buf.lock);
    while (buf.count == 0)
        cond_wait(&buf.nonempty, &buf.lock);
    item = take_locked();
    cond_signal(&buf.nonfull);
    mutex_unlock(&buf.lock);
    return item;
}

static void *producer(void *arg)
{
    int p = (int)arg, i;

    for (i = 0; i < ITEMS; i++) {
        put((p << 16) | i);
        window(i % 7 * 3);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    int got = 0;

    while (take() != STOP) {
        got++;
        window(got % 5 * 4);
    }
    return (void *)got;
}

static void run_flavor(int use_sem)
{
    int prod[PRODUCERS], cons[CONSUMERS], i, p, total = 0;
    void *got;

    buf.use_sem = use_sem;
    buf.head = buf.count = 0;
    for (p = 0; p < PRODUCERS; p++) {
        next_seq[p] = 0;
        for (i = 0; i < ITEMS; i++)
            taken[p][i] = 0;
    }
    for (i = 0; i < CONSUMERS; i++)
        CHECK((cons[i] = thr_create(consumer, NULL)) > 0);
    for (p = 0; p < PRODUCERS; p++)
        CHECK((prod[p] = thr_create(producer, (void *)p)) > 0);
    for (p = 0; p < PRODUCERS; p++)
        CHECK(thr_join(prod[p], NULL) == 0);
    for (i = 0; i < CONSUMERS; i++)
        put(STOP);
    for (i = 0; i < CONSUMERS; i++) {
        CHECK(thr_join(cons[i], &got) == 0);
        total += (int)got;
    }
    for (p = 0; p < PRODUCERS; p++)
        for (i = 0; i < ITEMS; i++)
            if (taken[p][i] != 1)
                fail("%s: item %d of producer %d taken %d times", use_sem ? "sem" : "cond",
                     i, p, taken[p][i]);
    if (total != PRODUCERS * ITEMS || buf.count != 0)
        fail("%s: consumers took %d items, %d left", use_sem ? "sem" : "cond", total, buf.count);
}

int main(int argc, char **argv)
{
    CHECK(thr_init(8 * 1024) == 0);
    CHECK(mutex_init(&buf.lock) == 0);
    CHECK(cond_init(&buf.nonempty) == 0 && cond_init(&buf.nonfull) == 0);
    CHECK(sem_init(&buf.items, 0) == 0 && sem_init(&buf.spaces, SLOTS) == 0);
    run_flavor(0);
    run_flavor(1);
    pass();
}
