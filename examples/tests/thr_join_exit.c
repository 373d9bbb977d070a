/*
 * thr_join_exit: exit statuses reach thr_join whether a thread returns or
 * calls thr_exit, joins of unknown or already-joined threads fail, and
 * thr_getid agrees with the tid thr_create returned.
 */
#define TEST_NAME "thr_join_exit"
#include <thread.h>
#include "testlib.h"

#define N 8

static volatile int seen_tid[N];

static void *by_return(void *arg)
{
    seen_tid[(int)arg] = thr_getid();
    return (void *)((int)arg * 100);
}

static void *by_exit(void *arg)
{
    seen_tid[(int)arg] = thr_getid();
    thr_exit((void *)((int)arg * 100 + 1));
}

int main(int argc, char **argv)
{
    int tids[N], i;
    void *status;

    CHECK(thr_init(16 * 1024) == 0);
    CHECK(thr_init(16 * 1024) < 0);          /* only once */
    for (i = 0; i < N; i++) {
        tids[i] = thr_create(i % 2 ? by_exit : by_return, (void *)i);
        CHECK(tids[i] > 0);
    }
    for (i = N - 1; i >= 0; i--) {           /* join in reverse order */
        CHECK(thr_join(tids[i], &status) == 0);
        if ((int)status != i * 100 + i % 2)
            fail("thread %d exited with %d, expected %d", i, (int)status, i * 100 + i % 2);
        if (seen_tid[i] != tids[i])
            fail("thread %d: thr_getid %d but thr_create returned %d", i, seen_tid[i], tids[i]);
    }
    CHECK(thr_join(tids[0], &status) < 0);   /* already collected */
    CHECK(thr_join(-5, &status) < 0);
    CHECK(thr_join(thr_getid(), &status) < 0);
    CHECK(thr_getid() == gettid());
    pass();
}
