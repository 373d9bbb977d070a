/*
 * thr_main_exit: the first thread calls thr_exit while another thread
 * runs; the task lives on, the other thread can join the first one and
 * get its status, and the task ends when that last thread leaves.
 */
#define TEST_NAME "thr_main_exit"
#include <thread.h>
#include "testlib.h"

static int main_tid;

static void *survivor(void *arg)
{
    void *status;

    if (thr_join(main_tid, &status) < 0)
        fail("could not join the first thread");
    if ((int)status != 7)
        fail("first thread's status %d, expected 7", (int)status);
    pass();
}

int main(int argc, char **argv)
{
    CHECK(thr_init(16 * 1024) == 0);
    main_tid = thr_getid();
    CHECK(thr_create(survivor, NULL) > 0);
    thr_exit((void *)7);
}
