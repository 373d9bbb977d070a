/* sem.c: counting semaphores on a mutex and a condition variable. */
#include <sem.h>
#include <mutex.h>
#include <cond.h>
#include <stdlib.h>

int sem_init(sem_t *sem, int count)
{
    if (sem == NULL || count < 0)
        return -1;
    sem->count = count;
    mutex_init(&sem->lock);
    cond_init(&sem->nonzero);
    sem->initialized = 1;
    return 0;
}

void sem_destroy(sem_t *sem)
{
    cond_destroy(&sem->nonzero);   /* panics if anyone still waits */
    mutex_destroy(&sem->lock);
    sem->initialized = 0;
}

void sem_wait(sem_t *sem)
{
    mutex_lock(&sem->lock);
    while (sem->count <= 0)
        cond_wait(&sem->nonzero, &sem->lock);
    sem->count--;
    mutex_unlock(&sem->lock);
}

void sem_signal(sem_t *sem)
{
    mutex_lock(&sem->lock);
    sem->count++;
    cond_signal(&sem->nonzero);
    mutex_unlock(&sem->lock);
}
