/*
 * guard_recursion: unbounded recursion, in the first thread (autostack grows
 * the stack until its limit or until memory runs out) and in a thread with a
 * fixed stack (it runs into the guard page below). Each runs in a child task
 * that the kernel must kill (status -2) while the machine lives on.
 */
#define TEST_NAME "guard_recursion"
#include "testlib.h"
#include <stdlib.h>
#include <thread.h>

static int depth;

#pragma GCC diagnostic ignored "-Winfinite-recursion"   /* the point of the test */
static int recurse(int n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    depth = n;
    return recurse(n + 1) + frame[0];
}

static void *thread_recurse(void *arg)
{
    return (void *)recurse((int)arg);
}

static int run_child(int in_thread)
{
    int pid = fork();
    if (pid == 0) {
        if (!in_thread)
            exit(recurse(0));
        thr_init(16 * 1024);
        if (thr_create(thread_recurse, 0) < 0)
            exit(9);
        thr_exit(0);   /* the recursing thread is the task's last: its death is the status */
    }
    int status = 0;
    if (pid < 0 || wait(&status) != pid)
        fail("fork or wait for the recursion child");
    return status;
}

int main(int argc, char **argv)
{
    int s = run_child(0);
    printf("guard_recursion: first thread -> status %d\n", s);
    CHECK(s == -2);
    s = run_child(1);
    printf("guard_recursion: fixed-stack thread -> status %d\n", s);
    CHECK(s == -2);
    /* Still alive, and memory came back: a deep but bounded recursion works. */
    int pid = fork();
    if (pid == 0) {
        volatile char big[256 * 1024];
        big[0] = 1;
        exit(big[0] + 4);
    }
    int status = 0;
    CHECK(pid > 0 && wait(&status) == pid && status == 5);
    pass();
}
