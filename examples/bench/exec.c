/* bench_exec [n]: fork + exec of a small program (bench_nop) + wait. */
#include <syscall.h>
#include "bench.h"

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 200), i;
    char *args[] = {"bench_nop", NULL};
    bench_time t0;
    int status;

    t0 = bench_now();
    for (i = 0; i < n; i++) {
        int tid = fork();
        if (tid == 0) {
            exec("bench_nop", args);
            exit(3);   /* exec failed */
        }
        if (tid < 0 || wait(&status) != tid || status != 0) {
            printf("bench_exec: fork, exec or wait failed (%d)\n", tid);
            return 1;
        }
    }
    bench_report("exec", bench_since(t0), n);
    return 0;
}
