/*
 * task_threads: raw thread_fork (no thread library).
 * - 20 threads, each on its own stack, record gettid and vanish; tids are
 *   new, distinct and increasing; each is gone afterwards (yield refused);
 * - fork and exec are refused while the task has a second thread (blocked
 *   in deschedule), and the program is intact; once that thread vanished,
 *   fork works again;
 * - the first thread vanishes before the last one: the task lives on, and
 *   its status (set_status 7 by the first thread) is what the parent sees
 *   (here the machine's exit code); the last thread prints the verdict.
 */
#define TEST_NAME "task_threads"
#include <stdlib.h>
#include "testlib.h"

#define THREADS 20
#define STACK_WORDS 2048

static unsigned int stacks[THREADS + 2][STACK_WORDS] __attribute__((aligned(16)));
static volatile int tids[THREADS], done, zero, main_tid;
static int canary = 1234;

/* thread_fork onto `stack_top`: the child calls fn(arg) there and must
 * vanish; the caller gets the child's tid or an error. The registers
 * holding fn, arg and the stack are copied to the child, so it finds them. */
static int raw_thread_fork(unsigned int *stack_top, void (*fn)(int), int arg)
{
    int ret;

    __asm__ volatile(
        "int $0x52\n\t"
        "testl %%eax, %%eax\n\t"
        "jnz 1f\n\t"
        "movl %[stk], %%esp\n\t"
        "xorl %%ebp, %%ebp\n\t"
        "subl $12, %%esp\n\t"
        "pushl %[arg]\n\t"
        "call *%[fn]\n\t"
        "ud2\n"
        "1:"
        : "=&a"(ret)
        : [stk] "r"(stack_top), [fn] "r"(fn), [arg] "r"(arg)
        : "memory", "cc");
    return ret;
}

static unsigned int *top(int i) { return &stacks[i][STACK_WORDS]; }

static void record_and_vanish(int i)
{
    tids[i] = gettid();
    __sync_fetch_and_add(&done, 1);
    vanish();
}

static void deschedule_then_vanish(int unused)
{
    deschedule((int *)&zero);
    vanish();
}

static void until_refused(int tid)
{
    int i;

    for (i = 0; i < 100000 && yield(tid) == 0; i++)
        ;
    if (i == 100000)
        fail("thread %d never went away", tid);
}

static void many_threads(void)
{
    int i, r[THREADS];
    unsigned int start = get_ticks();

    for (i = 0; i < THREADS; i++) {
        r[i] = raw_thread_fork(top(i), record_and_vanish, i);
        CHECK(r[i] > main_tid);
        CHECK(i == 0 || r[i] > r[i - 1]);
    }
    while (done < THREADS) {
        if (get_ticks() - start > 500)
            fail("only %d of %d threads ran", done, THREADS);
        yield(-1);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(tids[i] == r[i]);
        until_refused(r[i]);
    }
}

static void fork_and_exec_refused(void)
{
    char *args[] = { "exitcode", "3", NULL };
    int t, child, status;

    CHECK((t = raw_thread_fork(top(THREADS), deschedule_then_vanish, 0)) > 0);
    until_refused(t);               /* descheduled now */
    CHECK(fork() < 0);
    CHECK(exec("exitcode", args) < 0);
    CHECK(canary == 1234);
    CHECK(make_runnable(t) == 0);
    until_refused(t);               /* gone */
    child = fork();
    if (child == 0)
        exit(11);
    CHECK(child > 0);
    CHECK(wait(&status) == child && status == 11);
}

static void last_thread(int unused)
{
    while (yield(main_tid) == 0)
        ;
    printf("PASS %s\n", TEST_NAME);
    vanish();                       /* the task ends with the first thread's status */
}

int main(int argc, char **argv)
{
    main_tid = gettid();
    many_threads();
    fork_and_exec_refused();
    CHECK(raw_thread_fork(top(THREADS + 1), last_thread, 0) > 0);
    set_status(7);
    vanish();
}
