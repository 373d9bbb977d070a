/*
 * cond.c: condition variables. A waiter queues a node on its own stack,
 * releases the mutex and deschedules; a signaller dequeues the node, reads
 * the tid, then sets `woken` (after which the node may vanish) and calls
 * make_runnable. deschedule checks `woken` atomically, so a wakeup that
 * comes before the waiter sleeps is not lost.
 */
#include <syscall.h>
#include <mutex.h>
#include <cond.h>

struct waiter {
    int tid;
    volatile int woken;
    struct waiter *next;
};

int cond_init(cond_t *cv)
{
    mutex_init(&cv->guard);
    cv->first = cv->last = 0;
    return 0;
}

void cond_destroy(cond_t *cv)
{
    (void)cv;
}

void cond_wait(cond_t *cv, mutex_t *mp)
{
    struct waiter me;

    me.tid = gettid();
    me.woken = 0;
    me.next = 0;
    mutex_lock(&cv->guard);
    if (cv->last)
        cv->last->next = &me;
    else
        cv->first = &me;
    cv->last = &me;
    mutex_unlock(&cv->guard);
    mutex_unlock(mp);
    while (!me.woken)
        deschedule((int *)&me.woken);
    mutex_lock(mp);
}

static void wake_one_locked(cond_t *cv)
{
    struct waiter *w = cv->first;
    int tid;

    if (w == 0)
        return;
    cv->first = w->next;
    if (cv->first == 0)
        cv->last = 0;
    tid = w->tid;
    w->woken = 1;                /* w may be gone from here on */
    make_runnable(tid);
}

void cond_signal(cond_t *cv)
{
    mutex_lock(&cv->guard);
    wake_one_locked(cv);
    mutex_unlock(&cv->guard);
}

void cond_broadcast(cond_t *cv)
{
    mutex_lock(&cv->guard);
    while (cv->first)
        wake_one_locked(cv);
    mutex_unlock(&cv->guard);
}
