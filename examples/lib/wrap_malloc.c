/* wrap_malloc.c: public malloc, the heap lock around _malloc (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void *malloc(size_t size)
{
    void *p;

    _pb_heap_enter();
    p = _malloc(size);
    _pb_heap_leave();
    return p;
}
