/*
 * race_deschedule: threads pass a token around a ring, each waking the next
 * with a deschedule/make_runnable handshake built the correct way: the
 * waiter clears its reject flag and says it is going to sleep under the
 * lock; the waker sets the condition and the reject flag under the same
 * lock, then calls make_runnable. A make_runnable that comes before the
 * deschedule then finds the reject flag set, so the deschedule returns at
 * once and no wakeup is lost. A wakeup that arrives late (after the waiter
 * already left) is harmless: the waiter loops until its condition holds.
 *
 * The waiter has a widened window between releasing the lock and calling
 * deschedule, the exact place where race_broken_deschedule loses wakeups.
 * A lost wakeup here would hang the ring; the stress timeout catches that.
 */
#define TEST_NAME "race_deschedule"
#include <thread.h>
#include <mutex.h>
#include <stdlib.h>
#include "testlib.h"
#include "race_util.h"

#define MAX_RING 3
#define HANDOFFS 80         /* per ring, times the optional argv[1] */

typedef struct {
    mutex_t lock;
    int signaled;           /* the condition the waiter waits for */
    int sleeping;           /* the waiter has committed to deschedule */
    int reject;             /* deschedule's flag; set by the waker under lock */
    int tid;                /* the waiter */
} event_t;

static event_t events[MAX_RING];
static int ring, token;
static volatile int handoffs;
static int total_handoffs = HANDOFFS;

static void event_wait(event_t *e)
{
    mutex_lock(&e->lock);
    while (!e->signaled) {
        e->reject = 0;
        e->sleeping = 1;
        mutex_unlock(&e->lock);
        window(30);                    /* the waker may run right here */
        if (deschedule(&e->reject) < 0)
            fail("deschedule refused a valid flag");
        mutex_lock(&e->lock);
    }
    e->signaled = 0;
    e->sleeping = 0;
    mutex_unlock(&e->lock);
}

static void event_signal(event_t *e)
{
    int wake = 0, tid;

    mutex_lock(&e->lock);
    e->signaled = 1;
    if (e->sleeping) {
        e->sleeping = 0;
        e->reject = 1;                 /* a deschedule still to come returns at once */
        wake = 1;
    }
    tid = e->tid;
    mutex_unlock(&e->lock);
    if (wake)
        make_runnable(tid);            /* fails harmlessly if not asleep yet */
}

static void *member(void *arg)
{
    int me = (int)arg;

    for (;;) {
        event_wait(&events[me]);
        if (handoffs >= total_handoffs)
            break;
        if (token != me)
            fail("ring of %d: thread %d woke holding no token (token %d)", ring, me, token);
        token = (me + 1) % ring;
        handoffs++;
        window(me * 5);
        event_signal(&events[token]);
    }
    event_signal(&events[(me + 1) % ring]);   /* pass the shutdown along */
    return NULL;
}

static void run_ring(int n)
{
    int tids[MAX_RING], i;

    ring = n;
    token = 0;
    handoffs = 0;
    for (i = 0; i < n; i++) {
        CHECK(mutex_init(&events[i].lock) == 0);
        events[i].signaled = events[i].sleeping = events[i].reject = 0;
    }
    for (i = 0; i < n; i++) {
        CHECK((tids[i] = thr_create(member, (void *)i)) > 0);
        events[i].tid = tids[i];
    }
    event_signal(&events[0]);
    for (i = 0; i < n; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (handoffs != total_handoffs)
        fail("ring of %d made %d handoffs, expected %d", n, handoffs, total_handoffs);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        total_handoffs *= atoi(argv[1]);
    CHECK(thr_init(8 * 1024) == 0);
    run_ring(2);
    run_ring(3);
    pass();
}
