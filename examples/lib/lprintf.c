/*
 * lprintf.c: one formatted line to the host's kernel log (extension vector
 * LPRINTF_INT), for debugging without disturbing the console. Long lines
 * are cut at LOG_MAX bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <simics.h>
#include "internal.h"

#define LOG_MAX 256

int lprintf(const char *format, ...)
{
    char line[LOG_MAX];
    va_list args;
    int n;

    va_start(args, format);
    n = vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    if (n < 0)
        return n;
    if (n >= (int)sizeof(line))
        n = (int)sizeof(line) - 1;
    return _pb_log(n, line);
}
