/*
 * thread.c: thread creation, exit and join.
 *
 * Stacks: thread stacks live in fixed-size slots below the first thread's
 * autostack floor, slot i just below slot i-1. Each slot is an unmapped
 * guard page followed by the stack pages (new_pages); the top 16 bytes of
 * a stack hold the thread's tid and tcb, so a thread finds itself from
 * %esp with no system call (_thr_self).
 *
 * Lifetime: a tcb is on the `threads` list from thr_create (or thr_init,
 * for the first thread) until thr_join collects it. thr_exit records the
 * status and then sets tcb->gone as its very last memory access before
 * vanishing (_thr_vanish_flag); only then may the joiner unmap the stack
 * and free the tcb. Threads never joined keep their slot, as in Pebbles.
 *
 * Lock: thr_lock protects the threads list, every tcb field but `gone`,
 * and the slot allocator.
 */
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>
#include "../lib/internal.h"
#include "thr_internal.h"

#define TOP_RESERVE 16          /* tid and tcb at the top of each stack */
#define USER_MEM_START 0x01000000u

typedef struct tcb {
    int tid;
    void *status;               /* thr_exit's argument */
    int exited;                 /* status is valid */
    int joining;                /* a thr_join has claimed this thread */
    volatile int gone;          /* the thread no longer touches its stack or tcb */
    int slot;                   /* stack slot, -1 for the first thread */
    void *(*func)(void *);
    void *arg;
    cond_t done;                /* broadcast when exited becomes 1 */
    struct tcb *next;
} tcb_t;

static int initialized;
static mutex_t thr_lock;
static tcb_t *threads;
static int main_tid;
static unsigned int slot_size;  /* guard page + stack, bytes */
static unsigned int region_top; /* slot 0 ends here */
static int slots_used;          /* slots 0..slots_used-1 have been handed out */
static int *free_slots;         /* returned slot numbers, reused first */
static int nfree, free_cap;
static mutex_t heap_mutex;

static void after_fork_child(void);

static void heap_lock(void *m) { mutex_lock(m); }
static void heap_unlock(void *m) { mutex_unlock(m); }

static unsigned int slot_base(int slot)
{
    return region_top - (unsigned int)(slot + 1) * slot_size;
}

/* Where a slot's stack words hold the owner's tid and tcb. */
static int *slot_top_words(int slot)
{
    return (int *)(slot_base(slot) + slot_size - TOP_RESERVE);
}

