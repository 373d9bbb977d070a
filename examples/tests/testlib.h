/*
 * testlib.h: verdict helpers for guest test programs. Each test prints
 * exactly one verdict line, "PASS <name>" or "FAIL <name>: reason", and its
 * task exits 0 on pass, 1 on fail. task_vanish ends every thread, so a
 * verdict from any thread is final.
 * Define TEST_NAME before including this file.
 */
#ifndef _TESTLIB_H
#define _TESTLIB_H

#include <stdarg.h>
#include <stdio.h>
#include <syscall.h>

static inline void pass(void) __attribute__((__noreturn__));
static inline void fail(const char *fmt, ...) __attribute__((__noreturn__, format(printf, 1, 2)));

static inline void pass(void)
{
    printf("PASS %s\n", TEST_NAME);
    task_vanish(0);
}

static inline void fail(const char *fmt, ...)
{
    char why[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    printf("FAIL %s: %s\n", TEST_NAME, why);
    task_vanish(1);
}

/* Fails with the expression's text when cond is false. */
#define CHECK(cond) \
    do { if (!(cond)) fail("line %d: %s", __LINE__, #cond); } while (0)

#endif /* _TESTLIB_H */
