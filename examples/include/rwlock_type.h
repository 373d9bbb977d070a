/* rwlock_type.h: the reader/writer lock structure (see rwlock.h). */
#ifndef _RWLOCK_TYPE_H
#define _RWLOCK_TYPE_H

#include <mutex_type.h>
#include <cond_type.h>

typedef struct rwlock {
    mutex_t lock;
    cond_t turn;                /* broadcast whenever the head of the line may move */
    unsigned int next_ticket;   /* requests are served in ticket order: no starvation */
    unsigned int now_serving;
    int readers;                /* readers holding the lock */
    int writer;                 /* 1 while a writer holds it */
    int initialized;
} rwlock_t;

#endif /* _RWLOCK_TYPE_H */
