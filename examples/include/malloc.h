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

#endif /* _MALLOC_H */
