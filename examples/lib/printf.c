/*
 * printf.c: the printf family on top of _pb_format.
 * Console output collects up to CHUNK bytes on the caller's stack and then
 * prints them, so a line of ordinary length is a single print call (and
 * the kernel never interleaves two print calls).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syscall.h>
#include "internal.h"

#define CHUNK 256

struct console_buf {
    int len;
    char data[CHUNK];
};

static void console_flush(struct console_buf *cb)
{
    if (cb->len > 0)
        print(cb->len, cb->data);
    cb->len = 0;
}

static void console_emit(void *ctx, const char *s, size_t n)
{
    struct console_buf *cb = ctx;

    while (n > 0) {
        size_t room = CHUNK - (size_t)cb->len;
        size_t k = n < room ? n : room;

        memcpy(cb->data + cb->len, s, k);
        cb->len += (int)k;
        s += k;
        n -= k;
        if (cb->len == CHUNK)
            console_flush(cb);
    }
}

int vprintf(const char *format, va_list args)
{
    struct console_buf cb;
    int n;

    cb.len = 0;
    n = _pb_format(console_emit, &cb, format, args);
    console_flush(&cb);
    return n;
}

int printf(const char *format, ...)
{
    va_list args;
    int n;

    va_start(args, format);
    n = vprintf(format, args);
    va_end(args);
    return n;
}

/* String output keeps room for the NUL; bytes past the end are counted only. */
struct string_buf {
    char *dest;
    size_t size;
    size_t len;
};

static void string_emit(void *ctx, const char *s, size_t n)
{
    struct string_buf *sb = ctx;
    size_t room, k;

    if (sb->size > 0 && sb->len < sb->size - 1) {
        room = sb->size - 1 - sb->len;
        k = n < room ? n : room;
        memcpy(sb->dest + sb->len, s, k);
    }
    sb->len += n;
}

int vsnprintf(char *dest, size_t size, const char *format, va_list args)
{
    struct string_buf sb = { dest, size, 0 };
    int n = _pb_format(string_emit, &sb, format, args);

    if (size > 0)
        dest[sb.len < size ? sb.len : size - 1] = '\0';
    return n;
}

int vsprintf(char *dest, const char *format, va_list args)
{
    return vsnprintf(dest, (size_t)-1 >> 1, format, args);
}

int snprintf(char *dest, size_t size, const char *format, ...)
{
    va_list args;
    int n;

    va_start(args, format);
    n = vsnprintf(dest, size, format, args);
    va_end(args);
    return n;
}

int sprintf(char *dest, const char *format, ...)
{
    va_list args;
    int n;

    va_start(args, format);
    n = vsprintf(dest, format, args);
    va_end(args);
    return n;
}

int putchar(int c)
{
    char ch = (char)c;

    if (print(1, &ch) < 0)
        return EOF;
    return (unsigned char)ch;
}

int puts(const char *str)
{
    return printf("%s\n", str) < 0 ? EOF : 0;
}
