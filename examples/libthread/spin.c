/*
 * spin.c: a tiny lock for the few-instruction critical sections inside
 * cond (queue links). Contenders yield rather than burn their time slice,
 * since the holder may have been preempted inside the section.
 */
#include <syscall.h>
#include "thr_internal.h"

void _thr_spin_lock(volatile int *guard)
{
    while (xchg(guard, 1) != 0)
        yield(-1);
}

void _thr_spin_unlock(volatile int *guard)
{
    store_release(guard, 0);
}
