/*
 * fork_storm: many short-lived tasks. Each round forks CHILDREN children;
 * each child forks a grandchild it never waits for (an orphan, handed to
 * init when the child ends) and exits with a status of its own. The
 * parent must collect exactly its children with the right statuses.
 * The rounds run in a forked runner: run as init (`pebblebed run --init`)
 * the first task adopts the orphans, and then they are its children too;
 * the first task collects the runner and any orphans that come its way.
 *   fork_storm [rounds]
 */
#define TEST_NAME "fork_storm"
#include <stdlib.h>
#include "testlib.h"

#define CHILDREN 10

static void child(int k)
{
    int tid = fork();

    if (tid == 0)
        exit(0);            /* the orphan: nobody waits for it but init */
    exit(tid < 0 ? 100 : k);
}

static void round_of_children(int round)
{
    int i, tid, status, seen = 0;

    for (i = 0; i < CHILDREN; i++) {
        tid = fork();
        if (tid == 0)
            child(i);
        if (tid < 0)
            fail("round %d: fork %d failed (%d)", round, i, tid);
    }
    for (i = 0; i < CHILDREN; i++) {
        tid = wait(&status);
        if (tid < 0)
            fail("round %d: only %d children collected", round, i);
        if (status < 0 || status >= CHILDREN || (seen & (1 << status)))
            fail("round %d: unexpected status %d", round, status);
        seen |= 1 << status;
    }
    if (wait(&status) >= 0)
        fail("round %d: collected more than %d children", round, CHILDREN);
}

static void runner(int rounds)
{
    int r;

    for (r = 0; r < rounds; r++)
        round_of_children(r);
    exit(0);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    int tid = fork(), got, status;

    CHECK(tid >= 0);
    if (tid == 0)
        runner(rounds);
    do {
        got = wait(&status);
    } while (got >= 0 && got != tid);
    if (got != tid)
        fail("lost the runner task (wait returned %d)", got);
    if (status != 0)
        fail("the runner failed with status %d (its FAIL line says why)", status);
    while (wait(&status) >= 0)      /* orphans given to us, if we are init */
        ;
    pass();
}
