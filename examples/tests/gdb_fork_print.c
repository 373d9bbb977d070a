/*
 * gdb_fork_print: three tasks (a parent and two forked children) print numbered lines while
 * they compute, so the order of the lines shows the interleaving a seed chose. The gdb tests
 * (Tests/PebblebedTests/Debugger/GDBSessionTests) plant a breakpoint in `step_line`, text
 * the children share with the parent after fork, and check that the seed's interleaving is
 * the same with and without gdb.
 */
#include <stdio.h>
#include <syscall.h>

volatile unsigned int sink;

void step_line(char who, int i)
{
    unsigned int k, x = (unsigned int)i;

    for (k = 0; k < 300; k++)
        x = x * 1103515245u + 12345u;
    sink = x;
    printf("%c%d\n", who, i);
}

int main(int argc, char **argv)
{
    int c, i, status;
    char who = 'p';

    for (c = 0; c < 2; c++) {
        if (fork() == 0) {
            who = (char)('a' + c);
            break;
        }
    }
    for (i = 0; i < 12; i++)
        step_line(who, i);
    if (who == 'p') {
        wait(&status);
        wait(&status);
    }
    return 0;
}
