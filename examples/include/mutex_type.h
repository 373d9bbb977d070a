/* mutex_type.h: the mutex structure (see mutex.h). */
#ifndef _MUTEX_TYPE_H
#define _MUTEX_TYPE_H

typedef struct mutex {
    volatile int locked; /* 0 free, 1 held; changed only by atomic xchg */
    volatile int owner;  /* tid of the holder, a hint for yield; -1 if none */
    int initialized;     /* catches use of a destroyed or never-initialized mutex */
} mutex_t;

#define MUTEX_INITIALIZER { 0, -1, 1 }

#endif /* _MUTEX_TYPE_H */
