/* mutex.c: test-and-set mutexes; a waiter yields to the holder. */
#include <syscall.h>
#include <mutex.h>

static int xchg(volatile int *p, int v)
{
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

int mutex_init(mutex_t *mp)
{
    mp->held = 0;
    mp->owner = -1;
    return 0;
}

void mutex_destroy(mutex_t *mp)
{
    (void)mp;
}

void mutex_lock(mutex_t *mp)
{
    while (xchg(&mp->held, 1)) {
        int owner = mp->owner;
        /* The holder may be blocked (then yield fails): give way to anyone. */
        if (owner < 0 || yield(owner) < 0)
            yield(-1);
    }
    mp->owner = gettid();
}

void mutex_unlock(mutex_t *mp)
{
    mp->owner = -1;
    xchg(&mp->held, 0);
}
