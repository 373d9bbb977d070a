/*
 * task_fork: 1000 sequential fork+wait pairs, then 50 children alive at
 * once. Each child exits with a status derived from its own tid (gettid in
 * the child equals fork's return in the parent); statuses use the whole
 * 32-bit range (negative, large). wait returns each child exactly once.
 */
#define TEST_NAME "task_fork"
#include <stdlib.h>
#include "testlib.h"

#define SEQUENTIAL 1000
#define CONCURRENT 50

/* The status a child with tid `tid` exits with: covers negative and large values. */
static int status_for(int tid)
{
    return (tid % 3 == 0) ? -tid : (tid % 3 == 1) ? tid * 65537 : tid;
}

static void sequential(void)
{
    int i, tid, got, status;

    for (i = 0; i < SEQUENTIAL; i++) {
        tid = fork();
        if (tid == 0)
            exit(status_for(gettid()));
        if (tid < 0)
            fail("fork %d returned %d", i, tid);
        got = wait(&status);
        if (got != tid)
            fail("round %d: wait returned %d, forked %d", i, got, tid);
        if (status != status_for(tid))
            fail("round %d: status %d, expected %d", i, status, status_for(tid));
    }
}

static void concurrent(void)
{
    int tids[CONCURRENT], seen[CONCURRENT] = { 0 };
    int i, j, got, status, me = gettid();

    for (i = 0; i < CONCURRENT; i++) {
        tids[i] = fork();
        if (tids[i] == 0) {
            if (gettid() == me)
                exit(-1000);        /* the child must have its own tid */
            sleep(i % 7);           /* mix exit orders */
            exit(status_for(gettid()));
        }
        CHECK(tids[i] > me);
        CHECK(i == 0 || tids[i] > tids[i - 1]);   /* tids increase */
    }
    for (i = 0; i < CONCURRENT; i++) {
        got = wait(&status);
        for (j = 0; j < CONCURRENT && tids[j] != got; j++)
            ;
        if (j == CONCURRENT)
            fail("wait returned %d, not a child", got);
        if (seen[j]++)
            fail("child %d collected twice", got);
        if (status != status_for(got))
            fail("child %d: status %d, expected %d", got, status, status_for(got));
    }
    status = 4242;
    CHECK(wait(&status) < 0);
    CHECK(status == 4242);
}

int main(int argc, char **argv)
{
    sequential();
    concurrent();
    pass();
}
