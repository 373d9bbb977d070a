/* thr_internals.h: what this thread library's files share. */
#ifndef STUDENT_THR_INTERNALS_H
#define STUDENT_THR_INTERNALS_H

#include <mutex_type.h>
#include <cond_type.h>

/* The main thread's stack may grow this far below stack_high (autostack);
 * thread stacks are placed below that. */
#define MAIN_STACK_MAX (256 * 4096)

typedef struct tcb {
    int tid;
    void *(*func)(void *);
    void *arg;
    void *status;
    int exited;            /* status is set */
    volatile int gone;     /* the thread no longer runs on its stack */
    int slot;              /* stack slot, -1 for the main thread */
    cond_t done;
    struct tcb *next;
} tcb_t;

extern unsigned int autostack_high;   /* libautostack */

/* thr_fork.S: thread_fork onto stack_top; the child calls entry(tcb). */
int thr_fork(void *stack_top, void (*entry)(tcb_t *), tcb_t *tcb);
/* thr_fork.S: *flag = 1, then vanish, touching the stack no more. */
void thr_vanish_setting(volatile int *flag) __attribute__((noreturn));

#endif
