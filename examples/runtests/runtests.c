/*
 * runtests: runs the userland's guest tests inside the machine, one after
 * the other, with fork + exec + wait, and checks each one's exit status:
 * fault_* must be killed (-2), assert_fail must end with -1, every other
 * test must exit 0.
 *   runtests [name...]      (default: the suite listed below)
 * Exit status: the number of tests that did not end as expected.
 *
 * The default list is explicit: other suites on the RAM disk (race_*,
 * vm_*, guard_*, sched_*, task_*, swexn_*) need host-side settings (seeds,
 * standard input, debug vectors, signals) and run from their own harnesses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>

static char *suite[] = {
    "args", "assert_fail", "autostack", "cond_signal", "console_errors",
    "cow_fork", "deschedule", "exec_args", "exec_errors", "exitcode",
    "fault_div0", "fault_high", "fault_int3", "fault_low", "fault_null",
    "fault_removed", "fault_text", "fault_ud2", "fork_storm", "fork_wait",
    "libc_guest", "malloc_threads", "mutex_counter", "new_pages",
    "new_pages_oom", "print_storm", "readfile", "regs", "rwlock_downgrade",
    "rwlock_rw", "sem_buffer", "sleep_ticks", "swexn_basic", "thr_fork",
    "thr_guard", "thr_join_exit", "thr_main_exit", "thr_many", "thr_storm",
    "wait_threads", NULL
};

static int expected_status(const char *name)
{
    if (strncmp(name, "fault_", 6) == 0)
        return -2;
    if (strcmp(name, "assert_fail") == 0)
        return -1;
    return 0;
}

/* Waits for task tid. Other tasks may end first when this program is init
 * (`pebblebed run --init runtests`): orphans are handed to init. */
static int wait_for(int tid, int *status)
{
    int got;

    do {
        got = wait(status);
    } while (got >= 0 && got != tid);
    return got;
}

/* Runs one test to completion; returns 1 if it ended as expected. */
static int run_one(char *name)
{
    char *argv[] = { name, NULL };
    int tid, status = 0, want = expected_status(name);

    printf("runtests: --- %s\n", name);
    tid = fork();
    if (tid == 0) {
        exec(name, argv);
        printf("runtests: cannot exec %s\n", name);
        exit(127);
    }
    if (tid < 0 || wait_for(tid, &status) != tid) {
        printf("runtests: NOT OK %s: could not run it\n", name);
        return 0;
    }
    if (status != want) {
        printf("runtests: NOT OK %s: status %d, expected %d\n", name, status, want);
        return 0;
    }
    printf("runtests: ok %s\n", name);
    return 1;
}

int main(int argc, char **argv)
{
    char **names = argc > 1 ? argv + 1 : suite;
    int n, passed = 0;

    for (n = 0; names[n]; n++)
        passed += run_one(names[n]);
    while (wait(NULL) >= 0)        /* as init: leave no orphan uncollected */
        ;
    printf("runtests: %d of %d tests ended as expected\n", passed, n);
    return n - passed;
}
