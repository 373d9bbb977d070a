/*
 * thrgrp.h: thread groups, 15-410's layer over thread.h for programs that
 * want "join any thread of this group" rather than a particular tid.
 *   thrgrp_init_group(&g)           -> 0
 *   thrgrp_create(&g, func, arg)    -> the new thread's tid, or < 0
 *   thrgrp_join(&g, &status)        waits for any thread of g whose func
 *                                   has returned, joins it -> 0, or < 0
 *                                   when g has no thread left to join
 *   thrgrp_destroy_group(&g)        -> 0, or < 0 while threads remain
 * Threads must end by returning from func (not thr_exit) to be seen.
 * Built on thread.h only (no mutex_t or cond_t inside), so it works with
 * any thread library, a student's own included.
 */
#ifndef _THRGRP_H
#define _THRGRP_H

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)
struct thrgrp_member;
struct thrgrp_waiter;

typedef struct thrgrp_group {
    volatile int lock;                  /* spin lock (xchg) over the rest */
    struct thrgrp_member *done_first;   /* returned, not yet joined (FIFO) */
    struct thrgrp_member *done_last;
    struct thrgrp_waiter *waiters;      /* joiners sleeping in deschedule */
    int members;                        /* created and not yet joined */
} thrgrp_group_t;

int thrgrp_init_group(thrgrp_group_t *tg);
int thrgrp_destroy_group(thrgrp_group_t *tg);
int thrgrp_create(thrgrp_group_t *tg, void *(*func)(void *), void *arg);
int thrgrp_join(thrgrp_group_t *tg, void **statusp);
#endif /* !ASSEMBLER */

#endif /* _THRGRP_H */
