/* cond_type.h: the condition variable structure (see cond.h). */
#ifndef _COND_TYPE_H
#define _COND_TYPE_H

struct cond_waiter;

typedef struct cond {
    volatile int guard;         /* spin lock (xchg) protecting the queue */
    struct cond_waiter *head;   /* FIFO of waiting threads; nodes live on their stacks */
    struct cond_waiter *tail;
    int initialized;
} cond_t;

#endif /* _COND_TYPE_H */
