/* bench_fault [reps]: the cost of one COW fault and one ZFOD fault, one
 * write per page over 1 MiB, reps times each. */
#include <syscall.h>
#include "bench.h"

#define PAGES 256
#define REGION ((char *)0x40000000)

/* Writes one byte in each page of [p, p + PAGES pages); returns the time. */
static bench_time touch(volatile char *p)
{
    bench_time t0 = bench_now();
    int i;

    for (i = 0; i < PAGES; i++)
        p[i * BENCH_PAGE] = 1;
    return bench_since(t0);
}

/* A child writes every page the parent touched: each write is a COW fault. */
static int cow(void)
{
    int tid = fork(), status;

    if (tid == 0) {
        bench_report("cow", touch(REGION), PAGES);
        exit(0);
    }
    return tid > 0 && wait(&status) == tid ? 0 : -1;
}

int main(int argc, char **argv)
{
    long reps = bench_arg(argc, argv, 1, 20), i;

    for (i = 0; i < reps; i++) {
        if (new_pages(REGION, PAGES * BENCH_PAGE) < 0) {
            printf("bench_fault: new_pages failed\n");
            return 1;
        }
        bench_report("zfod", touch(REGION), PAGES);
        if (cow() < 0) {
            printf("bench_fault: fork or wait failed\n");
            return 1;
        }
        remove_pages(REGION);
    }
    return 0;
}
