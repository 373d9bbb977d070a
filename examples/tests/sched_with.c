/*
 * sched_with: runs a program under a misbehave mode (Scheduler/README.md).
 * The mode is machine-wide and survives exec, so
 *
 *   sched_with MODE PROGRAM [ARGS...]
 *
 * selects MODE and becomes PROGRAM; its exit status is the program's.
 * Exits 2 on bad usage or a failed exec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: sched_with MODE PROGRAM [ARGS...]\n");
        return 2;
    }
    misbehave(atoi(argv[1]));
    exec(argv[2], &argv[2]);
    printf("sched_with: cannot exec %s\n", argv[2]);
    return 2;
}
