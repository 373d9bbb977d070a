/* sem_type.h: a counting semaphore over a mutex and a condition. */
#ifndef STUDENT_SEM_TYPE_H
#define STUDENT_SEM_TYPE_H

#include <mutex_type.h>
#include <cond_type.h>

typedef struct sem {
    mutex_t m;
    cond_t more;
    int count;
} sem_t;

#endif
