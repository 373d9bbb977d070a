/*
 * thr_fork: fork after thr_init. In the child, thr_getid is the child's
 * own tid (not the parent's), and the thread library still works there:
 * it can create and join a thread. Whether fork is allowed while other
 * threads exist is the kernel's choice, so this forks with one thread.
 */
#define TEST_NAME "thr_fork"
#include <stdlib.h>
#include <thread.h>
#include <mutex.h>
#include "testlib.h"

static mutex_t lock;

static void *helper(void *arg)
{
    mutex_lock(&lock);
    mutex_unlock(&lock);
    return (void *)(thr_getid() == gettid());
}

static int child(void)
{
    void *status;
    int tid;

    if (thr_getid() != gettid())
        return 1;
    mutex_lock(&lock);
    if (lock.owner != gettid())
        return 2;
    mutex_unlock(&lock);
    tid = thr_create(helper, NULL);
    if (tid < 0 || thr_join(tid, &status) < 0)
        return 3;
    return status == (void *)1 ? 0 : 4;
}

int main(int argc, char **argv)
{
    int tid, status, tries;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    CHECK(thr_join(thr_create(helper, NULL), NULL) == 0);
    /* thr_join returns once the helper has called thr_exit, which may be before its
     * kernel thread has vanished: a fork in between is refused (the task still has two
     * threads). `pebblebed explore thr_fork` finds that interleaving (a preemption right
     * after the join); give the helper the CPU until it is gone. */
    for (tries = 0; (tid = fork()) < 0 && tries < 100; tries++)
        yield(-1);
    CHECK(tid >= 0);
    if (tid == 0)
        exit(child());
    CHECK(wait(&status) == tid);
    if (status != 0)
        fail("the child's thread library misbehaved (check %d)", status);
    CHECK(thr_getid() == gettid());
    pass();
}
