/*
 * task_vanish: a task whose threads are blocked in the kernel (sleep,
 * deschedule, wait) or busy in user mode ends at once, every thread with
 * it, when one thread calls task_vanish; the parent gets that status and
 * the blocked sleeper did not have to finish its sleep. The grandchild the
 * dead task was waiting for becomes an orphan: init collects it (under
 * `pebblebed run`, the kernel), so it never comes back from our wait().
 *
 *   task_vanish keyboard   also a thread in readline and one queued behind it
 *                          in getchar (needs a terminal that types nothing:
 *                          with stdin at end of input the machine halts).
 */
#define TEST_NAME "task_vanish"
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#include "testlib.h"

#define LONG_SLEEP 100000

static volatile int zero;
static int with_keyboard;
static volatile int spin;

static void *sleeper(void *arg) { sleep(LONG_SLEEP); return (void *)1; }
static void *descheduler(void *arg) { deschedule((int *)&zero); return (void *)2; }
static void *waiter(void *arg) { wait(NULL); return (void *)3; }
static void *reader(void *arg) { char line[80]; readline(sizeof(line), line); return (void *)4; }
static void *getter(void *arg) { getchar(); return (void *)5; }
static void *busy(void *arg) { while (1) spin++; return NULL; }

/* Yields to `tid` fail once it is blocked in the kernel. */
static void until_blocked(int tid)
{
    int i;

    for (i = 0; i < 10000 && yield(tid) == 0; i++)
        ;
    if (i == 10000)
        task_vanish(98);
}

static void doomed_task(void)
{
    int grandchild, s, d, w, b;

    grandchild = fork();            /* the waiter's child: outlives us */
    if (grandchild == 0) {
        sleep(40);                  /* long after task_vanish, even with a long quantum */
        exit(61);
    }
    if (thr_init(16 * 1024) < 0)
        task_vanish(97);
    s = thr_create(sleeper, NULL);
    d = thr_create(descheduler, NULL);
    w = thr_create(waiter, NULL);
    if (s < 0 || d < 0 || w < 0)
        task_vanish(96);
    until_blocked(s);
    until_blocked(d);
    until_blocked(w);
    if (with_keyboard) {
        int r = thr_create(reader, NULL), g;

        until_blocked(r);
        g = thr_create(getter, NULL);
        until_blocked(g);
    }
    /* Last, so that its quanta do not delay the rest: a thread busy in user mode. */
    if ((b = thr_create(busy, NULL)) < 0)
        task_vanish(95);
    while (spin == 0)
        yield(b);
    task_vanish(42);
}

int main(int argc, char **argv)
{
    unsigned int start = get_ticks();
    int tid, status;

    with_keyboard = argc > 1 && strcmp(argv[1], "keyboard") == 0;
    tid = fork();
    if (tid == 0)
        doomed_task();
    CHECK(tid > 0);
    CHECK(wait(&status) == tid);
    if (status != 42)
        fail("task_vanish(42) reported status %d", status);
    CHECK(get_ticks() - start < 1000);
    CHECK(wait(&status) < 0);       /* the orphaned grandchild is not ours */
    pass();
}
