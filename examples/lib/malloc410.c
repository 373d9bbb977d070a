/*
 * malloc410.c: the rest of 15-410's malloc.h, for code written against it:
 * the underscore entry points a student thread library wraps (_malloc & co.;
 * ours are already thread-safe after thr_init, so they are the same calls),
 * and the sized allocator smalloc/smemalign/sfree.
 */
#include <malloc.h>
#include <stdint.h>

void *_malloc(size_t size) { return malloc(size); }
void *_calloc(size_t nelt, size_t eltsize) { return calloc(nelt, eltsize); }
void *_realloc(void *buf, size_t new_size) { return realloc(buf, new_size); }
void _free(void *buf) { free(buf); }

/* The block malloc gave is kept in the word just below the aligned pointer,
 * so sfree can hand it back whatever the alignment was. */
void *smemalign(size_t alignment, size_t size)
{
    uintptr_t raw, aligned;

    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return NULL;
    if (size > (size_t)-1 - alignment - sizeof(void *))
        return NULL;
    raw = (uintptr_t)malloc(size + alignment + sizeof(void *));
    if (raw == 0)
        return NULL;
    aligned = (raw + sizeof(void *) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((void **)aligned)[-1] = (void *)raw;
    return (void *)aligned;
}

void *smalloc(size_t size) { return smemalign(sizeof(void *), size); }

void sfree(void *buf, size_t size)
{
    (void)size;
    if (buf != NULL)
        free(((void **)buf)[-1]);
}
