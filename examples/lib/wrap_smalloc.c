/* wrap_smalloc.c: public smalloc, the heap lock around _smalloc (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void *smalloc(size_t size)
{
    void *p;

    _pb_heap_enter();
    p = _smalloc(size);
    _pb_heap_leave();
    return p;
}
