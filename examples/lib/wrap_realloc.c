/* wrap_realloc.c: public realloc, the heap lock around _realloc (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void *realloc(void *buf, size_t new_size)
{
    void *p;

    _pb_heap_enter();
    p = _realloc(buf, new_size);
    _pb_heap_leave();
    return p;
}
