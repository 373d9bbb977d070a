/* bench_syscall [n]: n gettid round trips (trap, dispatch, return to user). */
#include <syscall.h>
#include "bench.h"

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 100000), i;
    bench_time t0;

    for (i = 0; i < n / 10; i++)   /* warm up: map the stub's pages, settle caches */
        gettid();
    t0 = bench_now();
    for (i = 0; i < n; i++)
        gettid();
    bench_report("syscall", bench_since(t0), n);
    return 0;
}
