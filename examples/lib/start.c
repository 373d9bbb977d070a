/*
 * start.c: what crt0 does in C after install_autostack: run main, exit
 * with its result. exit() ends only this thread, as in Pebbles: other
 * threads of the task keep running and the task ends when the last one
 * vanishes.
 *
 * _pb_after_fork_child lives here, in an object every program links, and
 * not in fork.c: fork.o belongs to libsyscall.a, which a user may replace
 * with their own (pebbles-cc --no-libsyscall) while keeping our libthread.
 */
#include <stdlib.h>
#include "internal.h"

int main(int argc, char **argv);

void (*_pb_after_fork_child)(void);

void _pb_start(int argc, char **argv) __attribute__((__noreturn__));

void _pb_start(int argc, char **argv)
{
    exit(main(argc, argv));
}
