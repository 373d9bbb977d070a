/*
 * orphan_wait: wait() returns only the caller's own children, however its
 * children's children end. Written the way the 15-410 tests that caught this
 * are (report lines for `pebblebed run --report`), plus a PASS/FAIL line.
 *
 * The program forks a middle child that forks GRANDCHILDREN children and
 * exits before them: one grandchild exits at once (a zombie the middle child
 * never collects), the others outlive it and print "orphan N done" later.
 * Under `pebblebed run` the program is not init: an init (the kernel) sits
 * above it and collects those orphans, so the program's wait() yields the
 * middle child and then fails: no child left. It exits while the orphans
 * still sleep; the machine halts once they are gone, with its status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <410_tests.h>
#define TEST_NAME "orphan_wait"
#include "testlib.h"

DEF_TEST_NAME("orphan_wait:");

#define GRANDCHILDREN 4

static void check(int ok, const char *what, int got)
{
    if (!ok) {
        REPORT_END_FAIL;
        fail("%s (got %d)", what, got);
    }
}

static void middle_generation(void)
{
    int i, tid;

    tid = fork();
    if (tid == 0)
        exit(200);                  /* a zombie its parent never collects */
    for (i = 1; i < GRANDCHILDREN; i++) {
        tid = fork();
        if (tid == 0) {
            sleep(20);              /* outlives its parent and the program */
            printf("orphan %d done\n", i);
            exit(100 + i);
        }
    }
    sleep(5);                       /* the zombie has exited by now */
    exit(7);
}

int main(int argc, char **argv)
{
    int tid, got, status = -1;

    REPORT_START_CMPLT;
    tid = fork();
    if (tid == 0)
        middle_generation();
    check(tid > 0, "fork", tid);
    got = wait(&status);
    check(got == tid, "first wait returned a task that is not our child", got);
    check(status == 7, "our child's status", status);
    got = wait(&status);
    check(got < 0, "second wait returned an orphan; only children may come back", got);
    REPORT_END_SUCCESS;
    pass();
}
