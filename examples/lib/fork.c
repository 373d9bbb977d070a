/*
 * fork.c: fork, with a hook for the child. The thread library caches the
 * caller's tid (for the first thread, and at the top of each thread stack)
 * to avoid a trap per mutex_lock; in a child those caches still hold the
 * parent's tid, so thr_init installs a hook that refreshes them.
 */
#include <syscall.h>
#include "internal.h"

int fork(void)
{
    int tid = _pb_fork();

    if (tid == 0 && _pb_after_fork_child)
        _pb_after_fork_child();
    return tid;
}
