/*
 * internal.h: what libpebbles shares with libthread and nothing else.
 * Not installed for programs; names carry the _pb_ prefix.
 */
#ifndef _PB_INTERNAL_H
#define _PB_INTERNAL_H

#include <stddef.h>
#include <syscall.h>

/* The first thread's stack may grow (autostack) down to stack_high - this. */
#define PB_AUTOSTACK_LIMIT (16u << 20)

/* The first thread's stack as the kernel handed it to _main (crt0.S). */
extern unsigned int _pb_stack_high;
extern unsigned int _pb_stack_low;

/* Lowest address the first thread's stack may grow to (page aligned).
 * Thread stacks are placed below it. */
static inline unsigned int _pb_autostack_floor(void)
{
    return (_pb_stack_high - PB_AUTOSTACK_LIMIT + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1u);
}

void install_autostack(void *stack_high, void *stack_low);

/*
 * Lock used by malloc. Before thr_init there is only one thread and these
 * are NULL; thr_init points them at a mutex so the heap becomes thread-safe.
 */
extern void (*_pb_heap_lock)(void *arg);
extern void (*_pb_heap_unlock)(void *arg);
extern void *_pb_heap_lock_arg;

static inline void _pb_heap_enter(void)
{
    if (_pb_heap_lock)
        _pb_heap_lock(_pb_heap_lock_arg);
}

static inline void _pb_heap_leave(void)
{
    if (_pb_heap_unlock)
        _pb_heap_unlock(_pb_heap_lock_arg);
}

/* fork's trap, and what the child runs first (set by thr_init). */
int _pb_fork(void);
extern void (*_pb_after_fork_child)(void);

/* lprintf's trap: one line of len bytes to the host log. */
int _pb_log(int len, char *buf);

/* wait_nohang's trap (pb_wait_nohang, pb_extensions.h). */
int _pb_wait_nohang(int *status);

/*
 * The formatting engine behind the printf family: calls emit(ctx, buf, n)
 * with consecutive pieces of output; returns the total length.
 */
typedef void (*_pb_emit_fn)(void *ctx, const char *buf, size_t n);
#include <stdarg.h>
int _pb_format(_pb_emit_fn emit, void *ctx, const char *format, va_list args);

#endif /* _PB_INTERNAL_H */
