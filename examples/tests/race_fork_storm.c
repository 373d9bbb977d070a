/*
 * race_fork_storm: ROUNDS times, the main task forks MANAGERS managers and
 * waits for them; each manager forks LEAVES leaves and then collects them
 * with two threads waiting at once. Leaves end in different ways: a plain
 * exit from main; task_vanish from a second thread while the first is
 * blocked in thr_join; set_status and vanish by the first thread while a
 * second thread still runs (the task ends when its last thread does).
 * Every exit status and every collected tid is checked; each child must be
 * collected exactly once, and a waiter finds out when none are left.
 * (Fork happens only while a task has one thread: a multi-threaded task
 * may be refused.)
 */
#define TEST_NAME "race_fork_storm"
#include <thread.h>
#include <mutex.h>
#include <stdlib.h>
#include "testlib.h"
#include "race_util.h"

#define ROUNDS 2
#define MANAGERS 3
#define LEAVES 3
#define WAITERS 2

static int leaf_status(int m, int l) { return 100 + m * 10 + l; }
static int manager_status(int m) { return 60 + m; }

static volatile int leaf_exit_status;

static void *vanish_task(void *arg)
{
    window(20);
    task_vanish(leaf_exit_status);
}

static void *linger(void *arg)
{
    int i;

    for (i = 0; i < 5; i++)
        thr_yield(-1);
    vanish();                           /* the last thread: status already set */
}

static void leaf(int m, int l)
{
    int tid;

    leaf_exit_status = leaf_status(m, l);
    if (l % 3 == 0)
        exit(leaf_exit_status);
    if (thr_init(4 * 1024) < 0 || (tid = thr_create(l % 3 == 1 ? vanish_task : linger, NULL)) < 0)
        task_vanish(1);
    if (l % 3 == 1) {
        thr_join(tid, NULL);            /* task_vanish ends this thread too */
        task_vanish(2);                 /* not reached */
    }
    set_status(leaf_exit_status);
    vanish();
}

/* What the waiter threads of one task share. */
static struct {
    mutex_t lock;
    int tids[LEAVES > MANAGERS ? LEAVES : MANAGERS];
    int expected[LEAVES > MANAGERS ? LEAVES : MANAGERS];
    int collected[LEAVES > MANAGERS ? LEAVES : MANAGERS];
    int children, total;
} reap;

/* Collects children until wait says none are left; checks each one. */
static void *waiter(void *arg)
{
    int tid, status, i;

    while ((tid = wait(&status)) >= 0) {
        mutex_lock(&reap.lock);
        for (i = 0; i < reap.children && reap.tids[i] != tid; i++)
            ;
        if (i == reap.children)
            fail("task %d: wait returned %d, not a child", gettid(), tid);
        if (status != reap.expected[i])
            fail("child %d (tid %d) exited with %d, expected %d", i, tid, status, reap.expected[i]);
        if (reap.collected[i]++)
            fail("child %d (tid %d) collected twice", i, tid);
        reap.total++;
        mutex_unlock(&reap.lock);
    }
    return NULL;
}

/* Forked LEAVES children already; collect them with WAITERS threads. */
static void reap_children(void)
{
    int tids[WAITERS], i;

    CHECK(thr_init(4 * 1024) == 0);
    CHECK(mutex_init(&reap.lock) == 0);
    for (i = 0; i < WAITERS; i++)
        CHECK((tids[i] = thr_create(waiter, NULL)) > 0);
    for (i = 0; i < WAITERS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    if (reap.total != reap.children)
        fail("task %d collected %d of %d children", gettid(), reap.total, reap.children);
}

static void manager(int m)
{
    int l, tid;

    reap.children = LEAVES;
    for (l = 0; l < LEAVES; l++) {
        tid = fork();
        if (tid == 0)
            leaf(m, l);
        if (tid < 0)
            fail("manager %d: fork %d failed (%d)", m, l, tid);
        reap.tids[l] = tid;
        reap.expected[l] = leaf_status(m, l);
        reap.collected[l] = 0;
    }
    reap_children();
    exit(manager_status(m));
}

static void run_round(int r)
{
    int m, tid, status, i, seen = 0;
    int tids[MANAGERS];

    for (m = 0; m < MANAGERS; m++) {
        tid = fork();
        if (tid == 0)
            manager(m);
        if (tid < 0)
            fail("round %d: fork of manager %d failed (%d)", r, m, tid);
        tids[m] = tid;
    }
    for (m = 0; m < MANAGERS; m++) {
        tid = wait(&status);
        for (i = 0; i < MANAGERS && tids[i] != tid; i++)
            ;
        if (i == MANAGERS || (seen & (1 << i)))
            fail("round %d: wait returned %d", r, tid);
        seen |= 1 << i;
        if (status != manager_status(i))
            fail("round %d: manager %d exited with %d", r, i, status);
    }
    CHECK(wait(&status) < 0);
}

int main(int argc, char **argv)
{
    int r;

    for (r = 0; r < ROUNDS; r++)
        run_round(r);
    pass();
}
