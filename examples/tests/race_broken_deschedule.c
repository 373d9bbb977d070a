/*
 * race_broken_deschedule: DELIBERATELY BROKEN. Two threads play ping-pong
 * with a sleep/wakeup handshake that has the classic lost-wakeup bug: the
 * waiter checks its condition under the lock, releases the lock, and then
 * deschedules on a flag the waker never sets. If the waker's make_runnable
 * comes between the release and the deschedule, it fails (the waiter is
 * not descheduled yet), the waiter then sleeps forever, and the game
 * stops. (race_deschedule is the correct version of the same game.)
 *
 * Under `pebblebed stress` some seed preempts the waiter inside that
 * window; the watchdog thread then reports the lost wakeup (and the
 * stress timeout would catch the hang if it did not). A run that
 * gets through every round without losing a wakeup passes.
 */
#define TEST_NAME "race_broken_deschedule"
#include <thread.h>
#include <mutex.h>
#include <stdlib.h>
#include "testlib.h"
#include "race_util.h"

#define ROUNDS 60           /* times the optional argv[1] */
#define STALL_YIELDS 200    /* watchdog yields without progress that mean a hang */

typedef struct {
    mutex_t lock;
    int signaled;
    int tid;
} event_t;

static event_t events[2];
static volatile int rounds;
static int total_rounds = ROUNDS;

/* BROKEN: nothing ties the check of `signaled` to the deschedule. */
static void event_wait(event_t *e)
{
    int never_set = 0;

    mutex_lock(&e->lock);
    while (!e->signaled) {
        mutex_unlock(&e->lock);
        window(30);                    /* the waker may run right here... */
        deschedule(&never_set);        /* ...and then this sleeps forever */
        mutex_lock(&e->lock);
    }
    e->signaled = 0;
    mutex_unlock(&e->lock);
}

static void event_signal(event_t *e)
{
    int tid;

    mutex_lock(&e->lock);
    e->signaled = 1;
    tid = e->tid;
    mutex_unlock(&e->lock);
    make_runnable(tid);                /* fails if the waiter is not asleep yet */
}

static void *player(void *arg)
{
    int me = (int)arg;

    for (;;) {
        event_wait(&events[me]);
        if (rounds >= total_rounds)
            break;
        rounds++;
        event_signal(&events[1 - me]);
    }
    event_signal(&events[1 - me]);
    return NULL;
}

/*
 * Fails when the game stops: it keeps yielding, and while a player can run
 * each yield hands that player the CPU, so STALL_YIELDS yields in a row
 * without a new round mean both players are asleep for good. Yields, not
 * sleep: no timer involved, so a seed that loses a wakeup also reproduces
 * this verdict.
 */
static void *watchdog(void *arg)
{
    int last = -1, quiet = 0;

    while (rounds < total_rounds) {
        if (rounds != last) {
            last = rounds;
            quiet = 0;
        } else if (++quiet == STALL_YIELDS) {
            fail("lost wakeup: the game stopped after %d of %d rounds", rounds, total_rounds);
        }
        yield(-1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[2], i;

    if (argc > 1)
        total_rounds *= atoi(argv[1]);
    CHECK(thr_init(8 * 1024) == 0);
    for (i = 0; i < 2; i++)
        CHECK(mutex_init(&events[i].lock) == 0);
    for (i = 0; i < 2; i++) {
        CHECK((tids[i] = thr_create(player, (void *)i)) > 0);
        events[i].tid = tids[i];
    }
    CHECK(thr_create(watchdog, NULL) > 0);
    event_signal(&events[0]);
    for (i = 0; i < 2; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (rounds != total_rounds)
        fail("the game made %d rounds, expected %d", rounds, total_rounds);
    pass();
}
