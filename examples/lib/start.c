/*
 * start.c: what crt0 does in C: set up autostack, run main, exit with its
 * result. exit() ends only this thread, as in Pebbles: other threads of the
 * task keep running and the task ends when the last one vanishes.
 */
#include <stdlib.h>
#include "internal.h"

int main(int argc, char **argv);

void _pb_start(int argc, char **argv, void *stack_high, void *stack_low)
    __attribute__((__noreturn__));

void _pb_start(int argc, char **argv, void *stack_high, void *stack_low)
{
    _pb_autostack_install(stack_high, stack_low);
    exit(main(argc, argv));
}
