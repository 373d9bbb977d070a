/* wrap_sfree.c: public sfree, the heap lock around _sfree (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void sfree(void *buf, size_t size)
{
    _pb_heap_enter();
    _sfree(buf, size);
    _pb_heap_leave();
}
