/*
 * gdb_ticks: reads the tick count on both sides of a function the gdb test stops in
 * (Tests/PebblebedTests/Debugger/GDBSessionTests). The machine stays stopped there a while;
 * time spent stopped must not count as ticks, so the two readings stay close.
 */
#include <stdio.h>
#include <syscall.h>

volatile int marks;

void marker(void)
{
    marks++;
}

int main(int argc, char **argv)
{
    unsigned int before = get_ticks();
    unsigned int after;

    marker();
    after = get_ticks();
    printf("gdb_ticks: %u ticks across the stop\n", after - before);
    return 0;
}
