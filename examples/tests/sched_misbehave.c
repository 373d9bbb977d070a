/*
 * sched_misbehave: the misbehave modes of Scheduler/README.md change the
 * schedule in ways a program can see.
 * - 8|4 (child first, long quantum): thread_fork runs the new thread before
 *   it returns;
 * - 2|4 (LIFO wakeups, long quantum): threads made runnable in the order
 *   A, B, C run C, B, A; with 4 alone (FIFO) A, B, C;
 * - 1|4 (yield on every trap): two threads that make one system call per step
 *   alternate strictly; with 4 alone the first finishes its steps in one go;
 * - an unknown mode changes nothing; -1 restores the standard policy.
 */
#define TEST_NAME "sched_misbehave"
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#include "testlib.h"

#define STEPS 20

static volatile int started, zero;
static volatile int log_next;
static volatile char log_buf[3 * STEPS + 1];

static void note(char c) { log_buf[__sync_fetch_and_add(&log_next, 1)] = c; }

static void *mark_started(void *arg) { started = 1; return NULL; }

static void *wake_logger(void *arg)
{
    deschedule((int *)&zero);
    note(*(char *)arg);
    return NULL;
}

static void *stepper(void *arg)
{
    int i;

    for (i = 0; i < STEPS; i++) {
        note(*(char *)arg);
        gettid();                   /* one trap per step */
    }
    return NULL;
}

static void child_first(void)
{
    int t;

    /* With the 1-tick quantum a tick may land while the new thread is still in
     * thr_create's start-up code (about 1% of runs at 100 Hz, most at 10 kHz):
     * preempted there, it has run, but not mark_started yet. Ten ticks leave it
     * room. */
    misbehave(8 | 4);
    started = 0;
    CHECK((t = thr_create(mark_started, NULL)) > 0);
    if (!started)
        fail("mode 8: the new thread had not run when thr_create returned");
    CHECK(thr_join(t, NULL) == 0);
}

/* Three threads deschedule; they are made runnable A, B, C; returns the
 * order they ran in. */
static const char *wake_order(int mode)
{
    static char *names[] = { "A", "B", "C" };
    int t[3], i;

    misbehave(mode);
    log_next = 0;
    for (i = 0; i < 3; i++)
        CHECK((t[i] = thr_create(wake_logger, names[i])) > 0);
    for (i = 0; i < 3; i++)
        while (make_runnable(t[i]) < 0)
            yield(t[i]);            /* until it is descheduled */
    for (i = 0; i < 3; i++)
        CHECK(thr_join(t[i], NULL) == 0);
    log_buf[log_next] = 0;
    return (const char *)log_buf;
}

static int alternations(int mode)
{
    int a, b, i, n = 0;

    misbehave(mode);
    log_next = 0;
    CHECK((a = thr_create(stepper, "a")) > 0);
    CHECK((b = thr_create(stepper, "b")) > 0);
    CHECK(thr_join(a, NULL) == 0);
    CHECK(thr_join(b, NULL) == 0);
    CHECK(log_next == 2 * STEPS);
    for (i = 1; i < log_next; i++)
        n += log_buf[i] != log_buf[i - 1];
    return n;
}

int main(int argc, char **argv)
{
    const char *order;
    int n;

    CHECK(thr_init(16 * 1024) == 0);
    child_first();
    if (strcmp(order = wake_order(2 | 4), "CBA") != 0)
        fail("mode 6 ran %s, expected CBA", order);
    if (strcmp(order = wake_order(4), "ABC") != 0)
        fail("mode 4 ran %s, expected ABC", order);
    misbehave(12345);               /* unknown: mode 4 stays */
    if (strcmp(order = wake_order(4), "ABC") != 0)
        fail("after an unknown mode: %s", order);
    /* The first thread may take a few steps before the second exists. */
    if ((n = alternations(1 | 4)) < STEPS)
        fail("mode 5: only %d alternations in %d steps", n, 2 * STEPS);
    if ((n = alternations(4)) > 3)
        fail("mode 4: %d alternations; threads should run their steps in one go", n);
    misbehave(-1);
    pass();
}
