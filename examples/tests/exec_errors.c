/*
 * exec_errors: exec fails (< 0) and leaves the program intact for a name
 * that does not exist, a bad name or argv pointer, a file that is not an
 * executable; then a good exec of exitcode replaces the child.
 */
#define TEST_NAME "exec_errors"
#include <stdlib.h>
#include "testlib.h"

static int canary = 77;

int main(int argc, char **argv)
{
    char *args[] = { "exitcode", "42", NULL };
    char *bad_args[] = { "exitcode", (char *)0x00800000, NULL };
    int tid, status;

    CHECK(exec("no_such_program", args) < 0);
    CHECK(exec((char *)0x00800000, args) < 0);
    CHECK(exec("exitcode", (char **)0x00800000) < 0);
    CHECK(exec("exitcode", bad_args) < 0);
    CHECK(exec("readme.txt", args) < 0);
    CHECK(canary == 77);
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0) {
        exec("exitcode", args);
        exit(99);
    }
    CHECK(wait(&status) == tid);
    if (status != 42)
        fail("exec'd exitcode 42 ended with status %d", status);
    pass();
}
