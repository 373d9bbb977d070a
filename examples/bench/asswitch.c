/* bench_asswitch [mib [n]]: the cost of an address-space switch while the
 * parent has `mib` MiB of touched memory. Parent and child (the only tasks)
 * hand the CPU to each other with yield(-1); each side writes one page of
 * its memory per turn, so every switch goes between two live address
 * spaces. With lazy switching the cost must not grow with `mib`. */
#include <syscall.h>
#include "bench.h"

#define REGION ((char *)0x40000000)

static void touch_all(volatile char *p, long bytes)
{
    long i;

    for (i = 0; i < bytes; i += BENCH_PAGE)
        p[i] = 1;
}

/* Ping-pong for n turns, writing page i % pages of p each turn. */
static void pingpong(volatile char *p, long pages, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        p[(i % pages) * BENCH_PAGE] = 2;
        yield(-1);
    }
}

int main(int argc, char **argv)
{
    long mib = bench_arg(argc, argv, 1, 1), n = bench_arg(argc, argv, 2, 20000);
    long pages = mib * 256;
    char name[32];
    bench_time t0, d;
    int tid, status;
    static char own[BENCH_PAGE * 4];

    /* Fork first: the child needs no reservation for the parent's region. */
    if ((tid = fork()) == 0) {
        pingpong(own, 4, n + 100);
        exit(0);
    }
    if (new_pages(REGION, mib << 20) < 0) {
        printf("bench_asswitch: new_pages of %ld MiB failed\n", mib);
        return 1;
    }
    touch_all(REGION, mib << 20);
    pingpong(REGION, pages, 100);   /* warm up: the first switches withdraw everything */
    t0 = bench_now();
    pingpong(REGION, pages, n);
    d = bench_since(t0);
    if (tid < 0 || wait(&status) != tid) {
        printf("bench_asswitch: fork or wait failed\n");
        return 1;
    }
    snprintf(name, sizeof name, "asswitch_%ldmib", mib);
    bench_report(name, d, 2 * n);
    return 0;
}
