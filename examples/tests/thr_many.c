/* thr_many: 20 threads created and joined, 10 times over (stack reuse). */
#define TEST_NAME "thr_many"
#include <thread.h>
#include "testlib.h"

#define THREADS 20
#define ROUNDS 10

static void *work(void *arg)
{
    volatile int sum = 0, i;

    for (i = 0; i < 1000; i++)          /* use the stack a little */
        sum += i;
    if (sum != 499500)
        fail("arithmetic on a thread stack went wrong");
    return arg;
}

int main(int argc, char **argv)
{
    int tids[THREADS], r, i;
    void *status;

    CHECK(thr_init(8192) == 0);
    for (r = 0; r < ROUNDS; r++) {
        for (i = 0; i < THREADS; i++) {
            tids[i] = thr_create(work, (void *)(r * 1000 + i));
            if (tids[i] < 0)
                fail("round %d: thr_create %d failed (%d)", r, i, tids[i]);
        }
        for (i = 0; i < THREADS; i++) {
            if (thr_join(tids[i], &status) < 0)
                fail("round %d: join of thread %d failed", r, i);
            if ((int)status != r * 1000 + i)
                fail("round %d: thread %d returned %d", r, i, (int)status);
        }
    }
    pass();
}
