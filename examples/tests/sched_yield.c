/*
 * sched_yield: yield(-1) and yield to oneself return 0; yield to a tid that
 * never existed, to an exited thread, to -2, and to threads blocked in
 * sleep, deschedule or wait (in this task or another) is refused; yield to
 * a runnable thread returns 0 and that thread gets to run.
 */
#define TEST_NAME "sched_yield"
#include <stdlib.h>
#include <thread.h>
#include "testlib.h"

static volatile int zero, spins, stop;

static void *sleeper(void *arg) { sleep(100000); return NULL; }
static void *descheduler(void *arg) { deschedule((int *)&zero); return NULL; }
static void *spinner(void *arg) { while (!stop) spins++; return NULL; }
static void *quick(void *arg) { return NULL; }

/* Yield to `tid` until refused (it has blocked); fails if it never blocks. */
static void until_refused(int tid)
{
    int i;

    for (i = 0; i < 10000 && yield(tid) == 0; i++)
        ;
    if (i == 10000)
        fail("yield to %d never refused", tid);
}

static void yield_to_runnable(int tid)
{
    int i, before, ran = 0;

    /* The target runs before we do again; a tick may preempt it before its
     * first increment, so any of a few tries counts. */
    for (i = 0; i < 5 && !ran; i++) {
        before = spins;
        CHECK(yield(tid) == 0);
        ran = spins != before;
    }
    if (!ran)
        fail("yield to runnable thread %d did not let it run", tid);
}

/* A child task blocked in wait (for a grandchild that sleeps a while):
 * yield to it from another task is refused too. */
static void other_task_in_wait(void)
{
    int child = fork(), status;

    if (child == 0) {
        if (fork() == 0) {
            sleep(30);
            exit(0);
        }
        exit(wait(NULL) > 0 ? 3 : 4);
    }
    CHECK(child > 0);
    until_refused(child);
    CHECK(wait(&status) == child);
    CHECK(status == 3);
}

int main(int argc, char **argv)
{
    int s, d, sp, q;

    CHECK(yield(-1) == 0);
    CHECK(yield(gettid()) == 0);
    CHECK(yield(-2) < 0);
    CHECK(yield(0) < 0);
    CHECK(yield(gettid() + 100000) < 0);
    other_task_in_wait();
    CHECK(thr_init(16 * 1024) == 0);
    CHECK((q = thr_create(quick, NULL)) > 0);
    CHECK(thr_join(q, NULL) == 0);
    until_refused(q);                         /* exited */
    CHECK((s = thr_create(sleeper, NULL)) > 0);
    CHECK((d = thr_create(descheduler, NULL)) > 0);
    until_refused(s);
    until_refused(d);
    CHECK((sp = thr_create(spinner, NULL)) > 0);
    yield_to_runnable(sp);
    stop = 1;
    CHECK(thr_join(sp, NULL) == 0);
    pass();
}
