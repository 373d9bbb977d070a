/* bench_fork [n]: fork + exit + wait of a task with 1 MiB of touched memory. */
#include <syscall.h>
#include "bench.h"

#define TOUCHED (1 << 20)
static char area[TOUCHED];   /* bss: ZFOD until touched */

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 300), i;
    bench_time t0;
    int status;

    for (i = 0; i < TOUCHED; i += BENCH_PAGE)
        area[i] = 1;
    t0 = bench_now();
    for (i = 0; i < n; i++) {
        int tid = fork();
        if (tid == 0)
            exit(0);
        if (tid < 0 || wait(&status) != tid) {
            printf("bench_fork: fork or wait failed (%d)\n", tid);
            return 1;
        }
    }
    bench_report("fork", bench_since(t0), n);
    return 0;
}
