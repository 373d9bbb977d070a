/* exit.c: normal and abnormal ends of a program. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>
#include <simics.h>

/* Output is unbuffered (see stdio.h), so there is nothing to flush. */
void exit(int status)
{
    set_status(status);
    vanish();
}

void abort(void)
{
    printf("abort() called\n");
    lprintf("abort() called");
    task_vanish(-1);
}

/* panic means the program itself is broken, so every thread goes. */
void panic(const char *format, ...)
{
    char msg[256];
    va_list args;

    va_start(args, format);
    vsnprintf(msg, sizeof(msg), format, args);
    va_end(args);
    printf("panic: %s\n", msg);
    lprintf("panic: %s", msg);
    task_vanish(-1);
}

void __assert_fail(const char *expr, const char *file, int line)
{
    printf("%s:%d: assertion failed: %s\n", file, line, expr);
    lprintf("%s:%d: assertion failed: %s", file, line, expr);
    task_vanish(-1);
}
