/*
 * task_orphans: children whose parent exits go to init, which collects them
 * with wait; so do zombies their parent never collected. Run it as init
 * (`pebblebed run --init task_orphans`), the role the RAM disk's init has
 * when the machine boots; without --init the kernel is init (orphan_wait.c).
 *
 *   task_orphans          as init: reaps a child (status 7), five orphaned
 *                         grandchildren that outlive it (100..104) and one
 *                         that was a zombie when it exited (200).
 *   task_orphans detach   the first task exits (status 5) while its child
 *                         still sleeps; the kernel collects the child, the
 *                         machine halts once it is gone (after it prints).
 */
#define TEST_NAME "task_orphans"
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

#define GRANDCHILDREN 5

static void middle_generation(void)
{
    int i, tid;

    tid = fork();
    if (tid == 0)
        exit(200);                  /* a zombie its parent never collects */
    for (i = 0; i < GRANDCHILDREN; i++) {
        tid = fork();
        if (tid == 0) {
            sleep(20);              /* outlives its parent */
            exit(100 + i);
        }
    }
    sleep(5);                       /* the zombie has exited by now */
    exit(7);
}

/* Collects the child and its six orphans in whatever order they come (the
 * zombie grandchild may be handed over before its parent's own record). */
static void reap_orphans(void)
{
    int tid, got, status, i, seen = 0, bit;

    tid = fork();
    if (tid == 0)
        middle_generation();
    CHECK(tid > 0);
    for (i = 0; i < GRANDCHILDREN + 2; i++) {
        got = wait(&status);
        if (got == tid) {
            CHECK(status == 7);
            bit = 7;
        } else {
            CHECK(got > tid);
            bit = status == 200 ? GRANDCHILDREN : status - 100;
            if (bit < 0 || bit > GRANDCHILDREN)
                fail("unexpected orphan status %d", status);
        }
        if (seen & (1 << bit))
            fail("status %d collected twice", status);
        seen |= 1 << bit;
    }
    CHECK(wait(&status) < 0);
}

static void detach(void)
{
    int tid = fork();

    if (tid == 0) {
        sleep(20);
        printf("orphan done\n");
        exit(9);
    }
    CHECK(tid > 0);
    printf("first task exits\n");
    exit(5);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "detach") == 0)
        detach();
    reap_orphans();
    pass();
}
