/*
 * malloc.c: a boundary-tag, first-fit allocator over a heap that grows
 * upward from the first page after the program's bss (_end) with new_pages.
 *
 * Chunk layout (addresses c with c % 16 == 12, so payloads are 16-aligned):
 *   c+0        size | INUSE | PREV_INUSE     (size: multiple of 16, >= 16)
 *   c+4 ...    payload (in use) or next/prev free-list links (free)
 *   c+size-4   footer = size, only while the chunk is free
 * The footer of a free chunk sits in the word just before the next chunk's
 * header, which is how free() finds a free predecessor to merge with.
 * The heap ends in an epilogue header (size 0, INUSE) in its last word.
 *
 * These are 15-410's underscore entry points (_malloc, _calloc, _realloc,
 * _free): not thread-safe, and calling nothing but each other, so that a
 * thread library may wrap them with its own lock in its own malloc & co.
 * Pebblebed's public malloc, free, ... (wrap_*.c, one object each, so a
 * user's library can replace any of them) take the heap lock around these.
 */
#include <malloc.h>
#include <string.h>
#include <syscall.h>
#include "internal.h"

#define INUSE       1u
#define PREV_INUSE  2u
#define FLAGS       3u
#define MIN_CHUNK   16u
#define GROW_MIN    (64u * 1024u)

typedef struct chunk {
    unsigned int head;
    struct chunk *next;     /* free-list links: valid only while free */
    struct chunk *prev;
} chunk_t;

extern char _end[];         /* end of bss, from the linker */

static unsigned int heap_top;   /* first unmapped address above the heap; 0 = no heap yet */
static chunk_t *free_list;

static unsigned int size_of(const chunk_t *c) { return c->head & ~FLAGS; }
static chunk_t *next_chunk(chunk_t *c) { return (chunk_t *)((char *)c + size_of(c)); }
static void *payload(chunk_t *c) { return (char *)c + 4; }
static chunk_t *chunk_of(void *p) { return (chunk_t *)((char *)p - 4); }

static void set_footer(chunk_t *c)
{
    *(unsigned int *)((char *)c + size_of(c) - 4) = size_of(c);
}

static void list_remove(chunk_t *c)
{
    if (c->prev) c->prev->next = c->next;
    else free_list = c->next;
    if (c->next) c->next->prev = c->prev;
}

static void list_push(chunk_t *c)
{
    c->prev = NULL;
    c->next = free_list;
    if (free_list) free_list->prev = c;
    free_list = c;
}

/* Marks c (size already set) free, merges it with free neighbours and
 * puts the result on the free list. */
static void release(chunk_t *c)
{
    chunk_t *n = next_chunk(c);

    c->head &= ~INUSE;
    if (!(n->head & INUSE)) {
        list_remove(n);
        c->head += size_of(n);
    }
    if (!(c->head & PREV_INUSE)) {
        unsigned int psize = *(unsigned int *)((char *)c - 4);
        chunk_t *p = (chunk_t *)((char *)c - psize);

        list_remove(p);
        p->head += size_of(c);
        c = p;
    }
    set_footer(c);
    next_chunk(c)->head &= ~PREV_INUSE;
    list_push(c);
}

/* Maps at least need more bytes at heap_top; the old epilogue becomes the
 * header of a new free chunk. */
static int grow(unsigned int need)
{
    unsigned int len = need + MIN_CHUNK < GROW_MIN ? GROW_MIN : need + MIN_CHUNK;
    unsigned int first = heap_top == 0;
    chunk_t *c;

    len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (first)
        heap_top = ((unsigned int)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (len < need || heap_top + len < heap_top)   /* overflow: cannot fit */
        return -1;
    if (new_pages((void *)heap_top, (int)len) < 0)
        return -1;
    if (first) {                   /* a fresh heap starts with a 16-aligned payload */
        c = (chunk_t *)(heap_top + 12);
        c->head = (len - 16) | PREV_INUSE | INUSE;
    } else {
        c = (chunk_t *)(heap_top - 4);
        c->head = len | (c->head & PREV_INUSE) | INUSE;
    }
    heap_top += len;
    ((chunk_t *)(heap_top - 4))->head = 0 | INUSE;   /* new epilogue */
    release(c);
    return 0;
}

/* Takes c off the free list for a request of size bytes, splitting off
 * the remainder when it can be a chunk of its own. */
static void *take(chunk_t *c, unsigned int size)
{
    unsigned int total = size_of(c);

    list_remove(c);
    if (total - size >= MIN_CHUNK) {
        chunk_t *rest = (chunk_t *)((char *)c + size);

        c->head = size | (c->head & PREV_INUSE) | INUSE;
        rest->head = (total - size) | PREV_INUSE | INUSE;
        release(rest);
    } else {
        c->head |= INUSE;
        next_chunk(c)->head |= PREV_INUSE;
    }
    return payload(c);
}

/* Chunk size for a request: payload plus the header word, rounded to 16. */
static unsigned int chunk_size(size_t n)
{
    if (n > 0x7fffffffu)
        return 0;
    n = (n + 4 + 15) & ~(size_t)15;
    return n < MIN_CHUNK ? MIN_CHUNK : (unsigned int)n;
}

static void *alloc_chunk(unsigned int size)
{
    chunk_t *c;

    for (;;) {
        for (c = free_list; c; c = c->next)
            if (size_of(c) >= size)
                return take(c, size);
        if (grow(size) < 0)
            return NULL;
    }
}

void *_malloc(size_t n)
{
    unsigned int size = chunk_size(n);

    return size == 0 ? NULL : alloc_chunk(size);
}

void _free(void *p)
{
    if (p != NULL)
        release(chunk_of(p));
}

void *_calloc(size_t nelt, size_t eltsize)
{
    void *p;

    if (eltsize != 0 && nelt > (size_t)-1 / eltsize)
        return NULL;
    p = _malloc(nelt * eltsize);
    if (p)
        memset(p, 0, nelt * eltsize);
    return p;
}

/* Grows c in place by absorbing a free successor; 0 on success. */
static int extend(chunk_t *c, unsigned int size)
{
    chunk_t *n = next_chunk(c);

    if ((n->head & INUSE) || size_of(c) + size_of(n) < size)
        return -1;
    list_remove(n);
    c->head += size_of(n);
    next_chunk(c)->head |= PREV_INUSE;
    return 0;
}

void *_realloc(void *p, size_t n)
{
    unsigned int size = chunk_size(n);
    void *q;

    if (p == NULL)
        return _malloc(n);
    if (size == 0)
        return NULL;
    if (size_of(chunk_of(p)) >= size || extend(chunk_of(p), size) == 0)
        return p;
    q = _malloc(n);
    if (q) {
        memcpy(q, p, size_of(chunk_of(p)) - 4);
        _free(p);
    }
    return q;
}
