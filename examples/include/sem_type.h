/* sem_type.h: the semaphore structure (see sem.h). */
#ifndef _SEM_TYPE_H
#define _SEM_TYPE_H

#include <mutex_type.h>
#include <cond_type.h>

typedef struct sem {
    int count;
    mutex_t lock;
    cond_t nonzero;
    int initialized;
} sem_t;

#endif /* _SEM_TYPE_H */
