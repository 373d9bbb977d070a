/*
 * gdb_threads: the guest the gdb tests drive (Tests/PebblebedTests/Debugger/GDBSessionTests):
 * two threads, a loop that calls a function, locals, arguments and globals. Built at -O0
 * (examples/Makefile) so that every local lives in its frame and each source line is its own
 * stop for `next` and `step`. The worker waits for `go`, then writes `flag`: the watchpoint
 * the tests set on `flag` must stop in the worker thread.
 */
#include <stdio.h>
#include <syscall.h>
#include <thread.h>

int total;
volatile int go;
volatile int flag;

int square(int x)
{
    int r = x * x;
    return r;
}

int add_squares(int n)
{
    int sum = 0;
    int i;

    for (i = 1; i <= n; i++)
        sum += square(i);
    return sum;
}

void *worker(void *arg)
{
    int id = (int)arg;

    while (!go)
        thr_yield(-1);
    flag = 40 + id;
    return (void *)0;
}

int main(int argc, char **argv)
{
    int tid;
    int result;

    thr_init(16 * 1024);
    tid = thr_create(worker, (void *)2);
    result = add_squares(3);
    total = result;
    go = 1;
    thr_join(tid, NULL);
    printf("gdb_threads: total %d flag %d\n", total, flag);
    return 0;
}
