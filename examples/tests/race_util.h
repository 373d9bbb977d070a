/*
 * race_util.h: helpers shared by the race_* stress programs.
 *
 * The programs are meant to run under `pebblebed stress`, which preempts a
 * guest after a seeded number of instructions. A race needs a preemption
 * inside a window, so the programs widen their windows with window(): a
 * short busy loop the compiler cannot remove. Keep every program short
 * (well under two million guest instructions): under single-stepping the
 * machine runs about a million guest instructions per second.
 */
#ifndef _RACE_UTIL_H
#define _RACE_UTIL_H

/* Atomic add; returns the old value (a lock xadd: independent of the locks under test). */
static inline int atomic_add(volatile int *p, int v)
{
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

static inline int atomic_load(volatile int *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* A delay of a few instructions per step, so a preemption can land here. */
static inline void window(int steps)
{
    volatile int i;

    for (i = 0; i < steps; i++)
        ;
}

#endif /* _RACE_UTIL_H */
