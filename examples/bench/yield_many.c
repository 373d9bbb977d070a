/* bench_yield_many threads rounds [mode]: the cost of one yield with `threads`
 * runnable threads in one task (2..4096).
 *
 * mode "pingpong" (default): the main thread and one partner hand the CPU to
 * each other `rounds` times each with yield(tid), while the other threads-2
 * wait on the run queue, spinning on yield(-1) whenever a timer tick lets one
 * of them run. A directed yield to a thread behind a long run queue is what a
 * queue with linear scans makes slow.
 * mode "any": every thread spins on yield(-1) until the main thread has
 * yielded rounds/threads times (about `rounds` yields in all); each yield
 * passes the CPU to the next thread around the ring.
 *
 * Every thread counts its own yields (each counter has one writer, so no update
 * is lost to a preemption), and the report is the CPU time per yield, all
 * threads' yields together: "BENCH yield_<mode>_<threads> ...".
 */
#include <string.h>
#include <syscall.h>
#include <thread.h>
#include "bench.h"

#define MAX_THREADS 4096

static volatile int done, started;
static volatile long yields[MAX_THREADS];
static int tids[MAX_THREADS];
static long rounds;
static int pingpong;

/* A thread other than main and the ping-pong partner: yields to anyone until done. */
static void *spinner(void *arg)
{
    int me = (int)arg;

    started++;
    while (!done) {
        yield(-1);
        yields[me]++;
    }
    return arg;
}

/* The ping-pong partner (slot 1): yields back to main until done. */
static void *partner(void *arg)
{
    started++;
    while (!done) {
        yield(tids[0]);
        yields[1]++;
    }
    return arg;
}

static long total_yields(int n)
{
    long sum = 0;
    int i;

    for (i = 0; i < n; i++)
        sum += yields[i];
    return sum;
}

int main(int argc, char **argv)
{
    int n = (int)bench_arg(argc, argv, 1, 2), i;
    long r, before;
    bench_time t0, d;
    char name[32];

    rounds = bench_arg(argc, argv, 2, 20000);
    pingpong = !(argc > 3 && strcmp(argv[3], "any") == 0);
    if (n < 2 || n > MAX_THREADS) {
        printf("bench_yield_many: threads must be 2..%d\n", MAX_THREADS);
        return 2;
    }
    if (thr_init(4096) < 0) {
        printf("bench_yield_many: thr_init failed\n");
        return 1;
    }
    tids[0] = gettid();
    for (i = 1; i < n; i++) {
        tids[i] = thr_create(i == 1 && pingpong ? partner : spinner, (void *)i);
        if (tids[i] < 0) {
            printf("bench_yield_many: thread %d of %d could not start (%d)\n", i, n, tids[i]);
            return 1;
        }
    }
    while (started < n - 1)     /* every thread has run once and is on the run queue */
        yield(-1);
    if (!pingpong)
        rounds = rounds / n > 0 ? rounds / n : 1;
    before = total_yields(n);
    t0 = bench_now();
    for (r = 0; r < rounds; r++) {
        yield(pingpong ? tids[1] : -1);
        yields[0]++;
    }
    d = bench_since(t0);
    before = total_yields(n) - before;
    done = 1;
    for (i = 1; i < n; i++)
        thr_join(tids[i], NULL);
    snprintf(name, sizeof(name), "yield_%s_%d", pingpong ? "pingpong" : "any", n);
    bench_report(name, d, before);
    return 0;
}
