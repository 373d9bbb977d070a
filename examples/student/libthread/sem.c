/* sem.c: counting semaphores. */
#include <sem.h>
#include <mutex.h>
#include <cond.h>

int sem_init(sem_t *sem, int count)
{
    if (count < 0)
        return -1;
    mutex_init(&sem->m);
    cond_init(&sem->more);
    sem->count = count;
    return 0;
}

void sem_destroy(sem_t *sem)
{
    cond_destroy(&sem->more);
    mutex_destroy(&sem->m);
}

void sem_wait(sem_t *sem)
{
    mutex_lock(&sem->m);
    while (sem->count == 0)
        cond_wait(&sem->more, &sem->m);
    sem->count--;
    mutex_unlock(&sem->m);
}

void sem_signal(sem_t *sem)
{
    mutex_lock(&sem->m);
    sem->count++;
    cond_signal(&sem->more);
    mutex_unlock(&sem->m);
}
