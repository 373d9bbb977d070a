/*
 * syscall.h: C prototypes of the Pebbles system calls, as in 15-410's
 * syscall.h, so existing Pebbles programs compile unchanged.
 * Each call is a trap stub in libpebbles.a (examples/lib/stub.S).
 */
#ifndef _SYSCALL_H
#define _SYSCALL_H

#define NORETURN __attribute__((__noreturn__))

#define PAGE_SIZE 0x0001000 /* 4096 */

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)

/* Life cycle */
int fork(void);
int exec(char *execname, char *argvec[]);
void set_status(int status);
void vanish(void) NORETURN;
int wait(int *status_ptr);
void task_vanish(int status) NORETURN;

/* Thread management */
int gettid(void);
int yield(int pid);
int deschedule(int *flag);
int make_runnable(int pid);
unsigned int get_ticks(void);
int sleep(int ticks);
/* thread_fork has no C prototype: see thr_create in libthread. */

/* Memory management */
int new_pages(void * addr, int len);
int remove_pages(void * addr);

/* Console I/O */
char getchar(void);
int readline(int size, char *buf);
int print(int size, char *buf);
int set_term_color(int color);
int set_cursor_pos(int row, int col);
int get_cursor_pos(int *row, int *col);

/* Color values for set_term_color() and the console size: one definition,
 * in video_defines.h, which Pebbles programs may also include directly. */
#include <video_defines.h>

/* Miscellaneous */
void halt(void);
int readfile(char *filename, char *buf, int count, int offset);

/* "Special" */
void misbehave(int mode);

/* Pebblebed extension: name child task `tid` (0: none) as the one Ctrl-C
 * kills (status -2), as a shell puts a job in the foreground. Returns 1 if
 * the child named before was killed by Ctrl-C since, 0 if not, -4 if tid is
 * not a live child of the caller. */
int set_foreground(int tid);

/* Software exceptions */
#include <ureg.h>
typedef void (*swexn_handler_t)(void *arg, ureg_t *ureg);
int swexn(void *esp3, swexn_handler_t eip, void *arg, ureg_t *newureg);

#endif /* !ASSEMBLER */

#endif /* _SYSCALL_H */
