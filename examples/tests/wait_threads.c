/*
 * wait_threads: several threads of one task wait at once. With two
 * children and three waiters, two waits collect one child each and one
 * fails (more waiters than children) instead of blocking forever.
 */
#define TEST_NAME "wait_threads"
#include <stdlib.h>
#include <thread.h>
#include "testlib.h"

static volatile int results[3], statuses[3];

static void *waiter(void *arg)
{
    int status = -999;

    results[(int)arg] = wait(&status);
    statuses[(int)arg] = status;
    return NULL;
}

int main(int argc, char **argv)
{
    int kids[2], tids[3], i, ok = 0, failed = 0;

    for (i = 0; i < 2; i++) {                 /* fork before threads exist */
        kids[i] = fork();
        CHECK(kids[i] >= 0);
        if (kids[i] == 0) {
            sleep(20);                         /* let all three waiters block */
            exit(50 + i);
        }
    }
    CHECK(thr_init(16 * 1024) == 0);
    for (i = 0; i < 3; i++)
        CHECK((tids[i] = thr_create(waiter, (void *)i)) > 0);
    for (i = 0; i < 3; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    for (i = 0; i < 3; i++) {
        if (results[i] < 0) {
            failed++;
            CHECK(statuses[i] == -999);        /* untouched on failure */
        } else if ((results[i] == kids[0] && statuses[i] == 50) ||
                   (results[i] == kids[1] && statuses[i] == 51)) {
            ok++;
        } else {
            fail("waiter %d got tid %d status %d", i, results[i], statuses[i]);
        }
    }
    if (ok != 2 || failed != 1)
        fail("%d waits collected a child and %d failed (expected 2 and 1)", ok, failed);
    pass();
}
