/*
 * mutex.c: mutexes on an atomic exchange. A thread that finds the mutex
 * held yields to the holder (recorded in owner), so the holder gets to run
 * and release it; if the hint is stale or the holder cannot run, it yields
 * to anyone. No system call on an uncontended lock or unlock.
 */
#include <mutex.h>
#include <stdlib.h>
#include <syscall.h>
#include "thr_internal.h"

int mutex_init(mutex_t *mp)
{
    if (mp == NULL)
        return -1;
    mp->locked = 0;
    mp->owner = -1;
    mp->initialized = 1;
    return 0;
}

/* Destroying a held mutex is a bug in the caller: say so loudly. */
void mutex_destroy(mutex_t *mp)
{
    if (mp->locked)
        panic("mutex_destroy: mutex %p is locked (by thread %d)", (void *)mp, mp->owner);
    mp->initialized = 0;
}

void mutex_lock(mutex_t *mp)
{
    while (xchg(&mp->locked, 1) != 0) {
        int holder = mp->owner;

        if (holder < 0 || yield(holder) < 0)
            yield(-1);
    }
    mp->owner = _thr_self();
}

void mutex_unlock(mutex_t *mp)
{
    mp->owner = -1;
    store_release(&mp->locked, 0);
}
