/*
 * deschedule: deschedule with a nonzero reject returns at once; a thread
 * descheduled on a zero flag stays asleep until make_runnable; make_runnable
 * of a thread that is not descheduled fails; yield to a descheduled thread
 * fails.
 */
#define TEST_NAME "deschedule"
#include <thread.h>
#include "testlib.h"

static volatile int flag, sleeper_tid, sleeper_woke;

static void *sleeper(void *arg)
{
    sleeper_tid = gettid();
    deschedule((int *)&flag);
    sleeper_woke = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    int reject = 1, tid, i;

    CHECK(deschedule(&reject) == 0);
    CHECK(deschedule((int *)0x00800000) < 0);
    CHECK(make_runnable(gettid()) < 0);
    CHECK(make_runnable(-1) < 0);
    CHECK(thr_init(16 * 1024) == 0);
    CHECK((tid = thr_create(sleeper, NULL)) > 0);
    while (make_runnable(tid) < 0)        /* fails until it is descheduled */
        thr_yield(-1);
    for (i = 0; i < 50 && !sleeper_woke; i++)
        thr_yield(-1);
    CHECK(sleeper_woke);
    CHECK(thr_join(tid, NULL) == 0);
    pass();
}
