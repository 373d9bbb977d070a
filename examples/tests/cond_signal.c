/*
 * cond_signal: cond_signal wakes exactly one waiter at a time (each signal
 * hands out one ticket), and cond_broadcast wakes every waiter.
 */
#define TEST_NAME "cond_signal"
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include "testlib.h"

#define WAITERS 6

static mutex_t lock;
static cond_t cv;
static int tickets;         /* handed out one per signal */
static int waiting;         /* threads inside their wait loop */
static int woke;            /* threads that got through */
static int open_gate;       /* set before the broadcast */

static void *take_ticket(void *arg)
{
    mutex_lock(&lock);
    waiting++;
    while (tickets == 0)
        cond_wait(&cv, &lock);
    tickets--;
    woke++;
    waiting--;
    mutex_unlock(&lock);
    return NULL;
}

static void *await_gate(void *arg)
{
    mutex_lock(&lock);
    waiting++;
    while (!open_gate)
        cond_wait(&cv, &lock);
    woke++;
    waiting--;
    mutex_unlock(&lock);
    return NULL;
}

/* Spins (yielding) until `want` threads are waiting. */
static void until_waiting(int want)
{
    for (;;) {
        mutex_lock(&lock);
        if (waiting == want) {
            mutex_unlock(&lock);
            return;
        }
        mutex_unlock(&lock);
        thr_yield(-1);
    }
}

static void run_signal_phase(void)
{
    int tids[WAITERS], i;

    for (i = 0; i < WAITERS; i++)
        CHECK((tids[i] = thr_create(take_ticket, NULL)) > 0);
    until_waiting(WAITERS);
    for (i = 1; i <= WAITERS; i++) {
        mutex_lock(&lock);
        tickets++;
        cond_signal(&cv);
        mutex_unlock(&lock);
        until_waiting(WAITERS - i);      /* exactly one more got through */
        if (woke != i)
            fail("after %d signals %d threads woke", i, woke);
    }
    for (i = 0; i < WAITERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
}

static void run_broadcast_phase(void)
{
    int tids[WAITERS], i;

    woke = 0;
    for (i = 0; i < WAITERS; i++)
        CHECK((tids[i] = thr_create(await_gate, NULL)) > 0);
    until_waiting(WAITERS);
    mutex_lock(&lock);
    open_gate = 1;
    cond_broadcast(&cv);
    mutex_unlock(&lock);
    for (i = 0; i < WAITERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (woke != WAITERS)
        fail("broadcast woke %d of %d", woke, WAITERS);
}

int main(int argc, char **argv)
{
    CHECK(thr_init(16 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    CHECK(cond_init(&cv) == 0);
    run_signal_phase();
    run_broadcast_phase();
    cond_destroy(&cv);
    mutex_destroy(&lock);
    pass();
}
