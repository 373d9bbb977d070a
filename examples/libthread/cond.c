/*
 * cond.c: condition variables on deschedule/make_runnable.
 *
 * Each waiter queues a node on its own stack holding its tid and a woken
 * flag, releases the mutex, and deschedules on that flag. deschedule checks
 * the flag atomically in the kernel, so a signal that sets it before the
 * waiter sleeps is never lost. A waiter may also be woken by a make_runnable
 * meant for an earlier wait of its own, so it loops until its flag is set.
 * The signaler reads the tid before setting the flag: once the flag is set
 * the node may vanish with the waiter's stack frame.
 */
#include <cond.h>
#include <mutex.h>
#include <stdlib.h>
#include <syscall.h>
#include "thr_internal.h"

struct cond_waiter {
    int tid;
    volatile int woken;
    struct cond_waiter *next;
};

int cond_init(cond_t *cv)
{
    if (cv == NULL)
        return -1;
    cv->guard = 0;
    cv->head = cv->tail = NULL;
    cv->initialized = 1;
    return 0;
}

void cond_destroy(cond_t *cv)
{
    if (cv->head != NULL)
        panic("cond_destroy: threads are still waiting on %p", (void *)cv);
    cv->initialized = 0;
}

void cond_wait(cond_t *cv, mutex_t *mp)
{
    struct cond_waiter me = { _thr_self(), 0, NULL };

    _thr_spin_lock(&cv->guard);
    if (cv->tail)
        cv->tail->next = &me;
    else
        cv->head = &me;
    cv->tail = &me;
    _thr_spin_unlock(&cv->guard);

    mutex_unlock(mp);
    while (!me.woken)
        deschedule((int *)&me.woken);
    mutex_lock(mp);
}

static void wake(struct cond_waiter *w)
{
    int tid = w->tid;

    store_release(&w->woken, 1);   /* w may be gone after this */
    make_runnable(tid);            /* fails harmlessly if it never slept */
}

void cond_signal(cond_t *cv)
{
    struct cond_waiter *w;

    _thr_spin_lock(&cv->guard);
    w = cv->head;
    if (w) {
        cv->head = w->next;
        if (cv->head == NULL)
            cv->tail = NULL;
    }
    _thr_spin_unlock(&cv->guard);
    if (w)
        wake(w);
}

void cond_broadcast(cond_t *cv)
{
    struct cond_waiter *w, *next;

    _thr_spin_lock(&cv->guard);
    w = cv->head;
    cv->head = cv->tail = NULL;
    _thr_spin_unlock(&cv->guard);
    for (; w; w = next) {
        next = w->next;            /* read before wake: the node may vanish */
        wake(w);
    }
}
