/*
 * malloc410.c: the rest of 15-410's malloc.h: the sized allocator
 * (_smalloc, _smemalign, _sfree) as underscore entry points over _malloc
 * and _free, not thread-safe, like malloc.c; the public smalloc & co. are
 * in wrap_*.c.
 */
#include <malloc.h>
#include <stdint.h>

/* The block _malloc gave is kept in the word just below the aligned
 * pointer, so _sfree can hand it back whatever the alignment was. */
void *_smemalign(size_t alignment, size_t size)
{
    uintptr_t raw, aligned;

    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return NULL;
    if (size > (size_t)-1 - alignment - sizeof(void *))
        return NULL;
    raw = (uintptr_t)_malloc(size + alignment + sizeof(void *));
    if (raw == 0)
        return NULL;
    aligned = (raw + sizeof(void *) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((void **)aligned)[-1] = (void *)raw;
    return (void *)aligned;
}

void *_smalloc(size_t size) { return _smemalign(sizeof(void *), size); }

void _sfree(void *buf, size_t size)
{
    (void)size;
    if (buf != NULL)
        _free(((void **)buf)[-1]);
}
