/* cond_type.h: this library's condition variable: a FIFO of waiters (each
 * node on its waiter's stack) under a mutex of its own. */
#ifndef STUDENT_COND_TYPE_H
#define STUDENT_COND_TYPE_H

#include <mutex_type.h>

struct waiter;

typedef struct cond {
    mutex_t guard;
    struct waiter *first, *last;
} cond_t;

#endif
