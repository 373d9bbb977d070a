/* mutex_type.h: this library's mutex: a test-and-set word; a waiter yields
 * to the holder (whose tid it finds in owner) until the word is free. */
#ifndef STUDENT_MUTEX_TYPE_H
#define STUDENT_MUTEX_TYPE_H

typedef struct mutex {
    volatile int held;   /* 0 or 1, set by xchg */
    volatile int owner;  /* tid of the holder, -1 when free */
} mutex_t;

#define MUTEX_INITIALIZER { 0, -1 }

#endif
