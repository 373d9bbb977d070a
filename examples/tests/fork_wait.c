/*
 * fork_wait: fork returns 0 in the child and the child's tid in the parent;
 * wait returns each child's tid and status once; wait with no children
 * fails without touching the status; a bad status pointer fails without
 * consuming a child.
 */
#define TEST_NAME "fork_wait"
#include <stdlib.h>
#include "testlib.h"

#define CHILDREN 5

int main(int argc, char **argv)
{
    int tids[CHILDREN], i, j, tid, status, seen = 0;

    for (i = 0; i < CHILDREN; i++) {
        tid = fork();
        if (tid == 0)
            exit(20 + i);                 /* the child's own copy of i */
        CHECK(tid > 0);
        tids[i] = tid;
    }
    CHECK(wait((int *)0x00800000) < 0);   /* unwritable: no child consumed */
    CHECK(wait((int *)(void *)main) < 0); /* read-only text: same */
    for (i = 0; i < CHILDREN; i++) {
        tid = wait(&status);
        for (j = 0; j < CHILDREN && tids[j] != tid; j++)
            ;
        if (j == CHILDREN)
            fail("wait returned %d, not one of our children", tid);
        if (status != 20 + j)
            fail("child %d exited with %d, expected %d", j, status, 20 + j);
        if (seen & (1 << j))
            fail("child %d collected twice", j);
        seen |= 1 << j;
    }
    status = 12345;
    CHECK(wait(&status) < 0);
    CHECK(status == 12345);
    CHECK(wait(NULL) < 0);
    pass();
}
