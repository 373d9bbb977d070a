/*
 * rwlock.c: reader/writer locks served in arrival order.
 *
 * Every request takes a ticket. A request may enter only when its ticket
 * is being served; entering advances now_serving, so a run of readers
 * enters together, while a writer also waits for the readers ahead of it
 * to leave. Readers arriving after a waiting writer queue behind it, and
 * the writer cannot overtake readers that came first: neither side starves.
 * One condition variable, broadcast whenever the line may move.
 */
#include <rwlock.h>
#include <mutex.h>
#include <cond.h>
#include <stdlib.h>

int rwlock_init(rwlock_t *rw)
{
    if (rw == NULL)
        return -1;
    mutex_init(&rw->lock);
    cond_init(&rw->turn);
    rw->next_ticket = rw->now_serving = 0;
    rw->readers = 0;
    rw->writer = 0;
    rw->initialized = 1;
    return 0;
}

void rwlock_destroy(rwlock_t *rw)
{
    if (rw->readers || rw->writer || rw->next_ticket != rw->now_serving)
        panic("rwlock_destroy: rwlock %p is in use", (void *)rw);
    cond_destroy(&rw->turn);
    mutex_destroy(&rw->lock);
    rw->initialized = 0;
}

static int may_enter(const rwlock_t *rw, unsigned int ticket, int type)
{
    if (rw->now_serving != ticket || rw->writer)
        return 0;
    return type == RWLOCK_READ || rw->readers == 0;
}

void rwlock_lock(rwlock_t *rw, int type)
{
    unsigned int ticket;

    mutex_lock(&rw->lock);
    ticket = rw->next_ticket++;
    while (!may_enter(rw, ticket, type))
        cond_wait(&rw->turn, &rw->lock);
    if (type == RWLOCK_READ)
        rw->readers++;
    else
        rw->writer = 1;
    rw->now_serving++;
    cond_broadcast(&rw->turn);     /* the next in line may be a reader too */
    mutex_unlock(&rw->lock);
}

void rwlock_unlock(rwlock_t *rw)
{
    mutex_lock(&rw->lock);
    if (rw->writer)
        rw->writer = 0;
    else if (rw->readers > 0)
        rw->readers--;
    else
        panic("rwlock_unlock: rwlock %p is not locked", (void *)rw);
    cond_broadcast(&rw->turn);
    mutex_unlock(&rw->lock);
}

/* A writer becomes a reader without letting a writer in between. */
void rwlock_downgrade(rwlock_t *rw)
{
    mutex_lock(&rw->lock);
    if (!rw->writer)
        panic("rwlock_downgrade: rwlock %p is not write-locked", (void *)rw);
    rw->writer = 0;
    rw->readers = 1;
    cond_broadcast(&rw->turn);
    mutex_unlock(&rw->lock);
}