int thr_init(unsigned int size)
{
    tcb_t *self;

    if (initialized || size == 0 || size > (64u << 20))
        return -1;
    slot_size = ((size + TOP_RESERVE + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) + PAGE_SIZE;
    region_top = _pb_autostack_floor() - PAGE_SIZE;
    main_tid = gettid();
    mutex_init(&thr_lock);
    self = calloc(1, sizeof(*self));
    if (self == NULL)
        return -1;
    self->tid = main_tid;
    self->slot = -1;
    cond_init(&self->done);
    threads = self;
    mutex_init(&heap_mutex);
    _pb_heap_lock_arg = &heap_mutex;
    _pb_heap_unlock = heap_unlock;
    _pb_heap_lock = heap_lock;
    _pb_after_fork_child = after_fork_child;
    initialized = 1;
    return 0;
}

/* Where the caller's tid is cached: main_tid or a slot's top word; NULL
 * when the stack is neither (e.g. a swexn handler's own stack). */
static int *cached_tid(void)
{
    unsigned int sp, low;

    __asm__("movl %%esp, %0" : "=r"(sp));
    if (sp >= _pb_autostack_floor())
        return &main_tid;
    low = region_top - (unsigned int)slots_used * slot_size;
    if (sp < region_top && sp >= low)
        return slot_top_words((int)((region_top - 1 - sp) / slot_size));
    return NULL;
}

int _thr_self(void)
{
    int *cache = initialized ? cached_tid() : NULL;

    return cache ? *cache : gettid();
}

/* In a fork child (a new task with one thread) the caches hold the
 * parent's tid: fix the cache and the tcb of the thread that forked. */
static void after_fork_child(void)
{
    int *cache = cached_tid();
    int tid = gettid();
    tcb_t *t;

    if (cache == NULL)
        return;
    for (t = threads; t; t = t->next)
        if (t->tid == *cache)
            t->tid = tid;
    *cache = tid;
}

int thr_getid(void)
{
    return _thr_self();
}

int thr_yield(int tid)
{
    return yield(tid);
}

/* ---- stack slots (thr_lock held) ------------------------------------- */

static int remember_free_slot(int slot)
{
    if (nfree == free_cap) {
        int cap = free_cap ? 2 * free_cap : 16;
        int *bigger = realloc(free_slots, (size_t)cap * sizeof(int));

        if (bigger == NULL)
            return -1;
        free_slots = bigger;
        free_cap = cap;
    }
    free_slots[nfree++] = slot;
    return 0;
}

/* Maps the stack pages of a slot (its guard page stays unmapped). A fresh
 * slot whose addresses someone else mapped (a large heap) is skipped. */
static int slot_alloc(void)
{
    unsigned int max_slots = (region_top - USER_MEM_START) / slot_size;
    int slot, tries;

    for (tries = 0; tries < 64; tries++) {
        slot = nfree > 0 ? free_slots[--nfree] : slots_used++;
        if ((unsigned int)slot >= max_slots)
            return -1;
        if (new_pages((void *)(slot_base(slot) + PAGE_SIZE), (int)(slot_size - PAGE_SIZE)) == 0)
            return slot;
    }
    return -1;
}

static void slot_free(int slot)
{
    remove_pages((void *)(slot_base(slot) + PAGE_SIZE));
    remember_free_slot(slot);      /* if this fails the slot just is not reused */
}

/* ---- the threads list (thr_lock held) --------------------------------- */

static tcb_t *find(int tid)
{
    tcb_t *t;

    for (t = threads; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}

static void unlink_tcb(tcb_t *victim)
{
    tcb_t **pp;

    for (pp = &threads; *pp; pp = &(*pp)->next)
        if (*pp == victim) {
            *pp = victim->next;
            return;
        }
}

/* ---- create, exit, join ---------------------------------------------- */

/* First code of every new thread, on its own stack. It records its tid
 * (at the stack top for _thr_self, and in the tcb, racing harmlessly with
 * thr_create writing the same value) before anything can ask for it. */
static void thread_start(void *arg)
{
    tcb_t *self = arg;
    int tid = gettid();

    slot_top_words(self->slot)[0] = tid;
    slot_top_words(self->slot)[1] = (int)self;
    mutex_lock(&thr_lock);
    self->tid = tid;
    mutex_unlock(&thr_lock);
    thr_exit(self->func(self->arg));
}

static tcb_t *new_tcb(void *(*func)(void *), void *arg)
{
    tcb_t *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    t->tid = -1;
    t->func = func;
    t->arg = arg;
    cond_init(&t->done);
    mutex_lock(&thr_lock);
    t->slot = slot_alloc();
    if (t->slot >= 0) {
        t->next = threads;          /* listed before it runs: thr_exit finds it */
        threads = t;
    }
    mutex_unlock(&thr_lock);
    if (t->slot < 0) {
        free(t);
        return NULL;
    }
    return t;
}

int thr_create(void *(*func)(void *), void *arg)
{
    tcb_t *t;
    int tid;

    if (!initialized || func == NULL)
        return -1;
    t = new_tcb(func, arg);
    if (t == NULL)
        return -1;
    tid = _thr_fork(slot_top_words(t->slot), thread_start, t);
    mutex_lock(&thr_lock);
    if (tid < 0) {
        unlink_tcb(t);
        slot_free(t->slot);
    } else {
        t->tid = tid;
    }
    mutex_unlock(&thr_lock);
    if (tid < 0)
        free(t);
    return tid;
}

void thr_exit(void *status)
{
    tcb_t *self;

    if (!initialized)
        vanish();
    mutex_lock(&thr_lock);
    self = find(_thr_self());
    if (self == NULL) {             /* not made by this library: just end it */
        mutex_unlock(&thr_lock);
        vanish();
    }
    self->status = status;
    self->exited = 1;
    cond_broadcast(&self->done);
    mutex_unlock(&thr_lock);
    _thr_vanish_flag(&self->gone);
}

/* Waits (thr_lock held) until t has exited and left its stack. */
static void await_exit(tcb_t *t)
{
    while (!t->exited)
        cond_wait(&t->done, &thr_lock);
    mutex_unlock(&thr_lock);
    while (!t->gone)                /* a few instructions away from vanish */
        if (yield(t->tid) < 0)
            yield(-1);
    mutex_lock(&thr_lock);
}

int thr_join(int tid, void **statusp)
{
    tcb_t *t;

    if (!initialized)
        return -1;
    mutex_lock(&thr_lock);
    t = find(tid);
    if (t == NULL || t->joining || tid == _thr_self()) {
        mutex_unlock(&thr_lock);
        return -1;
    }
    t->joining = 1;
    await_exit(t);
    unlink_tcb(t);
    if (t->slot >= 0)
        slot_free(t->slot);
    mutex_unlock(&thr_lock);
    if (statusp)
        *statusp = t->status;
    cond_destroy(&t->done);
    free(t);
    return 0;
}
