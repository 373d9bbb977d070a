/*
 * sched_busy: guests that never trap are preempted by the timer.
 * - Two busy threads of one task, spinning with no system call, both make
 *   progress while the main thread sleeps (and the main thread wakes up).
 * - Two busy tasks, each spinning for a fixed amount of work that takes
 *   about 20 ticks alone, overlap in time: each starts before the other
 *   ends (run one after the other they could not).
 * - A thread that spends most of its time in system calls is preempted
 *   too, and the spinner beside it progresses: most of its ticks arrive
 *   while the kernel runs (SIGALRM blocked) and are taken on the way back
 *   to user mode.
 */
#define TEST_NAME "sched_busy"
#include <stdlib.h>
#include <thread.h>
#include "testlib.h"

static volatile unsigned int count[2];
static volatile int stop;

static void *caller(void *arg)
{
    volatile unsigned int *c = &count[(int)arg];

    while (!stop) {
        gettid();
        (*c)++;
    }
    return NULL;
}

static void *spinner(void *arg)
{
    volatile unsigned int *c = &count[(int)arg];

    while (!stop)
        (*c)++;
    return NULL;
}

/* Iterations of the spin loop that take about `ticks` ticks. */
static unsigned int calibrate(unsigned int ticks)
{
    volatile unsigned int i;
    unsigned int n = 0, start;

    start = get_ticks();
    while (get_ticks() == start)
        ;
    start++;
    while (get_ticks() - start < ticks) {
        for (i = 0; i < 4096; i++)
            ;
        n += 4096;
    }
    return n;
}

/* Spins `work` iterations with no system call in between; exits with the
 * start tick (high 16 bits) and the end tick (low 16 bits). */
static void busy_task(unsigned int work)
{
    volatile unsigned int i;
    unsigned int start = get_ticks(), end;

    for (i = 0; i < work; i++)
        ;
    end = get_ticks();
    exit((int)((start & 0xffff) << 16 | (end & 0xffff)));
}

static void busy_threads(void *(*first)(void *))
{
    int a, b;
    unsigned int a0, b0;

    stop = 0;
    count[0] = count[1] = 0;
    CHECK((a = thr_create(first, (void *)0)) > 0);
    CHECK((b = thr_create(spinner, (void *)1)) > 0);
    CHECK(sleep(10) == 0);
    a0 = count[0];
    b0 = count[1];
    CHECK(sleep(20) == 0);
    if (count[0] == a0 || count[1] == b0)
        fail("busy threads stalled: %u->%u, %u->%u", a0, count[0], b0, count[1]);
    stop = 1;
    CHECK(thr_join(a, NULL) == 0);
    CHECK(thr_join(b, NULL) == 0);
}

static void busy_tasks(void)
{
    unsigned int work = calibrate(20);
    int tids[2], status[2], i, t;
    unsigned int start[2], end[2];

    for (i = 0; i < 2; i++) {
        tids[i] = fork();
        if (tids[i] == 0)
            busy_task(work);
        CHECK(tids[i] > 0);
    }
    for (i = 0; i < 2; i++) {
        t = wait(&status[0]);
        CHECK(t == tids[0] || t == tids[1]);
        start[t == tids[1]] = (unsigned int)status[0] >> 16;
        end[t == tids[1]] = (unsigned int)status[0] & 0xffff;
    }
    printf("task A ran ticks %u..%u, task B %u..%u (work %u)\n", start[0], end[0], start[1], end[1], work);
    if (!(start[0] < end[1] && start[1] < end[0]))
        fail("busy tasks did not overlap: %u..%u and %u..%u", start[0], end[0], start[1], end[1]);
}

int main(int argc, char **argv)
{
    busy_tasks();                   /* before thr_init: fork needs one thread */
    CHECK(thr_init(16 * 1024) == 0);
    busy_threads(spinner);
    busy_threads(caller);           /* lives in gettid, beside a spinner */
    pass();
}
