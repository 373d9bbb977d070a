/*
 * init: the first program. Runs the shell, collects every task that exits
 * (the kernel gives orphans to init, so they are its children too), and
 * restarts the shell when it dies. A shell that leaves with status 0 (its
 * `exit` builtin) means the user is done: init halts the machine.
 * A shell that keeps dying at once (FAST_DEATHS times in a row, each within
 * FAST_TICKS of its start) is not restarted forever: init halts instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>

#define SHELL "shell"
/* Status a child of init uses to say exec of the shell failed. */
#define EXEC_FAILED 127
#define FAST_DEATHS 5
#define FAST_TICKS 100

static int start_shell(void)
{
    char *argv[] = { SHELL, NULL };
    int tid = fork();

    if (tid == 0) {
        int err = exec(SHELL, argv);

        printf("init: cannot exec %s (error %d)\n", SHELL, err);
        exit(EXEC_FAILED);
    }
    return tid;
}

/* Collects children until the shell itself exits; returns its status. */
static int reap_until(int shell)
{
    int status, tid;

    for (;;) {
        status = 0;
        tid = wait(&status);
        if (tid == shell)
            return status;
        if (tid < 0) {          /* nothing to collect: should not happen */
            printf("init: wait failed (%d)\n", tid);
            return -1;
        }
    }
}

int main(int argc, char **argv)
{
    int shell, status, fast_deaths = 0;
    unsigned int started;

    for (;;) {
        started = get_ticks();
        shell = start_shell();
        if (shell < 0) {
            printf("init: fork failed (%d); halting\n", shell);
            halt();
        }
        status = reap_until(shell);
        if (status == 0) {
            printf("init: shell exited; halting\n");
            halt();
        }
        if (status == EXEC_FAILED) {
            printf("init: no shell to run; halting\n");
            halt();
        }
        fast_deaths = (get_ticks() - started < FAST_TICKS) ? fast_deaths + 1 : 0;
        if (fast_deaths == FAST_DEATHS) {
            printf("init: the shell keeps failing (status %d); halting\n", status);
            halt();
        }
        printf("init: shell ended with status %d; restarting it\n", status);
    }
}
