/* linux_anchors MODE [args]: the native Linux figures that Pebblebed's guest
 * benchmarks are compared with, each the same work as its examples/bench twin.
 *   yield [n]        sched_yield ping-pong of two threads pinned to one core
 *   getpid [n]       n getpid system calls (the gate's anchor: a native call round trip)
 *   fork [n]         fork + _exit + waitpid of a process with 1 MiB touched
 *   exec NOP [n]     fork + execve(NOP) + waitpid
 *   fault [reps]     COW fault and first-touch (ZFOD) fault, one write per page over 1 MiB */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define PAGE 4096
#define MIB (1 << 20)

static long rounds;
static int cpu;

static void pin(void)
{
    cpu_set_t s;

    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *partner(void *arg)
{
    pin();
    for (long i = 0; i < rounds; i++)
        sched_yield();
    return arg;
}

static int yield_bench(long n)
{
    pthread_t t;
    bench_time t0, d;

    rounds = n;
    cpu = sched_getcpu();
    pin();
    if (pthread_create(&t, NULL, partner, NULL))
        return 1;
    sched_yield();
    t0 = bench_now();
    for (long i = 0; i < n; i++)
        sched_yield();
    d = bench_since(t0);
    pthread_join(t, NULL);
    bench_report("yield", d, 2 * n);
    return 0;
}

/* syscall(): glibc caches nothing for it, so each is a real kernel entry. */
static int getpid_bench(long n)
{
    bench_time t0;

    for (long i = 0; i < n / 10; i++)
        syscall(SYS_getpid);
    t0 = bench_now();
    for (long i = 0; i < n; i++)
        syscall(SYS_getpid);
    bench_report("getpid", bench_since(t0), n);
    return 0;
}

/* The 1 MiB the fork anchor's process has touched (global: its writes must stay). */
volatile char fork_area[MIB];

static int fork_bench(long n)
{
    bench_time t0;
    int status;

    for (long i = 0; i < MIB; i += PAGE)
        fork_area[i] = 1;
    t0 = bench_now();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
            return 1;
    }
    bench_report("fork", bench_since(t0), n);
    return 0;
}

static int exec_bench(const char *nop, long n)
{
    char *args[] = {(char *)nop, NULL}, *env[] = {NULL};
    bench_time t0 = bench_now();
    int status;

    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve(nop, args, env);
            _exit(3);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
            return 1;
    }
    bench_report("exec", bench_since(t0), n);
    return 0;
}

static bench_time touch(volatile char *p)
{
    bench_time t0 = bench_now();

    for (int i = 0; i < MIB; i += PAGE)
        p[i] = 1;
    return bench_since(t0);
}

static int fault_bench(long reps)
{
    for (long r = 0; r < reps; r++) {
        char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int status;

        if (p == MAP_FAILED)
            return 1;
        bench_report("zfod", touch(p), MIB / PAGE);
        pid_t pid = fork();
        if (pid == 0) {
            bench_report("cow", touch(p), MIB / PAGE);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
            return 1;
        munmap(p, MIB);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "yield"))
        return yield_bench(bench_arg(argc, argv, 2, 50000));
    if (!strcmp(mode, "getpid"))
        return getpid_bench(bench_arg(argc, argv, 2, 100000));
    if (!strcmp(mode, "fork"))
        return fork_bench(bench_arg(argc, argv, 2, 300));
    if (!strcmp(mode, "exec") && argc > 2)
        return exec_bench(argv[2], bench_arg(argc, argv, 3, 200));
    if (!strcmp(mode, "fault"))
        return fault_bench(bench_arg(argc, argv, 2, 20));
    fprintf(stderr, "usage: linux_anchors yield|getpid|fork|exec NOP|fault [n]\n");
    return 2;
}
