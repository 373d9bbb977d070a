/*
 * stdio.h: formatted console output through the print system call.
 * Output is not buffered across calls: each call formats into a small buffer
 * on its own stack and hands it to print, so nothing needs flushing at exit
 * and concurrent threads never share a buffer. One printf of up to 256 bytes
 * is one print call, so it is not interleaved with other output.
 * Input is getchar/readline from syscall.h.
 */
#ifndef _STDIO_H
#define _STDIO_H

#include <stdarg.h>
#include <stddef.h>

#ifndef EOF
#define EOF (-1)
#endif

int putchar(int c);
int puts(const char *str);
int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int sprintf(char *dest, const char *format, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *dest, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int vprintf(const char *format, va_list args);
int vsprintf(char *dest, const char *format, va_list args);
int vsnprintf(char *dest, size_t size, const char *format, va_list args);

#endif /* _STDIO_H */
