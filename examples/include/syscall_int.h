/*
 * syscall_int.h: the software-interrupt vector of every system call.
 * Numbers are the 15-410 Pebbles ones (see /work/shared/pebbles-abi.md); the
 * 0x81.. block holds Pebblebed extensions (0x80 is Linux's own gate).
 * Safe to include from assembly.
 */
#ifndef _SYSCALL_INT_H
#define _SYSCALL_INT_H

#define FORK_INT            0x41
#define EXEC_INT            0x42
/* 0x43 was exit in older Pebbles */
#define WAIT_INT            0x44
#define YIELD_INT           0x45
#define DESCHEDULE_INT      0x46
#define MAKE_RUNNABLE_INT   0x47
#define GETTID_INT          0x48
#define NEW_PAGES_INT       0x49
#define REMOVE_PAGES_INT    0x4A
#define SLEEP_INT           0x4B
#define GETCHAR_INT         0x4C
#define READLINE_INT        0x4D
#define PRINT_INT           0x4E
#define SET_TERM_COLOR_INT  0x4F
#define SET_CURSOR_POS_INT  0x50
#define GET_CURSOR_POS_INT  0x51
#define THREAD_FORK_INT     0x52
#define GET_TICKS_INT       0x53
#define MISBEHAVE_INT       0x54
#define HALT_INT            0x55
#define TASK_VANISH_INT     0x57
#define SET_STATUS_INT      0x59
#define VANISH_INT          0x60
#define READFILE_INT        0x62
#define SWEXN_INT           0x74

/* Pebblebed extensions */
#define LPRINTF_INT         0x81 /* %esi -> {int len, char *buf}: a line to the host log */
#define BENCH_CLOCK_INT     0x82 /* %esi -> 16 bytes: wall and CPU nanoseconds (examples/bench) */
#define SET_FOREGROUND_INT  0x83 /* %esi = child task id (0: none): Ctrl-C kills it */
#define WAIT_NOHANG_INT     0x85 /* %esi = int *status: wait without blocking (pebblebed.h) */

#endif /* _SYSCALL_INT_H */
