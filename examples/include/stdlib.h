/*
 * stdlib.h: conversions, process exit and the allocator (malloc.h).
 */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>
#include <malloc.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

int atoi(const char *str);
long atol(const char *str);
long strtol(const char *str, char **endptr, int base);
unsigned long strtoul(const char *str, char **endptr, int base);
int abs(int j);
long labs(long j);
int rand(void);
void srand(unsigned int seed);
void qsort(void *base, size_t nmemb, size_t size,
           int (*compar)(const void *, const void *));

/* exit: set_status(status) then vanish() (only the calling thread ends). */
void exit(int status) __attribute__((__noreturn__));
/* abort and panic end the whole task (task_vanish) with a nonzero status. */
void abort(void) __attribute__((__noreturn__));
void panic(const char *format, ...)
    __attribute__((__noreturn__, format(printf, 1, 2)));

#endif /* _STDLIB_H */
