/*
 * thrgrp.c: thread groups (thrgrp.h) over thread.h alone, so they work
 * with any thread library. Each member runs a trampoline that calls the
 * user's function and, once it returns, puts the member on the group's
 * done list and wakes one sleeping joiner; a joiner takes the oldest done
 * member and thr_joins its tid.
 *
 * Lock: tg->lock, a spin lock (xchg; waiters yield), guards the lists and
 * the count. Sleeping: a joiner queues a node on its own stack and
 * deschedules on node.woken; the waker unlinks the node, reads the tid,
 * then sets woken (after which the node may be gone) and calls
 * make_runnable. deschedule tests woken atomically, so a wakeup between
 * the unlock and the deschedule is not lost.
 */
#include <thrgrp.h>
#include <thread.h>
#include <stdlib.h>
#include <syscall.h>

struct thrgrp_member {
    void *(*func)(void *);
    void *arg;
    thrgrp_group_t *group;
    int tid;
    struct thrgrp_member *next;
};

struct thrgrp_waiter {
    int tid;
    volatile int woken;
    struct thrgrp_waiter *next;
};

static void lock(thrgrp_group_t *tg)
{
    int held = 1;

    for (;;) {
        __asm__ volatile("xchgl %0, %1" : "+r"(held), "+m"(tg->lock) : : "memory");
        if (!held)
            return;
        held = 1;
        yield(-1);
    }
}

static void unlock(thrgrp_group_t *tg)
{
    __asm__ volatile("movl $0, %0" : "=m"(tg->lock) : : "memory");
}

int thrgrp_init_group(thrgrp_group_t *tg)
{
    if (tg == NULL)
        return -1;
    tg->lock = 0;
    tg->done_first = tg->done_last = NULL;
    tg->waiters = NULL;
    tg->members = 0;
    return 0;
}

int thrgrp_destroy_group(thrgrp_group_t *tg)
{
    int busy;

    if (tg == NULL)
        return -1;
    lock(tg);
    busy = tg->members != 0 || tg->waiters != NULL;
    unlock(tg);
    return busy ? -1 : 0;
}

static void *trampoline(void *arg)
{
    struct thrgrp_member *m = arg;
    thrgrp_group_t *tg = m->group;
    struct thrgrp_waiter *w;
    void *status = m->func(m->arg);
    int tid = -1;

    m->tid = thr_getid();
    m->next = NULL;
    lock(tg);
    if (tg->done_last)
        tg->done_last->next = m;
    else
        tg->done_first = m;
    tg->done_last = m;
    w = tg->waiters;
    if (w) {
        tg->waiters = w->next;
        tid = w->tid;
        w->woken = 1;           /* w may be gone from here on */
    }
    unlock(tg);
    if (tid >= 0)
        make_runnable(tid);
    return status;
}

int thrgrp_create(thrgrp_group_t *tg, void *(*func)(void *), void *arg)
{
    struct thrgrp_member *m;
    int tid;

    if (tg == NULL || func == NULL || (m = malloc(sizeof(*m))) == NULL)
        return -1;
    m->func = func;
    m->arg = arg;
    m->group = tg;
    lock(tg);
    tg->members++;              /* before the thread can finish */
    unlock(tg);
    tid = thr_create(trampoline, m);
    if (tid < 0) {
        lock(tg);
        tg->members--;
        unlock(tg);
        free(m);
    }
    return tid;
}

int thrgrp_join(thrgrp_group_t *tg, void **statusp)
{
    struct thrgrp_member *m;
    struct thrgrp_waiter me;
    int tid;

    if (tg == NULL)
        return -1;
    lock(tg);
    while (tg->done_first == NULL) {
        /* Members still running can each satisfy one joiner. */
        int sleepers = 0;
        struct thrgrp_waiter *w;
        for (w = tg->waiters; w; w = w->next)
            sleepers++;
        if (tg->members <= sleepers) {
            unlock(tg);
            return -1;          /* nothing left that could ever be joined */
        }
        me.tid = thr_getid();
        me.woken = 0;
        me.next = tg->waiters;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
        /* Not dangling: the waker unlinks me before setting me.woken, and
         * this frame stays until then. */
        tg->waiters = &me;
#pragma GCC diagnostic pop
        unlock(tg);
        while (!me.woken)
            deschedule((int *)&me.woken);
        lock(tg);
    }
    m = tg->done_first;
    tg->done_first = m->next;
    if (tg->done_first == NULL)
        tg->done_last = NULL;
    tg->members--;
    unlock(tg);
    tid = m->tid;
    free(m);
    return thr_join(tid, statusp) < 0 ? -1 : 0;
}
