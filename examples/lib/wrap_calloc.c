/* wrap_calloc.c: public calloc, the heap lock around _calloc (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void *calloc(size_t nelt, size_t eltsize)
{
    void *p;

    _pb_heap_enter();
    p = _calloc(nelt, eltsize);
    _pb_heap_leave();
    return p;
}
