/* bench_yield [n]: two threads of one task hand the CPU to each other n
 * times each with yield(-1); reports the cost of one yield (one switch). */
#include <syscall.h>
#include <thread.h>
#include "bench.h"

static long rounds;

static void *partner(void *arg)
{
    long i;

    for (i = 0; i < rounds; i++)
        yield(-1);
    return arg;
}

int main(int argc, char **argv)
{
    long i;
    bench_time t0, d;
    int tid;

    rounds = bench_arg(argc, argv, 1, 50000);
    if (thr_init(16 * 1024) < 0 || (tid = thr_create(partner, NULL)) < 0) {
        printf("bench_yield: cannot start the partner thread\n");
        return 1;
    }
    yield(tid);   /* let the partner start, so both loops run from here on */
    t0 = bench_now();
    for (i = 0; i < rounds; i++)
        yield(-1);
    d = bench_since(t0);
    thr_join(tid, NULL);
    bench_report("yield", d, 2 * rounds);
    return 0;
}
