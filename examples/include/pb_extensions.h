/*
 * pb_extensions.h: Pebblebed's additions for guest programs, beyond 15-410's
 * Pebbles interface (syscall.h): what the kernel's error numbers mean, and
 * wait without blocking. Programs that use them run only on Pebblebed.
 */
#ifndef _PB_EXTENSIONS_H
#define _PB_EXTENSIONS_H

/* The kernel's error numbers: every system call returns one of these
 * (negative) on failure, with the same meaning for every call. They mirror
 * Sources/Pebblebed/Syscalls/PebblesError.swift; a test checks that
 * pb_strerror agrees with it. */
#define PB_EFAULT   (-1) /* a pointer names memory the caller may not use so */
#define PB_EINVAL   (-2) /* an argument is out of range */
#define PB_ENOMEM   (-3) /* memory (frames, kernel stacks) cannot be reserved */
#define PB_ENOENT   (-4) /* no such thread, task or file (exec: no such program) */
#define PB_EBUSY    (-5) /* not now, e.g. fork in a multi-threaded task */
#define PB_ECHILD   (-6) /* nothing could ever satisfy it, e.g. wait with no children */
#define PB_ENOEXEC  (-7) /* the file is not a runnable guest program */
#define PB_E2BIG    (-8) /* too many or too long exec arguments */
#define PB_ENOSYS   (-9) /* no such system call */

#ifndef ASSEMBLER
/* What err (one of the above) means, e.g. "not found"; "error" for a number
 * the kernel never returns. */
const char *pb_strerror(int err);

/* wait() that never blocks: an exited child's tid (its status stored in
 * *status if status is not NULL), 0 while children run but none has exited,
 * PB_ECHILD when there are no children. The shell reports background jobs
 * with it when it prints its prompt. */
int pb_wait_nohang(int *status);
#endif

#endif /* _PB_EXTENSIONS_H */
