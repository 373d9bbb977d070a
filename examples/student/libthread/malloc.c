/* malloc.c: the course allocator made thread-safe with one mutex. */
#include <malloc.h>
#include <mutex.h>

static mutex_t heap = MUTEX_INITIALIZER;

void *malloc(size_t size)
{
    void *p;
    mutex_lock(&heap);
    p = _malloc(size);
    mutex_unlock(&heap);
    return p;
}

void *calloc(size_t nelt, size_t eltsize)
{
    void *p;
    mutex_lock(&heap);
    p = _calloc(nelt, eltsize);
    mutex_unlock(&heap);
    return p;
}

void *realloc(void *buf, size_t new_size)
{
    void *p;
    mutex_lock(&heap);
    p = _realloc(buf, new_size);
    mutex_unlock(&heap);
    return p;
}

void free(void *buf)
{
    mutex_lock(&heap);
    _free(buf);
    mutex_unlock(&heap);
}

void *smalloc(size_t size)
{
    void *p;
    mutex_lock(&heap);
    p = _smalloc(size);
    mutex_unlock(&heap);
    return p;
}

void *smemalign(size_t alignment, size_t size)
{
    void *p;
    mutex_lock(&heap);
    p = _smemalign(alignment, size);
    mutex_unlock(&heap);
    return p;
}

void sfree(void *buf, size_t size)
{
    mutex_lock(&heap);
    _sfree(buf, size);
    mutex_unlock(&heap);
}
