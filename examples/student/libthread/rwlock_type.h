/* rwlock_type.h: readers/writer lock; waiting writers hold off new
 * readers, so writers do not starve. */
#ifndef STUDENT_RWLOCK_TYPE_H
#define STUDENT_RWLOCK_TYPE_H

#include <mutex_type.h>
#include <cond_type.h>

typedef struct rwlock {
    mutex_t m;
    cond_t readers_ok, writer_ok;
    int readers;          /* holding for reading */
    int writing;          /* 1 while a writer holds it */
    int writers_waiting;
} rwlock_t;

#endif
