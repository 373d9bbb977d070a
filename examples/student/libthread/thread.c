/*
 * thread.c: threads. Stacks are fixed-size slots placed downwards below
 * the main thread's stack region: slot i spans a guard page and the stack
 * pages, just below slot i-1. Slots of joined threads are reused.
 *
 * The main stack's top is found the way libraries written for the 15-410
 * reference kernel do it, rounding the address of a local up to a page
 * with signed int arithmetic; that must work on any Pebbles kernel.
 *
 * A thread's stack is unmapped by its joiner only once the thread has set
 * `gone` as its last memory access (thr_vanish_setting).
 */
#include <syscall.h>
#include <thread.h>
#include <mutex.h>
#include <cond.h>
#include <malloc.h>
#include <thr_internals.h>

#define MAX_SLOTS 4096

static mutex_t lock = MUTEX_INITIALIZER;   /* the list, slots */
static tcb_t *threads;
static int stack_bytes;                    /* rounded to pages */
static int region_top;                     /* slot 0 ends here */
static char slot_used[MAX_SLOTS];
static int initialized;

static int slot_base(int slot)
{
    return region_top - (slot + 1) * (stack_bytes + PAGE_SIZE) + PAGE_SIZE;
}

int thr_init(unsigned int size)
{
    int here;
    int top = (((int)&here - 1) / PAGE_SIZE + 1) * PAGE_SIZE;
    tcb_t *self;

    if (initialized || size == 0 || size > (16 << 20))
        return -1;
    stack_bytes = (int)((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
    /* Below everything autostack may grow into, with slack for the
     * rounding, which can land a page or two above stack_high. */
    region_top = top - MAIN_STACK_MAX - 4 * PAGE_SIZE;
    self = calloc(1, sizeof(*self));
    if (self == NULL)
        return -1;
    self->tid = gettid();
    self->slot = -1;
    cond_init(&self->done);
    threads = self;
    initialized = 1;
    return 0;
}

static tcb_t *find(int tid)
{
    tcb_t *t;

    for (t = threads; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}

static void start(tcb_t *t)
{
    t->tid = gettid();   /* the parent stores the same value */
    thr_exit(t->func(t->arg));
}

int thr_create(void *(*func)(void *), void *args)
{
    tcb_t *t = calloc(1, sizeof(*t));
    int slot, tid, base;

    if (t == NULL)
        return -1;
    t->func = func;
    t->arg = args;
    t->tid = -1;
    cond_init(&t->done);
    mutex_lock(&lock);
    for (slot = 0; slot < MAX_SLOTS && slot_used[slot]; slot++)
        continue;
    if (slot == MAX_SLOTS || new_pages((void *)(base = slot_base(slot)), stack_bytes) < 0) {
        mutex_unlock(&lock);
        free(t);
        return -1;
    }
    slot_used[slot] = 1;
    t->slot = slot;
    t->next = threads;
    threads = t;
    tid = thr_fork((void *)(base + stack_bytes - 16), start, t);
    if (tid < 0) {
        threads = t->next;
        slot_used[slot] = 0;
        remove_pages((void *)base);
        mutex_unlock(&lock);
        free(t);
        return -1;
    }
    t->tid = tid;
    mutex_unlock(&lock);
    return tid;
}

int thr_join(int tid, void **statusp)
{
    tcb_t *t, **pp;

    mutex_lock(&lock);
    t = find(tid);
    if (t == NULL || tid == gettid()) {
        mutex_unlock(&lock);
        return -1;
    }
    while (!t->exited)
        cond_wait(&t->done, &lock);
    for (pp = &threads; *pp != t; pp = &(*pp)->next)
        continue;
    *pp = t->next;                 /* a second joiner now finds nothing */
    mutex_unlock(&lock);
    while (!t->gone)
        yield(tid);
    if (statusp)
        *statusp = t->status;
    mutex_lock(&lock);
    if (t->slot >= 0) {
        remove_pages((void *)slot_base(t->slot));
        slot_used[t->slot] = 0;
    }
    mutex_unlock(&lock);
    cond_destroy(&t->done);
    free(t);
    return 0;
}

void thr_exit(void *status)
{
    tcb_t *t;

    mutex_lock(&lock);
    t = find(gettid());
    if (t == NULL) {               /* thr_init never ran: just this thread */
        mutex_unlock(&lock);
        vanish();
    }
    t->status = status;
    t->exited = 1;
    cond_broadcast(&t->done);
    mutex_unlock(&lock);
    thr_vanish_setting(&t->gone);
}

int thr_getid(void)
{
    return gettid();
}

int thr_yield(int tid)
{
    return yield(tid);
}
