/*
 * bench.h: shared pieces of the guest benchmark programs (bench_*), run by
 * scripts/bench beside their native Linux anchors in bench/.
 *
 * Timing uses the Pebblebed extension vector 0x82 (Syscalls/Kernel+PebblebedCalls.swift):
 * %esi points at 16 bytes that receive the host's CLOCK_MONOTONIC and the
 * emulator process's CPU time, both in nanoseconds. get_ticks counts 10 ms
 * ticks, too coarse for these figures. CPU time is what the harness compares:
 * the host is shared, and wall time counts other processes' turns too.
 *
 * Every result is one line "BENCH <name> <wall_ns> <cpu_ns> <ops>" on stdout;
 * the harness adds up lines of the same name and divides.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <syscall_int.h>

#define BENCH_PAGE 4096

/* A moment, or (after bench_since) a duration. */
typedef struct bench_time {
    unsigned long long wall, cpu;
} bench_time;

static inline bench_time bench_now(void)
{
    bench_time t = {0, 0};
    int r;

    __asm__ volatile("int %1" : "=a"(r) : "i"(BENCH_CLOCK_INT), "S"(&t) : "memory");
    if (r < 0) {
        printf("bench: clock call failed (%d)\n", r);
        exit(2);
    }
    return t;
}

/* The time from t0 to now. */
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
}

/* argv[i] as a positive count, or def. */
static inline long bench_arg(int argc, char **argv, int i, long def)
{
    long v = argc > i ? atoi(argv[i]) : def;

    return v > 0 ? v : def;
}

#endif
