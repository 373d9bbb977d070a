/*
 * syscall_stubs.S: this library's Pebbles system-call stubs. Each stub
 * traps with the call's vector; a one-argument call passes the argument
 * itself in %esi, a call with more passes the address of its arguments on
 * the caller's stack. %esi is callee-saved in cdecl, so it is kept.
 */
#include <syscall_int.h>

#define STUB0(name, vec) \
    .globl name; .type name, @function; name: \
    int $vec; ret

#define STUB1(name, vec) \
    .globl name; .type name, @function; name: \
    pushl %esi; movl 8(%esp), %esi; int $vec; popl %esi; ret

#define STUBN(name, vec) \
    .globl name; .type name, @function; name: \
    pushl %esi; leal 8(%esp), %esi; int $vec; popl %esi; ret

    .text
STUB0(fork, FORK_INT)
STUBN(exec, EXEC_INT)
STUB1(wait, WAIT_INT)
STUB1(yield, YIELD_INT)
STUB1(deschedule, DESCHEDULE_INT)
STUB1(make_runnable, MAKE_RUNNABLE_INT)
STUB0(gettid, GETTID_INT)
STUBN(new_pages, NEW_PAGES_INT)
STUB1(remove_pages, REMOVE_PAGES_INT)
STUB1(sleep, SLEEP_INT)
STUB0(getchar, GETCHAR_INT)
STUBN(readline, READLINE_INT)
STUBN(print, PRINT_INT)
STUB1(set_term_color, SET_TERM_COLOR_INT)
STUBN(set_cursor_pos, SET_CURSOR_POS_INT)
STUBN(get_cursor_pos, GET_CURSOR_POS_INT)
STUB0(get_ticks, GET_TICKS_INT)
STUB1(misbehave, MISBEHAVE_INT)
STUB0(halt, HALT_INT)
STUB1(task_vanish, TASK_VANISH_INT)
STUB1(set_status, SET_STATUS_INT)
STUB0(vanish, VANISH_INT)
STUBN(readfile, READFILE_INT)
STUBN(swexn, SWEXN_INT)

    .section .note.GNU-stack, "", @progbits
