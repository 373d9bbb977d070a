/*
 * exec_args: exec passes argv exactly: a child execs this same program with
 * awkward arguments (spaces, empty, long, many) and, run that way, the
 * program checks what it got and exits 0 only if all match.
 */
#define TEST_NAME "exec_args"
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

#define NARGS 20

static char long_arg[1001];
static char *expected[NARGS + 2];

static void build_expected(void)
{
    static char numbered[NARGS][8];
    int i;

    memset(long_arg, 'x', sizeof(long_arg) - 1);
    expected[0] = "exec_args";
    expected[1] = "--child";
    expected[2] = "two words";
    expected[3] = "";
    expected[4] = long_arg;
    for (i = 5; i < NARGS; i++) {
        snprintf(numbered[i], sizeof(numbered[i]), "arg%d", i);
        expected[i] = numbered[i];
    }
    expected[NARGS] = NULL;
}

static int child_checks(int argc, char **argv)
{
    int i;

    if (argc != NARGS)
        return 10;
    for (i = 0; i < NARGS; i++)
        if (strcmp(argv[i], expected[i]) != 0)
            return 20 + i;
    return argv[NARGS] == NULL ? 0 : 2;
}

int main(int argc, char **argv)
{
    int tid, status;

    build_expected();
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_checks(argc, argv);
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0) {
        exec("exec_args", expected);
        exit(99);
    }
    CHECK(wait(&status) == tid);
    if (status != 0)
        fail("the exec'd child saw different arguments (status %d)", status);
    pass();
}
