/* wrap_smemalign.c: public smemalign, the heap lock around _smemalign (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void *smemalign(size_t alignment, size_t size)
{
    void *p;

    _pb_heap_enter();
    p = _smemalign(alignment, size);
    _pb_heap_leave();
    return p;
}
