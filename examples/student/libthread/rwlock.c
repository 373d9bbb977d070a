/* rwlock.c: readers/writer locks; a waiting writer stops new readers. */
#include <rwlock.h>
#include <mutex.h>
#include <cond.h>

int rwlock_init(rwlock_t *rw)
{
    mutex_init(&rw->m);
    cond_init(&rw->readers_ok);
    cond_init(&rw->writer_ok);
    rw->readers = rw->writing = rw->writers_waiting = 0;
    return 0;
}

void rwlock_destroy(rwlock_t *rw)
{
    cond_destroy(&rw->readers_ok);
    cond_destroy(&rw->writer_ok);
    mutex_destroy(&rw->m);
}

void rwlock_lock(rwlock_t *rw, int type)
{
    mutex_lock(&rw->m);
    if (type == RWLOCK_READ) {
        while (rw->writing || rw->writers_waiting)
            cond_wait(&rw->readers_ok, &rw->m);
        rw->readers++;
    } else {
        rw->writers_waiting++;
        while (rw->writing || rw->readers)
            cond_wait(&rw->writer_ok, &rw->m);
        rw->writers_waiting--;
        rw->writing = 1;
    }
    mutex_unlock(&rw->m);
}

static void wake_locked(rwlock_t *rw)
{
    if (rw->writers_waiting)
        cond_signal(&rw->writer_ok);
    else
        cond_broadcast(&rw->readers_ok);
}

void rwlock_unlock(rwlock_t *rw)
{
    mutex_lock(&rw->m);
    if (rw->writing)
        rw->writing = 0;
    else
        rw->readers--;
    if (!rw->writing && rw->readers == 0)
        wake_locked(rw);
    mutex_unlock(&rw->m);
}

void rwlock_downgrade(rwlock_t *rw)
{
    mutex_lock(&rw->m);
    rw->writing = 0;
    rw->readers = 1;
    cond_broadcast(&rw->readers_ok);   /* other readers may join now */
    mutex_unlock(&rw->m);
}
