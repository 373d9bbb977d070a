/*
 * forkdemo: fork, exec and wait. Forks N children (default 3): child i
 * exits with status 10 + i, except the last, which execs `hello` with
 * arguments. The parent collects them all and checks the statuses.
 *   forkdemo [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>

#define MAX_CHILDREN 32

static void child(int i, int last)
{
    char *args[] = { "hello", "from", "forkdemo", NULL };

    printf("child %d: tid %d\n", i, gettid());
    if (last) {
        exec("hello", args);
        printf("child %d: exec hello failed\n", i);
        exit(99);
    }
    sleep(i);      /* let the children finish in order, just to show it */
    exit(10 + i);
}

/* Returns the index of tid in tids, or -1. */
static int find(const int *tids, int n, int tid)
{
    int i;

    for (i = 0; i < n; i++)
        if (tids[i] == tid)
            return i;
    return -1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3, tids[MAX_CHILDREN];
    int i, tid, status, k, bad = 0;

    if (n < 1 || n > MAX_CHILDREN)
        n = 3;
    for (i = 0; i < n; i++) {
        tids[i] = fork();
        if (tids[i] == 0)
            child(i, i == n - 1);
        if (tids[i] < 0) {
            printf("forkdemo: fork failed (%d)\n", tids[i]);
            return 1;
        }
    }
    for (i = 0; i < n; i++) {
        tid = wait(&status);
        k = find(tids, n, tid);
        printf("parent: task %d (child %d) exited with status %d\n", tid, k, status);
        if (k < 0 || status != (k == n - 1 ? 0 : 10 + k))
            bad = 1;
    }
    if (wait(&status) >= 0)
        bad = 1;                /* every child was already collected */
    printf("forkdemo: %s\n", bad ? "unexpected results" : "all children accounted for");
    return bad;
}
