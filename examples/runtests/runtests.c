/*
 * runtests: runs the guest test programs inside the machine, one after
 * the other, with fork + exec + wait, and checks each one's exit status:
 * fault_* must be killed (-2), assert_fail must end with -1, every other
 * test must exit 0. The tests are found on the RAM disk (the "." listing)
 * minus the programs that are not tests.
 *   runtests [name...]      (default: every test on the RAM disk)
 * Exit status: the number of tests that did not end as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>

#define MAX_TESTS 128

/* RAM-disk files that are not test programs. */
static const char *not_tests[] = {
    "init", "shell", "hello", "cat", "colors", "mandelbrot", "forkdemo",
    "runtests", "readme.txt", NULL
};

static int is_test(const char *name)
{
    int i;

    if (strncmp(name, "race_broken_", 12) == 0)
        return 0;
    for (i = 0; not_tests[i]; i++)
        if (strcmp(name, not_tests[i]) == 0)
            return 0;
    return 1;
}

static int expected_status(const char *name)
{
    if (strncmp(name, "fault_", 6) == 0)
        return -2;
    if (strcmp(name, "assert_fail") == 0)
        return -1;
    return 0;
}

/* Waits for task tid. Other tasks may end first: orphans are handed to
 * init, and under `pebblebed run` this program is the first task. */
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

/* Fills names[] from the RAM-disk listing; returns how many. */
static int find_tests(char *listing, int size, char **names)
{
    int n = 0, got = readfile(".", listing, size - 2, 0);
    char *p;

    if (got < 0)
        return 0;
    listing[got] = listing[got + 1] = '\0';
    for (p = listing; *p && n < MAX_TESTS; p += strlen(p) + 1)
        if (is_test(p))
            names[n++] = p;
    return n;
}

int main(int argc, char **argv)
{
    static char listing[8192];
    char *names[MAX_TESTS];
    int n, i, passed = 0;

    if (argc > 1) {
        n = argc - 1 < MAX_TESTS ? argc - 1 : MAX_TESTS;
        for (i = 0; i < n; i++)
            names[i] = argv[i + 1];
    } else {
        n = find_tests(listing, sizeof(listing), names);
    }
    for (i = 0; i < n; i++)
        passed += run_one(names[i]);
    while (wait(NULL) >= 0)        /* leave no orphan behind uncollected */
        ;
    printf("runtests: %d of %d tests ended as expected\n", passed, n);
    return n - passed;
}
