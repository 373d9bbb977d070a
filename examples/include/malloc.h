/*
 * malloc.h: the heap allocator, 15-410's interface. Memory comes from
 * new_pages above the program's bss. Blocks are 16-byte aligned.
 * malloc & co. are safe to call from several threads once Pebblebed's
 * thr_init has run; the underscore entry points are not thread-safe: they
 * are what a thread library wraps with its own lock (a student's libthread
 * defines its own malloc & co. over them, and then ours are not linked).
 */
#ifndef _MALLOC_H
#define _MALLOC_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t nelt, size_t eltsize);
void *realloc(void *buf, size_t new_size);
void free(void *buf);

/* 15-410's sized allocator: sfree must be given a block from smalloc or
 * smemalign (alignment a power of two). */
void *smalloc(size_t size);
void *smemalign(size_t alignment, size_t size);
void sfree(void *buf, size_t size);

/* The entry points a 410 thread library wraps (not thread-safe). */
void *_malloc(size_t size);
void *_calloc(size_t nelt, size_t eltsize);
void *_realloc(void *buf, size_t new_size);
void _free(void *buf);
void *_smalloc(size_t size);
void *_smemalign(size_t alignment, size_t size);
void _sfree(void *buf, size_t size);

#endif /* _MALLOC_H */
