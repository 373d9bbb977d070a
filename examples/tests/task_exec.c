/*
 * task_exec: exec's failures leave the old program running, intact: a
 * missing name, a bad name pointer, a name that runs off mapped memory, an
 * over-long name, a bad argv pointer or argv element, too many arguments,
 * arguments too long in total, a file that is not an executable. Then a
 * good exec replaces the program (same task id) and passes argv.
 */
#define TEST_NAME "task_exec"
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

#define MANY 5000

static int canary = 77;
static char *many[MANY + 2];
static char big[70 * 1024];

static void check_refused(char *name, char **argv, const char *what)
{
    int r = exec(name, argv);

    if (r >= 0)
        fail("exec with %s returned %d", what, r);
    if (canary != 77)
        fail("exec with %s damaged the program", what);
}

int main(int argc, char **argv)
{
    char *args[] = { "exitcode", "42", NULL };
    char *bad_elem[] = { "exitcode", (char *)0x00800000, NULL };
    char *unmapped_elem[] = { "exitcode", (char *)0x40000000, NULL };
    char *too_long[] = { "exitcode", big, big, NULL };
    static char long_name[400];
    int i, tid, status;

    check_refused("no_such_program", args, "a missing program");
    check_refused("", args, "an empty name");
    check_refused((char *)0x00800000, args, "a name in kernel memory");
    check_refused((char *)0x40000000, args, "an unmapped name");
    check_refused((char *)0xFFFFFFFF, args, "a name at the end of memory");
    memset(long_name, 'x', sizeof(long_name) - 1);
    check_refused(long_name, args, "a 399-byte name");
    check_refused("exitcode", (char **)0x00800000, "argv in kernel memory");
    check_refused("exitcode", (char **)0x40000000, "unmapped argv");
    check_refused("exitcode", NULL, "NULL argv");
    check_refused("exitcode", bad_elem, "an argv element in kernel memory");
    check_refused("exitcode", unmapped_elem, "an unmapped argv element");
    for (i = 0; i < MANY; i++)
        many[i] = "x";
    check_refused("exitcode", many, "5000 arguments");
    memset(big, 'y', sizeof(big) - 1);
    check_refused("exitcode", too_long, "140 KB of arguments");
    check_refused("readme.txt", args, "a text file");
    check_refused(".", args, "the directory listing");
    tid = fork();
    if (tid == 0) {
        exec("exitcode", args);
        exit(99);
    }
    CHECK(tid > 0);
    CHECK(wait(&status) == tid);
    if (status != 42)
        fail("exec'd exitcode 42 exited with %d", status);
    pass();
}
