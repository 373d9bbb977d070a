/*
 * thr_internal.h: what the thread library's files share.
 */
#ifndef _THR_INTERNAL_H
#define _THR_INTERNAL_H

/* Atomic exchange: the one atomic primitive everything here is built on. */
static inline int xchg(volatile int *p, int v)
{
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

/* A store the compiler may not move across other memory accesses. */
static inline void store_release(volatile int *p, int v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Short critical sections (a few instructions): spin, yielding the CPU. */
void _thr_spin_lock(volatile int *guard);
void _thr_spin_unlock(volatile int *guard);

/* The caller's thread id, usually without a system call. */
int _thr_self(void);

/*
 * In thread_fork.S: creates a thread that starts running start(arg) on
 * stack_top (16-byte aligned); returns the new tid, or < 0.
 */
int _thr_fork(void *stack_top, void (*start)(void *), void *arg);

/* In thread_fork.S: sets *flag = 1 and vanishes without touching the stack
 * again, so whoever waits for *flag may then free this thread's stack. */
void _thr_vanish_flag(volatile int *flag) __attribute__((__noreturn__));

#endif /* _THR_INTERNAL_H */
