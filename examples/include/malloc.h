/*
 * malloc.h: the heap allocator. Memory comes from new_pages above the
 * program's bss. Safe to call from several threads once thr_init has run.
 * Blocks are 16-byte aligned.
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

/* The entry points a 410 thread library wraps; the same as the above here. */
void *_malloc(size_t size);
void *_calloc(size_t nelt, size_t eltsize);
void *_realloc(void *buf, size_t new_size);
void _free(void *buf);

#endif /* _MALLOC_H */
