/* bench.h: shared pieces of the native Linux anchors that scripts/bench runs
 * beside the guest benchmarks (examples/bench/). Same clocks and output
 * format: "BENCH <name> <wall_ns> <cpu_ns> <ops>", where CPU time is this
 * process's (all threads) plus that of its children already waited for, so a
 * fork or exec anchor counts the work done in the child too, as the one
 * Pebblebed process does. */
#ifndef BENCH_H
#define BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

typedef struct bench_time {
    unsigned long long wall, cpu;
} bench_time;

static inline unsigned long long bench_ns(clockid_t id)
{
    struct timespec t;

    clock_gettime(id, &t);
    return (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
}

static inline unsigned long long bench_tv_ns(struct timeval tv)
{
    return (unsigned long long)tv.tv_sec * 1000000000ULL + (unsigned long long)tv.tv_usec * 1000ULL;
}

/* Async-signal-safe (clock_gettime and getrusage are plain system calls). */
static inline bench_time bench_now(void)
{
    struct rusage r;
    bench_time t;

    getrusage(RUSAGE_CHILDREN, &r);
    t.wall = bench_ns(CLOCK_MONOTONIC);
    t.cpu = bench_ns(CLOCK_PROCESS_CPUTIME_ID) + bench_tv_ns(r.ru_utime) + bench_tv_ns(r.ru_stime);
    return t;
}

static inline bench_time bench_since(bench_time t0)
{
    bench_time t = bench_now();

    t.wall -= t0.wall;
    t.cpu -= t0.cpu;
    return t;
}

static inline void bench_report(const char *name, bench_time d, long ops)
{
    printf("BENCH %s %llu %llu %ld\n", name, d.wall, d.cpu, ops);
    fflush(stdout);
}

static inline long bench_arg(int argc, char **argv, int i, long def)
{
    long v = argc > i ? atol(argv[i]) : def;

    return v > 0 ? v : def;
}

#endif
